package diff

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite" // the writable "sqlite" driver, for fixtures only

	"github.com/datastack-mcp/datastack-mcp/tools"
	"github.com/datastack-mcp/datastack-mcp/tools/databases"
	whdiff "github.com/datastack-mcp/datastack-mcp/warehouse/diff"
)

// Warehouse diffs that outlive the wait, on SQLite: held by a gate (never
// a sleep) and waited for on virtual time.

// testClock is virtual time whose waits pass at once (moving the clock
// on), or, while held, never pass (a call then waits for the diff), or,
// while manual, when the test fires them.
type testClock struct {
	fakeClock
	hold, manual atomic.Bool
	pmu          sync.Mutex
	pending      []chan time.Time
	armed        chan struct{} // receives once per wait armed in manual mode
}

func (c *testClock) After(d time.Duration) <-chan time.Time {
	switch {
	case c.hold.Load():
		return nil // never fires
	case c.manual.Load():
		ch := make(chan time.Time, 1)
		c.pmu.Lock()
		c.pending = append(c.pending, ch)
		c.pmu.Unlock()
		c.armed <- struct{}{}
		return ch
	}
	return c.fakeClock.After(d)
}

// fire moves the clock on by d and ends the waits armed.
func (c *testClock) fire(d time.Duration) {
	c.advance(d)
	c.pmu.Lock()
	defer c.pmu.Unlock()
	for _, ch := range c.pending {
		ch <- c.Now()
	}
	c.pending = nil
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// gatedRun runs warehouse diffs, holding the n-th (from 0) at its gate
// until the test opens it; it counts the runs.
type gatedRun struct {
	mu    sync.Mutex
	runs  int
	gates map[int]*gate
}

// gate holds a run until open is closed; reached is closed once the run
// waits at it.
type gate struct{ open, reached chan struct{} }

// hold sets a gate for the n-th run: open lets it go on; reached is closed
// when the run waits at the gate.
func (g *gatedRun) hold(n int) (open func(), reached <-chan struct{}) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.gates == nil {
		g.gates = map[int]*gate{}
	}
	gt := &gate{open: make(chan struct{}), reached: make(chan struct{})}
	g.gates[n] = gt
	return sync.OnceFunc(func() { close(gt.open) }), gt.reached
}

func (g *gatedRun) count() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.runs
}

func (g *gatedRun) run(ctx context.Context, req whdiff.Request) (*whdiff.Result, error) {
	g.mu.Lock()
	gate := g.gates[g.runs]
	g.runs++
	g.mu.Unlock()
	if gate != nil {
		req.Progress(whdiff.Progress{Stage: "held", Done: 0, Total: 1})
		close(gate.reached)
		select {
		case <-gate.open:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return whdiff.Diff(ctx, req)
}

// ordersDB writes orders 1..20 and orders_dev (order 5 missing, 21 extra,
// 7's amount changed) to a new SQLite file and returns its registry.
func ordersDB(t *testing.T) *databases.Registry {
	t.Helper()
	path := filepath.Join(t.TempDir(), "shop.db")
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	exec := func(q string) {
		_, err := db.Exec(q)
		require.NoError(t, err, q)
	}
	for _, table := range []string{"orders", "orders_dev"} {
		exec(fmt.Sprintf("CREATE TABLE %s (id integer, amount integer, status text)", table))
		for i := 1; i <= 21; i++ {
			dev := table == "orders_dev"
			amount := i * 3
			switch {
			case i == 21 && !dev, i == 5 && dev:
				continue
			case i == 7 && dev:
				amount = 999
			}
			exec(fmt.Sprintf("INSERT INTO %s VALUES (%d, %d, 'placed')", table, i, amount))
		}
	}
	require.NoError(t, db.Close())
	reg := databases.NewRegistry()
	reg.Add("shop", "sqlite://"+path)
	t.Cleanup(reg.Close)
	return reg
}

// localServer is one server's diff tools over reg.
type localServer struct {
	diff, get *tools.Tool
	jobs      *Jobs
	clock     *testClock
	runs      *gatedRun
}

func newLocalServer(t *testing.T, reg *databases.Registry, limits JobLimits) *localServer {
	t.Helper()
	all, err := tools.All()
	require.NoError(t, err)
	s := &localServer{jobs: NewJobs(limits), runs: &gatedRun{},
		clock: &testClock{fakeClock: fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}, armed: make(chan struct{}, 8)}}
	t.Cleanup(s.jobs.Close)
	list, err := Tools(all, Options{Wait: 10 * time.Second, Poll: time.Second, Warehouses: reg, Jobs: s.jobs, clock: s.clock, run: s.runs.run})
	require.NoError(t, err)
	s.diff, s.get = list[0], list[1]
	return s
}

// progressLog collects a call's progress messages.
type progressLog struct {
	mu   sync.Mutex
	msgs []string
}

func (p *progressLog) ctx() context.Context {
	return tools.WithRequest(context.Background(), &tools.Request{Progress: func(_ context.Context, _, _ float64, m string) {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.msgs = append(p.msgs, m)
	}})
}

func (p *progressLog) all() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.msgs, "\n")
}

