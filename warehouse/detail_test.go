package warehouse_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/warehouse/internal/testdb"
)

// TestDescribeTable: one table's kind, row count, columns and keys, and
// table names without counts, on both engines.
func TestDescribeTable(t *testing.T) {
	engines(t, func(t *testing.T, db *testdb.DB) {
		fixture(db)
		if db.Engine == "postgres" {
			db.Exec(`ANALYZE orders`)
		}
		c := open(t, db)
		ctx := context.Background()
		schema := map[string]string{"sqlite": "main", "postgres": "public"}[db.Engine]

		names, err := c.ListTableNames(ctx, schema)
		require.NoError(t, err)
		var got []string
		for _, tb := range names {
			got = append(got, tb.Name)
			if db.Engine == "sqlite" {
				assert.Nil(t, tb.Rows, "%s: SQLite rows are not counted", tb.Name)
			}
		}
		assert.ElementsMatch(t, []string{"big_orders", "customers", "orders"}, got)

		d, err := c.DescribeTable(ctx, schema, "ORDERS")
		require.NoError(t, err, "describe ignores case")
		assert.Equal(t, "orders", d.Name)
		assert.Equal(t, schema, d.Schema)
		assert.Equal(t, "table", d.Kind)
		require.NotNil(t, d.Rows, "orders has a row count on %s", db.Engine)
		assert.Equal(t, int64(3), *d.Rows, "rows: got %d, want 3", *d.Rows)
		assert.Equal(t, db.Engine == "sqlite", d.RowsExact, "SQLite counts, PostgreSQL estimates")
		require.Len(t, d.Columns, 5)
		assert.True(t, d.Columns[0].PrimaryKey)
		assert.Equal(t, [][]string{{"id"}}, d.Unique)

		v, err := c.DescribeTable(ctx, "", "big_orders")
		require.NoError(t, err, "no schema: the default")
		assert.Equal(t, "view", v.Kind)
		assert.Nil(t, v.Rows, "a view is not counted")

		_, err = c.DescribeTable(ctx, schema, "order")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "did you mean "+schema+".orders")
	})
}
