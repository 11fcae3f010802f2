package warehouse

import (
	"context"
	"strings"
)

// Reads for browsing a connection's catalogue (the warehouse resources):
// table names without counting rows, cheap enough to complete on every
// keystroke, and one table's columns, keys and row count without counting
// the rows of its neighbours.

// TableDetail is one table or view with its columns, keys and row count.
type TableDetail struct {
	Table
	Columns []Column `json:"columns"`
	// Unique are the column sets of the primary key (first, when there is
	// one) and of the unique constraints and indexes.
	Unique [][]string `json:"unique_keys,omitempty"`
}

// ListTableNames lists the tables and views of schema ("" for every
// schema) without counting rows: SQLite's have none, PostgreSQL's keep
// the planner's estimate, which costs nothing.
func (c *Conn) ListTableNames(ctx context.Context, schema string) ([]Table, error) {
	if c.engine == Postgres {
		return c.pgTables(ctx, schema)
	}
	return c.liteTables(ctx, schema, false)
}

// DescribeTable resolves schema and name (exactly, else ignoring case;
// schema "" means the default or the only one) and reads the table's
// columns, keys, kind and row count: PostgreSQL's planner estimate,
// SQLite's exact count (tables only). A table that does not exist is an
// error naming the tables that come closest.
func (c *Conn) DescribeTable(ctx context.Context, schema, name string) (*TableDetail, error) {
	ref := quoteIdent(name)
	if schema != "" {
		ref = quoteIdent(schema) + "." + ref
	}
	info, err := c.Describe(ctx, ref)
	if err != nil {
		return nil, err
	}
	out := &TableDetail{Table: Table{Schema: info.Schema, Name: info.Name}, Columns: columnsOf(info), Unique: info.Unique}
	if err := c.rowCount(ctx, &out.Table); err != nil {
		return nil, err
	}
	return out, nil
}

// columnsOf lists the columns of info, the primary key's (its first key)
// marked.
func columnsOf(info *TableInfo) []Column {
	pk := map[string]bool{}
	if len(info.Unique) > 0 {
		for _, n := range info.Unique[0] {
			pk[n] = true
		}
	}
	out := make([]Column, len(info.Columns))
	for i, col := range info.Columns {
		out[i] = Column{Name: col.Name, Type: col.Type.Raw, Family: col.Type.Family.String(), Nullable: !col.NotNull, PrimaryKey: pk[col.Name]}
	}
	return out
}

// rowCount fills in t's kind and row count.
func (c *Conn) rowCount(ctx context.Context, t *Table) error {
	op := "count rows of " + t.Schema + "." + t.Name
	if c.engine == Postgres {
		q := `SELECT c.relkind::text, c.reltuples::float8 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`
		return c.read(ctx, op, q, []any{t.Schema, t.Name}, func(scan func(...any) error) error {
			var kind string
			var tuples float64
			if err := scan(&kind, &tuples); err != nil {
				return err
			}
			t.Kind = pgKinds[kind]
			if tuples >= 0 && kind != "v" && kind != "f" {
				n := int64(tuples)
				t.Rows = &n
			}
			return nil
		})
	}
	s, err := c.Begin(ctx, true)
	if err != nil {
		return err
	}
	defer s.Close()
	q := `SELECT type FROM ` + c.dialect.Quote(t.Schema) + `.sqlite_schema WHERE name = ?`
	if err := s.Each(ctx, q, []any{t.Name}, func(scan func(...any) error) error { return scan(&t.Kind) }); err != nil {
		return c.opErr(err, op)
	}
	if t.Kind != "table" {
		return nil
	}
	var n int64
	if err := s.Each(ctx, "SELECT count(*) FROM "+c.dialect.Table(t.Schema, t.Name), nil, func(scan func(...any) error) error { return scan(&n) }); err != nil {
		return c.opErr(err, op)
	}
	t.Rows, t.RowsExact = &n, true
	return nil
}

// quoteIdent double-quotes a name part for SplitName.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
