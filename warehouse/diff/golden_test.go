package diff

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/warehouse"
	"github.com/datastack-mcp/datastack-mcp/warehouse/dialect"
	"github.com/datastack-mcp/datastack-mcp/warehouse/internal/golden"
)

// goldenTypes are, per dialect, the catalogue spellings of: integer,
// decimal(12,2), double, boolean, text, timestamp with time zone, date.
var goldenTypes = map[string][7]string{
	"postgres":  {"bigint", "numeric(12,2)", "double precision", "boolean", "text", "timestamp with time zone", "date"},
	"sqlite":    {"INTEGER", "DECIMAL(12,2)", "REAL", "BOOLEAN", "TEXT", "TIMESTAMP", "DATE"},
	"duckdb":    {"BIGINT", "DECIMAL(12,2)", "DOUBLE", "BOOLEAN", "VARCHAR", "TIMESTAMP WITH TIME ZONE", "DATE"},
	"mysql":     {"bigint", "decimal(12,2)", "double", "tinyint(1)", "varchar(255)", "timestamp(6)", "date"},
	"snowflake": {"NUMBER(38,0)", "NUMBER(12,2)", "FLOAT", "BOOLEAN", "VARCHAR(16777216)", "TIMESTAMP_TZ(9)", "DATE"},
	"bigquery":  {"INT64", "NUMERIC(12, 2)", "FLOAT64", "BOOL", "STRING", "TIMESTAMP", "DATE"},
	"trino":     {"bigint", "decimal(12,2)", "double", "boolean", "varchar", "timestamp(6) with time zone", "date"},
}

// goldenPlan is a plan over two tables of d, without databases: orders
// (id, amount, price, paid, note, created) keyed by id, or by (note, day)
// when composite.
func goldenPlan(t *testing.T, d dialect.Dialect, composite bool) *plan {
	ty := goldenTypes[d.Name()]
	info := func(name string) *warehouse.TableInfo {
		cols := []warehouse.ColumnInfo{
			{Name: "id", Type: d.ParseType(ty[0]), NotNull: true},
			{Name: "amount", Type: d.ParseType(ty[1])},
			{Name: "price", Type: d.ParseType(ty[2])},
			{Name: "paid", Type: d.ParseType(ty[3])},
			{Name: "note", Type: d.ParseType(ty[4])},
			{Name: "created", Type: d.ParseType(ty[5])},
			{Name: "day", Type: d.ParseType(ty[6])},
		}
		return &warehouse.TableInfo{Schema: "sales", Name: name, Columns: cols, Unique: [][]string{{"id"}}}
	}
	req := &Request{PrimaryKey: []string{"id"}, Tolerances: map[string]float64{"price": 0.001}, SampleLimit: 10, BisectionFactor: 4}
	if composite {
		req.PrimaryKey = []string{"note", "day"}
	}
	mk := func(label, name, filter string) *side {
		in := info(name)
		return &side{label: label, d: d, info: in, table: d.Table(in.Schema, in.Name), filter: filter}
	}
	p := &plan{req: req, a: mk("A", "orders", "created >= '2024-01-01'"), b: mk("B", "orders_dev", "")}
	require.NoError(t, p.resolveColumns(), "resolve columns")
	p.a.unique, p.a.notNull = keyFacts(p.a.info, p.keyNames(p.a))
	p.b.unique, p.b.notNull = keyFacts(p.b.info, p.keyNames(p.b))
	return p
}

// TestGoldenSQL renders every statement of both algorithms for each
// dialect.
func TestGoldenSQL(t *testing.T) {
	for _, d := range dialect.All() {
		t.Run(d.Name(), func(t *testing.T) {
			var b strings.Builder
			write := func(title, q string, args []any) {
				fmt.Fprintf(&b, "-- %s\n%s\n", title, q)
				if len(args) > 0 {
					fmt.Fprintf(&b, "-- args: %v\n", args)
				}
				b.WriteString("\n")
			}
			for _, composite := range []bool{false, true} {
				p := goldenPlan(t, d, composite)
				key := "key id"
				if composite {
					key = "key (note, day)"
				}
				a, bs := p.a, p.b
				write(key+": stats, key unique", p.statsSQL(a), nil)
				write(key+": stats, key not proven unique", p.statsSQL(bs), nil)
				write(key+": duplicate keys", p.dupSampleSQL(bs, 10), nil)
				write(key+": NULL keys", p.nullSampleSQL(bs, 10), nil)
				q, args := p.checksumSQL(a, &segment{}, nil)
				write(key+": checksum of the table", q, args)
				lo, hi, bounds := []string{"100"}, []string{"900"}, [][]string{{"300"}, {"500"}, {"700"}}
				if composite {
					lo, hi, bounds = []string{"a-1", "2024-01-01"}, []string{"z", "2024-12-31"}, [][]string{{"C-3", "2024-03-01"}, {"c-3", "2024-01-02"}, {"m", "2024-06-30"}}
				}
				seg := &segment{lo: lo, hi: hi}
				q, args = p.checksumSQL(a, seg, bounds)
				write(key+": checksums of four sub-ranges", q, args)
				q, args = p.boundarySQL(a, seg, 4)
				write(key+": range boundaries", q, args)
				q, args = p.fetchSQL(bs, seg)
				write(key+": rows of a range", q, args)
				q, args = p.keyCountsSQL(bs, seg)
				write(key+": key counts of a range", q, args)
				write(key+": join diff, differing rows", p.joinStreamSQL(false, false), nil)
				write(key+": join diff, differing rows, B has duplicate keys", p.joinStreamSQL(false, true), nil)
				write(key+": join diff, counts", p.joinCountSQL(false, true), nil)
			}
			golden.Check(t, "sql_"+d.Name(), b.String())
		})
	}
}
