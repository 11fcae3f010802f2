package tools

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/datastack-mcp/datastack-mcp/client"
)

// Faults of an upstream, met through the real client and tool layer: each
// must end in a bounded number of attempts and a clear isError result, leave
// no goroutine behind, and leave the client able to serve the next call.
// cmd/mcp-server/fault_test.go runs the same faults through the whole server.

// faultTimeout is the per-attempt timeout of the fault tests' client, and
// faultRetryWait its cap on any wait between attempts: small, so that the
// whole table runs in about a second.
const (
	faultTimeout   = 150 * time.Millisecond
	faultRetryWait = 60 * time.Millisecond
	faultHugeBytes = 50 << 20 // the "50 MB body"
)

// faultUpstream serves GET /api/v1/data_sources/{id} of Datafold, the id
// choosing the fault (faultByID), and counts the attempts each id got.
// Keep-alives are off, so that a connection the transport would reuse
// cannot hide an attempt behind net/http's own silent retry.
type faultUpstream struct {
	*httptest.Server
	mu   sync.Mutex
	hits map[string][]time.Time // fault → arrival of each attempt
}

// faultByID names the fault of each data source id. Id 1 answers normally.
var faultByID = map[int]string{
	1:  "ok",
	2:  "429 Retry-After",
	3:  "500",
	4:  "502",
	5:  "503",
	6:  "slower than the timeout",
	7:  "connection reset",
	8:  "truncated JSON (body cut short)",
	9:  "truncated JSON (complete answer)",
	10: "HTML error page",
	11: "50 MB body",
}

func faultID(fault string) int {
	for id, f := range faultByID {
		if f == fault {
			return id
		}
	}
	panic("no fault " + fault)
}

const nginx502 = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx/1.25.3</center>
</body>
</html>`

func newFaultUpstream(t *testing.T) *faultUpstream {
	t.Helper()
	u := &faultUpstream{hits: map[string][]time.Time{}}
	u.Server = httptest.NewUnstartedServer(http.HandlerFunc(u.serve))
	u.Config.SetKeepAlivesEnabled(false)
	u.Start()
	return u
}

func (u *faultUpstream) serve(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/api/v1/data_sources/"))
	fault, ok := faultByID[id]
	if err != nil || !ok || r.Method != http.MethodGet {
		http.Error(w, `{"detail":"no such route"}`, http.StatusNotFound)
		return
	}
	u.mu.Lock()
	u.hits[fault] = append(u.hits[fault], time.Now())
	u.mu.Unlock()
	serveFault(w, r, fault)
}

// serveFault writes the answer of one fault.
func serveFault(w http.ResponseWriter, r *http.Request, fault string) {
	w.Header().Set("Content-Type", "application/json")
	switch fault {
	case "ok":
		fmt.Fprint(w, `{"id":1,"name":"Snowflake prod","type":"snowflake"}`)
	case "429 Retry-After":
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"detail":"Request was throttled. Expected available in 1 second."}`)
	case "500":
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, `{"detail":"Internal server error"}`)
	case "502":
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, "upstream connect error or disconnect/reset before headers")
	case "503":
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, `{"detail":"Down for maintenance"}`)
	case "slower than the timeout":
		select {
		case <-time.After(10 * time.Second):
			fmt.Fprint(w, `{"id":6}`)
		case <-r.Context().Done(): // the client gave up
		}
	case "connection reset":
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // close with RST, not FIN
		}
		conn.Close()
	case "truncated JSON (body cut short)":
		// Promise more than is sent: the server closes the connection
		// after the handler, and the client reads an unexpected EOF.
		body := `{"id":8,"name":"Snowflake prod","columns":[{"name":"id"},{"na`
		w.Header().Set("Content-Length", strconv.Itoa(len(body)+500))
		fmt.Fprint(w, body)
	case "truncated JSON (complete answer)":
		// A proxy that cut the body and fixed Content-Length.
		fmt.Fprint(w, `{"id":9,"name":"Snowflake prod","columns":[{"name":"id"},{"na`)
	case "HTML error page":
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, nginx502)
	case "50 MB body":
		w.Header().Set("Content-Length", strconv.Itoa(faultHugeBytes))
		chunk := []byte(strings.Repeat(" ", 64<<10))
		copy(chunk, `{"items":[`)
		for n := 0; n < faultHugeBytes; n += len(chunk) {
			if _, err := w.Write(chunk[:min(len(chunk), faultHugeBytes-n)]); err != nil {
				return // the client stopped reading
			}
			chunk = chunk[:cap(chunk)]
			copy(chunk, strings.Repeat(" ", 16))
		}
	default:
		panic("unknown fault " + fault)
	}
}

func (u *faultUpstream) attempts(fault string) []time.Time {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]time.Time(nil), u.hits[fault]...)
}

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
	{"50 MB body", 1, []string{"too large", "10485760 bytes", "ask for less"}},
}

// TestFaultsThroughTool calls datafold_get_data_source through the real
// client against each fault, then a normal call, and checks that nothing
// is left running.
func TestFaultsThroughTool(t *testing.T) {
	leaks := goleak.IgnoreCurrent()
	up := newFaultUpstream(t)
	c, err := client.New(client.Config{Provider: client.Datafold, BaseURL: up.URL, APIKey: "key-fault-canary",
		Timeout: faultTimeout, MaxRetryWait: faultRetryWait})
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
			got, isError, took := call(faultID(tc.fault))
			t.Logf("%s → %d attempts in %v: %s", tc.fault, len(up.attempts(tc.fault)), took.Round(time.Millisecond), got)
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
			if n := len(up.attempts(tc.fault)); n != tc.attempts {
				t.Errorf("got %d upstream attempts, want %d", n, tc.attempts)
			}
			if strings.Contains(got, "key-fault-canary") {
				t.Errorf("got %q, want no API key in it", got)
			}
			if took > 3*time.Second {
				t.Errorf("got a call of %v, want it bounded by attempts × timeout + capped waits", took)
			}
			// The next call goes through as if nothing happened.
			if got, isError, _ := call(1); isError || !strings.Contains(got, "Snowflake prod") {
				t.Errorf("normal call after the fault got isError=%v %q, want the data source", isError, got)
			}
		})
	}
	t.Run("Retry-After is honoured up to the cap", func(t *testing.T) {
		hits := up.attempts("429 Retry-After")
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
			s := f.register("GET", "/api/v1/data_sources/7", 200, tc.body)
			s.header = http.Header{}
			if tc.contentType != "" {
				s.header.Set("Content-Type", tc.contentType)
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
