package dialect

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/warehouse/internal/golden"
)

// sampleTypes are, per dialect, the catalog spellings of one type of each
// family.
var sampleTypes = map[string][]string{
	"postgres":  {"bigint", "numeric(12,2)", "numeric", "double precision", "real", "boolean", "text", "uuid", "timestamp(3) without time zone", "timestamp with time zone", "date", "bytea", "jsonb", "integer[]"},
	"sqlite":    {"INTEGER", "DECIMAL(12,2)", "", "REAL", "FLOAT", "BOOLEAN", "TEXT", "UUID", "DATETIME", "TIMESTAMP", "DATE", "BLOB", "JSON", "VARCHAR(20)"},
	"duckdb":    {"BIGINT", "DECIMAL(12,2)", "DECIMAL", "DOUBLE", "FLOAT", "BOOLEAN", "VARCHAR", "UUID", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "DATE", "BLOB", "JSON", "INTEGER[]"},
	"mysql":     {"bigint", "decimal(12,2)", "decimal", "double", "float", "tinyint(1)", "varchar(255)", "char(36)", "datetime(6)", "timestamp", "date", "varbinary(16)", "json", "int unsigned"},
	"snowflake": {"NUMBER(38,0)", "NUMBER(12,2)", "NUMBER", "FLOAT", "REAL", "BOOLEAN", "VARCHAR(16777216)", "VARCHAR(36)", "TIMESTAMP_NTZ(9)", "TIMESTAMP_TZ(3)", "DATE", "BINARY", "VARIANT", "OBJECT"},
	"bigquery":  {"INT64", "NUMERIC", "BIGNUMERIC(76, 38)", "FLOAT64", "FLOAT64", "BOOL", "STRING", "STRING", "DATETIME", "TIMESTAMP", "DATE", "BYTES", "JSON", "ARRAY<INT64>"},
	"trino":     {"bigint", "decimal(12,2)", "decimal(38,0)", "double", "real", "boolean", "varchar", "uuid", "timestamp(3)", "timestamp(6) with time zone", "date", "varbinary", "json", "array(integer)"},
}

// TestGolden renders, per dialect, every type's own canonical text, the
// cross-type forms, key ordering and parameters, the row text and the
// checksum, and compares them with testdata/<dialect>.golden.
func TestGolden(t *testing.T) {
	for _, d := range All() {
		t.Run(d.Name(), func(t *testing.T) {
			var b strings.Builder
			fmt.Fprintf(&b, "# %s: identifiers, parameters\n", d.Name())
			fmt.Fprintf(&b, "quote(weird \"name`) = %s\n", d.Quote("weird \"name`"))
			fmt.Fprintf(&b, "table(sales, order) = %s\n", d.Table("sales", "order"))
			fmt.Fprintf(&b, "table(, order) = %s\n", d.Table("", "order"))
			fmt.Fprintf(&b, "placeholder(3) = %s\n", d.Placeholder(3))
			fmt.Fprintf(&b, "limit(10) = %s\n", d.Limit(10))
			fmt.Fprintf(&b, "distinct = %s\n", d.Distinct("a.x", "b.x"))
			fmt.Fprintf(&b, "float = %s\n", d.Float("x"))
			fmt.Fprintf(&b, "full join = %v\n\n", d.FullJoin())
			fmt.Fprintf(&b, "# types: family, own canonical text, key order and parameter\n")
			types := sampleTypes[d.Name()]
			require.NotEmpty(t, types, "sample types of %s: got none, want some", d.Name())
			for _, raw := range types {
				typ := d.ParseType(raw)
				c := Own(typ)
				fmt.Fprintf(&b, "%q: %s bits=%d scale=%d precision=%d canon=%s\n", raw, typ.Family, typ.Bits, typ.Scale, typ.Precision, c)
				fmt.Fprintf(&b, "  canon: %s\n", d.Canon("x", typ, c))
				if c.Ordered() {
					fmt.Fprintf(&b, "  order: %s >= %s\n", d.Order("x", typ, c), d.Param(d.Placeholder(1), typ, c))
				}
			}
			fmt.Fprintf(&b, "\n# cross-type canonical texts (A type, B type: A text | B text)\n")
			pairs := [][2]int{{0, 1}, {0, 3}, {1, 3}, {3, 4}, {0, 5}, {6, 7}, {8, 9}, {8, 10}, {1, 2}}
			for _, p := range pairs {
				ta, tb := d.ParseType(types[p[0]]), d.ParseType(types[p[1]])
				ca, cb, err := Unify(ta, tb, 0)
				require.NoError(t, err, "unify %s %s", ta.Raw, tb.Raw)
				fmt.Fprintf(&b, "%q, %q: %s | %s\n", ta.Raw, tb.Raw, d.Canon("x", ta, ca), d.Canon("y", tb, cb))
			}
			ta := d.ParseType(types[1])
			ca, _, err := Unify(ta, ta, 0.01)
			require.NoError(t, err, "unify with tolerance")
			fmt.Fprintf(&b, "tolerance 0.01 on %q: %s\n", ta.Raw, d.Canon("x", ta, ca))
			fmt.Fprintf(&b, "\n# row text and checksum\n")
			canons := []string{d.Canon("id", d.ParseType(types[0]), Canon{Kind: KindInt}), d.Canon("name", d.ParseType(types[6]), Canon{Kind: KindText})}
			fmt.Fprintf(&b, "row: %s\n", d.RowText(canons))
			fmt.Fprintf(&b, "sum: %s\n", d.HashSum(canons))
			golden.Check(t, d.Name(), b.String())
		})
	}
}