var ordersArgs = map[string]any{"a": map[string]any{"warehouse": "shop", "table": "orders"}, "b": map[string]any{"table": "orders_dev"}, "primary_key": []any{"id"}}

// finishedJob waits until the job a handle names has finished here.
func finishedJob(t *testing.T, j *Jobs, handle string) {
	t.Helper()
	body, err := decodeHandle(handle)
	require.NoError(t, err)
	j.mu.Lock()
	jb := j.byID[body.ID]
	j.mu.Unlock()
	require.NotNil(t, jb, "job %s: got none, want it held", body.ID)
	<-jb.done
}

// assertOrdersVerdict checks a done verdict of ordersArgs against the
// truth.
func assertOrdersVerdict(t *testing.T, v *DiffVerdict) {
	t.Helper()
	assert.Equal(t, "done", v.Status, "status; summary %s", v.Summary)
	assert.Equal(t, "different", v.Result)
	assert.Equal(t, 1, val(v.A.RowsOnlyHere), "a.rows_only_here (order 21)")
	assert.Equal(t, 1, val(v.B.RowsOnlyHere), "b.rows_only_here (order 5)")
	require.NotNil(t, v.Values)
	assert.Equal(t, 1, v.Values.RowsWithDifferences, "order 7")
	require.NotNil(t, v.Local)
	assert.Equal(t, "join", v.Local.Algorithm)
}

// TestLocalDiffOutlivesTheWait: a diff held past the wait answers running
// with a handle and the get_diff_result step; it keeps running, and
// get_diff_result on the same server picks up its result without running
// it again, passing the diff's progress on to both calls.
func TestLocalDiffOutlivesTheWait(t *testing.T) {
	s := newLocalServer(t, ordersDB(t), JobLimits{})
	open, reached := s.runs.hold(0)
	s.clock.manual.Store(true)
	var p1 progressLog
	answer := make(chan *tools.Result)
	go func() { answer <- s.diff.Call(p1.ctx(), &tools.Deps{}, ordersArgs) }()
	<-reached
	<-s.clock.armed
	s.clock.fire(10 * time.Second) // the wait is over
	res := <-answer
	s.clock.manual.Store(false)
	require.False(t, res.IsError, res.Text)
	v := verdictOf(t, res)
	assert.Equal(t, "running", v.Status, "status; summary %s", v.Summary)
	require.NotEmpty(t, v.Handle, "a running warehouse diff answers a handle")
	assert.Contains(t, v.Summary, "at held, 0 of 1", "the summary says where the diff is")
	require.Len(t, v.Next, 1)
	assert.Equal(t, GetResultName, v.Next[0].Tool)
	assert.Equal(t, map[string]any{"handle": v.Handle}, v.Next[0].Arguments)
	assert.Contains(t, res.Text, "Warehouse diff: running")
	assert.Contains(t, p1.all(), "Diff: held (0 of 1).", "progress of the first call")
	assert.GreaterOrEqual(t, v.RetryAfterSeconds, 5)
	assert.NoError(t, s.diff.CheckOutput(jsonValue(t, v)), "the running verdict satisfies the output schema")

	open()
	finishedJob(t, s.jobs, v.Handle)
	var p2 progressLog
	res = s.get.Call(p2.ctx(), &tools.Deps{}, map[string]any{"handle": v.Handle})
	require.False(t, res.IsError, res.Text)
	got := verdictOf(t, res)
	assertOrdersVerdict(t, got)
	assert.False(t, got.Rerun, "picked up, not run again")
	assert.Equal(t, v.Handle, got.Handle)
	assert.Equal(t, 1, s.runs.count(), "runs of the diff")
	assert.Contains(t, p2.all(), "Diff done: different.", "progress of get_diff_result")
	assert.NoError(t, s.get.CheckOutput(jsonValue(t, got)))

	res = s.get.Call(context.Background(), &tools.Deps{}, map[string]any{"handle": v.Handle})
	assert.False(t, verdictOf(t, res).Rerun, "asked again: still kept")
	assert.Equal(t, 1, s.runs.count(), "runs of the diff after asking twice")
}

