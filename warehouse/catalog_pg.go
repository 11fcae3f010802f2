package warehouse

import (
	"context"
	"strconv"
	"strings"
)

var pgKinds = map[string]string{"r": "table", "v": "view", "m": "materialized view", "f": "foreign table", "p": "partitioned table"}

func (c *Conn) pgTables(ctx context.Context, schema string) ([]Table, error) {
	q := `SELECT n.nspname, c.relname, c.relkind::text, c.reltuples::float8
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg\_temp\_%' AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
  AND ($1 = '' OR n.nspname = $1)
  AND has_schema_privilege(n.oid, 'USAGE')
ORDER BY n.nspname, c.relname`
	var out []Table
	err := c.read(ctx, "list tables", q, []any{schema}, func(scan func(...any) error) error {
		var t Table
		var kind string
		var tuples float64
		if err := scan(&t.Schema, &t.Name, &kind, &tuples); err != nil {
			return err
		}
		t.Kind = pgKinds[kind]
		if tuples >= 0 && kind != "v" && kind != "f" {
			n := int64(tuples)
			t.Rows = &n
		}
		out = append(out, t)
		return nil
	})
	return out, err
}

func (c *Conn) pgDescribe(ctx context.Context, schema, name string) (*TableInfo, error) {
	info := &TableInfo{Schema: schema, Name: name}
	byNum := map[int]string{}
	q := `SELECT a.attnum, a.attname,
  CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) ELSE format_type(a.atttypid, a.atttypmod) END,
  a.attnotnull
FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
WHERE a.attrelid = (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2)
  AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`
	err := c.read(ctx, "describe "+schema+"."+name, q, []any{schema, name}, func(scan func(...any) error) error {
		var num int
		var col ColumnInfo
		var raw string
		if err := scan(&num, &col.Name, &raw, &col.NotNull); err != nil {
			return err
		}
		col.Type = c.dialect.ParseType(raw)
		byNum[num] = col.Name
		info.Columns = append(info.Columns, col)
		return nil
	})
	if err != nil {
		return nil, err
	}
	q = `SELECT i.indisprimary, i.indkey::text
FROM pg_index i
WHERE i.indrelid = (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2)
  AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL
ORDER BY i.indisprimary DESC, i.indexrelid`
	err = c.read(ctx, "describe "+schema+"."+name, q, []any{schema, name}, func(scan func(...any) error) error {
		var primary bool
		var keys string
		if err := scan(&primary, &keys); err != nil {
			return err
		}
		var cols []string
		for _, k := range strings.Fields(keys) {
			n, _ := strconv.Atoi(k)
			if byNum[n] == "" {
				return nil // a system column
			}
			cols = append(cols, byNum[n])
		}
		info.Unique = append(info.Unique, cols)
		return nil
	})
	return info, err
}
