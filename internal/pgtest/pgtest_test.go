package pgtest

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { Main(m) }

func TestNewDatabase(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, b := NewDatabase(t), NewDatabase(t)
	require.NotEqual(t, a, b, "got the same DSN twice, want a fresh database per call")

	conn, err := pgx.Connect(ctx, a)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	var one int
	require.NoError(t, conn.QueryRow(ctx, "select 1").Scan(&one))
	assert.Equal(t, 1, one, "select 1: got %d, want 1", one)

	_, err = conn.Exec(ctx, "create table t (x int)")
	require.NoError(t, err)

	other, err := pgx.Connect(ctx, b)
	require.NoError(t, err)
	defer other.Close(context.Background())
	var n int
	require.NoError(t, other.QueryRow(ctx, "select count(*) from pg_tables where tablename = 't'").Scan(&n))
	assert.Equal(t, 0, n, "table of one database seen in another: got %d, want 0", n)
}

func TestWithDatabase(t *testing.T) {
	tests := []struct{ dsn, want string }{
		{"postgres://u:p@h:5/old?sslmode=disable", "postgres://u:p@h:5/new?sslmode=disable"},
		{"postgresql://h", "postgresql://h/new"},
		{"host=h user=u", "host=h user=u dbname=new"},
	}
	for _, tt := range tests {
		got, err := withDatabase(tt.dsn, "new")
		require.NoError(t, err)
		assert.Equal(t, tt.want, got, "withDatabase(%q): got %q, want %q", tt.dsn, got, tt.want)
	}
}

func TestVersionOrder(t *testing.T) {
	tests := []struct {
		dir  string
		want int
	}{
		{"/usr/lib/postgresql/15/bin", 15},
		{"/usr/pgsql-9/bin", 9},
		{"/usr/local/pgsql/bin", 0},
	}
	for _, tt := range tests {
		got := versionOf(tt.dir)
		assert.Equal(t, tt.want, got, "versionOf(%q): got %d, want %d", tt.dir, got, tt.want)
	}
}