// TestLocalDiffRerunFromHandle: a server that shares nothing with the one
// that started the diff answers the handle by running it again, and says
// so.
func TestLocalDiffRerunFromHandle(t *testing.T) {
	reg := ordersDB(t)
	first := newLocalServer(t, reg, JobLimits{})
	first.runs.hold(0) // never opened: the first server never finishes it
	res := first.diff.Call(context.Background(), &tools.Deps{}, ordersArgs)
	v := verdictOf(t, res)
	require.Equal(t, "running", v.Status, v.Summary)

	second := newLocalServer(t, reg, JobLimits{})
	second.clock.hold.Store(true) // wait for the verdict however long it takes
	res = second.get.Call(context.Background(), &tools.Deps{}, map[string]any{"handle": v.Handle})
	require.False(t, res.IsError, res.Text)
	got := verdictOf(t, res)
	assertOrdersVerdict(t, got)
	assert.True(t, got.Rerun, "rerun")
	assert.Contains(t, got.Summary, "ran it again here")
	assert.Equal(t, v.Handle, got.Handle, "the handle stays the diff's")
	assert.Equal(t, 1, second.runs.count(), "runs on the second server")

	first.jobs.Close() // stops the held diff
	assert.Equal(t, 1, first.runs.count(), "runs on the first server")
}

// TestLocalDiffBounds: more diffs than the server runs at once is a clear
// error; a result kept past KeepFor is dropped and the handle runs the
// diff again; a closed server stops its diffs and starts none.
func TestLocalDiffBounds(t *testing.T) {
	s := newLocalServer(t, ordersDB(t), JobLimits{Running: 1, KeepFor: time.Minute})
	open, reached := s.runs.hold(0)
	v := verdictOf(t, s.diff.Call(context.Background(), &tools.Deps{}, ordersArgs))
	require.Equal(t, "running", v.Status, v.Summary)
	<-reached

	res := s.diff.Call(context.Background(), &tools.Deps{}, ordersArgs)
	require.True(t, res.IsError, "a second diff while one runs: got %s, want an error", res.Text)
	assert.Contains(t, res.Text, "1 warehouse diffs are already running on this server, the most it runs at once")
	assert.Contains(t, res.Text, "get_diff_result")
	assert.Equal(t, 1, s.runs.count(), "the refused diff did not run")

	open()
	finishedJob(t, s.jobs, v.Handle)
	got := verdictOf(t, s.get.Call(context.Background(), &tools.Deps{}, map[string]any{"handle": v.Handle}))
	assertOrdersVerdict(t, got)
	assert.False(t, got.Rerun, "within KeepFor: kept")

	s.clock.advance(2 * time.Minute)
	s.clock.hold.Store(true)
	got = verdictOf(t, s.get.Call(context.Background(), &tools.Deps{}, map[string]any{"handle": v.Handle}))
	assertOrdersVerdict(t, got)
	assert.True(t, got.Rerun, "past KeepFor: run again")
	assert.Equal(t, 2, s.runs.count(), "runs")

	s.clock.hold.Store(false)
	s.runs.hold(2) // never opened: Close stops it
	v = verdictOf(t, s.diff.Call(context.Background(), &tools.Deps{}, ordersArgs))
	require.Equal(t, "running", v.Status, v.Summary)
	s.jobs.Close()
	res = s.get.Call(context.Background(), &tools.Deps{}, map[string]any{"handle": v.Handle})
	require.True(t, res.IsError, "after Close: got %s, want an error", res.Text)
	assert.Contains(t, res.Text, "shutting down")
}

// TestLocalDiffCancelStopsIt: a diff_tables call cancelled before the wait
// is over stops its diff (nobody holds its handle) and frees its place.
func TestLocalDiffCancelStopsIt(t *testing.T) {
	s := newLocalServer(t, ordersDB(t), JobLimits{Running: 1})
	_, reached := s.runs.hold(0)
	s.clock.hold.Store(true)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan *tools.Result)
	go func() { done <- s.diff.Call(ctx, &tools.Deps{}, ordersArgs) }()
	<-reached
	cancel()
	res := <-done
	require.True(t, res.IsError, res.Text)
	assert.Contains(t, res.Text, "cancelled; the diff was stopped")
	s.jobs.wg.Wait()
	res = s.diff.Call(context.Background(), &tools.Deps{}, ordersArgs)
	require.False(t, res.IsError, "the cancelled diff's place is free: got %s", res.Text)
	assertOrdersVerdict(t, verdictOf(t, res))
}

