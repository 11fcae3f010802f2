// Package dialect owns the SQL text the diff engine sends to each kind of
// database: identifier quoting, type families, the canonical text of a
// value (package canon says what it is; a dialect says how its database
// computes it), key ordering that no collation can change, row hashing and
// checksum aggregates.
//
// A dialect only renders text; it never talks to a database, so another
// engine is one file here. PostgreSQL and SQLite run in tests; DuckDB,
// MySQL, Snowflake, BigQuery and Trino are rendered in golden tests only
// (testdata/*.golden, refreshed with go test -update) until a server of
// theirs can run here.
package dialect

import (
	"fmt"
	"strings"
)

// Dialect renders the SQL of one kind of database.
type Dialect interface {
	// Name is the engine's name: postgres, sqlite, duckdb, mysql,
	// snowflake, bigquery, trino.
	Name() string
	// Quote quotes an identifier, whatever it holds.
	Quote(ident string) string
	// Table is the quoted name of schema.name (name alone when schema is
	// empty).
	Table(schema, name string) string
	// Placeholder is the n-th (from 1) bind parameter.
	Placeholder(n int) string
	// ParseType reads a column type as the engine's catalog spells it.
	ParseType(raw string) Type
	// Canon is the SQL of the canonical text (package canon) of expr, a
	// value of type t, under c; NULL stays NULL.
	Canon(expr string, t Type, c Canon) string
	// Order is the SQL of a key column as ranges and ORDER BY compare it:
	// integers by value, text byte by byte whatever its collation, uuids
	// as lowercase text, timestamps in time at c's precision.
	Order(expr string, t Type, c Canon) string
	// Param is a bind parameter as compared with Order(…, t, c); its
	// value is the canonical text (an int64 for integer keys).
	Param(placeholder string, t Type, c Canon) string
	// RowText is the SQL of a row's text from its columns' canonical
	// texts: canon.Row.
	RowText(canons []string) string
	// HashSum is the SQL aggregate of the exact sum of canon.Hash48 over
	// the row text of canons (RowText); the database returns it as a
	// decimal (NULL for no rows).
	HashSum(canons []string) string
	// Distinct is the SQL of "a and b differ", NULL-safe, never NULL.
	Distinct(a, b string) string
	// Float is the SQL of a numeric expression as a float64, for
	// tolerance arithmetic.
	Float(expr string) string
	// FullJoin reports whether the engine has FULL OUTER JOIN.
	FullJoin() bool
	// Limit is the clause that caps a query's rows.
	Limit(n int) string
}

// Family is the kind of a column's type.
type Family int

// The type families.
const (
	FamilyOther Family = iota
	FamilyInt
	FamilyDecimal
	FamilyFloat
	FamilyBool
	FamilyText
	FamilyUUID
	FamilyTimestamp
	FamilyTimestampTZ
	FamilyDate
	FamilyBytes
	FamilyJSON
)

var familyNames = [...]string{"other", "integer", "decimal", "float", "boolean", "text", "uuid", "timestamp", "timestamptz", "date", "binary", "json"}

func (f Family) String() string {
	if int(f) < len(familyNames) {
		return familyNames[f]
	}
	return "other"
}

// Schema is the family's name in a schema comparison, where types that
// hold the same data under different names agree: decimals and floats are
// numbers, uuids are text, timestamps with and without time zone are
// timestamps (compared in UTC).
func (f Family) Schema() string {
	switch f {
	case FamilyDecimal, FamilyFloat:
		return "number"
	case FamilyUUID:
		return "text"
	case FamilyTimestampTZ:
		return "timestamp"
	}
	return f.String()
}

// Numeric reports whether a family holds numbers.
func (f Family) Numeric() bool {
	return f == FamilyInt || f == FamilyDecimal || f == FamilyFloat
}

