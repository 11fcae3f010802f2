package warehouse

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
)

// Error is the error of an operation on a connection. Its text never holds
// the connection's password: every message from a driver or a database is
// redacted before it is kept, and the driver's error itself is not kept
// (errors.Is still finds context.Canceled and context.DeadlineExceeded).
type Error struct {
	// Conn is the connection's name.
	Conn string
	// Op is what was being done: open, query, list tables, …
	Op string
	// Code is the database's error code when it gave one: a SQLSTATE for
	// PostgreSQL (25006: a write in a read-only transaction, 57014: the
	// statement was cancelled), the result code for SQLite (8: read-only,
	// 23: not authorised, 9: interrupted).
	Code string
	// Msg is the redacted message.
	Msg string
	// ctx is the context error behind the failure, if any.
	ctx error
}

func (e *Error) Error() string {
	if e.Conn == "" {
		return fmt.Sprintf("warehouse: %s: %s", e.Op, e.Msg)
	}
	return fmt.Sprintf("warehouse: connection %s: %s: %s", e.Conn, e.Op, e.Msg)
}

// Unwrap returns the context error behind the failure, if any.
func (e *Error) Unwrap() error { return e.ctx }

// ReadOnlyViolation reports whether err is the database refusing a write
// (or a setting change) because the session is read-only.
func ReadOnlyViolation(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code {
	case "25006", // read_only_sql_transaction
		"25001", // active_sql_transaction: read-write mode after the snapshot
		"8",     // SQLITE_READONLY and its extended codes below
		"23",    // SQLITE_AUTH: the authorizer refused
		"264", "520", "776", "1032", "1288", "1544":
		return true
	}
	return false
}

// redactor removes a connection's secrets from text.
type redactor struct {
	secrets []string
}

var (
	urlPassword = regexp.MustCompile(`(://[^:/@\s]*:)[^@\s]*@`)
	kvPassword  = regexp.MustCompile(`(?i)(password\s*=\s*)('[^']*'|\S+)`)
)

// newRedactor collects the password of dsn in its raw and decoded forms.
func newRedactor(dsn string, more ...string) *redactor {
	r := &redactor{}
	add := func(s string) {
		if s != "" && !containsString(r.secrets, s) {
			r.secrets = append(r.secrets, s)
		}
	}
	for _, s := range more {
		add(s)
	}
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok {
			add(p)
			add(url.QueryEscape(p))
			add(url.PathEscape(p))
		}
	}
	if m := urlPassword.FindStringSubmatch(dsn); m != nil {
		raw := strings.TrimSuffix(strings.TrimPrefix(m[0], m[1]), "@")
		add(raw)
		if d, err := url.PathUnescape(raw); err == nil {
			add(d)
		}
	}
	if u, err := url.Parse(dsn); err == nil {
		if p := u.Query().Get("password"); p != "" {
			add(p)
		}
	}
	return r
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// text is s without the secrets.
func (r *redactor) text(s string) string {
	s = urlPassword.ReplaceAllString(s, "${1}xxxxx@")
	s = kvPassword.ReplaceAllString(s, "${1}xxxxx")
	if r == nil {
		return s
	}
	for _, p := range r.secrets {
		s = strings.ReplaceAll(s, p, "xxxxx")
	}
	return s
}

// newError is the redacted Error of err.
func newError(conn, op string, r *redactor, err error) error {
	if err == nil {
		return nil
	}
	var already *Error
	if errors.As(err, &already) {
		return err
	}
	e := &Error{Conn: conn, Op: op}
	switch {
	case errors.Is(err, context.Canceled):
		e.ctx = context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		e.ctx = context.DeadlineExceeded
	}
	var pgErr *pgconn.PgError
	var liteErr *sqlite.Error
	switch {
	case errors.As(err, &pgErr):
		e.Code = pgErr.Code
		msg := pgErr.Message
		if pgErr.Detail != "" {
			msg += " (" + pgErr.Detail + ")"
		}
		if pgErr.Hint != "" {
			msg += "; hint: " + pgErr.Hint
		}
		e.Msg = r.text(msg)
	case errors.As(err, &liteErr):
		e.Code = fmt.Sprint(liteErr.Code())
		e.Msg = r.text(liteErr.Error())
	default:
		e.Msg = r.text(err.Error())
	}
	return e
}

// errorf is an Error of the engine itself (not a driver's).
func errorf(conn, op, format string, a ...any) error {
	return &Error{Conn: conn, Op: op, Msg: fmt.Sprintf(format, a...)}
}
