package diff

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/client"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

// fakeClock is virtual time: After returns at once, having moved the clock
// on by d, so a wait of minutes takes no time and never depends on the
// machine's speed.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	c.now = c.now.Add(d)
	now := c.now
	c.mu.Unlock()
	ch := make(chan time.Time, 1)
	ch <- now
	return ch
}

// scripted is a fake Datafold whose answers follow a script: the n-th
// request (from 0) to a path gets script[path](n).
type scripted struct {
	mu     sync.Mutex
	script map[string]func(n int) string
	calls  map[string]int
}

func (s *scripted) RoundTrip(req *http.Request) (*http.Response, error) {
	s.mu.Lock()
	answer, ok := s.script[req.URL.Path]
	n := s.calls[req.URL.Path]
	s.calls[req.URL.Path]++
	s.mu.Unlock()
	status, body := http.StatusOK, `{"detail":"not found"}`
	if ok {
		body = answer(n)
	} else {
		status = http.StatusNotFound
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
		ContentLength: int64(len(body)), Body: io.NopCloser(strings.NewReader(body)), Request: req}, nil
}

func (s *scripted) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[path]
}

const (
	diffPath    = "/api/v1/datadiffs/544266"
	resultsPath = "/api/v1/datadiffs/544266/summary_results"
)

// TestGetDiffResultWaits: get_diff_result keeps checking a diff that is
// still running, or done with its results still being written, until the
// verdict is in or the wait has passed; it answers "still running" only
// after the wait, and a diff blocked on the user at once.
func TestGetDiffResultWaits(t *testing.T) {
	const wait, poll = 45 * time.Second, 2 * time.Second
	diffWith := func(status string) string {
		v := fixture(t, "datafold_create_data_diff.docs-2022.json")
		v["status"], v["done"] = status, status == "done"
		v["result"] = "different"
		return encode(t, v)
	}
	results := encode(t, fixture(t, "datafold_summary_results_success.docs-2022.json"))
	resultsPending := `{"status":"running"}`
	upTo := func(k int, before, after string) func(int) string {
		return func(n int) string {
			if n < k {
				return before
			}
			return after
		}
	}
	cases := []struct {
		name    string
		diff    func(int) string
		results func(int) string
		// status of the verdict, the least and most checks (of the diff's
		// status, or of its results once it is done: the calls to checked),
		// and the least virtual seconds waited.
		status               string
		checked              string
		minChecks, maxChecks int
		minWaited            float64
	}{
		{"running, then done within the wait", upTo(3, diffWith("processing"), diffWith("done")), upTo(0, "", results),
			"done", diffPath, 4, 5, 3 * poll.Seconds()},
		{"done, its results still being written, then ready", upTo(0, "", diffWith("done")), upTo(3, resultsPending, results),
			"done", resultsPath, 4, 4, 3 * poll.Seconds()},
		{"still running after the whole wait", upTo(0, "", diffWith("processing")), upTo(0, "", results),
			"running", diffPath, int(wait / poll), int(wait/poll) + 2, (wait - poll).Seconds()},
		{"results still being written after the whole wait", upTo(0, "", diffWith("done")), upTo(0, "", resultsPending),
			"running", resultsPath, int(wait / poll), int(wait/poll) + 1, (wait - poll).Seconds()},
		{"waiting for confirmation: answered at once", upTo(0, "", diffWith("needs_confirmation")), upTo(0, "", results),
			"needs_action", diffPath, 1, 2, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			up := &scripted{script: map[string]func(int) string{
				"/api/v1/data_sources": func(int) string { return `[{"id":7,"name":"prod","type":"snowflake"}]` },
				diffPath:               tc.diff,
				resultsPath:            tc.results,
			}, calls: map[string]int{}}
			c, err := client.New(client.Config{Provider: client.Datafold, BaseURL: "https://app.datafold.test", APIKey: "key-wait-canary", Transport: up, MaxRetries: -1})
			require.NoError(t, err)
			d := &tools.Deps{Callers: map[string]tools.Caller{client.Datafold: c}, Secrets: []string{"key-wait-canary"}}
			all, err := tools.All()
			require.NoError(t, err)
			clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			list, err := Tools(all, Options{Wait: wait, Poll: poll, clock: clock})
			require.NoError(t, err)

			res := list[1].Call(context.Background(), d, map[string]any{"diff_id": diffID})
			v := verdictOf(t, res)
			assert.Equal(t, tc.status, v.Status, "verdict status; summary %s", v.Summary)
			checks := up.count(tc.checked)
			assert.GreaterOrEqual(t, checks, tc.minChecks, "checks of the diff")
			assert.LessOrEqual(t, checks, tc.maxChecks, "checks of the diff")
			assert.GreaterOrEqual(t, v.WaitedSeconds, tc.minWaited, "virtual seconds waited")
			assert.LessOrEqual(t, v.WaitedSeconds, wait.Seconds(), "never waits past the wait")
			if tc.status == "running" {
				assert.Contains(t, v.Summary, "Call get_diff_result", "a running verdict says when to ask again")
			}
		})
	}
}