// Type is a column's type.
type Type struct {
	// Raw is the type as the catalog spells it.
	Raw    string `json:"type"`
	Family Family `json:"-"`
	// Bits is 32 or 64 for floats.
	Bits int `json:"-"`
	// Scale is a decimal's digits after the point (-1: any).
	Scale int `json:"-"`
	// Precision is a timestamp's fractional digits (0..6).
	Precision int `json:"-"`
}

// Kind is how a value is written as canonical text.
type Kind int

// The canonical kinds.
const (
	KindText Kind = iota
	KindInt
	KindDecimal
	KindFloat
	KindBool
	KindUUID
	KindTimestamp
	KindDate
	KindBytes
	// KindBucket is floor(x / Tolerance) as a float: what a column with a
	// tolerance contributes to a checksum.
	KindBucket
)

var kindNames = [...]string{"text", "int", "decimal", "float", "bool", "uuid", "timestamp", "date", "bytes", "bucket"}

func (k Kind) String() string { return kindNames[k] }

// Canon says how a column is written as canonical text on both sides of a
// diff.
type Canon struct {
	Kind Kind
	// Bits is 32 or 64 (KindFloat).
	Bits int
	// Scale is the digits kept after the point (KindDecimal; -1: all).
	Scale int
	// Precision is the fractional digits of seconds kept (KindTimestamp).
	Precision int
	// Tolerance is the bucket width (KindBucket).
	Tolerance float64
}

func (c Canon) String() string {
	switch c.Kind {
	case KindFloat:
		return fmt.Sprintf("float%d", c.Bits)
	case KindDecimal:
		return fmt.Sprintf("decimal(scale %d)", c.Scale)
	case KindTimestamp:
		return fmt.Sprintf("timestamp(%d)", c.Precision)
	case KindBucket:
		return fmt.Sprintf("bucket(%g)", c.Tolerance)
	}
	return c.Kind.String()
}

// Ordered reports whether keys of this kind can be split into ranges the
// same way on every engine (integers, whole decimals, text, uuids, dates,
// timestamps).
func (c Canon) Ordered() bool {
	switch c.Kind {
	case KindInt, KindText, KindUUID, KindDate, KindTimestamp:
		return true
	case KindDecimal:
		return c.Scale == 0 // whole numbers: numeric(p, 0) against an integer
	}
	return false
}

// Own is the canonical form of a column compared with a column of the same
// type.
func Own(t Type) Canon {
	switch t.Family {
	case FamilyInt:
		return Canon{Kind: KindInt}
	case FamilyDecimal:
		return Canon{Kind: KindDecimal, Scale: t.Scale}
	case FamilyFloat:
		return Canon{Kind: KindFloat, Bits: t.Bits}
	case FamilyBool:
		return Canon{Kind: KindBool}
	case FamilyUUID:
		return Canon{Kind: KindUUID}
	case FamilyTimestamp, FamilyTimestampTZ:
		return Canon{Kind: KindTimestamp, Precision: t.Precision}
	case FamilyDate:
		return Canon{Kind: KindDate}
	case FamilyBytes:
		return Canon{Kind: KindBytes}
	}
	return Canon{Kind: KindText}
}

