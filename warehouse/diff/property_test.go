package diff_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/warehouse"
	"github.com/datastack-mcp/datastack-mcp/warehouse/diff"
	"github.com/datastack-mcp/datastack-mcp/warehouse/internal/testdb"
)

// The property test writes random tables (integer, float, decimal, text
// with hyphens, unicode and case differences, timestamps written in
// several ISO forms, booleans, NULLs; integer, text or composite keys;
// duplicate and NULL keys) with injected differences into SQLite and
// PostgreSQL, diffs them with every algorithm and engine pair (hash with
// a tiny bisection threshold), and checks each answer against the truth
// computed here from the same rows.

// pcol is a value column of the random tables.
type pcol struct {
	name      string
	pg, lite  string
	random    func(r *rand.Rand) any
	equal     func(a, b any, tol float64) bool
	pgValue   func(v any) any
	liteValue func(r *rand.Rand, v any) any
}

var floats = []float64{0, 1, -1, 0.1, 0.2, 0.30000000000000004, 1e-7, 123456.789, 1e15, 1e16, -2.5e-5, 3.14159, 42}

var words = []string{"a-b", "a_b", "ab", "AB", "Ab", "a b", "", "<null>", "null", "über", "Über", "日本", "naïve", "x-1", "X-1", "-", "--", "z"}

var pcols = []pcol{
	{name: "i", pg: "bigint", lite: "INTEGER",
		random: func(r *rand.Rand) any { return int64(r.IntN(2000) - 1000) },
		equal:  func(a, b any, _ float64) bool { return a == b }},
	{name: "f", pg: "double precision", lite: "REAL",
		random: func(r *rand.Rand) any {
			if r.IntN(2) == 0 {
				return floats[r.IntN(len(floats))]
			}
			return math.Round(r.NormFloat64()*1e6) / 1e3
		},
		equal: func(a, b any, tol float64) bool {
			if tol > 0 {
				return math.Abs(a.(float64)-b.(float64)) <= tol
			}
			return a == b
		}},
	{name: "n", pg: "numeric(12,2)", lite: "DECIMAL(12,2)",
		random:  func(r *rand.Rand) any { return int64(r.IntN(200000) - 100000) }, // cents
		equal:   func(a, b any, _ float64) bool { return a == b },
		pgValue: func(v any) any { return cents(v.(int64)) }},
	{name: "t", pg: "text", lite: "TEXT",
		random: func(r *rand.Rand) any { return words[r.IntN(len(words))] },
		equal:  func(a, b any, _ float64) bool { return a == b }},
	{name: "ts", pg: "timestamp", lite: "TIMESTAMP",
		random: func(r *rand.Rand) any {
			return time.Date(2020+r.IntN(5), time.Month(1+r.IntN(12)), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(3)*r.IntN(1000000)*1000, time.UTC)
		},
		equal:   func(a, b any, _ float64) bool { return a.(time.Time).Equal(b.(time.Time)) },
		pgValue: func(v any) any { return v.(time.Time).Format("2006-01-02 15:04:05.999999") },
		liteValue: func(r *rand.Rand, v any) any {
			t := v.(time.Time)
			switch r.IntN(4) {
			case 0:
				return t.Format("2006-01-02T15:04:05.999999Z")
			case 1:
				return t.In(time.FixedZone("", 2*3600)).Format("2006-01-02 15:04:05.999999-07:00")
			}
			return t.Format("2006-01-02 15:04:05.999999")
		}},
	{name: "b", pg: "boolean", lite: "BOOLEAN",
		random: func(r *rand.Rand) any { return r.IntN(2) == 0 },
		equal:  func(a, b any, _ float64) bool { return a == b }},
}

