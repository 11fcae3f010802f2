package diff_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/internal/pgtest"
	"github.com/datastack-mcp/datastack-mcp/warehouse"
	"github.com/datastack-mcp/datastack-mcp/warehouse/diff"
	"github.com/datastack-mcp/datastack-mcp/warehouse/internal/testdb"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func open(t *testing.T, db *testdb.DB, name string) *warehouse.Conn {
	t.Helper()
	c, err := warehouse.Open(context.Background(), name, db.DSN)
	require.NoError(t, err, "open %s", db.Engine)
	t.Cleanup(func() { c.Close() })
	return c
}

// orders writes table name with the rows of the scenario: 1..6 on both
// sides, A has 7, B has 8, row 2's amount and row 3's note differ.
func orders(db *testdb.DB, name string, b bool) {
	db.Exec(`CREATE TABLE ` + name + ` (id INTEGER PRIMARY KEY, note VARCHAR(20), amount DECIMAL(12,2), paid BOOLEAN, created TIMESTAMP)`)
	rows := []string{
		`(1, 'a-1', 10.50, true, '2024-01-02 03:04:05.5')`,
		`(2, 'b-2', 200, false, NULL)`,
		`(3, 'c-3', NULL, NULL, '2024-01-03 00:00:00')`,
		`(4, 'D-4', 4, true, '2024-01-04 00:00:00')`,
		`(5, NULL, 5, false, '2024-01-05 00:00:00')`,
		`(6, 'f-6', 6, true, '2024-01-06 00:00:00')`,
	}
	if b {
		rows[1] = `(2, 'b-2', 201, false, NULL)`
		rows[2] = `(3, 'C-3', NULL, NULL, '2024-01-03 00:00:00')`
		rows = append(rows, `(8, 'h-8', 8, false, '2024-01-08 00:00:00')`)
	} else {
		rows = append(rows, `(7, 'g-7', 7, true, '2024-01-07 00:00:00')`)
	}
	db.Exec(`INSERT INTO ` + name + ` VALUES ` + strings.Join(rows, ", "))
}

func checkScenario(t *testing.T, res *diff.Result) {
	t.Helper()
	assert.Equal(t, diff.Different, res.Result, "result: got %s", res.Result)
	assert.EqualValues(t, 7, res.A.Rows, "rows A: got %d, want 7", res.A.Rows)
	assert.EqualValues(t, 7, res.B.Rows, "rows B: got %d, want 7", res.B.Rows)
	assert.EqualValues(t, 1, res.A.RowsOnlyHere, "only in A: got %d, want 1", res.A.RowsOnlyHere)
	assert.EqualValues(t, 1, res.B.RowsOnlyHere, "only in B: got %d, want 1", res.B.RowsOnlyHere)
	assert.EqualValues(t, 6, res.Values.RowsCompared, "rows compared: got %d, want 6", res.Values.RowsCompared)
	assert.EqualValues(t, 2, res.Values.RowsWithDifferences, "rows with differences: got %d, want 2", res.Values.RowsWithDifferences)
	byCol := map[string]int64{}
	for _, c := range res.Values.Columns {
		byCol[c.Column] = c.ValuesDifferent
	}
	assert.Equal(t, map[string]int64{"note": 1, "amount": 1, "paid": 0, "created": 0}, byCol, "values different per column")
	assert.Equal(t, []diff.Key{{int64(7)}}, res.Samples.OnlyInA, "only-in-A sample")
	assert.Equal(t, []diff.Key{{int64(8)}}, res.Samples.OnlyInB, "only-in-B sample")
	require.Len(t, res.Samples.Differing, 2, "differing samples: got %v", res.Samples.Differing)
}

func TestScenario(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		for _, alg := range []string{diff.Join, diff.Hash} {
			t.Run(engine+"/"+alg, func(t *testing.T) {
				db := testdb.SQLite(t)
				if engine == "postgres" {
					db = testdb.Postgres(t)
				}
				orders(db, "orders_a", false)
				orders(db, "orders_b", true)
				c := open(t, db, "wh")
				var stages []string
				res, err := diff.Diff(context.Background(), diff.Request{
					A: diff.Side{Conn: c, Table: "orders_a"}, B: diff.Side{Conn: c, Table: "orders_b"},
					PrimaryKey: []string{"id"}, Algorithm: alg, BisectionThreshold: 2, BisectionFactor: 2,
					Progress: func(p diff.Progress) { stages = append(stages, p.Stage) },
				})
				require.NoError(t, err, "diff")
				checkScenario(t, res)
				assert.Equal(t, alg, res.Algorithm, "algorithm: got %s", res.Algorithm)
				assert.NotEmpty(t, stages, "progress was reported")
				t.Logf("cost: %+v", res.Cost)
			})
		}
	}
}

func TestCrossEngine(t *testing.T) {
	pg, lite := testdb.Postgres(t), testdb.SQLite(t)
	orders(pg, "orders", false)
	orders(lite, "orders", true)
	res, err := diff.Diff(context.Background(), diff.Request{
		A: diff.Side{Conn: open(t, pg, "pg"), Table: "public.orders"}, B: diff.Side{Conn: open(t, lite, "lite"), Table: "orders"},
		PrimaryKey: []string{"ID"}, BisectionThreshold: 2, BisectionFactor: 2,
	})
	require.NoError(t, err, "diff")
	assert.Equal(t, diff.Hash, res.Algorithm, "auto across databases is hash")
	checkScenario(t, res)
	assert.Empty(t, res.Schema.TypeChanged, "PG and SQLite types of the same columns agree: got %v", res.Schema.TypeChanged)
}
