package client

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestRetryPolicy: what is repeated is decided by the caller's Read flag
// (what the operation does), never by the method: a GET that writes
// (datafold_sync_bi_integration starts a resync) is sent once on 502,
// a POST that reads (pdc_filter_data_sources) is repeated.
func TestRetryPolicy(t *testing.T) {
	tests := []struct {
		name         string
		method       string
		read         bool
		statuses     []int // answers in order; the last one repeats
		maxRetries   int
		wantAttempts int
		wantStatus   int // final status (200 = success)
	}{
		{"read GET 503 then success", http.MethodGet, true, []int{503, 200}, 2, 2, 200},
		{"read GET 504 then success", http.MethodGet, true, []int{504, 504, 200}, 2, 3, 200},
		{"read GET 502 then success", http.MethodGet, true, []int{502, 200}, 2, 2, 200},
		{"write GET 502 sent once", http.MethodGet, false, []int{502, 200}, 2, 1, 502},
		{"write GET 504 sent once", http.MethodGet, false, []int{504, 200}, 2, 1, 504},
		{"read POST 502 retried", http.MethodPost, true, []int{502, 200}, 2, 2, 200},
		{"write POST 502 sent once", http.MethodPost, false, []int{502, 200}, 2, 1, 502},
		{"write POST 504 sent once", http.MethodPost, false, []int{504, 200}, 2, 1, 504},
		{"write POST 503 retried", http.MethodPost, false, []int{503, 200}, 2, 2, 200},
		{"write POST 429 retried", http.MethodPost, false, []int{429, 200}, 2, 2, 200},
		{"write PUT 502 sent once", http.MethodPut, false, []int{502, 200}, 2, 1, 502},
		{"write DELETE 504 sent once", http.MethodDelete, false, []int{504, 200}, 2, 1, 504},
		{"read GET 500 not retried", http.MethodGet, true, []int{500, 200}, 2, 1, 500},
		{"read GET 404 not retried", http.MethodGet, true, []int{404, 200}, 2, 1, 404},
		{"attempts bounded by MaxRetries", http.MethodGet, true, []int{503}, 3, 4, 503},
		{"no retries when negative", http.MethodGet, true, []int{503}, -1, 1, 503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits counter
			c, _, _ := newTestClient(t, Config{MaxRetries: tt.maxRetries}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := hits.inc()
				w.WriteHeader(tt.statuses[min(n, len(tt.statuses))-1])
			}))
			resp, err := c.Do(context.Background(), Request{Method: tt.method, Path: "/api/x", Body: []byte(`{}`), Read: tt.read})
			checkEqual(t, tt.wantAttempts, hits.get(), "got %d attempts, want %d", hits.get(), tt.wantAttempts)
			if tt.wantStatus == 200 {
				mustNoError(t, err)
				checkEqual(t, 200, resp.Status, "got status %d, want 200", resp.Status)
				return
			}
			e := asError(t, err)
			checkEqual(t, tt.wantStatus, e.Status, "got status %d, want %d", e.Status, tt.wantStatus)
			checkEqual(t, tt.wantAttempts, e.Attempts, "got Error.Attempts %d, want %d", e.Attempts, tt.wantAttempts)
		})
	}
}

// waits records the waits a client asks for between attempts, without
// waiting: retry tests then depend on no clock.
type waits struct {
	mu   sync.Mutex
	list []time.Duration
}

func (w *waits) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.list = append(w.list, d)
	w.mu.Unlock()
	return ctx.Err()
}

func (w *waits) get() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.list...)
}

func TestRetryAfterHonouredAndCapped(t *testing.T) {
	tests := []struct {
		name         string
		retryAfter   string
		maxRetryWait time.Duration
		want         time.Duration
	}{
		{"Retry-After 1s capped at 40ms", "1", 40 * time.Millisecond, 40 * time.Millisecond},
		{"Retry-After 1s capped at 120ms", "1", 120 * time.Millisecond, 120 * time.Millisecond},
		{"Retry-After 2s under the cap", "2", 10 * time.Second, 2 * time.Second},
		{"Retry-After 0", "0", 10 * time.Second, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits counter
			c, _, _ := newTestClient(t, Config{MaxRetryWait: tt.maxRetryWait}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if hits.inc() == 1 {
					w.Header().Set("Retry-After", tt.retryAfter)
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				w.Write([]byte(`{"ok":true}`))
			}))
			var ws waits
			c.sleep = ws.sleep
			resp, err := get(c, "/api/x")
			mustNoError(t, err)
			checkEqual(t, 200, resp.Status, "got status %d, want 200", resp.Status)
			checkEqual(t, 2, hits.get(), "got %d attempts, want 2", hits.get())
			checkEqual(t, []time.Duration{tt.want}, ws.get(), "got waits %v, want [%v]", ws.get(), tt.want)
		})
	}
}

