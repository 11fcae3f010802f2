package sandbox

import (
	"fmt"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/client"
)

// How the warehouse's names reach the engine (see sqlrun.go): qualified
// table names become the names in the database file, the catalogue views
// and statements become SELECTs of the demo catalogue. Only names are
// translated; the SQL is the engine's to run.

var (
	showRE     = lazyRegexp(`(?is)^\s*show\s+(?:terse\s+)?(tables|views|objects|schemas)(?:\s+in\s+(schema\s+|database\s+)?([^\s;]+))?\s*;?\s*$`)
	describeRE = lazyRegexp(`(?is)^\s*desc(?:ribe)?\s+(?:table\s+|view\s+)?([^\s;]+)\s*;?\s*$`)
)

// translate rewrites q for the engine.
func (w *warehouse) translate(q string) (string, error) {
	if m := showRE().FindStringSubmatch(q); m != nil {
		return w.show(strings.ToLower(m[1]), strings.ToLower(strings.TrimSpace(m[2])), parsePath(m[3])), nil
	}
	if m := describeRE().FindStringSubmatch(q); m != nil {
		t := w.find(parsePath(m[1]))
		if t == nil {
			return "", &sqlError{fmt.Sprintf("SQL compilation error: Object '%s' does not exist or not authorized.", strings.ToUpper(m[1]))}
		}
		return fmt.Sprintf(`SELECT column_name AS name, data_type AS type, 'COLUMN' AS kind, CASE is_nullable WHEN 'YES' THEN 'Y' ELSE 'N' END AS "null?", `+
			`CASE WHEN is_nullable = 'NO' THEN 'Y' ELSE 'N' END AS "primary key", comment FROM %s WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position`,
			w.infoColumns(), sqlString(t.Schema), sqlString(t.Name)), nil
	}
	return w.rewriteNames(q)
}

// show is the SELECT that answers SHOW what [IN [scope] name].
func (w *warehouse) show(what, scope string, name []string) string {
	var conds []string
	switch {
	case len(name) == 0:
	case scope == "database " || scope == "database":
		conds = append(conds, "upper(table_catalog) = upper("+sqlString(name[0])+")")
	case len(name) == 1 && scope == "":
		conds = append(conds, fmt.Sprintf("(upper(table_schema) = upper(%[1]s) OR upper(table_catalog) = upper(%[1]s))", sqlString(name[0])))
	default:
		conds = append(conds, "upper(table_schema) = upper("+sqlString(name[len(name)-1])+")")
		if len(name) > 1 {
			conds = append(conds, "upper(table_catalog) = upper("+sqlString(name[len(name)-2])+")")
		}
	}
	where := func() string {
		if len(conds) == 0 {
			return ""
		}
		return " WHERE " + strings.Join(conds, " AND ")
	}
	switch what {
	case "schemas":
		return fmt.Sprintf("SELECT DISTINCT table_schema AS name, table_catalog AS database_name FROM %s%s ORDER BY 1", w.infoTables(), where())
	case "tables":
		conds = append(conds, "table_type = 'BASE TABLE'")
	case "views":
		conds = append(conds, "table_type = 'VIEW'")
	}
	return fmt.Sprintf("SELECT table_name AS name, table_catalog AS database_name, table_schema AS schema_name, "+
		"CASE table_type WHEN 'VIEW' THEN 'VIEW' ELSE 'TABLE' END AS kind, row_count AS rows, comment FROM %s%s ORDER BY 3, 1", w.infoTables(), where())
}

// infoTables is a subquery of INFORMATION_SCHEMA.TABLES.
func (w *warehouse) infoTables() string {
	var rows []string
	for _, t := range w.Tables {
		typ := "BASE TABLE"
		if t.Kind == "VIEW" {
			typ = "VIEW"
		}
		rows = append(rows, fmt.Sprintf("(%s, %s, %s, %s, %d, %s)", sqlString(t.DB), sqlString(t.Schema), sqlString(t.Name), sqlString(typ),
			len(t.rows(w.env)), sqlString(t.Description)))
	}
	return "(SELECT column1 AS table_catalog, column2 AS table_schema, column3 AS table_name, column4 AS table_type, column5 AS row_count, " +
		"column6 AS comment FROM (VALUES " + strings.Join(rows, ", ") + "))"
}

// infoColumns is a subquery of INFORMATION_SCHEMA.COLUMNS.
func (w *warehouse) infoColumns() string {
	var rows []string
	for _, t := range w.Tables {
		for i, c := range t.Columns {
			null := "YES"
			if c.Name == t.PK {
				null = "NO"
			}
			rows = append(rows, fmt.Sprintf("(%s, %s, %s, %s, %d, %s, %s, %s)", sqlString(t.DB), sqlString(t.Schema), sqlString(t.Name),
				sqlString(c.Name), i+1, sqlString(c.Type), sqlString(null), sqlString(c.Description)))
		}
	}
	return "(SELECT column1 AS table_catalog, column2 AS table_schema, column3 AS table_name, column4 AS column_name, " +
		"column5 AS ordinal_position, column6 AS data_type, column7 AS is_nullable, column8 AS comment FROM (VALUES " + strings.Join(rows, ", ") + "))"
}

