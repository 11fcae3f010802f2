// Package warehouse owns connections to the user's own databases, read-only
// by construction, and what the tools ask of them: catalogue browsing,
// capped read-only queries, and the sessions the diff engine
// (warehouse/diff) runs its pushed-down SQL in.
//
// A connection is a name and a DSN: postgres://… or postgresql://… for
// PostgreSQL (12 or newer; 13 or newer to diff decimals), sqlite:///path
// (absolute) or sqlite:path (relative to the working directory) for a
// SQLite file. Read-only is enforced by each engine, not by inspecting SQL:
// PostgreSQL sessions are READ ONLY transactions that are always rolled
// back; SQLite files are opened with mode=ro, query_only and an
// authorizer that allows reads only. Every statement has a timeout
// (PostgreSQL's statement_timeout; for SQLite the statement's context), and
// a cancelled context stops the statement in the database. No error text
// holds a password.
//
// The package is free of the MCP SDK: the tool adapters live elsewhere.
package warehouse

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/datastack-mcp/datastack-mcp/warehouse/dialect"
)

// Engines.
const (
	Postgres = "postgres"
	SQLite   = "sqlite"
)

// Defaults of the options.
const (
	DefaultStatementTimeout = 5 * time.Minute
	DefaultMaxConns         = 4
)

// Conn is an open connection (a small pool) to one database. It is safe
// for concurrent use.
type Conn struct {
	name     string
	engine   string
	dialect  dialect.Dialect
	db       *sql.DB
	identity string
	timeout  time.Duration
	redact   *redactor
}

// Option configures Open.
type Option func(*options)

type options struct {
	timeout  time.Duration
	maxConns int
}

// WithStatementTimeout bounds every statement (default 5 minutes).
func WithStatementTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.timeout = d
		}
	}
}

// WithMaxConns bounds the connections kept open (default 4).
func WithMaxConns(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.maxConns = n
		}
	}
}

// Open connects to the database of dsn, checks that it answers, and names
// the connection name (in errors and results). The DSN's password never
// appears in an error.
func Open(ctx context.Context, name, dsn string, opts ...Option) (*Conn, error) {
	o := options{timeout: DefaultStatementTimeout, maxConns: DefaultMaxConns}
	for _, opt := range opts {
		opt(&o)
	}
	c := &Conn{name: name, timeout: o.timeout, redact: newRedactor(dsn)}
	scheme, _, _ := strings.Cut(dsn, ":")
	switch strings.ToLower(scheme) {
	case "postgres", "postgresql":
		db, cfg, err := openPostgres(dsn)
		if err != nil {
			return nil, newError(name, "open", c.redact, err)
		}
		c.redact = newRedactor(dsn, cfg.Password)
		c.engine, c.dialect, c.db = Postgres, dialect.Postgres{}, db
		c.identity = fmt.Sprintf("postgres://%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
	case "sqlite":
		path, err := sqlitePath(dsn)
		if err != nil {
			return nil, errorf(name, "open", "%v", err)
		}
		if st, err := os.Stat(path); err != nil || st.IsDir() {
			return nil, errorf(name, "open", "no SQLite database at %s", path)
		}
		db, err := openSQLite(path)
		if err != nil {
			return nil, newError(name, "open", c.redact, err)
		}
		abs, _ := filepath.Abs(path)
		c.engine, c.dialect, c.db, c.identity = SQLite, dialect.SQLite{}, db, "sqlite:"+abs
	default:
		return nil, errorf(name, "open", "unsupported DSN scheme %q: use postgres://, postgresql://, sqlite:///absolute/path or sqlite:relative/path", scheme)
	}
	c.db.SetMaxOpenConns(o.maxConns)
	c.db.SetMaxIdleConns(o.maxConns)
	c.db.SetConnMaxIdleTime(5 * time.Minute)
	// The check is not the caller's statement: a short statement timeout
	// (a test's millisecond) must not fail the open on a busy machine.
	c.timeout = max(o.timeout, openCheckTimeout)
	err := c.check(ctx)
	c.timeout = o.timeout
	if err != nil {
		c.db.Close()
		return nil, err
	}
	return c, nil
}

// sqlitePath is the file of sqlite:///abs/path or sqlite:rel/path.
func sqlitePath(dsn string) (string, error) {
	rest := dsn[len("sqlite:"):]
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		return "", fmt.Errorf("a sqlite DSN takes no parameters; write sqlite:///absolute/path or sqlite:relative/path")
	}
	switch {
	case strings.HasPrefix(rest, "///"):
		rest = rest[2:]
	case strings.HasPrefix(rest, "//"):
		return "", fmt.Errorf("a sqlite DSN has no host; write sqlite:///absolute/path or sqlite:relative/path")
	}
	p, err := url.PathUnescape(rest)
	if err != nil || p == "" {
		return "", fmt.Errorf("a sqlite DSN needs a file path; write sqlite:///absolute/path or sqlite:relative/path")
	}
	return p, nil
}

// check opens a session: the database answers, and (PostgreSQL) its
// version is recent enough.
// openCheckTimeout is the least time Open's check of a connection gets.
const openCheckTimeout = 30 * time.Second

func (c *Conn) check(ctx context.Context) error {
	s, err := c.Begin(ctx, false)
	if err != nil {
		return err
	}
	defer s.Close()
	if c.engine != Postgres {
		return s.Each(ctx, "SELECT count(*) FROM sqlite_schema", nil, func(func(...any) error) error { return nil })
	}
	var version string
	err = s.Each(ctx, "SELECT current_setting('server_version_num')", nil, func(scan func(...any) error) error {
		return scan(&version)
	})
	if err != nil {
		return err
	}
	if n, _ := strconv.Atoi(version); n > 0 && n < 120000 {
		return errorf(c.name, "open", "PostgreSQL %d.%d is too old: 12 or newer is needed", n/10000, n%10000)
	}
	return nil
}

// Name is the connection's name.
func (c *Conn) Name() string { return c.name }

// Engine is postgres or sqlite.
func (c *Conn) Engine() string { return c.engine }

// Dialect renders the connection's SQL.
func (c *Conn) Dialect() dialect.Dialect { return c.dialect }

// SameDatabase reports whether c and o reach the same database (so that a
// diff of their tables can join them in one query).
func (c *Conn) SameDatabase(o *Conn) bool {
	return c == o || (c != nil && o != nil && c.identity == o.identity)
}

// Close closes the connection's pool.
func (c *Conn) Close() error {
	return newError(c.name, "close", c.redact, c.db.Close())
}

// Err is err as an Error of this connection: redacted, named.
func (c *Conn) Err(op string, err error) error {
	return newError(c.name, op, c.redact, err)
}
