package dialect

import (
	"strconv"

	"github.com/datastack-mcp/datastack-mcp/warehouse/canon"
)

// Trino is Trino (rendered in golden tests only): varchar compares by code
// point (the byte order of UTF-8), md5 takes varbinary, sums of hashes are
// DECIMAL(38, 0).
type Trino struct{}

// Name implements Dialect.
func (Trino) Name() string { return "trino" }

// Quote implements Dialect.
func (Trino) Quote(ident string) string { return quoteWith(ident, `"`) }

// Table implements Dialect.
func (d Trino) Table(schema, name string) string { return qualified(d, schema, name) }

// Placeholder implements Dialect.
func (Trino) Placeholder(int) string { return "?" }

// ParseType implements Dialect.
func (Trino) ParseType(raw string) Type {
	t, _ := commonType(raw)
	if name, params := typeName(raw); name == "timestamp" || name == "timestamp with time zone" {
		t.Precision = min(param(params, 0, 3), 6)
	}
	return t
}

// Canon implements Dialect.
func (Trino) Canon(expr string, t Type, c Canon) string {
	text := func(e string) string { return "CAST(" + e + " AS VARCHAR)" }
	switch c.Kind {
	case KindDecimal:
		switch {
		case t.Family != FamilyDecimal || c.Scale >= 0 && t.Scale == c.Scale:
			return text(expr) // already that many decimals
		case c.Scale >= 0:
			return text("round(" + expr + ", " + strconv.Itoa(c.Scale) + ")")
		}
		return trimDecimal(text(expr), "regexp_replace", "$1")
	case KindFloat:
		typ := "DOUBLE"
		if c.Bits == 32 {
			typ = "REAL"
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
		return trimFraction("regexp_replace", "date_format("+expr+", '%Y-%m-%d %H:%i:%s.%f')")
	case KindDate:
		return text(expr)
	case KindBytes:
		return "lower(to_hex(" + expr + "))"
	}
	return text(expr)
}

// Order implements Dialect.
func (d Trino) Order(expr string, t Type, c Canon) string {
	switch c.Kind {
	case KindInt, KindDecimal, KindText:
		return expr
	case KindUUID:
		return "lower(CAST(" + expr + " AS VARCHAR))"
	}
	return d.Canon(expr, t, c)
}

// Param implements Dialect.
func (Trino) Param(p string, _ Type, c Canon) string {
	switch c.Kind {
	case KindInt:
		return "CAST(" + p + " AS BIGINT)"
	case KindDecimal:
		return "CAST(" + p + " AS DECIMAL(38, 0))"
	}
	return p
}

// RowText implements Dialect.
func (Trino) RowText(canons []string) string {
	return record{concat: pipes, bs: `\`, quotable: func(x string) string { return "regexp_like(" + x + ", '" + quotableClass + "')" }}.row(canons)
}

// HashSum implements Dialect.
func (d Trino) HashSum(canons []string) string {
	rowText := d.RowText(canons)
	return "sum(CAST(from_base(substr(lower(to_hex(md5(to_utf8(" + rowText + ")))), 21), 16) AS DECIMAL(38, 0)))"
}

// Distinct implements Dialect.
func (Trino) Distinct(a, b string) string { return a + " IS DISTINCT FROM " + b }

// Float implements Dialect.
func (Trino) Float(expr string) string { return "CAST(" + expr + " AS DOUBLE)" }

// FullJoin implements Dialect.
func (Trino) FullJoin() bool { return true }

// Limit implements Dialect.
func (Trino) Limit(n int) string { return "LIMIT " + strconv.Itoa(n) }
