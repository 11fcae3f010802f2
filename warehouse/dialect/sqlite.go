package dialect

import (
	"strconv"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/warehouse/canon"
)

// The Go functions a SQLite connection must have (package warehouse
// registers them): SQLite has no md5, no float text in PostgreSQL's layout
// and no timestamp type.
const (
	// SQLiteFloat(x, bits) is canon.Float.
	SQLiteFloat = "ds_float"
	// SQLiteBucket(x, tolerance) is canon.Bucket.
	SQLiteBucket = "ds_bucket"
	// SQLiteBool(x) is canon.Bool of x read as PostgreSQL reads booleans
	// (numbers: non-zero is true).
	SQLiteBool = "ds_bool"
	// SQLiteTimestamp(x, precision) is canon.Timestamp of ISO 8601 text
	// (canon.ParseTime) or of a number of seconds since 1970.
	SQLiteTimestamp = "ds_timestamp"
	// SQLiteDate(x) is canon.Date of the same.
	SQLiteDate = "ds_date"
	// SQLiteHashSum(text) is the aggregate exact sum of canon.Hash48, as
	// decimal text.
	SQLiteHashSum = "ds_hashsum"
	// SQLiteFields(x1, …) is canon.Fields of its arguments.
	SQLiteFields = "ds_fields"
	// SQLiteRowHash(x1, …) is the aggregate exact sum of canon.Hash48 of
	// canon.Row of its arguments, as decimal text.
	SQLiteRowHash = "ds_rowhash"
)

// sqliteMaxFields is the most arguments one ds_fields call gets (SQLite
// allows 127 per function).
const sqliteMaxFields = 100

// SQLite is SQLite 3.39 or newer (FULL OUTER JOIN), with the functions
// above registered. SQLite keeps types per value, not per column: a
// column's family comes from its declared type by SQLite's affinity rules,
// refined by name (BOOLEAN, DATE, DATETIME, TIMESTAMP, UUID), and
// DECIMAL/NUMERIC columns are floats, since SQLite stores them as such.
// Timestamps are read from ISO 8601 text (or seconds since 1970); text
// without an offset is UTC.
type SQLite struct{}

// Name implements Dialect.
func (SQLite) Name() string { return "sqlite" }

// Quote implements Dialect.
func (SQLite) Quote(ident string) string { return quoteWith(ident, `"`) }

// Table implements Dialect.
func (d SQLite) Table(schema, name string) string { return qualified(d, schema, name) }

// Placeholder implements Dialect.
func (SQLite) Placeholder(int) string { return "?" }

// ParseType implements Dialect.
func (SQLite) ParseType(raw string) Type {
	t := Type{Raw: raw}
	u := strings.ToUpper(raw)
	switch {
	case strings.TrimSpace(u) == "":
		t.Family = FamilyOther
	case strings.Contains(u, "BOOL"):
		t.Family = FamilyBool
	case strings.Contains(u, "INT") && !strings.Contains(u, "INTERVAL") && !strings.Contains(u, "POINT"):
		t.Family = FamilyInt
	case strings.Contains(u, "UUID") || strings.Contains(u, "GUID"):
		t.Family = FamilyUUID
	case strings.Contains(u, "DATETIME") || strings.Contains(u, "TIMESTAMP"):
		t.Family, t.Precision = FamilyTimestamp, 6
	case strings.Contains(u, "DATE"):
		t.Family = FamilyDate
	case strings.Contains(u, "JSON"):
		t.Family = FamilyJSON
	case strings.Contains(u, "CHAR") || strings.Contains(u, "CLOB") || strings.Contains(u, "TEXT"):
		t.Family = FamilyText
	case strings.Contains(u, "BLOB"):
		t.Family = FamilyBytes
	case strings.Contains(u, "REAL") || strings.Contains(u, "FLOA") || strings.Contains(u, "DOUB") ||
		strings.Contains(u, "DEC") || strings.Contains(u, "NUM"):
		t.Family, t.Bits = FamilyFloat, 64
	}
	return t
}

// Canon implements Dialect.
func (SQLite) Canon(expr string, t Type, c Canon) string {
	switch c.Kind {
	case KindInt, KindDecimal, KindText:
		return "CAST(" + expr + " AS TEXT)"
	case KindFloat:
		return SQLiteFloat + "(" + expr + ", " + strconv.Itoa(c.Bits) + ")"
	case KindBucket:
		return SQLiteBucket + "(" + expr + ", " + canon.FloatText(c.Tolerance) + ")"
	case KindBool:
		return SQLiteBool + "(" + expr + ")"
	case KindUUID:
		return "lower(CAST(" + expr + " AS TEXT))"
	case KindTimestamp:
		return SQLiteTimestamp + "(" + expr + ", " + strconv.Itoa(c.Precision) + ")"
	case KindDate:
		return SQLiteDate + "(" + expr + ")"
	case KindBytes:
		return "lower(hex(" + expr + "))"
	}
	return "CAST(" + expr + " AS TEXT)"
}

// Order implements Dialect.
func (d SQLite) Order(expr string, t Type, c Canon) string {
	switch c.Kind {
	case KindInt, KindDecimal:
		return expr
	case KindUUID:
		return "lower(" + expr + ") COLLATE BINARY"
	case KindTimestamp, KindDate:
		return d.Canon(expr, t, c)
	}
	if t.Family == FamilyText {
		return expr + " COLLATE BINARY" // an index on it serves the ranges
	}
	return "CAST(" + expr + " AS TEXT) COLLATE BINARY"
}

// Param implements Dialect.
func (SQLite) Param(p string, _ Type, _ Canon) string { return p }

// RowText implements Dialect.
func (SQLite) RowText(canons []string) string {
	parts := []string{"'('"}
	for start := 0; start < len(canons); start += sqliteMaxFields {
		if start > 0 {
			parts = append(parts, "','")
		}
		parts = append(parts, SQLiteFields+"("+strings.Join(canons[start:min(len(canons), start+sqliteMaxFields)], ", ")+")")
	}
	return strings.Join(append(parts, "')'"), " || ")
}

// HashSum implements Dialect: ds_rowhash builds the row text itself.
func (d SQLite) HashSum(canons []string) string {
	if len(canons) <= sqliteMaxFields {
		return SQLiteRowHash + "(" + strings.Join(canons, ", ") + ")"
	}
	return SQLiteHashSum + "(" + d.RowText(canons) + ")"
}

// Distinct implements Dialect.
func (SQLite) Distinct(a, b string) string { return a + " IS NOT " + b }

// Float implements Dialect.
func (SQLite) Float(expr string) string { return "CAST(" + expr + " AS REAL)" }

// FullJoin implements Dialect.
func (SQLite) FullJoin() bool { return true }

// Limit implements Dialect.
func (SQLite) Limit(n int) string { return "LIMIT " + strconv.Itoa(n) }
