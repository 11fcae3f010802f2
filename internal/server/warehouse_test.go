package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite" // the writable "sqlite" driver, for fixtures only

	"github.com/datastack-mcp/datastack-mcp/internal/mcpgo"
	"github.com/datastack-mcp/datastack-mcp/internal/pgtest"
	"github.com/datastack-mcp/datastack-mcp/tools/diff"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// orders writes the same 100 orders through exec, then the differences
// of side b: order 5 missing, 101 extra, 7's amount and 9's status changed,
// 11 twice and one row without a key.
func orders(t *testing.T, exec func(string, ...any), table string, b bool) {
	t.Helper()
	exec(fmt.Sprintf(`CREATE TABLE %s (id integer, amount numeric(10,2), status text, created_at timestamp)`, table))
	for i := 1; i <= 100; i++ {
		if b && i == 5 {
			continue
		}
		amount, status := fmt.Sprintf("%d.%02d", i*3, i%100), []string{"placed", "shipped", "completed"}[i%3]
		if b && i == 7 {
			amount = "999.99"
		}
		if b && i == 9 {
			status = "returned"
		}
		exec(fmt.Sprintf(`INSERT INTO %s VALUES (%d, %s, '%s', '2026-01-%02d 10:00:00')`, table, i, amount, status, 1+i%28))
	}
	if b {
		exec(fmt.Sprintf(`INSERT INTO %s VALUES (101, 1.00, 'placed', '2026-02-01 10:00:00')`, table))
		exec(fmt.Sprintf(`INSERT INTO %s VALUES (11, 33.11, 'completed', '2026-01-12 10:00:00')`, table))
		exec(fmt.Sprintf(`INSERT INTO %s VALUES (NULL, 2.00, 'placed', '2026-02-02 10:00:00')`, table))
	}
}

// TestDiffTablesOnWarehouses calls diff_tables as a client would, on
// PostgreSQL (join diff, one database) and across PostgreSQL and SQLite
// (hash diff), and checks the counts against the truth.
func TestDiffTablesOnWarehouses(t *testing.T) {
	ctx := context.Background()
	pgDSN := pgtest.NewDatabase(t)
	pg, err := pgx.Connect(ctx, pgDSN)
	require.NoError(t, err)
	t.Cleanup(func() { pg.Close(context.Background()) })
	pgExec := func(q string, args ...any) {
		_, err := pg.Exec(ctx, q, args...)
		require.NoError(t, err, q)
	}
	orders(t, pgExec, "orders", false)
	orders(t, pgExec, "orders_dev", true)

	dir := t.TempDir()
	litePath := filepath.Join(dir, "dev.db")
	lite, err := sql.Open("sqlite", litePath)
	require.NoError(t, err)
	orders(t, func(q string, args ...any) { _, err := lite.Exec(q, args...); require.NoError(t, err, q) }, "orders", true)
	require.NoError(t, lite.Close())

	cfg := filepath.Join(dir, "config.json")
	require.NoError(t, os.WriteFile(cfg, []byte(`{"warehouse": {"connections": [{"name": "pg", "dsn_env": "PG_DSN"}, {"name": "lite", "dsn_env": "LITE_DSN"}]}}`), 0o600))
	env := envMap(map[string]string{"PG_DSN": pgDSN, "LITE_DSN": "sqlite://" + litePath})
	s, err := Build(Options{ConfigPath: cfg, Getenv: env})
	require.NoError(t, err)
	assert.Equal(t, []string{"lite", "pg"}, s.Warehouses)
	findTool(t, s, diff.GetResultName) // offered without Datafold: it picks up warehouse diffs by handle
	c := mcpClient(t, s)

	for _, tc := range []struct {
		name, algorithm string
		b               map[string]any
	}{
		{"one PostgreSQL database", "join", map[string]any{"warehouse": "pg", "table": "public.orders_dev"}},
		{"PostgreSQL and SQLite", "hash", map[string]any{"warehouse": "lite", "table": "orders"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := mcp.CallToolRequest{}
			req.Params.Name = "diff_tables"
			req.Params.Arguments = map[string]any{"a": map[string]any{"warehouse": "pg", "table": "public.orders"}, "b": tc.b, "primary_key": []any{"id"}}
			res, err := c.CallTool(ctx, req)
			require.NoError(t, err)
			require.False(t, res.IsError, mcpgo.Text(res))
			b, err := json.Marshal(res.StructuredContent)
			require.NoError(t, err)
			var v struct {
				Result string
				A, B   struct {
					RowsOnlyHere  int `json:"rows_only_here"`
					DuplicateKeys int `json:"duplicate_keys"`
					NullKeys      int `json:"null_keys"`
				}
				Values struct {
					RowsWithDifferences int `json:"rows_with_differences"`
				}
				Columns []struct {
					Column          string
					ValuesDifferent int `json:"values_different"`
				} `json:"columns_with_differences"`
				Local struct{ Algorithm string }
			}
			require.NoError(t, json.Unmarshal(b, &v))
			assert.Equal(t, "different", v.Result)
			assert.Equal(t, tc.algorithm, v.Local.Algorithm)
			assert.Equal(t, 1, v.A.RowsOnlyHere, "a.rows_only_here (order 5)")
			assert.Equal(t, 1, v.B.RowsOnlyHere, "b.rows_only_here (order 101)")
			assert.Equal(t, 1, v.B.DuplicateKeys, "b.duplicate_keys (order 11)")
			assert.Equal(t, 1, v.B.NullKeys, "b.null_keys")
			assert.Equal(t, 0, v.A.DuplicateKeys+v.A.NullKeys)
			assert.Equal(t, 2, v.Values.RowsWithDifferences, "orders 7 and 9")
			got := map[string]int{}
			for _, col := range v.Columns {
				got[col.Column] = col.ValuesDifferent
			}
			assert.Equal(t, map[string]int{"amount": 1, "status": 1}, got)
			assert.NotContains(t, mcpgo.Text(res), pgDSN, "no DSN in the answer")
		})
	}
}

// TestSandboxWarehouses: --sandbox offers its demo warehouse as two
// SQLite databases, and diff_tables on them finds what PR #42 changed.
func TestSandboxWarehouses(t *testing.T) {
	s, err := Build(Options{Sandbox: true})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	assert.Equal(t, []string{SandboxDev, SandboxProd}, s.Warehouses)
	diffTool := findTool(t, s, "diff_tables")
	// dim_customers is the same in both builds; raw_orders' statuses differ.
	res := diffTool.Run(context.Background(), nil, map[string]any{"a": map[string]any{"warehouse": SandboxProd, "table": "dim_customers"},
		"b": map[string]any{"warehouse": SandboxDev}, "primary_key": []any{"customer_id"}})
	require.False(t, res.IsError, res.Text)
	assert.Contains(t, res.Text, "Warehouse diff (hash): identical")

	// get_diff_result is offered and answers the diff's handle from the
	// result this server keeps.
	v, ok := res.Structured.(*diff.DiffVerdict)
	require.True(t, ok, "structured content got %T, want *diff.DiffVerdict", res.Structured)
	require.NotEmpty(t, v.Handle, "a warehouse verdict carries its handle")
	res = findTool(t, s, diff.GetResultName).Run(context.Background(), nil, map[string]any{"handle": v.Handle})
	require.False(t, res.IsError, res.Text)
	got, ok := res.Structured.(*diff.DiffVerdict)
	require.True(t, ok, "structured content got %T, want *diff.DiffVerdict", res.Structured)
	assert.Equal(t, "identical", got.Result)
	assert.False(t, got.Rerun, "the kept result, not a new run")
}