func TestRetryAfterReportedOnFinalError(t *testing.T) {
	c, _, _ := newTestClient(t, Config{MaxRetries: 1, MaxRetryWait: time.Millisecond}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte(`{"detail":"Request was throttled."}`))
	}))
	_, err := get(c, "/api/x")
	e := asError(t, err)
	checkEqual(t, time.Second, e.RetryAfter, "got RetryAfter %v, want 1s", e.RetryAfter)
	checkEqual(t, 2, e.Attempts, "got attempts %d, want 2", e.Attempts)
	want := "datafold GET /api/x: 429 Too Many Requests: Request was throttled. (2 attempts)"
	checkEqual(t, want, e.Error(), "got %q, want %q", e.Error(), want)
}

func TestRetryResendsBody(t *testing.T) {
	var bodies []string
	var hits counter
	c, _, _ := newTestClient(t, Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b)) // handler calls are sequential here
		if hits.inc() < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	_, err := c.Do(context.Background(), Request{Method: http.MethodPost, Path: "/api/v1/datadiffs", Body: []byte(`{"a":1}`)})
	mustNoError(t, err)
	want := []string{`{"a":1}`, `{"a":1}`, `{"a":1}`}
	checkEqual(t, want, bodies, "got bodies %q, want %q", bodies, want)
}

func TestTransportErrorRetry(t *testing.T) {
	reset := &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	tests := []struct {
		name         string
		method       string
		read         bool
		err          error
		wantAttempts int
	}{
		{"read GET connection reset retried", http.MethodGet, true, reset, 3},
		{"write GET connection reset not retried", http.MethodGet, false, reset, 1},
		{"write DELETE connection reset not retried", http.MethodDelete, false, reset, 1},
		{"write POST connection reset not retried", http.MethodPost, false, reset, 1},
		{"write POST connection refused retried (nothing sent)", http.MethodPost, false, refused, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls counter
			c, err := New(Config{
				Provider: PostHog, BaseURL: "https://posthog.invalid", APIKey: canaryKey, MaxRetryWait: time.Millisecond,
				Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
					calls.inc()
					if r.Body != nil {
						r.Body.Close()
					}
					return nil, tt.err
				}),
			})
			mustNoError(t, err)
			_, err = c.Do(context.Background(), Request{Method: tt.method, Path: "/api/x", Query: map[string][]string{"k": {"q-secret"}}, Read: tt.read})
			e := asError(t, err)
			checkEqual(t, tt.wantAttempts, calls.get(), "got %d attempts, want %d", calls.get(), tt.wantAttempts)
			checkEqual(t, tt.wantAttempts, e.Attempts, "got Error.Attempts %d, want %d", e.Attempts, tt.wantAttempts)
			checkEqual(t, 0, e.Status, "got status %d, want 0", e.Status)
			check(t, !e.Timeout, "got Timeout true, want false")
			check(t, errors.Is(err, tt.err.(*net.OpError).Err), "got %v, want it to wrap %v", err, tt.err)
			check(t, !strings.Contains(e.Error(), "q-secret"), "got %q, want no query string", e.Error())
		})
	}
}

func TestAttemptTimeout(t *testing.T) {
	tests := []struct {
		name         string
		method       string
		read         bool
		maxRetries   int
		wantAttempts int
	}{
		{"single attempt", http.MethodGet, true, -1, 1},
		{"read retried after timeout", http.MethodGet, true, 1, 2},
		{"write GET not retried after timeout", http.MethodGet, false, 2, 1},
		{"write POST not retried after timeout", http.MethodPost, false, 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits counter
			c, _, _ := newTestClient(t, Config{Provider: PostHog, Timeout: 200 * time.Millisecond, MaxRetries: tt.maxRetries},
				http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					hits.inc()
					<-r.Context().Done() // never answers: the attempt times out
				}))
			_, err := c.Do(context.Background(), Request{Method: tt.method, Path: "/api/x", Read: tt.read})
			e := asError(t, err)
			check(t, e.Timeout, "got Timeout false, want true (%v)", e)
			checkEqual(t, 0, e.Status, "got status %d, want 0", e.Status)
			checkEqual(t, tt.wantAttempts, e.Attempts, "got attempts %d, want %d", e.Attempts, tt.wantAttempts)
			want := "posthog " + tt.method + " /api/x: timed out after 200ms"
			if tt.wantAttempts > 1 {
				want += " (" + strconv.Itoa(tt.wantAttempts) + " attempts)"
			}
			checkEqual(t, want, e.Error(), "got %q, want %q", e.Error(), want)
			check(t, errors.Is(err, context.DeadlineExceeded), "got %v, want it to wrap context.DeadlineExceeded", err)
		})
	}
}

