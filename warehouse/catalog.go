package warehouse

import (
	"context"
	"errors"
	"sort"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/warehouse/dialect"
)

// Table is a table or view in a listing.
type Table struct {
	Schema string `json:"schema"`
	Name   string `json:"name"`
	// Kind is table, view, materialized view, foreign table or
	// partitioned table.
	Kind string `json:"kind"`
	// Rows is the row count: PostgreSQL's planner estimate
	// (pg_class.reltuples, absent before the first ANALYZE), SQLite's exact
	// count (tables only).
	Rows *int64 `json:"rows,omitempty"`
	// RowsExact says whether Rows is a count rather than an estimate.
	RowsExact bool `json:"rows_exact,omitempty"`
}

// Column is a column in a listing.
type Column struct {
	Name string `json:"name"`
	// Type is the type as the database spells it.
	Type string `json:"type"`
	// Family is the type's family as diffs compare it: integer, decimal,
	// float, boolean, text, uuid, timestamp, timestamptz, date, binary,
	// json or other.
	Family     string `json:"family"`
	Nullable   bool   `json:"nullable"`
	PrimaryKey bool   `json:"primary_key,omitempty"`
}

// TableInfo describes a table for a diff.
type TableInfo struct {
	Schema string
	Name   string
	// Columns are in the table's order.
	Columns []ColumnInfo
	// Unique are the column sets of the primary key and of the unique
	// constraints and indexes (without predicate or expression).
	Unique [][]string
}

// ColumnInfo is a column of TableInfo.
type ColumnInfo struct {
	Name    string
	Type    dialect.Type
	NotNull bool
}

// Qualified is schema.name for messages.
func (t *TableInfo) Qualified() string {
	if t.Schema == "" {
		return t.Name
	}
	return t.Schema + "." + t.Name
}

// Column returns the column named name: exactly, else the one whose name
// matches ignoring case.
func (t *TableInfo) Column(name string) (ColumnInfo, bool) {
	var folded []ColumnInfo
	for _, c := range t.Columns {
		if c.Name == name {
			return c, true
		}
		if strings.EqualFold(c.Name, name) {
			folded = append(folded, c)
		}
	}
	if len(folded) == 1 {
		return folded[0], true
	}
	return ColumnInfo{}, false
}

// ColumnNames are the columns' names in order.
func (t *TableInfo) ColumnNames() []string {
	out := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = c.Name
	}
	return out
}

// ListSchemas lists the schemas the connection can read (SQLite: the
// attached databases, main first).
func (c *Conn) ListSchemas(ctx context.Context) ([]string, error) {
	var q string
	if c.engine == Postgres {
		q = `SELECT nspname FROM pg_namespace
WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND nspname NOT LIKE 'pg\_temp\_%' AND nspname NOT LIKE 'pg\_toast\_temp\_%'
  AND has_schema_privilege(oid, 'USAGE') ORDER BY nspname`
	} else {
		q = `SELECT name FROM pragma_database_list WHERE name <> 'temp' ORDER BY seq`
	}
	var out []string
	err := c.read(ctx, "list schemas", q, nil, func(scan func(...any) error) error {
		var s string
		if err := scan(&s); err != nil {
			return err
		}
		out = append(out, s)
		return nil
	})
	return out, err
}

// ListTables lists the tables and views of schema ("" for every schema).
func (c *Conn) ListTables(ctx context.Context, schema string) ([]Table, error) {
	if c.engine == Postgres {
		return c.pgTables(ctx, schema)
	}
	return c.liteTables(ctx, schema, true)
}

// tableNames lists tables and views without counting rows.
func (c *Conn) tableNames(ctx context.Context) ([]Table, error) {
	return c.ListTableNames(ctx, "")
}

// ListColumns lists the columns of table ("schema.table" or "table").
func (c *Conn) ListColumns(ctx context.Context, table string) ([]Column, error) {
	info, err := c.Describe(ctx, table)
	if err != nil {
		return nil, err
	}
	return columnsOf(info), nil
}

// Describe resolves table ("schema.table" or "table", exactly or ignoring
// case) and reads its columns and unique keys. A table that does not exist
// is an error naming the tables that come closest.
func (c *Conn) Describe(ctx context.Context, table string) (*TableInfo, error) {
	schema, name, err := c.resolve(ctx, table)
	if err != nil {
		return nil, err
	}
	if c.engine == Postgres {
		return c.pgDescribe(ctx, schema, name)
	}
	return c.liteDescribe(ctx, schema, name)
}

