package databases

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/tools"
)

// liteRegistry is a registry with one SQLite connection, "lite", holding
// a table orders of three rows.
func liteRegistry(t *testing.T) *Registry {
	t.Helper()
	path := filepath.Join(t.TempDir(), "lite.db")
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE orders (id INTEGER PRIMARY KEY, amount REAL, status TEXT);
		INSERT INTO orders VALUES (1, 10.5, 'open'), (2, 20, 'done'), (3, NULL, 'open');`)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	reg := NewRegistry()
	reg.Add("lite", "sqlite://"+path)
	t.Cleanup(reg.Close)
	return reg
}

func byName(t *testing.T, list []*tools.Tool, name string) *tools.Tool {
	t.Helper()
	for _, tl := range list {
		if tl.Name == name {
			return tl
		}
	}
	t.Fatalf("no tool %s among %d", name, len(list))
	return nil
}

func TestRegistryNamesAndUnknownConnection(t *testing.T) {
	reg := liteRegistry(t)
	reg.Add("another", "sqlite:///nowhere.db")
	assert.Equal(t, []string{"another", "lite"}, reg.Names())
	_, err := reg.Conn(context.Background(), "pg")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "another, lite", "the error lists the configured connections")
	var none *Registry
	_, err = none.Conn(context.Background(), "lite")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "WAREHOUSE_DSN")
}

func TestToolsReadTheWarehouse(t *testing.T) {
	reg := liteRegistry(t)
	list, err := Tools(reg)
	require.NoError(t, err)
	require.Len(t, list, 3)
	for _, tl := range list {
		assert.True(t, tl.Annotations.ReadOnly, "%s: got not read-only, want read-only", tl.Name)
	}
	ctx, d := context.Background(), &tools.Deps{}
	cases := []struct {
		tool      string
		args      map[string]any
		wantError bool
		wantText  string
	}{
		{ListTablesName, map[string]any{"warehouse": "lite"}, false, "orders"},
		{DescribeTableName, map[string]any{"warehouse": "lite", "table": "orders"}, false, "amount"},
		{QueryName, map[string]any{"warehouse": "lite", "sql": "SELECT status, count(*) AS n FROM orders GROUP BY status ORDER BY status"}, false, "done"},
		{QueryName, map[string]any{"warehouse": "lite", "sql": "DELETE FROM orders"}, true, "read-only"},
		{QueryName, map[string]any{"warehouse": "pg", "sql": "SELECT 1"}, true, "lite"},
		{DescribeTableName, map[string]any{"warehouse": "lite", "table": "missing"}, true, "missing"},
	}
	for _, c := range cases {
		res := byName(t, list, c.tool).Run(ctx, d, c.args)
		require.NotNil(t, res, "%s %v", c.tool, c.args)
		assert.Equal(t, c.wantError, res.IsError, "%s %v: got isError %v (%s), want %v", c.tool, c.args, res.IsError, res.Text, c.wantError)
		assert.Contains(t, res.Text, c.wantText, "%s %v", c.tool, c.args)
	}
	// The table survives: the DELETE never ran.
	res := byName(t, list, QueryName).Run(ctx, d, map[string]any{"warehouse": "lite", "sql": "SELECT count(*) AS n FROM orders"})
	require.False(t, res.IsError, res.Text)
	assert.Contains(t, res.Text, "3")
}
