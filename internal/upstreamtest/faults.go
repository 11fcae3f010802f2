package upstreamtest

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fault names, as routes of [Faults] and rows of the fault tables.
const (
	OK                = "ok"
	Throttled         = "429 Retry-After"
	Status500         = "500"
	Status502         = "502"
	Status503         = "503"
	Slow              = "slower than the timeout"
	Reset             = "connection reset"
	CutShort          = "truncated JSON (body cut short)"
	CutComplete       = "truncated JSON (complete answer)"
	HTMLErrorPage     = "HTML error page"
	Huge              = "huge body"
	HugeChunked       = "huge body, chunked"
	Redirect302       = "302 to another port"
	Redirect307       = "307 to another host"
	nginx502ErrorPage = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx/1.25.3</center>
</body>
</html>`
)

// FaultIDs numbers the faults: Datafold's /api/v1/data_sources/{id} with
// that id answers with the fault, whatever the method.
var FaultIDs = map[string]int{
	OK: 1, Throttled: 2, Status500: 3, Status502: 4, Status503: 5, Slow: 6,
	Reset: 7, CutShort: 8, CutComplete: 9, HTMLErrorPage: 10, Huge: 11,
	HugeChunked: 12, Redirect302: 13, Redirect307: 14,
}

// Faults is an upstream whose routes misbehave. Keep-alives are off, so a
// connection the transport would reuse cannot hide an attempt behind
// net/http's own silent retry.
type Faults struct {
	*httptest.Server
	// HugeBytes is the size of the Huge and HugeChunked answers; keep it
	// small (a few times the client's cap) so the test does not depend on
	// the machine's speed. Huge declares it (Content-Length), so a client
	// refuses it unread, whatever its size.
	HugeBytes int
	// Elsewhere is where the redirects point (another port; another host
	// name for Redirect307): a client must never reach it (Redirected).
	Elsewhere *httptest.Server

	mu        sync.Mutex
	hits      map[string][]time.Time // fault → arrival of each attempt
	redirects []string               // Authorization headers that reached Elsewhere
	release   chan struct{}          // ends Slow answers at Close
	closing   sync.Once
}

// NewFaults starts a fault server, closed when t ends.
func NewFaults(t testing.TB, hugeBytes int) *Faults {
	t.Helper()
	f := &Faults{HugeBytes: hugeBytes, hits: map[string][]time.Time{}, release: make(chan struct{})}
	f.Elsewhere = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.redirects = append(f.redirects, r.Header.Get("Authorization"))
		f.mu.Unlock()
		fmt.Fprint(w, `{"id":666,"name":"forged by another host"}`)
	}))
	f.Server = httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
	f.Config.SetKeepAlivesEnabled(false)
	f.Start()
	t.Cleanup(f.Close)
	return f
}

// Close ends the Slow answers still waiting and closes both servers; a test
// that checks for leaked goroutines calls it first. It may be called
// again (NewFaults calls it when the test ends).
func (f *Faults) Close() {
	f.closing.Do(func() { close(f.release) })
	f.Server.Close()
	f.Elsewhere.Close()
}

// Path is the Datafold path that answers with fault.
func Path(fault string) string {
	return "/api/v1/data_sources/" + strconv.Itoa(FaultIDs[fault])
}

func (f *Faults) serve(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:])
	fault := ""
	for name, fid := range FaultIDs {
		if fid == id {
			fault = name
		}
	}
	if err != nil || fault == "" {
		http.Error(w, `{"detail":"no such route"}`, http.StatusNotFound)
		return
	}
	// Read the body first: only then does net/http watch the connection
	// and end r.Context() when the client leaves (Slow relies on it).
	_, _ = io.Copy(io.Discard, r.Body)
	f.mu.Lock()
	f.hits[fault] = append(f.hits[fault], time.Now())
	f.mu.Unlock()
	f.Write(w, r, fault)
}

// Attempts returns when each attempt at fault arrived.
func (f *Faults) Attempts(fault string) []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Time(nil), f.hits[fault]...)
}

// Redirected returns the Authorization headers of the requests that
// reached Elsewhere: none, if redirects are not followed.
func (f *Faults) Redirected() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.redirects...)
}

// Write writes the answer of one fault; servers with routes of their own
// call it too.
func (f *Faults) Write(w http.ResponseWriter, r *http.Request, fault string) {
	w.Header().Set("Content-Type", "application/json")
	switch fault {
	case OK:
		fmt.Fprint(w, `{"id":1,"name":"Snowflake prod","type":"snowflake"}`)
	case Throttled:
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"detail":"Request was throttled. Expected available in 1 second."}`)
	case Status500:
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, `{"detail":"Internal server error"}`)
	case Status502:
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, "upstream connect error or disconnect/reset before headers")
	case Status503:
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, `{"detail":"Down for maintenance"}`)
	case Slow:
		select {
		case <-f.release:
		case <-r.Context().Done(): // the client gave up
		}
	case Reset:
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // close with RST, not FIN
		}
		conn.Close()
	case CutShort:
		// Promise more than is sent: the server closes the connection after
		// the handler, and the client reads an unexpected EOF.
		body := `{"id":8,"name":"Snowflake prod","columns":[{"name":"id"},{"na`
		w.Header().Set("Content-Length", strconv.Itoa(len(body)+500))
		fmt.Fprint(w, body)
	case CutComplete:
		// A proxy that cut the body and fixed Content-Length.
		fmt.Fprint(w, `{"id":9,"name":"Snowflake prod","columns":[{"name":"id"},{"na`)
	case HTMLErrorPage:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, nginx502ErrorPage)
	case Huge:
		w.Header().Set("Content-Length", strconv.Itoa(f.HugeBytes))
		f.writeHuge(w, false)
	case HugeChunked:
		f.writeHuge(w, true)
	case Redirect302:
		http.Redirect(w, r, f.Elsewhere.URL+r.URL.Path, http.StatusFound)
	case Redirect307:
		other := strings.Replace(f.Elsewhere.URL, "127.0.0.1", "localhost", 1)
		http.Redirect(w, r, other+r.URL.Path, http.StatusTemporaryRedirect)
	default:
		http.Error(w, "unknown fault "+fault, http.StatusInternalServerError)
	}
}

// hugeChunk is the most Huge writes at once: the answer is never held
// whole, whatever HugeBytes says.
const hugeChunk = 32 << 10

// writeHuge writes HugeBytes of a JSON answer that never ends, in pieces,
// until done or the client stops reading; flushed, the pieces go out
// chunked (no Content-Length was set).
func (f *Faults) writeHuge(w http.ResponseWriter, flush bool) {
	piece := []byte(`{"items":[` + strings.Repeat(" ", hugeChunk-10))
	for n := 0; n < f.HugeBytes; n += hugeChunk {
		if _, err := w.Write(piece[:min(hugeChunk, f.HugeBytes-n)]); err != nil {
			return // the client stopped reading
		}
		if flush {
			_ = http.NewResponseController(w).Flush()
		}
		copy(piece, `          `) // the rest is blanks
	}
}
