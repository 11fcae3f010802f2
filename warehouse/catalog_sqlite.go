package warehouse

import (
	"context"
	"strings"
)

// liteTables lists the tables and views of schema (all when ""), with
// exact row counts when counts.
func (c *Conn) liteTables(ctx context.Context, schema string, counts bool) ([]Table, error) {
	schemas := []string{schema}
	if schema == "" {
		var err error
		if schemas, err = c.ListSchemas(ctx); err != nil {
			return nil, err
		}
	}
	var out []Table
	s, err := c.Begin(ctx, true)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	for _, sc := range schemas {
		q := `SELECT name, type FROM ` + c.dialect.Quote(sc) + `.sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`
		start := len(out)
		err := s.Each(ctx, q, nil, func(scan func(...any) error) error {
			t := Table{Schema: sc}
			if err := scan(&t.Name, &t.Kind); err != nil {
				return err
			}
			out = append(out, t)
			return nil
		})
		if err != nil {
			return nil, c.opErr(err, "list tables")
		}
		for i := start; i < len(out) && counts; i++ {
			if out[i].Kind != "table" {
				continue
			}
			var n int64
			err := s.Each(ctx, "SELECT count(*) FROM "+c.dialect.Table(sc, out[i].Name), nil, func(scan func(...any) error) error { return scan(&n) })
			if err != nil {
				return nil, c.opErr(err, "count rows of "+sc+"."+out[i].Name)
			}
			out[i].Rows, out[i].RowsExact = &n, true
		}
	}
	return out, nil
}

// opErr renames the operation of a query error.
func (c *Conn) opErr(err error, op string) error {
	if e, ok := err.(*Error); ok && e.Op == "query" {
		e.Op = op
	}
	return err
}

func (c *Conn) liteDescribe(ctx context.Context, schema, name string) (*TableInfo, error) {
	info := &TableInfo{Schema: schema, Name: name}
	s, err := c.Begin(ctx, true)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	op := "describe " + schema + "." + name
	var pk []string
	pkType := ""
	q := `PRAGMA ` + c.dialect.Quote(schema) + `.table_xinfo(` + c.dialect.Quote(name) + `)`
	err = s.Each(ctx, q, nil, func(scan func(...any) error) error {
		var cid, notNull, pkPos, hidden int64
		var col ColumnInfo
		var typ string
		var dflt any
		if err := scan(&cid, &col.Name, &typ, &notNull, &dflt, &pkPos, &hidden); err != nil {
			return err
		}
		if hidden == 1 {
			return nil
		}
		col.Type, col.NotNull = c.dialect.ParseType(typ), notNull != 0
		if pkPos > 0 {
			for len(pk) < int(pkPos) {
				pk = append(pk, "")
			}
			pk[pkPos-1], pkType = col.Name, typ
		}
		info.Columns = append(info.Columns, col)
		return nil
	})
	if err != nil {
		return nil, c.opErr(err, op)
	}
	if len(pk) == 1 && strings.EqualFold(strings.TrimSpace(pkType), "INTEGER") {
		// The rowid: unique and never NULL, with no index of its own.
		info.Unique = append(info.Unique, pk)
		for i := range info.Columns {
			if info.Columns[i].Name == pk[0] {
				info.Columns[i].NotNull = true
			}
		}
	}
	type index struct {
		name   string
		origin string
	}
	var indexes []index
	q = `PRAGMA ` + c.dialect.Quote(schema) + `.index_list(` + c.dialect.Quote(name) + `)`
	err = s.Each(ctx, q, nil, func(scan func(...any) error) error {
		var seq, unique, partial int64
		var ix index
		if err := scan(&seq, &ix.name, &unique, &ix.origin, &partial); err != nil {
			return err
		}
		if unique != 0 && partial == 0 {
			indexes = append(indexes, ix)
		}
		return nil
	})
	if err != nil {
		return nil, c.opErr(err, op)
	}
	for _, ix := range indexes {
		var cols []string
		expr := false
		q := `PRAGMA ` + c.dialect.Quote(schema) + `.index_info(` + c.dialect.Quote(ix.name) + `)`
		err := s.Each(ctx, q, nil, func(scan func(...any) error) error {
			var seq, cid int64
			var col *string
			if err := scan(&seq, &cid, &col); err != nil {
				return err
			}
			if col == nil {
				expr = true
			} else {
				cols = append(cols, *col)
			}
			return nil
		})
		if err != nil {
			return nil, c.opErr(err, op)
		}
		if expr || len(cols) == 0 {
			continue
		}
		if ix.origin == "pk" {
			info.Unique = append([][]string{cols}, info.Unique...)
		} else {
			info.Unique = append(info.Unique, cols)
		}
	}
	return info, nil
}
