package upstreamtest

import (
	"fmt"
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
	nginx502ErrorPage = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx/1.25.3</center>
</body>
</html>`
)

// FaultIDs numbers the faults: Datafold's GET /api/v1/data_sources/{id}
// with that id answers with the fault.
var FaultIDs = map[string]int{
	OK: 1, Throttled: 2, Status500: 3, Status502: 4, Status503: 5, Slow: 6,
	Reset: 7, CutShort: 8, CutComplete: 9, HTMLErrorPage: 10, Huge: 11,
}

// Faults is an upstream whose routes misbehave. Keep-alives are off, so a
// connection the transport would reuse cannot hide an attempt behind
// net/http's own silent retry.
type Faults struct {
	*httptest.Server
	// HugeBytes is the size of the Huge answer; keep it small (a few times
	// the client's cap) so the test does not depend on the machine's speed.
	HugeBytes int

	mu      sync.Mutex
	hits    map[string][]time.Time // fault → arrival of each attempt
	release chan struct{}          // ends Slow answers at cleanup
}

// NewFaults starts a fault server, closed when t ends.
func NewFaults(t testing.TB, hugeBytes int) *Faults {
	t.Helper()
	f := &Faults{HugeBytes: hugeBytes, hits: map[string][]time.Time{}, release: make(chan struct{})}
	f.Server = httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
	f.Config.SetKeepAlivesEnabled(false)
	f.Start()
	t.Cleanup(func() {
		close(f.release)
		f.Close()
	})
	return f
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
	if err != nil || fault == "" || r.Method != http.MethodGet {
		http.Error(w, `{"detail":"no such route"}`, http.StatusNotFound)
		return
	}
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
		n := f.HugeBytes
		w.Header().Set("Content-Length", strconv.Itoa(n))
		body := []byte(`{"items":[` + strings.Repeat(" ", max(0, n-10)))
		_, _ = w.Write(body[:n]) // the client may stop reading
	default:
		http.Error(w, "unknown fault "+fault, http.StatusInternalServerError)
	}
}
