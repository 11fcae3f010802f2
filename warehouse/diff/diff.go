// Package diff owns data diffs of two tables in the user's own databases,
// pushed down to them, with no SaaS account: which rows are only on one
// side, which keys are duplicated or NULL, which values differ, and how
// the schemas differ.
//
// Two algorithms, chosen by Request.Algorithm (auto picks join when both
// tables are in one database, hash otherwise):
//
//   - join: one FULL OUTER JOIN on the key, pushed down, whose WHERE keeps
//     only differing rows; they stream back (up to Request.StreamLimit,
//     past which one more pass counts the rest in the database).
//   - hash: each database computes the count and the exact sum of 48-bit
//     MD5 slices of its rows' canonical text per key range (as data-diff's
//     hashdiff does); ranges whose checksums differ are split (into
//     BisectionFactor ranges, one grouped query per side per range) until
//     they hold at most BisectionThreshold rows, whose rows are then
//     fetched and compared here. Identical tables answer after one
//     checksum pass per side.
//
// Equal data compares equal across engines because both sides write every
// value as the same canonical text (package canon) at the lower precision
// of the two columns. Keys are ordered and split byte-wise (text),
// numerically (integers) or in time, never by a collation. See
// warehouse/README.md for how the algorithms scale.
package diff

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/datastack-mcp/datastack-mcp/warehouse"
)

// Diff compares req.A and req.B.
func Diff(ctx context.Context, req Request) (*Result, error) {
	start := time.Now()
	if err := req.normalize(); err != nil {
		return nil, fmt.Errorf("diff: %w", err)
	}
	r := &run{req: &req}
	r.progress("schema", 0, 1)
	p, err := newPlan(ctx, &req)
	if err != nil {
		return nil, wrap(err)
	}
	r.p = p
	res := &Result{Algorithm: req.Algorithm, Schema: p.schema}
	for _, k := range p.keys {
		res.PrimaryKey = append(res.PrimaryKey, k.name)
	}
	res.A = SideResult{Conn: p.a.conn.Name(), Table: p.a.info.Qualified(), Filter: p.a.filter, Columns: len(p.a.info.Columns)}
	res.B = SideResult{Conn: p.b.conn.Name(), Table: p.b.info.Qualified(), Filter: p.b.filter, Columns: len(p.b.info.Columns)}
	r.res, r.t = res, newTally(p, res)
	r.progress("schema", 1, 1)
	if req.Algorithm == Join {
		err = r.join(ctx)
	} else {
		err = r.hash(ctx)
	}
	if err != nil {
		return nil, wrap(err)
	}
	r.t.finishValues(res.A.Rows - res.A.NullKeys - res.A.DuplicateRows)
	res.Cost = Cost{Queries: int(r.queries.Load()), RowsFetched: r.fetched.Load(), Segments: int(r.segments.Load()), Duration: time.Since(start)}
	res.finish()
	return res, nil
}

// wrap prefixes an error of the diff's own with "diff: " (database errors
// already name their connection).
func wrap(err error) error {
	var we *warehouse.Error
	if errors.As(err, &we) {
		return err
	}
	return fmt.Errorf("diff: %w", err)
}

// run is one diff under way.
type run struct {
	req      *Request
	p        *plan
	res      *Result
	t        *tally
	mu       sync.Mutex
	queries  atomic.Int64
	fetched  atomic.Int64
	segments atomic.Int64
}

func (r *run) progress(stage string, done, total int) {
	if r.req.Progress == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.req.Progress(Progress{Stage: stage, Done: done, Total: total})
}

// each runs a query in a session, counting it.
func (r *run) each(ctx context.Context, s *warehouse.Session, q string, args []any, fn func(scan func(...any) error) error) error {
	r.queries.Add(1)
	return s.Each(ctx, q, args, fn)
}

// both runs fa and fb at once (all of them).
func both(ctx context.Context, fa, fb func(ctx context.Context) error) error {
	return all(ctx, fa, fb)
}

// all runs fs at once and returns the first error (the one that is not a
// consequence of another's cancellation).
func all(ctx context.Context, fs ...func(ctx context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, len(fs))
	var wg sync.WaitGroup
	for i, f := range fs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if errs[i] = f(ctx); errs[i] != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	return errors.Join(errs...)
}

// stats are a side's counts.
type stats struct {
	rows, nullKeys, dupKeys, dupRows int64
}

// sideStats counts a side's rows and keys.
func (r *run) sideStats(ctx context.Context, sess *warehouse.Session, s *side) (stats, error) {
	var st stats
	err := r.each(ctx, sess, r.p.statsSQL(s), nil, func(scan func(...any) error) error {
		return scan(&st.rows, &st.nullKeys, &st.dupKeys, &st.dupRows)
	})
	return st, err
}

// setStats copies a side's counts into the result.
func setStats(sr *SideResult, st stats) {
	sr.Rows, sr.NullKeys, sr.DuplicateKeys, sr.DuplicateRows = st.rows, st.nullKeys, st.dupKeys, st.dupRows
}

// keySamples lists a side's duplicated and NULL keys, when it has any.
func (r *run) keySamples(ctx context.Context, sess *warehouse.Session, s *side, sr *SideResult, dups *[]DupKey, nulls *[]Key) error {
	limit := r.req.SampleLimit
	if sr.DuplicateKeys > 0 {
		n := len(r.p.keys)
		err := r.each(ctx, sess, r.p.dupSampleSQL(s, limit), nil, func(scan func(...any) error) error {
			keys := make([]*string, n)
			var count int64
			dest := make([]any, 0, n+1)
			for i := range keys {
				dest = append(dest, &keys[i])
			}
			if err := scan(append(dest, &count)...); err != nil {
				return err
			}
			r.fetched.Add(1)
			*dups = append(*dups, DupKey{Key: r.t.key(keys), Rows: count})
			return nil
		})
		if err != nil {
			return err
		}
	}
	if sr.NullKeys > 0 {
		return r.each(ctx, sess, r.p.nullSampleSQL(s, limit), nil, func(scan func(...any) error) error {
			keys, err := scanKeys(scan, len(r.p.keys))
			if err != nil {
				return err
			}
			r.fetched.Add(1)
			*nulls = append(*nulls, r.t.key(keys))
			return nil
		})
	}
	return nil
}

// scanKeys reads n nullable texts.
func scanKeys(scan func(...any) error, n int) ([]*string, error) {
	keys := make([]*string, n)
	dest := make([]any, n)
	for i := range keys {
		dest[i] = &keys[i]
	}
	return keys, scan(dest...)
}

// samples lists both sides' duplicated and NULL keys.
func (r *run) samples(ctx context.Context, sa, sb *warehouse.Session) error {
	res := r.res
	if res.A.DuplicateKeys+res.A.NullKeys+res.B.DuplicateKeys+res.B.NullKeys == 0 {
		return nil
	}
	r.progress("samples", 0, 1)
	if err := r.keySamples(ctx, sa, r.p.a, &res.A, &res.Samples.DuplicateKeysA, &res.Samples.NullKeysA); err != nil {
		return err
	}
	if err := r.keySamples(ctx, sb, r.p.b, &res.B, &res.Samples.DuplicateKeysB, &res.Samples.NullKeysB); err != nil {
		return err
	}
	r.progress("samples", 1, 1)
	return nil
}
