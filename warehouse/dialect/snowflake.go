package dialect

import (
	"strconv"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/warehouse/canon"
)

// Snowflake is Snowflake (rendered in golden tests only). NUMBER(p, 0) is an
// integer; COLLATE with an empty specification compares text byte by byte, whatever the column's
// collation; timestamps are converted to UTC and printed with FF6.
type Snowflake struct{}

// Name implements Dialect.
func (Snowflake) Name() string { return "snowflake" }

// Quote implements Dialect.
func (Snowflake) Quote(ident string) string { return quoteWith(ident, `"`) }

// Table implements Dialect.
func (d Snowflake) Table(schema, name string) string { return qualified(d, schema, name) }

// Placeholder implements Dialect.
func (Snowflake) Placeholder(int) string { return "?" }

// ParseType implements Dialect.
func (Snowflake) ParseType(raw string) Type {
	name, params := typeName(raw)
	t, _ := commonType(raw)
	switch {
	case t.Family == FamilyDecimal && (len(params) == 0 || param(params, 1, 0) == 0):
		return Type{Raw: raw, Family: FamilyInt}
	case name == "float" || name == "double" || name == "real" || name == "float8":
		return Type{Raw: raw, Family: FamilyFloat, Bits: 64}
	case name == "timestamp_ltz" || name == "timestamp_tz":
		return Type{Raw: raw, Family: FamilyTimestampTZ, Precision: min(param(params, 0, 9), 6)}
	case name == "timestamp_ntz" || name == "timestamp" || name == "datetime":
		return Type{Raw: raw, Family: FamilyTimestamp, Precision: min(param(params, 0, 9), 6)}
	}
	return t
}

// Canon implements Dialect.
func (Snowflake) Canon(expr string, t Type, c Canon) string {
	text := func(e string) string { return "TO_VARCHAR(" + e + ")" }
	switch c.Kind {
	case KindDecimal:
		switch {
		case t.Family != FamilyDecimal || c.Scale >= 0 && t.Scale == c.Scale:
			return text(expr) // already that many decimals
		case c.Scale >= 0:
			return text("ROUND(" + expr + ", " + strconv.Itoa(c.Scale) + ")")
		}
		return trimDecimal(text(expr), "REGEXP_REPLACE", `\\1`)
	case KindFloat:
		return text("(" + expr + "::FLOAT + 0)")
	case KindBucket:
		return text("FLOOR(" + expr + "::FLOAT / " + canon.FloatText(c.Tolerance) + ")")
	case KindBool:
		return boolText(expr, t)
	case KindUUID:
		return "LOWER(" + text(expr) + ")"
	case KindTimestamp:
		if t.Family == FamilyTimestampTZ {
			expr = "CONVERT_TIMEZONE('UTC', " + expr + ")::TIMESTAMP_NTZ"
		}
		return trimFraction("REGEXP_REPLACE", "TO_VARCHAR("+expr+", 'YYYY-MM-DD HH24:MI:SS.FF6')")
	case KindDate:
		return "TO_VARCHAR(" + expr + ", 'YYYY-MM-DD')"
	case KindBytes:
		return "LOWER(HEX_ENCODE(" + expr + "))"
	}
	return text(expr)
}

// Order implements Dialect.
func (d Snowflake) Order(expr string, t Type, c Canon) string {
	switch c.Kind {
	case KindInt, KindDecimal:
		return expr
	case KindText:
		return "COLLATE(" + expr + ", '')"
	case KindUUID:
		return "COLLATE(LOWER(" + expr + "), '')"
	}
	return d.Canon(expr, t, c)
}

// Param implements Dialect.
func (Snowflake) Param(p string, _ Type, _ Canon) string { return p }

// RowText implements Dialect.
func (Snowflake) RowText(canons []string) string {
	return record{concat: pipes, bs: `\\`,
		quotable: func(x string) string {
			return "REGEXP_INSTR(" + x + ", '" + strings.ReplaceAll(quotableClass, `\`, `\\`) + "') > 0"
		}}.row(canons)
}

// HashSum implements Dialect.
func (d Snowflake) HashSum(canons []string) string {
	rowText := d.RowText(canons)
	return "SUM(TO_NUMBER(SUBSTR(MD5(" + rowText + "), 21), 'XXXXXXXXXXXX'))"
}

// Distinct implements Dialect.
func (Snowflake) Distinct(a, b string) string { return a + " IS DISTINCT FROM " + b }

// Float implements Dialect.
func (Snowflake) Float(expr string) string { return expr + "::FLOAT" }

// FullJoin implements Dialect.
func (Snowflake) FullJoin() bool { return true }

// Limit implements Dialect.
func (Snowflake) Limit(n int) string { return "LIMIT " + strconv.Itoa(n) }
