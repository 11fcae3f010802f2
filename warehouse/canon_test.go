package warehouse_test

import (
	"context"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/warehouse"
	"github.com/datastack-mcp/datastack-mcp/warehouse/canon"
	"github.com/datastack-mcp/datastack-mcp/warehouse/dialect"
	"github.com/datastack-mcp/datastack-mcp/warehouse/internal/testdb"
)

// TestCanonAgreement checks that PostgreSQL's SQL (dialect.Postgres), the
// functions registered into SQLite and package canon write the same
// canonical text for the same values: the premise of every cross-engine
// diff.
func TestCanonAgreement(t *testing.T) {
	pg, lite := testdb.Postgres(t), testdb.SQLite(t)
	lite.Exec("CREATE TABLE x (v INTEGER)")
	cpg, clite := open(t, pg), open(t, lite)
	ctx := context.Background()
	one := func(c *warehouse.Conn, q string) any {
		t.Helper()
		res, err := c.Query(ctx, q, 1)
		require.NoError(t, err, "%s", q)
		return res.Rows[0][0]
	}
	// Floats go in as float64 parameters (exact), not as literals.
	r := rand.New(rand.NewPCG(1, 2))
	floats := []float64{0, 0.1, 1e15, 1e16, 1e-5, 0.0001, 123456789012345678, 76036173317700608, 5e-324, math.MaxFloat64, -2.5, 3.4e38, 1.17549435e-38, 16777217, 33554436}
	for range 3000 {
		floats = append(floats, math.Float64frombits(r.Uint64()&^(0x7ff<<52)|uint64(900+r.IntN(250))<<52))
	}
	for range 500 {
		floats = append(floats, float64(r.Int64N(1<<62))*float64(1+r.IntN(1000)))
	}
	var rows [][]any
	for i, x := range floats {
		rows = append(rows, []any{i, x})
	}
	pg.Exec("CREATE TABLE floats (i integer, v double precision)")
	lite.Exec("CREATE TABLE floats (i INTEGER, v REAL)")
	pg.Insert("floats", []string{"i", "v"}, rows)
	lite.Insert("floats", []string{"i", "v"}, rows)
	pgd, lited := dialect.Postgres{}, dialect.SQLite{}
	f64 := dialect.Type{Family: dialect.FamilyFloat, Bits: 64}
	for _, bits := range []int{64, 32} {
		c := dialect.Canon{Kind: dialect.KindFloat, Bits: bits}
		where := ""
		if bits == 32 {
			where = " WHERE abs(v) <= 3.4e38 AND (v = 0 OR abs(v) >= 1.2e-38)" // PostgreSQL refuses to narrow the others
		}
		texts := func(d dialect.Dialect, conn *warehouse.Conn) map[int64]string {
			res, err := conn.Query(ctx, "SELECT i, "+d.Canon("v", f64, c)+" FROM floats"+where, 10000)
			require.NoError(t, err, "float texts")
			out := map[int64]string{}
			for _, row := range res.Rows {
				out[row[0].(int64)] = row[1].(string)
			}
			return out
		}
		gotPG, gotLite := texts(pgd, cpg), texts(lited, clite)
		require.NotEmpty(t, gotPG, "float%d texts", bits)
		for i, text := range gotPG {
			x := floats[i]
			want := canon.Float(x, bits)
			assert.Equal(t, want, text, "float%d %v: postgres %s, canon %s", bits, x, text, want)
			assert.Equal(t, want, gotLite[i], "float%d %v: sqlite %s, canon %s", bits, x, gotLite[i], want)
		}
	}
	ts := dialect.Type{Family: dialect.FamilyTimestamp, Precision: 6}
	for _, tc := range []struct {
		pg, lite string
		p        int
	}{
		{"'2024-01-02 03:04:05.123456'::timestamp", "'2024-01-02T03:04:05.123456Z'", 6},
		{"'2024-01-02 03:04:05.1234565'::timestamp", "'2024-01-02 03:04:05.1234565'", 6},
		{"'1999-12-31 23:59:59.0005'::timestamp", "'1999-12-31 23:59:59.0005'", 3},
		{"'2000-01-01 00:00:00.0005'::timestamp", "'2000-01-01 00:00:00.0005'", 3},
		{"'2024-01-02 03:04:05.5'::timestamp", "'2024-01-02 05:04:05.5+02:00'", 0},
		{"'0099-01-01'::timestamp", "'0099-01-01'", 6},
	} {
		c := dialect.Canon{Kind: dialect.KindTimestamp, Precision: tc.p}
		gotPG := one(cpg, "SELECT "+pgd.Canon(tc.pg, ts, c))
		gotLite := one(clite, "SELECT "+lited.Canon(tc.lite, ts, c))
		assert.Equal(t, gotPG, gotLite, "timestamp(%d) %s: postgres %v, sqlite %v", tc.p, tc.pg, gotPG, gotLite)
	}
	for _, s := range []string{"", "abc", "a-b", "日本", "<null>", "x'y", `a "b"`, `x\y`, "(,)", "tab\there", " lead", "new\nline"} {
		lit := "'" + strings.ReplaceAll(s, "'", "''") + "'"
		row := func(d dialect.Dialect, c *warehouse.Conn) any {
			return one(c, "SELECT "+d.RowText([]string{lit, "NULL", lit}))
		}
		gotPG, gotLite := row(pgd, cpg), row(lited, clite)
		want := canon.Row([]*string{&s, nil, &s})
		assert.Equal(t, want, gotPG, "row text of %q: postgres %v, canon %s", s, gotPG, want)
		assert.Equal(t, want, gotLite, "row text of %q: sqlite %v, canon %s", s, gotLite, want)
		sum := func(d dialect.Dialect, c *warehouse.Conn, cast string) any {
			return one(c, "SELECT "+d.HashSum([]string{lit, "NULL", lit})+cast+" FROM (SELECT 1 UNION ALL SELECT 2) t")
		}
		wantSum := strconv.FormatUint(2*canon.Hash48(want), 10)
		assert.Equal(t, wantSum, sum(pgd, cpg, "::text"), "hash sum of %q in postgres", s)
		assert.Equal(t, wantSum, sum(lited, clite, ""), "hash sum of %q in sqlite", s)
	}
	for _, tc := range []struct {
		q, want string
	}{
		{"SELECT ds_bool('t'), ds_bool(0), ds_bool('maybe')", "true false maybe"},
		{"SELECT ds_date('2024-02-29T23:00:00-02:00'), ds_date(0), ds_date('x')", "2024-03-01 1970-01-01 x"},
		{"SELECT ds_timestamp(1700000000.25, 6), ds_timestamp(1700000000, 0), ds_timestamp('nope', 6)", "2023-11-14 22:13:20.25 2023-11-14 22:13:20 nope"},
		{"SELECT ds_bucket(1.026, 0.05), ds_bucket('x', 0.05), ds_float('1.5', 64)", "20 x 1.5"},
	} {
		res, err := clite.Query(ctx, tc.q, 1)
		require.NoError(t, err, "%s", tc.q)
		var got []string
		for _, v := range res.Rows[0] {
			got = append(got, v.(string))
		}
		assert.Equal(t, tc.want, joinSpace(got), "%s", tc.q)
	}
}

func joinSpace(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}
