package diff

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	whdiff "github.com/datastack-mcp/datastack-mcp/warehouse/diff"
)

// Jobs are the warehouse diffs of one server that may outlive the call
// that started them: a diff not done within the wait keeps running here,
// and get_diff_result picks it up by its handle. They are bounded: at most
// JobLimits.Running run at once (more is a clear error, not a queue), each
// stops at its deadline, finished ones are kept for JobLimits.KeepFor and
// at most JobLimits.Keep of them, and Close stops them all. A server that
// lost a job (dropped, restarted, another replica) re-runs it from the
// handle, so nothing here needs to be shared or kept for correctness.
type Jobs struct {
	limits JobLimits
	base   context.Context
	stop   context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	byID    map[string]*job
	running int
	closed  bool
}

// JobLimits bound the warehouse diffs of a server; the zero value of a
// field is its default.
type JobLimits struct {
	// Running is the most diffs running at once (default 4).
	Running int
	// Deadline stops a diff that runs longer (default 30 minutes).
	Deadline time.Duration
	// KeepFor is how long a finished diff's result is kept for
	// get_diff_result (default 15 minutes); later it is run again.
	KeepFor time.Duration
	// Keep is the most finished results kept (default 64), the oldest
	// dropped first.
	Keep int
}

// Defaults of JobLimits.
const (
	DefaultJobsRunning  = 4
	DefaultJobsDeadline = 30 * time.Minute
	DefaultJobsKeepFor  = 15 * time.Minute
	DefaultJobsKeep     = 64
)

// NewJobs returns an empty set of jobs bounded by l.
func NewJobs(l JobLimits) *Jobs {
	if l.Running <= 0 {
		l.Running = DefaultJobsRunning
	}
	if l.Deadline <= 0 {
		l.Deadline = DefaultJobsDeadline
	}
	if l.KeepFor <= 0 {
		l.KeepFor = DefaultJobsKeepFor
	}
	if l.Keep <= 0 {
		l.Keep = DefaultJobsKeep
	}
	ctx, stop := context.WithCancel(context.Background())
	return &Jobs{limits: l, base: ctx, stop: stop, byID: map[string]*job{}}
}

// Close stops the running diffs, waits for them to end and drops every
// result; later diffs are refused.
func (j *Jobs) Close() {
	if j == nil {
		return
	}
	j.mu.Lock()
	j.closed = true
	j.mu.Unlock()
	j.stop()
	j.wg.Wait()
	j.mu.Lock()
	j.byID = map[string]*job{}
	j.mu.Unlock()
}

// job is one warehouse diff.
type job struct {
	id, key string
	cancel  context.CancelFunc
	done    chan struct{}
	// res and err are set before done is closed; ended is when, on the
	// calls' clock (under Jobs.mu).
	res   *whdiff.Result
	err   error
	ended time.Time

	pmu   sync.Mutex
	last  whdiff.Progress
	watch *watcher
}

// watcher is the call told of a job's progress.
type watcher struct{ fn func(whdiff.Progress) }

// errClosed is why a diff was not started on a server shutting down.
var errClosed = errors.New("the server is shutting down")

// tooManyError says a diff was refused because the server runs its most.
type tooManyError struct{ running int }

func (e tooManyError) Error() string {
	return fmt.Sprintf("%d warehouse diffs are already running on this server, the most it runs at once", e.running)
}

// run is what runs a diff (whdiff.Diff; tests hold it).
type runFunc func(ctx context.Context, req whdiff.Request) (*whdiff.Result, error)

// start runs req as job id in the background; c is the calls' clock.
func (j *Jobs) start(id, key string, req whdiff.Request, run runFunc, c clock) (*job, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return nil, errClosed
	}
	j.pruneLocked(c.Now())
	if j.running >= j.limits.Running {
		return nil, tooManyError{running: j.running}
	}
	if _, taken := j.byID[id]; taken {
		return nil, fmt.Errorf("job %s exists", id)
	}
	ctx, cancel := context.WithTimeout(j.base, j.limits.Deadline)
	jb := &job{id: id, key: key, cancel: cancel, done: make(chan struct{})}
	req.Progress = jb.progress
	j.byID[id] = jb
	j.running++
	j.wg.Add(1)
	go func() {
		defer j.wg.Done()
		defer cancel()
		res, err := run(ctx, req)
		if err != nil && ctx.Err() != nil {
			err = stopped(ctx.Err(), j.limits.Deadline)
		}
		jb.res, jb.err = res, err
		j.mu.Lock()
		j.running--
		jb.ended = c.Now()
		j.mu.Unlock()
		close(jb.done)
	}()
	return jb, nil
}

// stopped says why a diff's context ended.
func stopped(err error, deadline time.Duration) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("the diff ran longer than this server allows a warehouse diff (%s) and was stopped; narrow the sides with filters, or compare fewer columns", deadline)
	}
	return fmt.Errorf("the diff was stopped (the call that started it was cancelled, or the server is shutting down); nothing was changed (the databases are only read)")
}

// lookup is job id if this server holds it for the request key.
func (j *Jobs) lookup(id, key string, now time.Time) *job {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.pruneLocked(now)
	if jb := j.byID[id]; jb != nil && jb.key == key {
		return jb
	}
	return nil
}

// taken says whether a job id is in use (by any request).
func (j *Jobs) taken(id string) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.byID[id] != nil
}

// drop forgets a job (a start whose call was cancelled: nobody holds its
// handle).
func (j *Jobs) drop(jb *job) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.byID[jb.id] == jb {
		delete(j.byID, jb.id)
	}
}

// pruneLocked drops the results kept too long, then the oldest beyond
// Keep.
func (j *Jobs) pruneLocked(now time.Time) {
	var finished []*job
	for id, jb := range j.byID {
		if jb.ended.IsZero() {
			continue // running
		}
		if now.Sub(jb.ended) >= j.limits.KeepFor {
			delete(j.byID, id)
			continue
		}
		finished = append(finished, jb)
	}
	if extra := len(finished) - j.limits.Keep; extra > 0 {
		sort.Slice(finished, func(a, b int) bool { return finished[a].ended.Before(finished[b].ended) })
		for _, jb := range finished[:extra] {
			delete(j.byID, jb.id)
		}
	}
}

// progress is the diff's progress callback: it keeps the last step and
// passes it to the call watching, if any.
func (jb *job) progress(p whdiff.Progress) {
	jb.pmu.Lock()
	defer jb.pmu.Unlock()
	jb.last = p
	if jb.watch != nil {
		jb.watch.fn(p)
	}
}

// attach makes fn the watcher (told the last step at once) until the
// returned detach is called. One call watches at a time: a later one
// takes over, and the earlier one's detach then does nothing.
func (jb *job) attach(fn func(whdiff.Progress)) (detach func()) {
	w := &watcher{fn: fn}
	jb.pmu.Lock()
	defer jb.pmu.Unlock()
	jb.watch = w
	if jb.last.Stage != "" {
		fn(jb.last)
	}
	return func() {
		jb.pmu.Lock()
		defer jb.pmu.Unlock()
		if jb.watch == w {
			jb.watch = nil
		}
	}
}

// stage is the step the diff is at, for a person ("" before the first).
func (jb *job) stage() string {
	jb.pmu.Lock()
	defer jb.pmu.Unlock()
	if jb.last.Stage == "" {
		return ""
	}
	return fmt.Sprintf("%s, %d of %d", jb.last.Stage, jb.last.Done, jb.last.Total)
}