func cents(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

// prow is a logical row: key values (nil: NULL) and values (nil: NULL).
type prow struct {
	key  []any
	vals []any
}

// keyKind is the key of a dataset: int (id), text (code), composite
// (k1 text, k2 integer).
type keyKind int

const (
	intKey keyKind = iota
	textKey
	compositeKey
)

func (k keyKind) names() []string {
	return [][]string{{"id"}, {"code"}, {"k1", "k2"}}[k]
}

func (k keyKind) types(engine string) []string {
	if engine == "postgres" {
		return [][]string{{"bigint"}, {"text"}, {"text", "integer"}}[k]
	}
	return [][]string{{"INTEGER"}, {"TEXT"}, {"TEXT", "INTEGER"}}[k]
}

func (k keyKind) random(r *rand.Rand) []any {
	word := func() string {
		var b strings.Builder
		alphabet := []string{"a", "A", "b", "-", "_", "ä", "é", "日", "z", "Z", "0", "9", " "}
		for n := 1 + r.IntN(5); n > 0; n-- {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	switch k {
	case intKey:
		return []any{int64(r.IntN(1_000_000) - 500_000)}
	case textKey:
		return []any{word()}
	}
	return []any{word(), int64(r.IntN(5))}
}

// dataset is a random pair of tables and what a diff must find.
type dataset struct {
	kind    keyKind
	a, b    []prow
	tol     float64
	primary bool // the key is a PRIMARY KEY (no duplicate or NULL keys)
}

func keyString(k []any) string { return fmt.Sprintf("%#v", k) }

func newDataset(seed uint64) *dataset {
	r := rand.New(rand.NewPCG(seed, 7))
	d := &dataset{kind: keyKind(seed % 3)}
	if r.IntN(3) == 0 {
		d.tol = 0.5
	}
	dupsAndNulls := r.IntN(3) > 0
	d.primary = !dupsAndNulls
	n := 60 + r.IntN(120)
	seen := map[string]bool{}
	randomRow := func() prow {
		for {
			k := d.kind.random(r)
			if !seen[keyString(k)] {
				seen[keyString(k)] = true
				row := prow{key: k}
				for _, c := range pcols {
					var v any
					if r.IntN(8) > 0 {
						v = c.random(r)
					}
					row.vals = append(row.vals, v)
				}
				return row
			}
		}
	}
	for range n {
		row := randomRow()
		d.a = append(d.a, row)
		if r.IntN(10) == 0 {
			continue // only in A
		}
		b := prow{key: row.key, vals: slices.Clone(row.vals)}
		if r.IntN(6) == 0 {
			for range 1 + r.IntN(2) {
				j := r.IntN(len(pcols))
				switch {
				case r.IntN(5) == 0:
					b.vals[j] = nil
				case pcols[j].name == "t" && b.vals[j] != nil && r.IntN(2) == 0:
					b.vals[j] = strings.ToUpper(b.vals[j].(string))
				case pcols[j].name == "f" && b.vals[j] != nil && d.tol > 0:
					b.vals[j] = b.vals[j].(float64) + []float64{0.25, 0.5, 0.75, -1}[r.IntN(4)]
				default:
					b.vals[j] = pcols[j].random(r)
				}
			}
		}
		d.b = append(d.b, b)
	}
	for range r.IntN(n/10 + 1) {
		d.b = append(d.b, randomRow()) // only in B
	}
	if dupsAndNulls {
		for range 1 + r.IntN(3) {
			src := d.a[r.IntN(len(d.a))]
			dup := prow{key: src.key, vals: slices.Clone(src.vals)}
			if r.IntN(2) == 0 {
				dup.vals[3] = "dup"
			}
			if r.IntN(2) == 0 {
				d.a = append(d.a, dup)
			} else {
				d.b = append(d.b, dup)
			}
		}
		for range r.IntN(3) {
			row := randomRow()
			row.key[r.IntN(len(row.key))] = nil
			if r.IntN(2) == 0 {
				d.a = append(d.a, row)
			} else {
				d.b = append(d.b, row)
			}
		}
	}
	r.Shuffle(len(d.a), func(i, j int) { d.a[i], d.a[j] = d.a[j], d.a[i] })
	r.Shuffle(len(d.b), func(i, j int) { d.b[i], d.b[j] = d.b[j], d.b[i] })
	return d
}

// write creates table name holding rows.
func (d *dataset) write(t *testing.T, db *testdb.DB, name string, rows []prow, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 11))
	keyNames, keyTypes := d.kind.names(), d.kind.types(db.Engine)
	var defs, cols []string
	for i, k := range keyNames {
		defs = append(defs, k+" "+keyTypes[i])
		cols = append(cols, k)
	}
	for _, c := range pcols {
		typ := c.pg
		if db.Engine == "sqlite" {
			typ = c.lite
		}
		defs = append(defs, c.name+" "+typ)
		cols = append(cols, c.name)
	}
	if d.primary {
		defs = append(defs, "PRIMARY KEY ("+strings.Join(keyNames, ", ")+")")
	}
	db.Exec("CREATE TABLE " + name + " (" + strings.Join(defs, ", ") + ")")
	var out [][]any
	for _, row := range rows {
		vals := slices.Clone(row.key)
		for j, c := range pcols {
			v := row.vals[j]
			switch {
			case v == nil:
			case db.Engine == "postgres" && c.pgValue != nil:
				v = c.pgValue(v)
			case db.Engine == "sqlite" && c.liteValue != nil:
				v = c.liteValue(r, v)
			case db.Engine == "sqlite" && c.pgValue != nil:
				v = c.pgValue(v)
			}
			vals = append(vals, v)
		}
		out = append(out, vals)
	}
	db.Insert(name, cols, out)
}

// truth is what a diff of d must find.
type truth struct {
	rowsA, rowsB, onlyA, onlyB, nullA, nullB, dupKeysA, dupKeysB, dupRowsA, dupRowsB int64
	compared, rowsDiff                                                               int64
	colDiff                                                                          map[string]int64
	onlyAKeys, onlyBKeys                                                             map[string]bool
}

func (d *dataset) truth() truth {
	t := truth{colDiff: map[string]int64{}, onlyAKeys: map[string]bool{}, onlyBKeys: map[string]bool{}}
	for _, c := range pcols {
		t.colDiff[c.name] = 0
	}
	group := func(rows []prow, nulls, dupKeys, dupRows *int64) map[string][]prow {
		m := map[string][]prow{}
		for _, row := range rows {
			if slices.Contains(row.key, nil) {
				*nulls++
				continue
			}
			m[keyString(row.key)] = append(m[keyString(row.key)], row)
		}
		for _, rs := range m {
			if len(rs) > 1 {
				*dupKeys++
				*dupRows += int64(len(rs))
			}
		}
		return m
	}
	t.rowsA, t.rowsB = int64(len(d.a)), int64(len(d.b))
	ga := group(d.a, &t.nullA, &t.dupKeysA, &t.dupRowsA)
	gb := group(d.b, &t.nullB, &t.dupKeysB, &t.dupRowsB)
	for k, ra := range ga {
		rb := gb[k]
		switch {
		case len(rb) == 0:
			t.onlyA += int64(len(ra))
			t.onlyAKeys[k] = true
		case len(ra) == 1 && len(rb) == 1:
			t.compared++
			differs := false
			for j, c := range pcols {
				va, vb := ra[0].vals[j], rb[0].vals[j]
				tol := 0.0
				if c.name == "f" {
					tol = d.tol
				}
				if (va == nil) != (vb == nil) || va != nil && !c.equal(va, vb, tol) {
					t.colDiff[c.name]++
					differs = true
				}
			}
			if differs {
				t.rowsDiff++
			}
		}
	}
	for k, rb := range gb {
		if len(ga[k]) == 0 {
			t.onlyB += int64(len(rb))
			t.onlyBKeys[k] = true
		}
	}
	return t
}

// check compares a result with the truth.
func (tr truth) check(t *testing.T, res *diff.Result) {
	t.Helper()
	got := map[string]int64{
		"rows A": res.A.Rows, "rows B": res.B.Rows, "only in A": res.A.RowsOnlyHere, "only in B": res.B.RowsOnlyHere,
		"null keys A": res.A.NullKeys, "null keys B": res.B.NullKeys, "duplicate keys A": res.A.DuplicateKeys, "duplicate keys B": res.B.DuplicateKeys,
		"duplicate rows A": res.A.DuplicateRows, "duplicate rows B": res.B.DuplicateRows,
		"rows compared": res.Values.RowsCompared, "rows with differences": res.Values.RowsWithDifferences,
	}
	want := map[string]int64{
		"rows A": tr.rowsA, "rows B": tr.rowsB, "only in A": tr.onlyA, "only in B": tr.onlyB,
		"null keys A": tr.nullA, "null keys B": tr.nullB, "duplicate keys A": tr.dupKeysA, "duplicate keys B": tr.dupKeysB,
		"duplicate rows A": tr.dupRowsA, "duplicate rows B": tr.dupRowsB,
		"rows compared": tr.compared, "rows with differences": tr.rowsDiff,
	}
	for k, w := range want {
		assert.Equal(t, w, got[k], "%s: got %d, want %d", k, got[k], w)
	}
	cols := map[string]int64{}
	for _, c := range res.Values.Columns {
		cols[c.Column] = c.ValuesDifferent
	}
	assert.Equal(t, tr.colDiff, cols, "values different per column: got %v, want %v", cols, tr.colDiff)
	for _, k := range res.Samples.OnlyInA {
		assert.True(t, tr.onlyAKeys[keyString(k)], "only-in-A sample %v is not only in A", k)
	}
	for _, k := range res.Samples.OnlyInB {
		assert.True(t, tr.onlyBKeys[keyString(k)], "only-in-B sample %v is not only in B", k)
	}
	identical := tr.onlyA+tr.onlyB+tr.rowsDiff+tr.nullA+tr.nullB+tr.dupKeysA+tr.dupKeysB == 0
	assert.Equal(t, identical, res.Result == diff.Identical, "result: got %s", res.Result)
}

func TestProperty(t *testing.T) {
	seeds := []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9}
	if testing.Short() {
		seeds = seeds[:3]
	}
	pg := testdb.Postgres(t)
	lite1, lite2 := testdb.SQLite(t), testdb.SQLite(t)
	for _, seed := range seeds {
		d := newDataset(seed)
		a, b := fmt.Sprintf("p%d_a", seed), fmt.Sprintf("p%d_b", seed)
		d.write(t, lite1, a, d.a, seed)
		d.write(t, lite1, b, d.b, seed)
		d.write(t, lite2, b, d.b, seed+100)
		d.write(t, pg, a, d.a, seed)
		d.write(t, pg, b, d.b, seed)
	}
	connPG, connLite1, connLite2 := open(t, pg, "pg"), open(t, lite1, "lite1"), open(t, lite2, "lite2")
	configs := []struct {
		name        string
		alg         string
		ca, cb      *warehouse.Conn
		streamLimit int
	}{
		{"join sqlite", diff.Join, connLite1, connLite1, 0},
		{"join postgres", diff.Join, connPG, connPG, 0},
		{"join sqlite counted", diff.Join, connLite1, connLite1, 3},
		{"join postgres counted", diff.Join, connPG, connPG, 3},
		{"hash sqlite-sqlite", diff.Hash, connLite1, connLite2, 0},
		{"hash postgres-postgres", diff.Hash, connPG, connPG, 0},
		{"hash postgres-sqlite", diff.Hash, connPG, connLite2, 0},
		{"hash sqlite-postgres", diff.Hash, connLite1, connPG, 0},
	}
	for _, seed := range seeds {
		d := newDataset(seed)
		tr := d.truth()
		for _, cfg := range configs {
			t.Run(fmt.Sprintf("seed %d key %v %s", seed, d.kind.names(), cfg.name), func(t *testing.T) {
				req := diff.Request{
					A:          diff.Side{Conn: cfg.ca, Table: fmt.Sprintf("p%d_a", seed)},
					B:          diff.Side{Conn: cfg.cb, Table: fmt.Sprintf("p%d_b", seed)},
					PrimaryKey: d.kind.names(), Algorithm: cfg.alg, BisectionThreshold: 3, BisectionFactor: 4, SampleLimit: 5,
					StreamLimit: cfg.streamLimit,
				}
				if d.tol > 0 {
					req.Tolerances = map[string]float64{"f": d.tol}
				}
				res, err := diff.Diff(context.Background(), req)
				require.NoError(t, err, "diff")
				tr.check(t, res)
				t.Logf("truth %+v; cost %+v", tr, res.Cost)
				assert.Equal(t, cfg.alg, res.Algorithm, "algorithm")
			})
		}
	}
}