// sqlString is s as a SQL string literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// sqlIdent is s as a quoted SQL identifier.
func sqlIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// rewriteNames replaces, outside literals and comments, each chain of
// identifiers that names a table of w (with its database and schema, or
// its schema) by the table's name in the file, and
// INFORMATION_SCHEMA.TABLES / COLUMNS by subqueries of the catalogue.
func (w *warehouse) rewriteNames(q string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(q); {
		ch := q[i]
		switch {
		case ch == '\'':
			j := endQuoted(q, i, '\'')
			b.WriteString(q[i:j])
			i = j
		case strings.HasPrefix(q[i:], "--"):
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = len(q) - i
			}
			b.WriteString(q[i : i+j])
			i += j
		case strings.HasPrefix(q[i:], "/*"):
			j := strings.Index(q[i+2:], "*/")
			end := len(q)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			b.WriteString(q[i:end])
			i = end
		case ch >= '0' && ch <= '9':
			j := i
			for j < len(q) && (isIdentChar(q[j]) || q[j] == '.') {
				j++
			}
			b.WriteString(q[i:j])
			i = j
		case isIdentStart(ch) || ch == '"' || ch == '`':
			parts, j := readChain(q, i)
			name, err := w.resolveChain(parts, q[i:j], q[j:])
			if err != nil {
				return "", err
			}
			b.WriteString(name)
			i = j
		default:
			b.WriteByte(ch)
			i++
		}
	}
	return b.String(), nil
}

// resolveChain is what the chain of identifiers parts (written orig, and
// followed by rest) becomes for the engine. A name in one of w's schemas
// that names no table is the warehouse's error.
func (w *warehouse) resolveChain(parts []string, orig, rest string) (string, error) {
	n := len(parts)
	if n < 2 || strings.HasPrefix(strings.TrimLeft(rest, " \t\r\n"), "(") {
		return orig, nil // a name of its own or a function
	}
	if strings.EqualFold(parts[n-2], "information_schema") {
		switch strings.ToLower(parts[n-1]) {
		case "tables":
			return w.infoTables(), nil
		case "columns":
			return w.infoColumns(), nil
		}
	}
	for _, k := range []int{3, 2} {
		if k > n {
			continue
		}
		if t := w.find(parts[:k]); t != nil {
			out := sqlIdent(t.sqlName())
			for _, p := range parts[k:] {
				out += "." + sqlIdent(p)
			}
			return out, nil
		}
	}
	if (n == 2 && w.schema(parts[0])) || (n == 3 && strings.EqualFold(parts[0], w.DefaultD) && w.schema(parts[1])) {
		return "", &sqlError{fmt.Sprintf("SQL compilation error: Object '%s' does not exist or not authorized.", strings.ToUpper(strings.Join(parts, ".")))}
	}
	return orig, nil
}

// schema reports whether w has a schema called name.
func (w *warehouse) schema(name string) bool {
	for _, t := range w.Tables {
		if strings.EqualFold(t.Schema, name) {
			return true
		}
	}
	return false
}

// readChain reads the identifiers a.b."c" (or `a.b.c`) at q[i:], and
// returns them and where the chain ends.
func readChain(q string, i int) ([]string, int) {
	var parts []string
	for {
		switch {
		case i < len(q) && (q[i] == '"' || q[i] == '`'):
			j := endQuoted(q, i, q[i])
			inner := q[i+1 : max(j-1, i+1)]
			if q[i] == '`' {
				parts = append(parts, client.SplitTablePath(inner)...)
			} else {
				parts = append(parts, strings.ReplaceAll(inner, `""`, `"`))
			}
			i = j
		case i < len(q) && isIdentStart(q[i]):
			j := i
			for j < len(q) && isIdentChar(q[j]) {
				j++
			}
			parts = append(parts, q[i:j])
			i = j
		default:
			return parts, i
		}
		if i+1 < len(q) && q[i] == '.' && (isIdentStart(q[i+1]) || q[i+1] == '"' || q[i+1] == '`') {
			i++
			continue
		}
		return parts, i
	}
}

// endQuoted is where the text quoted by quote at q[i] ends (after its
// closing quote; a doubled quote is part of the text).
func endQuoted(q string, i int, quote byte) int {
	for j := i + 1; j < len(q); j++ {
		if q[j] == quote {
			if j+1 < len(q) && q[j+1] == quote {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(q)
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80
}

func isIdentChar(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') || c == '$' }