func TestUnify(t *testing.T) {
	pg := Postgres{}
	tests := []struct {
		a, b   string
		tol    float64
		wantA  string
		wantB  string
		hasErr bool
	}{
		{"integer", "bigint", 0, "int", "int", false},
		{"integer", "numeric(12,2)", 0, "decimal(scale 0)", "decimal(scale 0)", false},
		{"numeric(12,3)", "numeric(12,2)", 0, "decimal(scale 2)", "decimal(scale 2)", false},
		{"numeric", "numeric(12,2)", 0, "decimal(scale 2)", "decimal(scale 2)", false},
		{"numeric", "numeric", 0, "decimal(scale -1)", "decimal(scale -1)", false},
		{"real", "double precision", 0, "float32", "float32", false},
		{"numeric(12,2)", "double precision", 0, "float64", "float64", false},
		{"boolean", "integer", 0, "bool", "bool", false},
		{"uuid", "text", 0, "uuid", "uuid", false},
		{"timestamp(3) without time zone", "timestamp with time zone", 0, "timestamp(3)", "timestamp(3)", false},
		{"date", "timestamp without time zone", 0, "timestamp(6)", "timestamp(6)", false},
		{"date", "date", 0, "date", "date", false},
		{"integer", "text", 0, "int", "text", false},
		{"numeric(12,2)", "real", 0.5, "bucket(0.5)", "bucket(0.5)", false},
		{"text", "real", 0.5, "", "", true},
	}
	for _, tt := range tests {
		ca, cb, err := Unify(pg.ParseType(tt.a), pg.ParseType(tt.b), tt.tol)
		if tt.hasErr {
			assert.Error(t, err, "Unify(%s, %s): got no error, want one", tt.a, tt.b)
			continue
		}
		require.NoError(t, err, "Unify(%s, %s)", tt.a, tt.b)
		assert.Equal(t, tt.wantA, ca.String(), "Unify(%s, %s) A: got %s, want %s", tt.a, tt.b, ca, tt.wantA)
		assert.Equal(t, tt.wantB, cb.String(), "Unify(%s, %s) B: got %s, want %s", tt.a, tt.b, cb, tt.wantB)
	}
}

func TestSchemaFamilies(t *testing.T) {
	tests := []struct {
		d    Dialect
		raw  string
		want string
	}{
		{Postgres{}, "numeric(12,2)", "number"},
		{SQLite{}, "DECIMAL(12,2)", "number"},
		{Postgres{}, "uuid", "text"},
		{SQLite{}, "VARCHAR(36)", "text"},
		{Postgres{}, "timestamp with time zone", "timestamp"},
		{SQLite{}, "DATETIME", "timestamp"},
		{SQLite{}, "BIGINT", "integer"},
		{SQLite{}, "BOOLEAN", "boolean"},
		{MySQL{}, "tinyint(1)", "boolean"},
		{Snowflake{}, "NUMBER(38,0)", "integer"},
	}
	for _, tt := range tests {
		got := tt.d.ParseType(tt.raw).Family.Schema()
		assert.Equal(t, tt.want, got, "%s %q schema family: got %s, want %s", tt.d.Name(), tt.raw, got, tt.want)
	}
}

func TestByName(t *testing.T) {
	for _, d := range All() {
		got, ok := ByName(d.Name())
		require.True(t, ok, "ByName(%s): got not found, want found", d.Name())
		assert.Equal(t, d.Name(), got.Name(), "ByName(%s): got %s", d.Name(), got.Name())
	}
	_, ok := ByName("oracle")
	assert.False(t, ok, "ByName(oracle): got found, want not found")
}
