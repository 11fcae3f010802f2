package diff

import (
	"context"
	"database/sql"
	"strconv"

	"github.com/datastack-mcp/datastack-mcp/warehouse"
)

// checksum is a key range's count and exact hash sum (decimal text).
type checksum struct {
	count int64
	sum   string
}

// hash runs the hash diff: checksums per key range in each database,
// bisecting the ranges that differ, rows compared here below the
// threshold.
func (r *run) hash(ctx context.Context) error {
	p := r.p
	if err := p.checkHashKeys(); err != nil {
		return err
	}
	// A session lives as long as the context it began with: the diff's.
	sa, err := p.a.conn.Begin(ctx, true)
	if err != nil {
		return err
	}
	defer sa.Close()
	sb, err := p.b.conn.Begin(ctx, true)
	if err != nil {
		return err
	}
	defer sb.Close()
	root := &segment{}
	var sumA, sumB checksum
	var minA, maxA, minB, maxB sql.NullInt64
	r.progress("checksum", 0, 2)
	side := func(sess *warehouse.Session, s *side, sr *SideResult, sum *checksum, lo, hi *sql.NullInt64) func(context.Context) error {
		return func(ctx context.Context) error {
			// A key that is unique and NOT NULL by constraint needs no
			// counting: the checksum's count is the row count.
			if !s.unique || !s.notNull {
				st, err := r.sideStats(ctx, sess, s)
				if err != nil {
					return err
				}
				setStats(sr, st)
			}
			q, args := p.checksumSQL(s, root, nil)
			var total sql.NullString
			err := r.each(ctx, sess, q, args, func(scan func(...any) error) error {
				if p.intKey() {
					return scan(&sum.count, &total, lo, hi)
				}
				return scan(&sum.count, &total)
			})
			sum.sum = total.String
			if s.unique && s.notNull {
				sr.Rows = sum.count
			}
			r.progress("checksum", 1, 2)
			return err
		}
	}
	if err := both(ctx, side(sa, p.a, &r.res.A, &sumA, &minA, &maxA), side(sb, p.b, &r.res.B, &sumB, &minB, &maxB)); err != nil {
		return err
	}
	r.segments.Add(1)
	r.progress("checksum", 2, 2)
	root.countA, root.countB = sumA.count, sumB.count
	if p.intKey() && (minA.Valid || minB.Valid) {
		root.numeric = true
		root.min, root.max = bounds(minA, minB, maxA, maxB)
	}
	if sumA != sumB {
		if err := r.bisect(ctx, sa, sb, root); err != nil {
			return err
		}
	}
	return r.samples(ctx, sa, sb)
}

// bounds are the smallest and largest key of both sides.
func bounds(minA, minB, maxA, maxB sql.NullInt64) (int64, int64) {
	switch {
	case !minA.Valid:
		return minB.Int64, maxB.Int64
	case !minB.Valid:
		return minA.Int64, maxA.Int64
	}
	return min(minA.Int64, minB.Int64), max(maxA.Int64, maxB.Int64)
}

// bisect resolves the ranges whose checksums differ, level by level.
func (r *run) bisect(ctx context.Context, sa, sb *warehouse.Session, root *segment) error {
	threshold := int64(r.req.BisectionThreshold)
	level := []*segment{root}
	for depth := 0; len(level) > 0; depth++ {
		var next []*segment
		for i, seg := range level {
			r.progress("bisect level "+strconv.Itoa(depth), i, len(level))
			if max(seg.countA, seg.countB) <= threshold {
				if err := r.fetchCompare(ctx, sa, sb, seg); err != nil {
					return err
				}
				continue
			}
			bounds, err := r.split(ctx, sa, sb, seg)
			if err != nil {
				return err
			}
			if len(bounds) == 0 {
				if err := r.keyCounts(ctx, sa, sb, seg); err != nil {
					return err
				}
				continue
			}
			kids := children(seg, bounds)
			var sumsA, sumsB map[int]checksum
			err = both(ctx, func(ctx context.Context) (err error) {
				sumsA, err = r.childSums(ctx, sa, r.p.a, seg, bounds)
				return err
			}, func(ctx context.Context) (err error) {
				sumsB, err = r.childSums(ctx, sb, r.p.b, seg, bounds)
				return err
			})
			if err != nil {
				return err
			}
			r.segments.Add(int64(len(kids)))
			for j, kid := range kids {
				a, b := sumsA[j], sumsB[j]
				kid.countA, kid.countB = a.count, b.count
				if a != b {
					next = append(next, kid)
				}
			}
		}
		r.progress("bisect level "+strconv.Itoa(depth), len(level), len(level))
		level = next
	}
	return nil
}