func TestContextCancelDuringRetryWait(t *testing.T) {
	var hits counter
	c, _, _ := newTestClient(t, Config{MaxRetryWait: 10 * time.Second}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.inc()
		w.Header().Set("Retry-After", "10")
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var asked time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error {
		asked = d
		cancel() // the caller gives up during the wait
		return sleep(ctx, d)
	}
	_, err := c.Do(ctx, Request{Path: "/api/x"})
	e := asError(t, err)
	checkEqual(t, 10*time.Second, asked, "got a wait of %v, want 10s", asked)
	check(t, errors.Is(err, context.Canceled), "got %v, want it to wrap context.Canceled", err)
	checkEqual(t, 503, e.Status, "got status %d, want 503 (last answer)", e.Status)
	checkEqual(t, 1, hits.get(), "got %d attempts, want 1", hits.get())
}

// TestSleepEndsWithContext: the wait between attempts ends as soon as
// the context does, and leaves no timer behind.
func TestSleepEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := sleep(ctx, time.Hour)
	check(t, errors.Is(err, context.Canceled), "got %v, want context.Canceled at once", err)
	checkEqual(t, nil, sleep(context.Background(), 0), "got an error for no wait, want nil")
}

func TestCallerDeadlineShorterThanRetryWait(t *testing.T) {
	var hits counter
	c, _, _ := newTestClient(t, Config{MaxRetryWait: 10 * time.Second}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.inc()
		w.Header().Set("Retry-After", "5")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	var ws waits
	c.sleep = ws.sleep
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := c.Do(ctx, Request{Path: "/api/x"})
	e := asError(t, err)
	checkEqual(t, 0, len(ws.get()), "got waits %v, want none (the deadline comes first)", ws.get())
	checkEqual(t, 429, e.Status, "got status %d, want 429", e.Status)
	checkEqual(t, 5*time.Second, e.RetryAfter, "got RetryAfter %v, want 5s", e.RetryAfter)
	checkEqual(t, 1, hits.get(), "got %d attempts, want 1", hits.get())
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name   string
		value  string
		want   time.Duration
		wantOK bool
	}{
		{"absent", "", 0, false},
		{"seconds", "1", time.Second, true},
		{"zero", "0", 0, true},
		{"padded", " 7 ", 7 * time.Second, true},
		{"negative", "-3", 0, false},
		{"http date", now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{"date in the past", now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"garbage", "soon", 0, false},
		{"huge", "99999999999", 24 * time.Hour, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.value != "" {
				h.Set("Retry-After", tt.value)
			}
			got, ok := parseRetryAfter(h, now)
			checkEqual(t, tt.wantOK, ok, "got ok %v, want %v", ok, tt.wantOK)
			checkEqual(t, tt.want, got, "got %v, want %v", got, tt.want)
		})
	}
}

func TestBackoffBounds(t *testing.T) {
	c := &Client{maxRetryWait: time.Second}
	tests := []struct {
		name          string
		retry         int
		retryAfter    time.Duration
		hasRetryAfter bool
		wantMin       time.Duration
		wantMax       time.Duration
	}{
		{"first backoff", 0, 0, false, 100 * time.Millisecond, 200 * time.Millisecond},
		{"second backoff", 1, 0, false, 200 * time.Millisecond, 400 * time.Millisecond},
		{"capped backoff", 10, 0, false, 500 * time.Millisecond, time.Second},
		{"huge retry count", 1000, 0, false, 500 * time.Millisecond, time.Second},
		{"retry-after below cap", 0, 300 * time.Millisecond, true, 300 * time.Millisecond, 300 * time.Millisecond},
		{"retry-after above cap", 0, time.Minute, true, time.Second, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 50 {
				got := c.retryWait(tt.retry, tt.retryAfter, tt.hasRetryAfter)
				must(t, got >= tt.wantMin, "got %v, want at least %v", got, tt.wantMin)
				must(t, got <= tt.wantMax, "got %v, want at most %v", got, tt.wantMax)
			}
		})
	}
}
