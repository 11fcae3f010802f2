package diff

import (
	"math"
	"strconv"

	"github.com/datastack-mcp/datastack-mcp/warehouse/canon"
	"github.com/datastack-mcp/datastack-mcp/warehouse/dialect"
)

// row is a fetched row: canonical texts of its key and value columns.
type row struct {
	keys []*string
	vals []*string
}

// keyText identifies the row's key (canon.Row of the key texts).
func (r *row) keyText() string { return canon.Row(r.keys) }

// tally accumulates what rows compared in Go found, for both algorithms.
type tally struct {
	p     *plan
	res   *Result
	limit int
	// colDiff counts differing values per value column.
	colDiff []int64
	// unmatchedUniqueA are A rows whose key is on A once and on B not
	// exactly once: subtracted from the rows compared.
	unmatchedUniqueA int64
	// compared, when set, is the rows compared as a database counted them.
	compared *int64
}

func newTally(p *plan, res *Result) *tally {
	return &tally{p: p, res: res, limit: p.req.SampleLimit, colDiff: make([]int64, len(p.values))}
}

// compareRows compares the rows of one key range: rows only on a side,
// keys duplicated (matched, not compared), differing values.
func (t *tally) compareRows(rowsA, rowsB []row) {
	byKey := make(map[string][2][]int, len(rowsA))
	order := make([]string, 0, len(rowsA))
	for i := range rowsA {
		k := rowsA[i].keyText()
		e, ok := byKey[k]
		if !ok {
			order = append(order, k)
		}
		e[0] = append(e[0], i)
		byKey[k] = e
	}
	for i := range rowsB {
		k := rowsB[i].keyText()
		e, ok := byKey[k]
		if !ok {
			order = append(order, k)
		}
		e[1] = append(e[1], i)
		byKey[k] = e
	}
	for _, k := range order {
		e := byKey[k]
		na, nb := len(e[0]), len(e[1])
		switch {
		case nb == 0:
			t.onlyA(rowsA[e[0][0]].keys, int64(na))
		case na == 0:
			t.onlyB(rowsB[e[1][0]].keys, int64(nb))
		case na == 1 && nb == 1:
			t.compare(&rowsA[e[0][0]], &rowsB[e[1][0]])
		}
		if na == 1 && nb != 1 {
			t.unmatchedUniqueA++
		}
	}
}

func (t *tally) onlyA(keys []*string, rows int64) {
	t.res.A.RowsOnlyHere += rows
	if len(t.res.Samples.OnlyInA) < t.limit {
		t.res.Samples.OnlyInA = append(t.res.Samples.OnlyInA, t.key(keys))
	}
}

func (t *tally) onlyB(keys []*string, rows int64) {
	t.res.B.RowsOnlyHere += rows
	if len(t.res.Samples.OnlyInB) < t.limit {
		t.res.Samples.OnlyInB = append(t.res.Samples.OnlyInB, t.key(keys))
	}
}

// compare compares the values of two rows with the same key.
func (t *tally) compare(a, b *row) {
	sampling := len(t.res.Samples.Differing) < t.limit
	var diffs []ValueDiff
	differs := false
	for j, v := range t.p.values {
		if valuesEqual(a.vals[j], b.vals[j], v.tol) {
			continue
		}
		differs = true
		t.colDiff[j]++
		if sampling {
			diffs = append(diffs, ValueDiff{Column: v.name, A: value(a.vals[j]), B: value(b.vals[j])})
		}
	}
	if !differs {
		return
	}
	t.res.Values.RowsWithDifferences++
	if sampling {
		t.res.Samples.Differing = append(t.res.Samples.Differing, RowSample{Key: t.key(a.keys), Values: diffs})
	}
}

// valuesEqual compares two canonical texts; with a tolerance, as floats
// that may differ by at most tol (NaN differs from everything).
func valuesEqual(a, b *string, tol float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if tol == 0 {
		return *a == *b
	}
	fa, errA := strconv.ParseFloat(*a, 64)
	fb, errB := strconv.ParseFloat(*b, 64)
	if errA != nil || errB != nil {
		return *a == *b
	}
	return math.Abs(fa-fb) <= tol
}

// key is a key's sample form.
func (t *tally) key(keys []*string) Key {
	out := make(Key, len(keys))
	for i, k := range keys {
		if k == nil {
			continue
		}
		out[i] = *k
		if t.p.keys[i].ca.Kind == dialect.KindInt {
			if n, err := strconv.ParseInt(*k, 10, 64); err == nil {
				out[i] = n
			}
		}
	}
	return out
}

func value(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// finishValues fills Values from the tally: compared rows are A's rows
// with a key unique on A (rowsUniqueA) less those not matched once on B.
func (t *tally) finishValues(rowsUniqueA int64) {
	v := &t.res.Values
	v.RowsCompared = rowsUniqueA - t.unmatchedUniqueA
	if t.compared != nil {
		v.RowsCompared = *t.compared
	}
	v.Columns = make([]ColumnResult, len(t.p.values))
	for j, c := range t.p.values {
		v.Columns[j] = ColumnResult{Column: c.name, ValuesDifferent: t.colDiff[j], Tolerance: c.tol}
	}
}