// read runs one catalogue query in a session of its own.
func (c *Conn) read(ctx context.Context, op, q string, args []any, fn func(scan func(...any) error) error) error {
	s, err := c.Begin(ctx, false)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Each(ctx, q, args, fn); err != nil {
		var e *Error
		if errors.As(err, &e) && e.Op == "query" {
			e.Op = op
		}
		return err
	}
	return nil
}

// resolve finds the schema and name of table.
func (c *Conn) resolve(ctx context.Context, table string) (string, string, error) {
	parts := SplitName(table)
	if len(parts) == 0 || len(parts) > 2 {
		return "", "", errorf(c.name, "find table", "%q is not a table name: write table or schema.table", table)
	}
	schema, name := "", parts[len(parts)-1]
	if len(parts) == 2 {
		schema = parts[0]
	}
	tables, err := c.tableNames(ctx)
	if err != nil {
		return "", "", err
	}
	var exact, folded []Table
	for _, t := range tables {
		if schema != "" && !strings.EqualFold(t.Schema, schema) {
			continue
		}
		switch {
		case t.Name == name && (schema == "" || t.Schema == schema):
			exact = append(exact, t)
		case strings.EqualFold(t.Name, name):
			folded = append(folded, t)
		}
	}
	pick := exact
	if len(pick) == 0 {
		pick = folded
	}
	if len(pick) > 1 && schema == "" {
		if pref := c.defaultSchema(); pref != "" {
			for _, t := range pick {
				if t.Schema == pref {
					return t.Schema, t.Name, nil
				}
			}
		}
		var names []string
		for _, t := range pick {
			names = append(names, t.Schema+"."+t.Name)
		}
		return "", "", errorf(c.name, "find table", "table %q is in several schemas: %s; name one", table, strings.Join(names, ", "))
	}
	if len(pick) == 1 {
		return pick[0].Schema, pick[0].Name, nil
	}
	var names []string
	for _, t := range tables {
		names = append(names, t.Schema+"."+t.Name)
	}
	return "", "", errorf(c.name, "find table", "table %q does not exist; %s", table, nearby("tables", table, names))
}

// defaultSchema is the schema an unqualified name prefers.
func (c *Conn) defaultSchema() string {
	if c.engine == Postgres {
		return "public"
	}
	return "main"
}

// SplitName splits a table name on dots outside double quotes, and
// unquotes the parts: `"My Schema".orders` is [My Schema, orders].
func SplitName(s string) []string {
	var parts []string
	var b strings.Builder
	quoted, seen := false, false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '"' && quoted && i+1 < len(s) && s[i+1] == '"':
			b.WriteByte('"')
			i++
		case ch == '"':
			quoted = !quoted
			seen = true
		case ch == '.' && !quoted:
			parts = append(parts, b.String())
			b.Reset()
		default:
			b.WriteByte(ch)
			seen = true
		}
	}
	if !seen && len(parts) == 0 {
		return nil
	}
	parts = append(parts, b.String())
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
		if parts[i] == "" {
			return nil
		}
	}
	return parts
}

// nearby says which of names come closest to want, for an error.
func nearby(what, want string, names []string) string {
	if len(names) == 0 {
		return "there are no " + what
	}
	type scored struct {
		name string
		d    int
	}
	w := strings.ToLower(want)
	list := make([]scored, 0, len(names))
	for _, n := range names {
		ln := strings.ToLower(n)
		d := editDistance(w, ln)
		if tail := ln[strings.LastIndexByte(ln, '.')+1:]; tail != ln {
			d = min(d, editDistance(w[strings.LastIndexByte(w, '.')+1:], tail))
		}
		if strings.Contains(ln, w) || strings.Contains(w, ln) {
			d = min(d, 2)
		}
		list = append(list, scored{n, d})
	}
	sort.SliceStable(list, func(i, j int) bool {
		if list[i].d != list[j].d {
			return list[i].d < list[j].d
		}
		return list[i].name < list[j].name
	})
	var close, all []string
	for i, s := range list {
		if s.d <= max(2, len(w)/3) && len(close) < 5 {
			close = append(close, s.name)
		}
		if i < 20 {
			all = append(all, s.name)
		}
	}
	msg := ""
	if len(close) > 0 {
		msg = "did you mean " + strings.Join(close, ", ") + "? "
	}
	msg += what + ": " + strings.Join(all, ", ")
	if len(list) > 20 {
		msg += ", …"
	}
	return msg
}

// Nearby is nearby for other packages: which of names come closest to
// want, and the first names, in a sentence.
func Nearby(what, want string, names []string) string { return nearby(what, want, names) }

// editDistance is Levenshtein's distance of a and b (bytes).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
