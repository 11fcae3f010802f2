package sqlast

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/internal/pgtest"
)

// notParallelSafeButReadOnly are listed built-ins PostgreSQL does not mark
// parallel safe for reasons other than side effects: they read
// backend-local state (the session's PID, client address, random seed, the
// current date for age) or may set up the session's temporary schema.
var notParallelSafeButReadOnly = map[string]bool{
	"age": true, "inet_client_addr": true, "inet_server_addr": true, "pg_backend_pid": true,
	"pg_get_viewdef": true, "random": true, "current_schema": true, "current_schemas": true,
}

// TestAllowlistOnPostgres asks a real PostgreSQL about every listed function
// it has in pg_catalog. PostgreSQL marks functions that write, take locks,
// use sequences, notify or touch session state parallel restricted or
// unsafe, so a listed function without the parallel-safe mark (and no
// reason above) is a mistake in the list. The mark is necessary, not
// sufficient: pg_terminate_backend, for one, is parallel safe.
func TestAllowlistOnPostgres(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(context.Background())

	var listed []string
	for name := range safeFunctions {
		listed = append(listed, name)
	}
	sort.Strings(listed)
	rows, err := conn.Query(ctx, `select distinct proname from pg_proc
		where pronamespace = 'pg_catalog'::regnamespace and proname = any($1) and proparallel <> 's'
		order by 1`, listed)
	require.NoError(t, err)
	notSafe, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	for _, name := range notSafe {
		assert.True(t, notParallelSafeButReadOnly[name], "listed function %s: got not parallel safe in PostgreSQL, want it off the side-effect-free list", name)
	}

	// The check can fail: the functions the corpus exploits are marked.
	for _, name := range []string{"nextval", "setval", "lo_unlink", "set_config", "pg_notify", "pg_advisory_lock", "txid_current"} {
		var parallel string
		require.NoError(t, conn.QueryRow(ctx, `select max(proparallel::text) from pg_proc
			where pronamespace = 'pg_catalog'::regnamespace and proname = $1`, name).Scan(&parallel))
		assert.NotEqual(t, "s", parallel, "control: %s: got proparallel %q, want not \"s\"", name, parallel)
		assert.False(t, safeFunctions[name], "control: %s: got listed, want not", name)
	}
}