// TestHandleIsNotTrusted: a handle is checked like diff_tables' arguments
// before anything runs: its connections must be configured, its filters
// plain conditions, its sides warehouses.
func TestHandleIsNotTrusted(t *testing.T) {
	s := newLocalServer(t, ordersDB(t), JobLimits{})
	id := newJobID()
	side := func(wh, table, filter string) DiffSide { return DiffSide{Warehouse: wh, Table: table, Filter: filter} }
	cases := []struct {
		name, handle, want string
	}{
		{"not a handle", "12345", "does not start with"},
		{"not base64", handlePrefix + "%%%", "not the encoding"},
		{"not a diff", handlePrefix + "eyJ4IjoxfQ", "does not describe a diff"},
		{"an unknown connection", encodeHandle(id, DiffArgs{A: side("elsewhere", "orders", ""), B: side("shop", "orders", ""), PrimaryKey: []string{"id"}}),
			`there is no warehouse connection "elsewhere"`},
		{"a DSN for a connection", encodeHandle(id, DiffArgs{A: side("postgres://u:pw@evil.example/db", "orders", ""), B: side("shop", "orders", ""), PrimaryKey: []string{"id"}}),
			"there is no warehouse connection"},
		{"a statement in a filter", encodeHandle(id, DiffArgs{A: side("shop", "orders", "1=1); DELETE FROM orders; SELECT (1"), B: side("shop", "orders", ""), PrimaryKey: []string{"id"}}),
			"a.filter must be a plain SQL condition"},
		{"a Datafold side", encodeHandle(id, DiffArgs{A: DiffSide{DataSource: 7, Table: "orders"}, B: side("shop", "orders", ""), PrimaryKey: []string{"id"}}),
			"both sides must be warehouse connections"},
		{"no key", encodeHandle(id, DiffArgs{A: side("shop", "orders", ""), B: side("shop", "orders", "")}), "primary_key is empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := s.get.Call(context.Background(), &tools.Deps{}, map[string]any{"handle": tc.handle})
			require.True(t, res.IsError, "got %s, want an error", res.Text)
			assert.Contains(t, res.Text, tc.want)
			assert.Equal(t, 0, s.runs.count(), "nothing ran")
		})
	}
}

// TestStepFilter: a diff's progress is told per stage, and within a stage
// per fifth of its segments and at its end.
func TestStepFilter(t *testing.T) {
	var f stepFilter
	var got []string
	steps := []whdiff.Progress{{Stage: "schema", Done: 0, Total: 1}, {Stage: "schema", Done: 1, Total: 1}, {Stage: "checksum", Done: 0, Total: 2}}
	for i := 0; i <= 20; i++ {
		steps = append(steps, whdiff.Progress{Stage: "bisect level 1", Done: i, Total: 20})
	}
	steps = append(steps, whdiff.Progress{Stage: "bisect level 1", Done: 20, Total: 20}, whdiff.Progress{Stage: "samples", Done: 0, Total: 1})
	for _, p := range steps {
		if f.worth(p) {
			got = append(got, fmt.Sprintf("%s %d/%d", p.Stage, p.Done, p.Total))
		}
	}
	assert.Equal(t, []string{"schema 0/1", "schema 1/1", "checksum 0/2",
		"bisect level 1 0/20", "bisect level 1 4/20", "bisect level 1 8/20", "bisect level 1 12/20", "bisect level 1 16/20", "bisect level 1 20/20",
		"samples 0/1"}, got)
}

// TestLocalDiffKeepsFewResults: past JobLimits.Keep finished results the
// oldest is dropped, and its handle runs the diff again.
func TestLocalDiffKeepsFewResults(t *testing.T) {
	s := newLocalServer(t, ordersDB(t), JobLimits{Keep: 1})
	s.clock.hold.Store(true) // each call waits for its diff
	first := verdictOf(t, s.diff.Call(context.Background(), &tools.Deps{}, ordersArgs))
	assertOrdersVerdict(t, first)
	s.clock.advance(time.Second)
	second := verdictOf(t, s.diff.Call(context.Background(), &tools.Deps{}, ordersArgs))
	assertOrdersVerdict(t, second)
	require.NotEqual(t, first.Handle, second.Handle, "each diff_tables call is its own diff")

	got := verdictOf(t, s.get.Call(context.Background(), &tools.Deps{}, map[string]any{"handle": second.Handle}))
	assert.False(t, got.Rerun, "the newest result is kept")
	got = verdictOf(t, s.get.Call(context.Background(), &tools.Deps{}, map[string]any{"handle": first.Handle}))
	assert.True(t, got.Rerun, "the oldest was dropped: run again")
	assert.Equal(t, 3, s.runs.count(), "runs")
}
