// Package testdb owns the databases the warehouse tests write their
// fixtures into: a SQLite file in the test's temporary directory, or a
// fresh PostgreSQL database of the throwaway cluster (internal/pgtest).
// Fixtures are written with an ordinary writable handle; the code under
// test then opens the same database read-only through package warehouse.
package testdb

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	// The process-wide "sqlite" driver, writable, for fixtures only.
	_ "modernc.org/sqlite"

	"github.com/datastack-mcp/datastack-mcp/internal/pgtest"
)

// DB is a database a test writes fixtures into.
type DB struct {
	// DSN opens it through package warehouse.
	DSN string
	// Exec runs statements (with optional arguments) on a writable handle.
	Exec func(query string, args ...any)
	// Engine is postgres or sqlite.
	Engine string
}

// SQLite creates an empty SQLite file in the test's temporary directory.
func SQLite(t testing.TB) *DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.db")
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err, "open %s", path)
	t.Cleanup(func() { db.Close() })
	return &DB{
		DSN:    "sqlite://" + path,
		Engine: "sqlite",
		Exec: func(query string, args ...any) {
			t.Helper()
			_, err := db.Exec(query, args...)
			require.NoError(t, err, "sqlite fixture: %s", query)
		},
	}
}

// Postgres creates an empty PostgreSQL database (skipping the test when
// PostgreSQL is not installed and not required).
func Postgres(t testing.TB) *DB {
	t.Helper()
	dsn := pgtest.NewDatabase(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err, "connect to the test database")
	t.Cleanup(func() { conn.Close(context.Background()) })
	return &DB{
		DSN:    dsn,
		Engine: "postgres",
		Exec: func(query string, args ...any) {
			t.Helper()
			_, err := conn.Exec(ctx, query, args...)
			require.NoError(t, err, "postgres fixture: %s", query)
		},
	}
}