// childSums are the checksums of seg's sub-ranges on one side, by bucket.
func (r *run) childSums(ctx context.Context, sess *warehouse.Session, s *side, seg *segment, bounds [][]string) (map[int]checksum, error) {
	q, args := r.p.checksumSQL(s, seg, bounds)
	out := map[int]checksum{}
	err := r.each(ctx, sess, q, args, func(scan func(...any) error) error {
		var bucket int
		var c checksum
		var total sql.NullString
		if err := scan(&bucket, &c.count, &total); err != nil {
			return err
		}
		c.sum = total.String
		out[bucket] = c
		return nil
	})
	return out, err
}

// split returns the keys that cut seg into sub-ranges: by value for one
// integer key, else every so many distinct keys of the side with more rows
// (or of the other side when that one has a single key). None: each side
// has at most one distinct key in seg.
func (r *run) split(ctx context.Context, sa, sb *warehouse.Session, seg *segment) ([][]string, error) {
	factor := r.req.BisectionFactor
	if seg.numeric {
		return numericBounds(seg, factor), nil
	}
	sides := []*side{r.p.a, r.p.b}
	sessions := []*warehouse.Session{sa, sb}
	if seg.countB > seg.countA {
		sides[0], sides[1] = sides[1], sides[0]
		sessions[0], sessions[1] = sessions[1], sessions[0]
	}
	for i, s := range sides {
		q, args := r.p.boundarySQL(s, seg, factor)
		var out [][]string
		err := r.each(ctx, sessions[i], q, args, func(scan func(...any) error) error {
			keys, err := scanKeys(scan, len(r.p.keys))
			if err != nil {
				return err
			}
			r.fetched.Add(1)
			b := make([]string, len(keys))
			for j, k := range keys {
				if k != nil {
					b[j] = *k
				}
			}
			out = append(out, b)
			return nil
		})
		if err != nil || len(out) > 0 {
			return out, err
		}
	}
	return nil, nil
}

// fetchCompare fetches a small range's rows from both sides and compares
// them.
func (r *run) fetchCompare(ctx context.Context, sa, sb *warehouse.Session, seg *segment) error {
	var rowsA, rowsB []row
	err := both(ctx, func(ctx context.Context) (err error) {
		rowsA, err = r.fetch(ctx, sa, r.p.a, seg)
		return err
	}, func(ctx context.Context) (err error) {
		rowsB, err = r.fetch(ctx, sb, r.p.b, seg)
		return err
	})
	if err != nil {
		return err
	}
	r.t.compareRows(rowsA, rowsB)
	return nil
}

// fetch reads a range's rows on one side.
func (r *run) fetch(ctx context.Context, sess *warehouse.Session, s *side, seg *segment) ([]row, error) {
	q, args := r.p.fetchSQL(s, seg)
	nk, nv := len(r.p.keys), len(r.p.values)
	rows := make([]row, 0, max(seg.countA, seg.countB))
	err := r.each(ctx, sess, q, args, func(scan func(...any) error) error {
		texts := make([]*string, nk+nv)
		dest := make([]any, nk+nv)
		for i := range texts {
			dest[i] = &texts[i]
		}
		if err := scan(dest...); err != nil {
			return err
		}
		rows = append(rows, row{keys: texts[:nk], vals: texts[nk:]})
		return nil
	})
	r.fetched.Add(int64(len(rows)))
	return rows, err
}

// keyCounts resolves a range holding one distinct key per side (so many
// rows of one key): rows only on a side are counted; a key on both sides
// is duplicated, so its values are not compared.
func (r *run) keyCounts(ctx context.Context, sa, sb *warehouse.Session, seg *segment) error {
	counts := func(sess *warehouse.Session, s *side, out *[]row, n *[]int64) func(context.Context) error {
		return func(ctx context.Context) error {
			q, args := r.p.keyCountsSQL(s, seg)
			return r.each(ctx, sess, q, args, func(scan func(...any) error) error {
				keys := make([]*string, len(r.p.keys))
				dest := make([]any, 0, len(keys)+1)
				for i := range keys {
					dest = append(dest, &keys[i])
				}
				var c int64
				if err := scan(append(dest, &c)...); err != nil {
					return err
				}
				r.fetched.Add(1)
				*out = append(*out, row{keys: keys})
				*n = append(*n, c)
				return nil
			})
		}
	}
	var keysA, keysB []row
	var nA, nB []int64
	if err := both(ctx, counts(sa, r.p.a, &keysA, &nA), counts(sb, r.p.b, &keysB, &nB)); err != nil {
		return err
	}
	inB := map[string]int64{}
	for i, k := range keysB {
		inB[k.keyText()] = nB[i]
	}
	inA := map[string]bool{}
	for i, k := range keysA {
		text := k.keyText()
		inA[text] = true
		b := inB[text]
		if b == 0 {
			r.t.onlyA(k.keys, nA[i])
		}
		if nA[i] == 1 && b != 1 {
			r.t.unmatchedUniqueA++
		}
	}
	for i, k := range keysB {
		if !inA[k.keyText()] {
			r.t.onlyB(k.keys, nB[i])
		}
	}
	return nil
}
