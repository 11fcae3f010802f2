package diff

import (
	"time"
)

// Results.
const (
	Identical = "identical"
	Different = "different"
)

// Result is what a diff found.
type Result struct {
	// Result is identical (no row, value, key or schema difference) or
	// different.
	Result string `json:"result"`
	// Algorithm is join or hash: the one that ran.
	Algorithm  string     `json:"algorithm"`
	PrimaryKey []string   `json:"primary_key"`
	A          SideResult `json:"a"`
	B          SideResult `json:"b"`
	Schema     Schema     `json:"schema"`
	Values     Values     `json:"values"`
	Samples    Samples    `json:"samples"`
	Cost       Cost       `json:"cost"`
}

// SideResult is what the diff found on one side.
type SideResult struct {
	Conn   string `json:"conn"`
	Table  string `json:"table"`
	Filter string `json:"filter,omitempty"`
	// Rows are the rows the filter keeps.
	Rows int64 `json:"rows"`
	// RowsOnlyHere are rows (with a non-NULL key) whose key the other
	// side lacks.
	RowsOnlyHere int64 `json:"rows_only_here"`
	// DuplicateKeys are key values held by more than one row here, and
	// DuplicateRows the rows holding them. Rows of a duplicated key are
	// matched by key but their values are not compared.
	DuplicateKeys int64 `json:"duplicate_keys"`
	DuplicateRows int64 `json:"duplicate_rows"`
	// NullKeys are rows with a NULL in a key column: never matched.
	NullKeys int64 `json:"null_keys"`
	// Columns is the table's column count.
	Columns int `json:"columns"`
}

// Schema compares the two tables' columns.
type Schema struct {
	// Compared are the non-key columns whose values were compared.
	Compared []string `json:"compared"`
	OnlyInA  []string `json:"only_in_a,omitempty"`
	OnlyInB  []string `json:"only_in_b,omitempty"`
	// TypeChanged are columns of both sides whose type families differ
	// (decimals and floats are both numbers; uuids are text).
	TypeChanged []TypeChange `json:"type_changed,omitempty"`
}

// TypeChange is a column whose type family differs.
type TypeChange struct {
	Column  string `json:"column"`
	A       string `json:"a"`
	B       string `json:"b"`
	FamilyA string `json:"family_a"`
	FamilyB string `json:"family_b"`
}

// Values compares the rows whose key is on both sides once.
type Values struct {
	RowsCompared           int64 `json:"rows_compared"`
	RowsWithDifferences    int64 `json:"rows_with_differences"`
	ValuesWithDifferences  int64 `json:"values_with_differences"`
	ColumnsCompared        int   `json:"columns_compared"`
	ColumnsWithDifferences int   `json:"columns_with_differences"`
	// Columns are the compared columns in table order.
	Columns []ColumnResult `json:"columns"`
}

// ColumnResult is one compared column.
type ColumnResult struct {
	Column          string `json:"column"`
	ValuesDifferent int64  `json:"values_different"`
	// MatchPct is the percentage of compared rows whose values match.
	MatchPct  float64 `json:"match_pct"`
	Tolerance float64 `json:"tolerance,omitempty"`
}

// Key is a key's values in PrimaryKey's order: int64 for integer columns,
// text otherwise (canonical: timestamps in UTC, uuids lowercase), nil for
// NULL.
type Key []any

// Samples are examples of each kind of difference, each list capped at
// Request.SampleLimit.
type Samples struct {
	OnlyInA        []Key       `json:"only_in_a,omitempty"`
	OnlyInB        []Key       `json:"only_in_b,omitempty"`
	Differing      []RowSample `json:"differing,omitempty"`
	DuplicateKeysA []DupKey    `json:"duplicate_keys_a,omitempty"`
	DuplicateKeysB []DupKey    `json:"duplicate_keys_b,omitempty"`
	NullKeysA      []Key       `json:"null_keys_a,omitempty"`
	NullKeysB      []Key       `json:"null_keys_b,omitempty"`
}

// RowSample is a row whose values differ: its key and, per differing
// column, both values (canonical text, nil for NULL).
type RowSample struct {
	Key    Key         `json:"key"`
	Values []ValueDiff `json:"values"`
}

// ValueDiff is one differing value.
type ValueDiff struct {
	Column string `json:"column"`
	A      any    `json:"a"`
	B      any    `json:"b"`
}

// DupKey is a duplicated key and how many rows hold it.
type DupKey struct {
	Key  Key   `json:"key"`
	Rows int64 `json:"rows"`
}

// Cost is what the diff took.
type Cost struct {
	// Queries are the diff's statements (catalogue lookups not counted).
	Queries int `json:"queries"`
	// RowsFetched are the rows brought from the databases: rows of ranges
	// compared here, differing rows a join diff read, range boundaries.
	RowsFetched int64 `json:"rows_fetched"`
	// Segments are the key ranges whose checksums were computed (hash).
	Segments int `json:"segments"`
	// Duration is the wall time of the diff.
	Duration time.Duration `json:"duration_ns"`
}

// finish sets the verdict and the percentages.
func (r *Result) finish() {
	v := &r.Values
	v.ColumnsCompared = len(v.Columns)
	for i := range v.Columns {
		c := &v.Columns[i]
		c.MatchPct = 100
		if v.RowsCompared > 0 {
			c.MatchPct = 100 * float64(v.RowsCompared-c.ValuesDifferent) / float64(v.RowsCompared)
		}
		if c.ValuesDifferent > 0 {
			v.ColumnsWithDifferences++
		}
		v.ValuesWithDifferences += c.ValuesDifferent
	}
	r.Result = Identical
	for _, s := range []SideResult{r.A, r.B} {
		if s.RowsOnlyHere+s.DuplicateKeys+s.NullKeys > 0 {
			r.Result = Different
		}
	}
	if v.RowsWithDifferences > 0 || len(r.Schema.OnlyInA)+len(r.Schema.OnlyInB)+len(r.Schema.TypeChanged) > 0 {
		r.Result = Different
	}
}
