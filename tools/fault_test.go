package tools

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/datastack-mcp/datastack-mcp/client"
	"github.com/datastack-mcp/datastack-mcp/internal/upstreamtest"
)

// Faults of an upstream, met through the real client and tool layer: each
// must end in a bounded number of attempts and a clear isError result, leave
// no goroutine behind, and leave the client able to serve the next call.
// cmd/mcp-server/fault_test.go runs the same faults through the whole server.

// faultTimeout is the per-attempt timeout of the fault tests' client, and
// faultRetryWait its cap on any wait between attempts; faultMaxBytes is the
// client's answer cap, and the Huge answer four times that. Sizes are small
// so that nothing depends on how fast a busy machine moves bytes; the
// timeout is long enough that a normal answer on a loaded machine is never
// retried.
const (
	faultTimeout   = time.Second
	faultRetryWait = 60 * time.Millisecond
	faultMaxBytes  = 64 << 10
)

// faultCase is one fault and what the tool result must say about it.
type faultCase struct {
	fault    string
	attempts int      // upstream attempts: the first and the bounded retries
	want     []string // what failed (status or cause) and what to do
}

// faultCases are shared with nothing else: the server-level test has its
// own table, as its client uses the server's default retry settings.
var faultCases = []faultCase{
	{"429 Retry-After", 3, []string{"429 Too Many Requests", "throttled", "rate-limiting", "wait 1s and call again"}},
	{"500", 1, []string{"500 Internal Server Error", "Internal server error", "call again later"}},
	{"502", 3, []string{"502 Bad Gateway", "upstream connect error", "call again later"}},
	{"503", 3, []string{"503 Service Unavailable", "Down for maintenance", "call again later"}},
	{"slower than the timeout", 3, []string{"did not answer in time (3 attempts)", "Call again later"}},
	{"connection reset", 3, []string{"broke off before a complete answer", "connection reset by peer", "call again"}},
	{"truncated JSON (body cut short)", 3, []string{"broke off before a complete answer", "reading the answer: unexpected EOF", "call again"}},
	{"truncated JSON (complete answer)", 1, []string{"answered 200 with malformed JSON", "cut short", "call again"}},
	{"HTML error page", 3, []string{"502 Bad Gateway", "nginx/1.25.3", "call again later"}},
	{upstreamtest.Huge, 1, []string{"too large", "65536 bytes", "ask for less"}},
}

// TestFaultsThroughTool calls datafold_get_data_source through the real
// client against each fault, then a normal call, and checks that nothing
// is left running.
func TestFaultsThroughTool(t *testing.T) {
	leaks := goleak.IgnoreCurrent()
	up := upstreamtest.NewFaults(t, 4*faultMaxBytes)
	c, err := client.New(client.Config{Provider: client.Datafold, BaseURL: up.URL, APIKey: "key-fault-canary",
		Timeout: faultTimeout, MaxRetryWait: faultRetryWait, MaxResponseBytes: faultMaxBytes})
	if err != nil {
		t.Fatal(err)
	}
	d := &Deps{Callers: map[string]Caller{client.Datafold: c}, Secrets: []string{"key-fault-canary"},
		ConfigHint: map[string]string{client.Datafold: "DATAFOLD_API_KEY"}}
	tool := toolNamed(t, "datafold_get_data_source")
	call := func(id int) (string, bool, time.Duration) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		start := time.Now()
		res := tool.Call(ctx, d, map[string]any{"data_source_id": float64(id)})
		return text(res), res.IsError, time.Since(start)
	}

	for _, tc := range faultCases {
		t.Run(tc.fault, func(t *testing.T) {
			got, isError, took := call(upstreamtest.FaultIDs[tc.fault])
			t.Logf("%s → %d attempts in %v: %s", tc.fault, len(up.Attempts(tc.fault)), took.Round(time.Millisecond), got)
			if !isError {
				t.Errorf("got isError false, want true; text %q", got)
			}
			if !strings.HasPrefix(got, tool.Name+" failed") {
				t.Errorf("got %q, want it to start with %q", got, tool.Name+" failed")
			}
			for _, w := range tc.want {
				if !strings.Contains(strings.ToLower(got), strings.ToLower(w)) {
					t.Errorf("got %q, want it to contain %q", got, w)
				}
			}
			if n := len(up.Attempts(tc.fault)); n != tc.attempts {
				t.Errorf("got %d upstream attempts, want %d", n, tc.attempts)
			}
			if strings.Contains(got, "key-fault-canary") {
				t.Errorf("got %q, want no API key in it", got)
			}
			// The next call goes through as if nothing happened.
			if got, isError, _ := call(1); isError || !strings.Contains(got, "Snowflake prod") {
				t.Errorf("normal call after the fault got isError=%v %q, want the data source", isError, got)
			}
		})
	}
	t.Run("Retry-After is honoured up to the cap", func(t *testing.T) {
		hits := up.Attempts(upstreamtest.Throttled)
		if len(hits) < 2 {
			t.Fatalf("got %d attempts, want 3", len(hits))
		}
		for i := 1; i < len(hits); i++ {
			if gap := hits[i].Sub(hits[i-1]); gap < faultRetryWait-5*time.Millisecond {
				t.Errorf("attempt %d came %v after the previous, want at least the capped Retry-After %v", i+1, gap, faultRetryWait)
			}
		}
	})

	up.Close()
	c.CloseIdleConnections()
	goleak.VerifyNone(t, leaks)
}

// TestFaultMalformedJSON: an answer that starts like JSON but does not
// parse is an error, unless the upstream says it is text.
func TestFaultMalformedJSON(t *testing.T) {
	cases := []struct {
		name        string
		contentType string
		body        string
		wantError   bool
		want        string
	}{
		{"JSON cut short", "application/json", `[{"id":1},{"id"`, true, "answered 200 with malformed JSON"},
		{"JSON cut short, no content type", "", `{"items":[1,2`, true, "answered 200 with malformed JSON"},
		{"text that starts with a bracket", "text/plain; charset=utf-8", `[INFO] export queued`, false, "non-JSON content:\n[INFO] export queued"},
		{"CSV", "text/csv", "id,name\n1,a", false, "non-JSON content:\nid,name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tool := toolNamed(t, "datafold_get_data_source")
			f := newFake(t)
			s := f.Register("GET", "/api/v1/data_sources/7", 200, tc.body)
			s.Header = http.Header{}
			if tc.contentType != "" {
				s.Header.Set("Content-Type", tc.contentType)
			}
			res := tool.Call(context.Background(), depsWith(t, "datafold", f), map[string]any{"data_source_id": 7})
			if got := text(res); res.IsError != tc.wantError || !strings.Contains(got, tc.want) {
				t.Errorf("got isError=%v %q, want isError=%v containing %q", res.IsError, got, tc.wantError, tc.want)
			}
		})
	}
}

// TestFaultUnsendableArgument: an argument the schema accepts but the
// request cannot carry (a path argument of "..") is the caller's to fix,
// and nothing is sent.
func TestFaultUnsendableArgument(t *testing.T) {
	tool := toolNamed(t, "lightdash_get_space")
	f := newFake(t) // no stubs: any request fails the test
	res := tool.Call(context.Background(), depsWith(t, "lightdash", f), map[string]any{"projectUuid": "..", "spaceUuid": "s"})
	got := text(res)
	for _, want := range []string{"lightdash_get_space: invalid arguments", `path parameter "projectUuid" must not be ".."`, "Fix the arguments"} {
		if !res.IsError || !strings.Contains(got, want) {
			t.Errorf("got isError=%v %q, want an error containing %q", res.IsError, got, want)
		}
	}
}
