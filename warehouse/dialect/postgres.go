package dialect

import (
	"strconv"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/warehouse/canon"
)

// Postgres is PostgreSQL (12 or newer: shortest float text; 13 or newer
// for trim_scale, used on decimals that declare no scale on either side). Sessions set DateStyle ISO and
// extra_float_digits 1, which the canonical texts rely on.
type Postgres struct{}

// Name implements Dialect.
func (Postgres) Name() string { return "postgres" }

// Quote implements Dialect.
func (Postgres) Quote(ident string) string { return quoteWith(ident, `"`) }

// Table implements Dialect.
func (d Postgres) Table(schema, name string) string { return qualified(d, schema, name) }

// Placeholder implements Dialect.
func (Postgres) Placeholder(n int) string { return "$" + strconv.Itoa(n) }

// ParseType implements Dialect; raw is format_type's spelling.
func (Postgres) ParseType(raw string) Type {
	if strings.HasSuffix(raw, "[]") {
		return Type{Raw: raw}
	}
	t, _ := commonType(raw)
	if t.Family == FamilyTimestamp || t.Family == FamilyTimestampTZ {
		// format_type omits (6), the default.
		if _, params := typeName(raw); len(params) == 0 {
			t.Precision = 6
		}
	}
	return t
}

// Canon implements Dialect.
func (Postgres) Canon(expr string, t Type, c Canon) string {
	switch c.Kind {
	case KindInt:
		return expr + "::text"
	case KindDecimal:
		switch {
		case t.Family != FamilyDecimal || c.Scale >= 0 && t.Scale == c.Scale:
			return expr + "::text" // already that many decimals
		case c.Scale >= 0:
			return "round(" + expr + ", " + strconv.Itoa(c.Scale) + ")::text"
		}
		return "trim_scale(" + expr + ")::text"
	case KindFloat:
		if c.Bits == 32 {
			return "(" + expr + "::float4 + 0::float4)::text"
		}
		return "(" + expr + "::float8 + 0::float8)::text"
	case KindBucket:
		return "(floor(" + expr + "::float8 / " + canon.FloatText(c.Tolerance) + "::float8) + 0::float8)::text"
	case KindBool:
		if t.Family == FamilyInt {
			return "CASE WHEN " + expr + " IS NULL THEN NULL WHEN " + expr + " <> 0 THEN 'true' ELSE 'false' END"
		}
		return expr + "::text"
	case KindUUID:
		if t.Family == FamilyUUID {
			return expr + "::text"
		}
		return "lower(" + expr + "::text)"
	case KindTimestamp:
		return pgTime(expr, t, c) + "::text"
	case KindDate:
		return expr + "::date::text"
	case KindBytes:
		return "encode(" + expr + ", 'hex')"
	}
	return expr + "::text"
}

// pgTime is expr as a timestamp without time zone in UTC, rounded to c's
// precision.
func pgTime(expr string, t Type, c Canon) string {
	switch t.Family {
	case FamilyTimestampTZ:
		expr = "(" + expr + " AT TIME ZONE 'UTC')"
	case FamilyDate:
		return expr + "::timestamp"
	case FamilyTimestamp:
	default:
		expr = expr + "::timestamp"
	}
	if c.Precision < t.Precision || t.Family != FamilyTimestamp && t.Family != FamilyTimestampTZ {
		return expr + "::timestamp(" + strconv.Itoa(c.Precision) + ")"
	}
	return expr
}

// Order implements Dialect.
func (Postgres) Order(expr string, t Type, c Canon) string {
	switch c.Kind {
	case KindInt, KindDecimal:
		return expr
	case KindUUID:
		if t.Family == FamilyUUID {
			return expr
		}
		return `lower(` + expr + `::text) COLLATE "C"`
	case KindTimestamp:
		if pgNativeTZ(t, c) {
			return expr // an index on it serves the ranges
		}
		return pgTime(expr, t, c)
	case KindDate:
		return expr + "::date"
	}
	return expr + `::text COLLATE "C"`
}

// Param implements Dialect.
func (Postgres) Param(p string, t Type, c Canon) string {
	switch c.Kind {
	case KindInt:
		return p + "::bigint"
	case KindDecimal:
		return p + "::numeric"
	case KindUUID:
		if t.Family == FamilyUUID {
			return p + "::uuid"
		}
	case KindTimestamp:
		if pgNativeTZ(t, c) {
			return "(" + p + "::timestamp AT TIME ZONE 'UTC')"
		}
		return p + "::timestamp"
	case KindDate:
		return p + "::date"
	}
	return p + "::text"
}

// pgNativeTZ reports whether a timestamptz key orders as it is (no
// rounding to a lower precision needed).
func pgNativeTZ(t Type, c Canon) bool {
	return t.Family == FamilyTimestampTZ && c.Precision >= t.Precision
}

// RowText implements Dialect: canon.Row is PostgreSQL's record text.
func (Postgres) RowText(canons []string) string {
	return "ROW(" + strings.Join(canons, ", ") + ")::text"
}

// HashSum implements Dialect: sum(bigint) is numeric, so it is exact.
func (d Postgres) HashSum(canons []string) string {
	rowText := d.RowText(canons)
	return "sum(('x' || substring(md5(" + rowText + "), 21))::bit(48)::bigint)"
}

// Distinct implements Dialect.
func (Postgres) Distinct(a, b string) string { return a + " IS DISTINCT FROM " + b }

// Float implements Dialect.
func (Postgres) Float(expr string) string { return expr + "::float8" }

// FullJoin implements Dialect.
func (Postgres) FullJoin() bool { return true }

// Limit implements Dialect.
func (Postgres) Limit(n int) string { return "LIMIT " + strconv.Itoa(n) }

// qualified is schema.name quoted by d.
func qualified(d Dialect, schema, name string) string {
	if schema == "" {
		return d.Quote(name)
	}
	return d.Quote(schema) + "." + d.Quote(name)
}
