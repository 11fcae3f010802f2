package diff

import (
	"fmt"

	"github.com/datastack-mcp/datastack-mcp/warehouse"
)

// Algorithms.
const (
	// Auto is Join when both sides are in one database, else Hash.
	Auto = "auto"
	// Join compares both tables in one FULL OUTER JOIN pushed down to their
	// database.
	Join = "join"
	// Hash compares checksums of key ranges computed in each database and
	// fetches only the rows of ranges that differ.
	Hash = "hash"
)

// Defaults and bounds of a Request.
const (
	DefaultSampleLimit        = 10
	MaxSampleLimit            = 1000
	DefaultBisectionFactor    = 32
	DefaultBisectionThreshold = 16384
	// DefaultStreamLimit is how many differing rows a join diff reads
	// before it counts the rest in the database instead.
	DefaultStreamLimit = 100000
)

// Request is what to compare.
type Request struct {
	// A is the baseline (e.g. production), B the side checked against it.
	A, B Side
	// PrimaryKey names the columns that identify a row on both sides.
	PrimaryKey []string
	// Columns, when given, are the only non-key columns compared;
	// otherwise every column both sides have is.
	Columns []string
	// Exclude names columns not to compare.
	Exclude []string
	// Tolerances are absolute tolerances of numeric columns: values that
	// differ by at most this much are equal.
	Tolerances map[string]float64
	// SampleLimit caps each list of samples (default 10, at most 1000).
	SampleLimit int
	// Algorithm is auto (default), join or hash.
	Algorithm string
	// BisectionFactor is how many ranges a differing range is split into
	// (hash; default 32).
	BisectionFactor int
	// BisectionThreshold is the most rows a range may have on either side
	// for its rows to be fetched and compared (hash; default 16384).
	BisectionThreshold int
	// StreamLimit is how many differing rows a join diff reads before it
	// counts the rest in the database (default 100000).
	StreamLimit int
	// Progress, when set, is told what the diff is doing; it may be
	// called from several goroutines, one call at a time.
	Progress func(Progress)
}

// Side is one side of a diff.
type Side struct {
	Conn *warehouse.Conn
	// Table is "schema.table" or "table".
	Table string
	// Filter is a SQL boolean expression over the table's columns, put in
	// the WHERE clause of every query on this side as it is. The caller
	// vets it; the session is read-only whatever it says.
	Filter string
}

// Progress is a step of a running diff.
type Progress struct {
	// Stage is schema, stats, checksum, bisect, fetch, join, count or
	// samples.
	Stage string
	Done  int
	Total int
}

// normalize fills defaults and checks the request's shape.
func (r *Request) normalize() error {
	if r.A.Conn == nil || r.B.Conn == nil {
		return fmt.Errorf("both sides need a connection")
	}
	if r.A.Table == "" {
		return fmt.Errorf("a.table is empty")
	}
	if r.B.Table == "" {
		r.B.Table = r.A.Table
	}
	if len(r.PrimaryKey) == 0 {
		return fmt.Errorf("primary_key is empty: name the columns that identify a row")
	}
	switch {
	case r.SampleLimit <= 0:
		r.SampleLimit = DefaultSampleLimit
	case r.SampleLimit > MaxSampleLimit:
		r.SampleLimit = MaxSampleLimit
	}
	if r.BisectionFactor < 2 {
		r.BisectionFactor = DefaultBisectionFactor
	}
	if r.BisectionThreshold < 1 {
		r.BisectionThreshold = DefaultBisectionThreshold
	}
	if r.StreamLimit < 1 {
		r.StreamLimit = DefaultStreamLimit
	}
	for col, tol := range r.Tolerances {
		if !(tol >= 0) {
			return fmt.Errorf("the tolerance of %s must be a number of at least 0, not %v", col, tol)
		}
	}
	switch r.Algorithm {
	case "", Auto:
		r.Algorithm = Hash
		if r.A.Conn.SameDatabase(r.B.Conn) {
			r.Algorithm = Join
		}
	case Join:
		if !r.A.Conn.SameDatabase(r.B.Conn) {
			return fmt.Errorf("a join diff needs both tables in one database, but %s and %s are different databases; use hash", r.A.Conn.Name(), r.B.Conn.Name())
		}
	case Hash:
	default:
		return fmt.Errorf("algorithm %q is not auto, join or hash", r.Algorithm)
	}
	return nil
}
