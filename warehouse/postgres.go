package warehouse

import (
	"database/sql"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/stdlib"
)

// PostgreSQL connections default every transaction to read-only
// (default_transaction_read_only), and every session is a
// BEGIN … READ ONLY transaction that took its snapshot before any SQL of
// the caller ran, so the caller's SQL cannot switch it to read-write, and
// that is always rolled back. A cancelled context sends PostgreSQL a cancel
// request, so the server stops the statement (not only the client
// waiting for it).

// cancelGrace is how long a cancelled statement has to stop before the
// connection is closed under it.
const cancelGrace = 5 * time.Second

// openPostgres opens a pool of connections to the database of dsn.
func openPostgres(dsn string) (*sql.DB, *pgx.ConnConfig, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot parse the DSN: %w", err)
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["default_transaction_read_only"] = "on"
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "datastack-mcp"
	}
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, CancelRequestDelay: 0, DeadlineDelay: cancelGrace}
	}
	return stdlib.OpenDB(*cfg), cfg, nil
}

// pgSetup makes a fresh transaction fit for canonical texts: ISO dates,
// shortest float text, UTC, the statement timeout. It is a SELECT, so the
// transaction has its snapshot afterwards and can no longer be made
// read-write.
const pgSetup = `SELECT set_config('statement_timeout', $1, true), set_config('DateStyle', 'ISO, YMD', true),
 set_config('extra_float_digits', '1', true), set_config('TimeZone', 'UTC', true), set_config('IntervalStyle', 'postgres', true)`
