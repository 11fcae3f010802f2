package diff_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/warehouse/diff"
	"github.com/datastack-mcp/datastack-mcp/warehouse/internal/testdb"
)

// TestHeavyDuplicates: ranges that hold one key on many rows cannot be
// split; they are resolved by counting rows per key.
func TestHeavyDuplicates(t *testing.T) {
	for _, key := range []string{"INTEGER", "TEXT"} {
		t.Run(key, func(t *testing.T) {
			db := testdb.SQLite(t)
			for _, name := range []string{"a", "b"} {
				db.Exec("CREATE TABLE " + name + " (k " + key + ", v INTEGER)")
			}
			var rowsA, rowsB [][]any
			for i := range 10 {
				rowsA = append(rowsA, []any{"1", i}) // key 1: 10 rows on A
				rowsA = append(rowsA, []any{"2", i}) // key 2: 10 rows on A only
			}
			for i := range 5 {
				rowsB = append(rowsB, []any{"1", i}) // key 1: 5 rows on B
			}
			for i := 3; i < 9; i++ {
				rowsA = append(rowsA, []any{fmt.Sprint(i), i})
				rowsB = append(rowsB, []any{fmt.Sprint(i), i + i%2})
			}
			db.Insert("a", []string{"k", "v"}, rowsA)
			db.Insert("b", []string{"k", "v"}, rowsB)
			c := open(t, db, "lite")
			for _, alg := range []string{diff.Join, diff.Hash} {
				res, err := diff.Diff(context.Background(), diff.Request{
					A: diff.Side{Conn: c, Table: "a"}, B: diff.Side{Conn: c, Table: "b"}, PrimaryKey: []string{"k"},
					Algorithm: alg, BisectionThreshold: 2, BisectionFactor: 4,
				})
				require.NoError(t, err, "%s diff", alg)
				assert.EqualValues(t, 10, res.A.RowsOnlyHere, "%s: only in A: got %d, want the 10 rows of key 2", alg, res.A.RowsOnlyHere)
				assert.EqualValues(t, 0, res.B.RowsOnlyHere, "%s: only in B: got %d", alg, res.B.RowsOnlyHere)
				assert.EqualValues(t, 2, res.A.DuplicateKeys, "%s: duplicate keys A: got %d", alg, res.A.DuplicateKeys)
				assert.EqualValues(t, 20, res.A.DuplicateRows, "%s: duplicate rows A: got %d", alg, res.A.DuplicateRows)
				assert.EqualValues(t, 1, res.B.DuplicateKeys, "%s: duplicate keys B: got %d", alg, res.B.DuplicateKeys)
				assert.EqualValues(t, 6, res.Values.RowsCompared, "%s: compared: got %d", alg, res.Values.RowsCompared)
				assert.EqualValues(t, 3, res.Values.RowsWithDifferences, "%s: differing rows: got %d", alg, res.Values.RowsWithDifferences)
				require.Len(t, res.Samples.DuplicateKeysA, 2, "%s: duplicate key samples of A", alg)
				assert.EqualValues(t, 10, res.Samples.DuplicateKeysA[0].Rows, "%s: rows of a duplicated key", alg)
			}
		})
	}
}

// TestIdentical: identical tables answer after one checksum pass per side.
func TestIdentical(t *testing.T) {
	pg, lite := testdb.Postgres(t), testdb.SQLite(t)
	for _, db := range []*testdb.DB{pg, lite} {
		orders(db, "orders", false)
	}
	res, err := diff.Diff(context.Background(), diff.Request{
		A: diff.Side{Conn: open(t, pg, "pg"), Table: "orders"}, B: diff.Side{Conn: open(t, lite, "lite"), Table: "orders"},
		PrimaryKey: []string{"id"},
	})
	require.NoError(t, err, "diff")
	assert.Equal(t, diff.Identical, res.Result, "result: got %s, samples %+v", res.Result, res.Samples)
	assert.Equal(t, 2, res.Cost.Queries, "queries: got %d, want one checksum per side (the primary key needs no counting)", res.Cost.Queries)
	assert.Equal(t, 1, res.Cost.Segments, "segments: got %d, want the whole table", res.Cost.Segments)
	assert.EqualValues(t, 7, res.Values.RowsCompared, "rows compared: got %d", res.Values.RowsCompared)
	for _, c := range res.Values.Columns {
		assert.Equal(t, 100.0, c.MatchPct, "match of %s: got %v", c.Column, c.MatchPct)
	}
}

// TestFilterAndColumns: filters apply per side; include and exclude lists
// and tolerances choose what is compared.
func TestFilterAndColumns(t *testing.T) {
	db := testdb.SQLite(t)
	orders(db, "a", false)
	orders(db, "b", true)
	c := open(t, db, "lite")
	res, err := diff.Diff(context.Background(), diff.Request{
		A: diff.Side{Conn: c, Table: "a", Filter: "id <= 6"}, B: diff.Side{Conn: c, Table: "b", Filter: "id <= 6"},
		PrimaryKey: []string{"id"}, Columns: []string{"amount", "note", "paid"}, Exclude: []string{"note"},
		Tolerances: map[string]float64{"amount": 1},
	})
	require.NoError(t, err, "diff")
	assert.Equal(t, []string{"amount", "paid"}, res.Schema.Compared, "compared columns")
	assert.Equal(t, diff.Identical, res.Result, "within tolerance and filters: got %s (%+v)", res.Result, res.Samples)
	assert.EqualValues(t, 6, res.A.Rows, "filtered rows: got %d", res.A.Rows)
}

