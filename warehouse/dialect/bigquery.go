package dialect

import (
	"strconv"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/warehouse/canon"
)

// BigQuery is Google BigQuery (rendered in golden tests only): backquoted
// identifiers, named parameters (@p1), STRING compares byte by byte, SUM of
// INT64 overflows, so hashes are summed as NUMERIC.
type BigQuery struct{}

// Name implements Dialect.
func (BigQuery) Name() string { return "bigquery" }

// Quote implements Dialect.
func (BigQuery) Quote(ident string) string {
	r := strings.NewReplacer(`\`, `\\`, "`", "\\`")
	return "`" + r.Replace(ident) + "`"
}

// Table implements Dialect.
func (d BigQuery) Table(schema, name string) string { return qualified(d, schema, name) }

// Placeholder implements Dialect.
func (BigQuery) Placeholder(n int) string { return "@p" + strconv.Itoa(n) }

// ParseType implements Dialect.
func (BigQuery) ParseType(raw string) Type {
	name, params := typeName(raw)
	switch name {
	case "timestamp":
		return Type{Raw: raw, Family: FamilyTimestampTZ, Precision: 6}
	case "numeric", "bignumeric":
		return Type{Raw: raw, Family: FamilyDecimal, Scale: param(params, 1, 9)}
	}
	t, _ := commonType(raw)
	return t
}

// Canon implements Dialect.
func (BigQuery) Canon(expr string, t Type, c Canon) string {
	text := func(e string) string { return "CAST(" + e + " AS STRING)" }
	switch c.Kind {
	case KindDecimal:
		if t.Family == FamilyDecimal && c.Scale >= 0 {
			return "FORMAT('%." + strconv.Itoa(c.Scale) + "f', ROUND(" + expr + ", " + strconv.Itoa(c.Scale) + "))"
		}
	case KindFloat:
		return text("(CAST(" + expr + " AS FLOAT64) + 0)")
	case KindBucket:
		return text("FLOOR(CAST(" + expr + " AS FLOAT64) / " + canon.FloatText(c.Tolerance) + ")")
	case KindBool:
		return boolText(expr, t)
	case KindUUID:
		return "LOWER(" + text(expr) + ")"
	case KindTimestamp:
		f := "FORMAT_TIMESTAMP('%Y-%m-%d %H:%M:%E6S', " + expr + ", 'UTC')"
		if t.Family != FamilyTimestampTZ {
			f = "FORMAT_DATETIME('%Y-%m-%d %H:%M:%E6S', CAST(" + expr + " AS DATETIME))"
		}
		return trimFraction("REGEXP_REPLACE", f)
	case KindDate:
		return "FORMAT_DATE('%Y-%m-%d', " + expr + ")"
	case KindBytes:
		return "TO_HEX(" + expr + ")"
	}
	return text(expr)
}

// Order implements Dialect.
func (d BigQuery) Order(expr string, t Type, c Canon) string {
	switch c.Kind {
	case KindInt, KindDecimal, KindText:
		return expr
	case KindUUID:
		return "LOWER(" + expr + ")"
	}
	return d.Canon(expr, t, c)
}

// Param implements Dialect.
func (BigQuery) Param(p string, _ Type, _ Canon) string { return p }

// RowText implements Dialect.
func (BigQuery) RowText(canons []string) string {
	return record{concat: pipes, bs: `\\`, quotable: func(x string) string { return "REGEXP_CONTAINS(" + x + ", r'" + quotableClass + "')" }}.row(canons)
}

// HashSum implements Dialect.
func (d BigQuery) HashSum(canons []string) string {
	rowText := d.RowText(canons)
	return "SUM(CAST(CAST(CONCAT('0x', SUBSTR(TO_HEX(MD5(" + rowText + ")), 21)) AS INT64) AS NUMERIC))"
}

// Distinct implements Dialect.
func (BigQuery) Distinct(a, b string) string { return a + " IS DISTINCT FROM " + b }

// Float implements Dialect.
func (BigQuery) Float(expr string) string { return "CAST(" + expr + " AS FLOAT64)" }

// FullJoin implements Dialect.
func (BigQuery) FullJoin() bool { return true }

// Limit implements Dialect.
func (BigQuery) Limit(n int) string { return "LIMIT " + strconv.Itoa(n) }
