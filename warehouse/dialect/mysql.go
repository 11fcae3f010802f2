package dialect

import (
	"strconv"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/warehouse/canon"
)

// MySQL is MySQL 8 (rendered in golden tests only). Its default collations
// ignore case and order hyphens their own way, so key text is compared as
// binary; TIMESTAMP columns print in the session time zone, which a session
// sets to UTC; || is OR, so texts are joined with CONCAT; there is no FULL
// OUTER JOIN, so the join diff is a LEFT JOIN and the B rows it misses.
type MySQL struct{}

// Name implements Dialect.
func (MySQL) Name() string { return "mysql" }

// Quote implements Dialect.
func (MySQL) Quote(ident string) string { return quoteWith(ident, "`") }

// Table implements Dialect.
func (d MySQL) Table(schema, name string) string { return qualified(d, schema, name) }

// Placeholder implements Dialect.
func (MySQL) Placeholder(int) string { return "?" }

// ParseType implements Dialect.
func (MySQL) ParseType(raw string) Type {
	name, params := typeName(raw)
	if name == "tinyint" && len(params) == 1 && params[0] == 1 {
		return Type{Raw: raw, Family: FamilyBool}
	}
	name = strings.TrimSuffix(strings.TrimSuffix(name, " unsigned"), " zerofill")
	if name == "timestamp" {
		return Type{Raw: raw, Family: FamilyTimestampTZ, Precision: min(param(params, 0, 0), 6)}
	}
	if name == "datetime" {
		return Type{Raw: raw, Family: FamilyTimestamp, Precision: min(param(params, 0, 0), 6)}
	}
	t, _ := commonType(raw)
	if name == "float" {
		t.Family, t.Bits = FamilyFloat, 32
	}
	return t
}

// Canon implements Dialect.
func (MySQL) Canon(expr string, t Type, c Canon) string {
	text := func(e string) string { return "CAST(" + e + " AS CHAR)" }
	switch c.Kind {
	case KindDecimal:
		switch {
		case t.Family != FamilyDecimal || c.Scale >= 0 && t.Scale == c.Scale:
			return text(expr) // already that many decimals
		case c.Scale >= 0:
			return text("ROUND(" + expr + ", " + strconv.Itoa(c.Scale) + ")")
		}
		return trimDecimal(text(expr), "REGEXP_REPLACE", "$1")
	case KindFloat:
		typ := "DOUBLE"
		if c.Bits == 32 {
			typ = "FLOAT"
		}
		return text("(CAST(" + expr + " AS " + typ + ") + 0)")
	case KindBucket:
		return text("FLOOR(CAST(" + expr + " AS DOUBLE) / " + canon.FloatText(c.Tolerance) + ")")
	case KindBool:
		return boolText(expr, t)
	case KindUUID:
		return "LOWER(" + text(expr) + ")"
	case KindTimestamp:
		return trimFraction("REGEXP_REPLACE", "DATE_FORMAT("+expr+", '%Y-%m-%d %H:%i:%s.%f')")
	case KindDate:
		return "DATE_FORMAT(" + expr + ", '%Y-%m-%d')"
	case KindBytes:
		return "LOWER(HEX(" + expr + "))"
	}
	return text(expr)
}

// Order implements Dialect.
func (d MySQL) Order(expr string, t Type, c Canon) string {
	switch c.Kind {
	case KindInt, KindDecimal:
		return expr
	case KindText:
		return "CAST(" + expr + " AS BINARY)"
	case KindUUID:
		return "CAST(LOWER(" + expr + ") AS BINARY)"
	}
	return d.Canon(expr, t, c)
}

// Param implements Dialect.
func (MySQL) Param(p string, _ Type, c Canon) string {
	switch c.Kind {
	case KindInt:
		return p
	case KindText, KindUUID:
		return "CAST(" + p + " AS BINARY)"
	}
	return p
}

// RowText implements Dialect.
func (MySQL) RowText(canons []string) string {
	return record{concat: func(s ...string) string { return "CONCAT(" + strings.Join(s, ", ") + ")" }, bs: `\\`,
		quotable: func(x string) string {
			return "REGEXP_LIKE(" + x + ", '" + strings.ReplaceAll(quotableClass, `\`, `\\`) + "')"
		}}.row(canons)
}

// HashSum implements Dialect: SUM of integers is a DECIMAL, exact.
func (d MySQL) HashSum(canons []string) string {
	rowText := d.RowText(canons)
	return "SUM(CAST(CONV(SUBSTRING(MD5(" + rowText + "), 21), 16, 10) AS UNSIGNED))"
}

// Distinct implements Dialect.
func (MySQL) Distinct(a, b string) string { return "NOT (" + a + " <=> " + b + ")" }

// Float implements Dialect.
func (MySQL) Float(expr string) string { return "CAST(" + expr + " AS DOUBLE)" }

// FullJoin implements Dialect.
func (MySQL) FullJoin() bool { return false }

// Limit implements Dialect.
func (MySQL) Limit(n int) string { return "LIMIT " + strconv.Itoa(n) }