func TestRequestErrors(t *testing.T) {
	lite, lite2 := testdb.SQLite(t), testdb.SQLite(t)
	orders(lite, "orders", false)
	orders(lite2, "orders", false)
	lite.Exec("CREATE TABLE texts (id TEXT PRIMARY KEY, v TEXT)")
	c, c2 := open(t, lite, "lite"), open(t, lite2, "lite2")
	side := diff.Side{Conn: c, Table: "orders"}
	tests := []struct {
		name string
		req  diff.Request
		want string
	}{
		{"missing table", diff.Request{A: diff.Side{Conn: c, Table: "ordres"}, B: side, PrimaryKey: []string{"id"}}, `"ordres" does not exist; did you mean main.orders`},
		{"missing key", diff.Request{A: side, B: side, PrimaryKey: []string{"idd"}}, `primary key column "idd" is not in main.orders (A, connection lite); did you mean id`},
		{"no key", diff.Request{A: side, B: side}, "primary_key is empty"},
		{"missing compared column", diff.Request{A: side, B: side, PrimaryKey: []string{"id"}, Columns: []string{"amout"}}, `compared column "amout"`},
		{"tolerance on text", diff.Request{A: side, B: side, PrimaryKey: []string{"id"}, Tolerances: map[string]float64{"note": 1}}, "a tolerance needs a numeric column"},
		{"tolerance on key", diff.Request{A: side, B: side, PrimaryKey: []string{"id"}, Tolerances: map[string]float64{"id": 1}}, "is a key"},
		{"join across databases", diff.Request{A: side, B: diff.Side{Conn: c2, Table: "orders"}, PrimaryKey: []string{"id"}, Algorithm: diff.Join}, "different databases"},
		{"bad algorithm", diff.Request{A: side, B: side, PrimaryKey: []string{"id"}, Algorithm: "magic"}, `"magic" is not auto, join or hash`},
		{"key kinds differ", diff.Request{A: side, B: diff.Side{Conn: c, Table: "texts"}, PrimaryKey: []string{"id"}, Algorithm: diff.Hash}, "key column id is INTEGER on A and TEXT on B"},
		{"bad filter", diff.Request{A: diff.Side{Conn: c, Table: "orders", Filter: "nope = 1"}, B: side, PrimaryKey: []string{"id"}}, "no such column: nope"},
	}
	for _, tt := range tests {
		_, err := diff.Diff(context.Background(), tt.req)
		require.Error(t, err, "%s: got no error", tt.name)
		assert.True(t, strings.Contains(err.Error(), tt.want), "%s: got %q, want it to contain %q", tt.name, err.Error(), tt.want)
	}
}

// TestCancel: a cancelled context stops a diff.
func TestCancel(t *testing.T) {
	db := testdb.SQLite(t)
	orders(db, "a", false)
	c := open(t, db, "lite")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := diff.Diff(ctx, diff.Request{A: diff.Side{Conn: c, Table: "a"}, B: diff.Side{Conn: c, Table: "a"}, PrimaryKey: []string{"id"}})
	require.ErrorIs(t, err, context.Canceled, "diff with a cancelled context: got %v", err)
}

// TestWholeDecimalKey: a numeric(12,0) key in PostgreSQL against an
// INTEGER key in SQLite splits the same way.
func TestWholeDecimalKey(t *testing.T) {
	pg, lite := testdb.Postgres(t), testdb.SQLite(t)
	pg.Exec("CREATE TABLE t (k numeric(12,0) PRIMARY KEY, v text)")
	lite.Exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)")
	var rowsA, rowsB [][]any
	for i := range 50 {
		rowsA = append(rowsA, []any{fmt.Sprint(i * 7), fmt.Sprint("v", i)})
		if i%10 != 3 {
			rowsB = append(rowsB, []any{i * 7, fmt.Sprint("v", i%20)})
		}
	}
	pg.Insert("t", []string{"k", "v"}, rowsA)
	lite.Insert("t", []string{"k", "v"}, rowsB)
	res, err := diff.Diff(context.Background(), diff.Request{
		A: diff.Side{Conn: open(t, pg, "pg"), Table: "t"}, B: diff.Side{Conn: open(t, lite, "lite"), Table: "t"},
		PrimaryKey: []string{"k"}, BisectionThreshold: 4, BisectionFactor: 3,
	})
	require.NoError(t, err, "diff")
	assert.EqualValues(t, 5, res.A.RowsOnlyHere, "only in A: got %d, want 5", res.A.RowsOnlyHere)
	assert.EqualValues(t, 27, res.Values.RowsWithDifferences, "differing: got %d, want 27", res.Values.RowsWithDifferences)
	assert.Equal(t, diff.Key{"21"}, res.Samples.OnlyInA[0], "only-in-A sample: got %#v", res.Samples.OnlyInA[0])
}