// Unify is the canonical form both sides of a compared column are written
// in: the lower precision of the two (a float32 side makes both float32,
// the lower decimal scale wins, the lower timestamp precision wins), uuids
// against text as lowercase text, booleans against integers as booleans. A
// tolerance (> 0) makes a numeric column a bucket. Families that cannot
// meet are each written in their own form (and so differ unless the texts
// happen to agree).
func Unify(a, b Type, tolerance float64) (Canon, Canon, error) {
	fa, fb := a.Family, b.Family
	if tolerance > 0 {
		if !fa.Numeric() || !fb.Numeric() {
			return Canon{}, Canon{}, fmt.Errorf("a tolerance needs a numeric column, not %s and %s", a.Raw, b.Raw)
		}
		c := Canon{Kind: KindBucket, Tolerance: tolerance}
		return c, c, nil
	}
	both := func(c Canon) (Canon, Canon, error) { return c, c, nil }
	switch {
	case fa == FamilyInt && fb == FamilyInt:
		return both(Canon{Kind: KindInt})
	case fa.Numeric() && fb.Numeric():
		if fa == FamilyFloat || fb == FamilyFloat {
			bits := 64
			if (fa == FamilyFloat && a.Bits == 32) || (fb == FamilyFloat && b.Bits == 32) {
				bits = 32
			}
			return both(Canon{Kind: KindFloat, Bits: bits})
		}
		return both(Canon{Kind: KindDecimal, Scale: lowerScale(a, b)})
	case (fa == FamilyBool || fa == FamilyInt) && (fb == FamilyBool || fb == FamilyInt):
		return both(Canon{Kind: KindBool})
	case fa == FamilyUUID && (fb == FamilyUUID || fb == FamilyText), fb == FamilyUUID && fa == FamilyText:
		return both(Canon{Kind: KindUUID})
	case fa == FamilyDate && fb == FamilyDate:
		return both(Canon{Kind: KindDate})
	case isTime(fa) && isTime(fb):
		return both(Canon{Kind: KindTimestamp, Precision: min(precision(a), precision(b))})
	case fa == FamilyBytes && fb == FamilyBytes:
		return both(Canon{Kind: KindBytes})
	}
	return Own(a), Own(b), nil
}

func isTime(f Family) bool {
	return f == FamilyTimestamp || f == FamilyTimestampTZ || f == FamilyDate
}

func precision(t Type) int {
	if t.Family == FamilyDate {
		return 6
	}
	return min(max(t.Precision, 0), 6)
}

// lowerScale is the lower of two exact scales: an integer has scale 0,
// a decimal of any scale (-1) yields to the other.
func lowerScale(a, b Type) int {
	scale := func(t Type) int {
		if t.Family == FamilyInt {
			return 0
		}
		return t.Scale
	}
	sa, sb := scale(a), scale(b)
	switch {
	case sa < 0:
		return sb
	case sb < 0:
		return sa
	}
	return min(sa, sb)
}

// quoteWith quotes ident between q characters, doubling q inside.
func quoteWith(ident string, q string) string {
	return q + strings.ReplaceAll(ident, q, q+q) + q
}

// stringLiteral is a standard SQL string literal.
func stringLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// record renders canon.Row in SQL for engines without a record text of
// their own: each field NULL → nothing, quoted (quotes and backslashes
// doubled) when empty or holding a character record_out quotes.
type record struct {
	concat func(parts ...string) string
	// quotable is the SQL of "x holds \" \\ ( ) , or white space".
	quotable func(x string) string
	// bs is a backslash inside this engine's string literals.
	bs string
}

func (r record) row(canons []string) string {
	parts := []string{"'('"}
	for i, x := range canons {
		if i > 0 {
			parts = append(parts, "','")
		}
		quoted := r.concat(`'"'`, "replace(replace("+x+", '"+r.bs+"', '"+r.bs+r.bs+"'), '\"', '\"\"')", `'"'`)
		parts = append(parts, "CASE WHEN "+x+" IS NULL THEN '' WHEN "+x+" = '' OR "+r.quotable(x)+" THEN "+quoted+" ELSE "+x+" END")
	}
	parts = append(parts, "')'")
	return r.concat(parts...)
}

// quotableClass is the regexp class of the characters record_out quotes,
// for regexp engines that read \\, \t, \n, \r, \f and \x0B.
const quotableClass = `[",()\\ \t\n\r\f\x0B]`

func pipes(parts ...string) string { return strings.Join(parts, " || ") }

// ByName returns the dialect of an engine name.
func ByName(name string) (Dialect, bool) {
	for _, d := range All() {
		if d.Name() == name {
			return d, true
		}
	}
	return nil, false
}

// All returns every dialect.
func All() []Dialect {
	return []Dialect{Postgres{}, SQLite{}, DuckDB{}, MySQL{}, Snowflake{}, BigQuery{}, Trino{}}
}
