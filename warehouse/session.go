package warehouse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
)

// Session is one read-only transaction on one connection of the pool. It
// is not safe for concurrent use; a diff runs one session per side. Close
// always rolls it back.
type Session struct {
	c    *Conn
	conn *sql.Conn
	tx   *sql.Tx
}

// Begin starts a read-only session. With snapshot, every statement of the
// session sees the same data (PostgreSQL: REPEATABLE READ; SQLite: one
// read transaction), as a diff that bisects needs.
func (c *Conn) Begin(ctx context.Context, snapshot bool) (*Session, error) {
	return c.begin(ctx, snapshot, "")
}

// begin starts a session; first (PostgreSQL) runs before anything else.
func (c *Conn) begin(ctx context.Context, snapshot bool, first string) (*Session, error) {
	conn, err := c.db.Conn(ctx)
	if err != nil {
		return nil, c.ctxErr(ctx, "begin", err)
	}
	opts := &sql.TxOptions{ReadOnly: true}
	if snapshot && c.engine == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := conn.BeginTx(ctx, opts)
	if err != nil {
		conn.Close()
		return nil, c.ctxErr(ctx, "begin", err)
	}
	s := &Session{c: c, conn: conn, tx: tx}
	if first != "" {
		if _, err := tx.ExecContext(ctx, first); err != nil {
			s.Close()
			return nil, c.ctxErr(ctx, "begin", err)
		}
	}
	if c.engine == Postgres {
		ms := strconv.FormatInt(c.timeout.Milliseconds(), 10)
		if _, err := tx.ExecContext(ctx, pgSetup, ms); err != nil {
			s.Close()
			return nil, c.ctxErr(ctx, "begin", err)
		}
	}
	return s, nil
}

// ExportSnapshot returns an id other sessions of the same PostgreSQL
// database can begin at (BeginAt) to see exactly this session's data, while
// this session stays open. Other engines return "".
func (s *Session) ExportSnapshot(ctx context.Context) (string, error) {
	if s.c.engine != Postgres {
		return "", nil
	}
	var id string
	err := s.Each(ctx, "SELECT pg_export_snapshot()", nil, func(scan func(...any) error) error { return scan(&id) })
	return id, err
}

// BeginAt starts a read-only session that sees the data of the session
// that exported snapshot (ExportSnapshot); "" is Begin(ctx, true).
func (c *Conn) BeginAt(ctx context.Context, snapshot string) (*Session, error) {
	if snapshot == "" || c.engine != Postgres {
		return c.Begin(ctx, true)
	}
	for _, r := range snapshot {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'F' || r >= 'a' && r <= 'f' || r == '-') {
			return nil, errorf(c.name, "begin", "%q is not a snapshot id", snapshot)
		}
	}
	return c.begin(ctx, true, "SET TRANSACTION SNAPSHOT '"+snapshot+"'")
}

// Conn is the session's connection.
func (s *Session) Conn() *Conn { return s.c }

// Close rolls the session back and returns its connection to the pool.
func (s *Session) Close() {
	_ = s.tx.Rollback()
	_ = s.conn.Close()
}

// Each runs query with args and calls fn for each row; fn reads the row
// with scan (whose errors are redacted). An error fn returns stops the
// query and is returned as it is; every other error is an *Error.
func (s *Session) Each(ctx context.Context, query string, args []any, fn func(scan func(dest ...any) error) error) error {
	qctx, cancel := s.statementContext(ctx)
	defer cancel()
	rows, err := s.tx.QueryContext(qctx, query, args...)
	if err != nil {
		return s.c.stmtErr(ctx, qctx, "query", err)
	}
	defer rows.Close()
	var scanErr error
	scan := func(dest ...any) error {
		if err := rows.Scan(dest...); err != nil {
			scanErr = s.c.Err("read a row", err)
			return scanErr
		}
		return nil
	}
	for rows.Next() {
		if err := fn(scan); err != nil {
			if errors.Is(err, scanErr) {
				return scanErr
			}
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return s.c.stmtErr(ctx, qctx, "query", err)
	}
	if err := rows.Close(); err != nil {
		return s.c.stmtErr(ctx, qctx, "query", err)
	}
	return nil
}

// statementContext bounds one statement: PostgreSQL bounds it itself
// (statement_timeout); SQLite is interrupted when the context ends.
func (s *Session) statementContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.c.engine == SQLite {
		return context.WithTimeout(ctx, s.c.timeout)
	}
	return ctx, func() {}
}

// ctxErr is err as an Error, marked with ctx's error when ctx ended.
func (c *Conn) ctxErr(ctx context.Context, op string, err error) error {
	e := newError(c.name, op, c.redact, err)
	var we *Error
	if errors.As(e, &we) {
		switch {
		case ctx.Err() != nil:
			we.ctx = ctx.Err()
		case we.Code == "57014": // query_canceled, not by us: statement_timeout
			we.ctx = context.DeadlineExceeded
		}
	}
	return e
}

// stmtErr is ctxErr for a statement run under qctx, a bound of ctx: the
// bound ending is a timeout.
func (c *Conn) stmtErr(ctx, qctx context.Context, op string, err error) error {
	if ctx.Err() == nil && qctx.Err() != nil {
		return &Error{Conn: c.name, Op: op, Msg: fmt.Sprintf("statement timeout (%s) exceeded", c.timeout), ctx: context.DeadlineExceeded}
	}
	return c.ctxErr(ctx, op, err)
}
