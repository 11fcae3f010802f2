package sandbox

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	wh "github.com/datastack-mcp/datastack-mcp/warehouse"
	"github.com/datastack-mcp/datastack-mcp/warehouse/diff"
)

// diffTimeout bounds one comparison on the engine (a few seconds for
// the largest demo table, more on a busy machine).
const diffTimeout = 5 * time.Minute

// diffTarget is one side of a comparison: a table of a database file,
// optionally filtered (SQL for the engine).
type diffTarget struct{ file, table, filter string }

// diffSpec is a comparison: two sides, the key, the non-key columns not
// compared.
type diffSpec struct {
	a, b    diffTarget
	pk      []string
	exclude []string
}

// diffRun is a comparison running, or run, on the engine.
type diffRun struct {
	done chan struct{}
	res  *diff.Result // set before done closes
	err  error
}

var (
	diffRunsMu sync.Mutex
	diffRuns   = map[string]*diffRun{}
)

// startDiff starts spec on s's demo files, or returns the run of the same
// comparison on the same files. A run that failed is forgotten once done,
// so the next diff that asks tries again.
func (s *Sandbox) startDiff(spec diffSpec) *diffRun {
	key := fmt.Sprintf("%p|%q|%q|%q|%q", s.demo, spec.a, spec.b, strings.Join(spec.pk, ","), strings.Join(spec.exclude, ","))
	diffRunsMu.Lock()
	defer diffRunsMu.Unlock()
	if r := diffRuns[key]; r != nil {
		return r
	}
	r := &diffRun{done: make(chan struct{})}
	diffRuns[key] = r
	files := s.demo
	go func() {
		r.res, r.err = files.compare(spec)
		close(r.done)
		if r.err != nil {
			diffRunsMu.Lock()
			delete(diffRuns, key)
			diffRunsMu.Unlock()
		}
	}()
	return r
}

// compare runs spec on the engine.
func (f *demoFiles) compare(spec diffSpec) (*diff.Result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), diffTimeout)
	defer cancel()
	var b *wh.Conn
	var errB error
	opened := make(chan struct{})
	go func() { // both files may need writing: at once
		defer close(opened)
		b, errB = f.conn(ctx, spec.b.file)
	}()
	a, err := f.conn(ctx, spec.a.file)
	<-opened
	if err != nil {
		return nil, err
	}
	if errB != nil {
		return nil, errB
	}
	return diff.Diff(ctx, diff.Request{
		A:          diff.Side{Conn: a, Table: spec.a.table, Filter: spec.a.filter},
		B:          diff.Side{Conn: b, Table: spec.b.table, Filter: spec.b.filter},
		PrimaryKey: spec.pk, Exclude: spec.exclude,
		// On these tables a hash diff that compares the rows of a range
		// whose checksums differ at once is the fastest: SQLite's full
		// outer join of two 125,000-row tables takes several times longer.
		Algorithm: diff.Hash, BisectionThreshold: hashFetchRows,
	})
}

// hashFetchRows is the most rows a range may hold for a hash diff to
// compare its rows instead of splitting it: every demo table.
const hashFetchRows = 1 << 20

// finished reports whether the run is done.
func (r *diffRun) finished() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}
