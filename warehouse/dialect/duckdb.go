package dialect

import (
	"strconv"

	"github.com/datastack-mcp/datastack-mcp/warehouse/canon"
)

// DuckDB is DuckDB (rendered in golden tests only). Its VARCHAR compares
// byte by byte already; sum(BIGINT) is a HUGEINT, so checksums are exact.
// Float text is DuckDB's own shortest form, which may differ from
// PostgreSQL's layout for very large or small values.
type DuckDB struct{}

// Name implements Dialect.
func (DuckDB) Name() string { return "duckdb" }

// Quote implements Dialect.
func (DuckDB) Quote(ident string) string { return quoteWith(ident, `"`) }

// Table implements Dialect.
func (d DuckDB) Table(schema, name string) string { return qualified(d, schema, name) }

// Placeholder implements Dialect.
func (DuckDB) Placeholder(n int) string { return "$" + strconv.Itoa(n) }

// ParseType implements Dialect.
func (DuckDB) ParseType(raw string) Type {
	t, _ := commonType(raw)
	return t
}

// Canon implements Dialect.
func (DuckDB) Canon(expr string, t Type, c Canon) string {
	text := func(e string) string { return "CAST(" + e + " AS VARCHAR)" }
	switch c.Kind {
	case KindDecimal:
		switch {
		case t.Family != FamilyDecimal || c.Scale >= 0 && t.Scale == c.Scale:
			return text(expr) // already that many decimals
		case c.Scale >= 0:
			return text("round(" + expr + ", " + strconv.Itoa(c.Scale) + ")")
		}
		return trimDecimal(text(expr), "regexp_replace", `\1`)
	case KindFloat:
		typ := "DOUBLE"
		if c.Bits == 32 {
			typ = "FLOAT"
		}
		return text("(CAST(" + expr + " AS " + typ + ") + 0)")
	case KindBucket:
		return text("floor(CAST(" + expr + " AS DOUBLE) / " + canon.FloatText(c.Tolerance) + ")")
	case KindBool:
		return boolText(expr, t)
	case KindUUID:
		return "lower(" + text(expr) + ")"
	case KindTimestamp:
		if t.Family == FamilyTimestampTZ {
			expr = "(" + expr + " AT TIME ZONE 'UTC')"
		}
		return trimFraction("regexp_replace", "strftime(CAST("+expr+" AS TIMESTAMP), '%Y-%m-%d %H:%M:%S.%f')")
	case KindDate:
		return "strftime(CAST(" + expr + " AS DATE), '%Y-%m-%d')"
	case KindBytes:
		return "lower(hex(" + expr + "))"
	}
	return text(expr)
}

// Order implements Dialect.
func (d DuckDB) Order(expr string, t Type, c Canon) string {
	switch c.Kind {
	case KindInt, KindDecimal, KindText:
		return expr
	case KindUUID:
		return "lower(CAST(" + expr + " AS VARCHAR))"
	}
	return d.Canon(expr, t, c)
}

// Param implements Dialect.
func (DuckDB) Param(p string, _ Type, c Canon) string {
	switch c.Kind {
	case KindInt:
		return "CAST(" + p + " AS BIGINT)"
	case KindDecimal:
		return "CAST(" + p + " AS DECIMAL(38, 0))"
	}
	return p
}

// RowText implements Dialect.
func (DuckDB) RowText(canons []string) string {
	return record{concat: pipes, bs: `\`, quotable: func(x string) string { return "regexp_matches(" + x + ", '" + quotableClass + "')" }}.row(canons)
}

// HashSum implements Dialect.
func (d DuckDB) HashSum(canons []string) string {
	rowText := d.RowText(canons)
	return "sum(CAST('0x' || substr(md5(" + rowText + "), 21) AS BIGINT))"
}

// Distinct implements Dialect.
func (DuckDB) Distinct(a, b string) string { return a + " IS DISTINCT FROM " + b }

// Float implements Dialect.
func (DuckDB) Float(expr string) string { return "CAST(" + expr + " AS DOUBLE)" }

// FullJoin implements Dialect.
func (DuckDB) FullJoin() bool { return true }

// Limit implements Dialect.
func (DuckDB) Limit(n int) string { return "LIMIT " + strconv.Itoa(n) }

// boolText is 'true'/'false' of a boolean or integer (non-zero) value.
func boolText(expr string, t Type) string {
	cond := expr
	if t.Family != FamilyBool {
		cond = expr + " <> 0"
	}
	return "CASE WHEN " + expr + " IS NULL THEN NULL WHEN " + cond + " THEN 'true' ELSE 'false' END"
}

// trimDecimal removes trailing zeros after a decimal point (and the point
// left alone) with a regexp_replace-like function whose replacement
// refers to the first group as backref. Patterns use [.] so that no
// engine's string escapes change them.
func trimDecimal(text, replace, backref string) string {
	return replace + "(" + replace + "(" + text + ", '([.][0-9]*[1-9])0+$', '" + backref + "'), '[.]0*$', '')"
}

// trimFraction removes trailing zeros of a fraction of seconds and the
// point left alone.
func trimFraction(replace, text string) string {
	return replace + "(" + text + ", '[.]?0+$', '')"
}
