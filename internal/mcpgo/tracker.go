package mcpgo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
)

// Progress notifications must reach the client before the result. mcp-go
// v1.2.1 queues a notification on the session's channel and a transport
// goroutine writes it. Over streamable HTTP that goroutine takes the
// notification off the channel and then waits for the response lock; when
// the tool returns in that window, handlePost drains the (now empty)
// channel, closes the request's done channel and writes the result, and the
// goroutine, seeing done closed, drops the notification it holds: the last
// progress notification of a call is lost now and then. Over stdio nothing
// is lost, but the last notification may be written after the result.
//
// The fix is a handshake: the transport wraps its writer so it can tell,
// per progress token, how many progress notifications it has written
// (NotifyTracker.Observe), and the tool handler waits, bounded, until every
// notification the call queued has been written before it returns the
// result. No sleep: the wait ends the moment the transport writes the last
// one. Without a tracker in the context (in-process clients), it returns at
// once.

// NotifyTracker counts the progress notifications a transport has written,
// per progress token, so a tool can wait until its last one is out before
// returning. It is safe for concurrent use.
type NotifyTracker struct {
	mu      sync.Mutex
	written map[string]int
	wake    chan struct{} // closed and replaced whenever written changes
}

// NewNotifyTracker returns an empty tracker.
func NewNotifyTracker() *NotifyTracker {
	return &NotifyTracker{written: map[string]int{}, wake: make(chan struct{})}
}

type trackerKey struct{}

// WithNotifyTracker attaches tr to ctx: tools called with ctx wait for their
// progress notifications to be written before returning.
func WithNotifyTracker(ctx context.Context, tr *NotifyTracker) context.Context {
	return context.WithValue(ctx, trackerKey{}, tr)
}

var sseDataPrefix = []byte("data: ")

// Observe inspects bytes the transport wrote (one SSE event, or one line of
// stdio) and counts the progress notifications among them. Anything else is
// ignored cheaply.
func (tr *NotifyTracker) Observe(p []byte) {
	if !bytes.Contains(p, []byte(`"notifications/progress"`)) {
		return
	}
	var tokens []string
	for _, line := range bytes.Split(p, []byte("\n")) {
		line = bytes.TrimPrefix(bytes.TrimSpace(line), sseDataPrefix)
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var msg struct {
			Method string `json:"method"`
			Params struct {
				Token json.RawMessage `json:"progressToken"`
			} `json:"params"`
		}
		if json.Unmarshal(line, &msg) != nil || msg.Method != "notifications/progress" || len(msg.Params.Token) == 0 {
			continue
		}
		tokens = append(tokens, tokenKey(msg.Params.Token))
	}
	if len(tokens) == 0 {
		return
	}
	tr.mu.Lock()
	for _, k := range tokens {
		tr.written[k]++
	}
	close(tr.wake)
	tr.wake = make(chan struct{})
	tr.mu.Unlock()
}

// forget drops the count of a token whose call has returned.
func (tr *NotifyTracker) forget(key string) {
	tr.mu.Lock()
	delete(tr.written, key)
	tr.mu.Unlock()
}

// await waits until n notifications with the token were written, ctx ends
// or limit passes; it reports whether all were written.
func (tr *NotifyTracker) await(ctx context.Context, key string, n int, limit time.Duration) bool {
	timer := time.NewTimer(limit)
	defer timer.Stop()
	for {
		tr.mu.Lock()
		done, wake := tr.written[key] >= n, tr.wake
		tr.mu.Unlock()
		if done {
			return true
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return false
		case <-timer.C:
			return false
		}
	}
}

// tokenKey normalises a progress token (a JSON string or number) so the
// token of the request and the one in the written notification compare
// equal.
func tokenKey(raw json.RawMessage) string {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return string(raw)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func tokenKeyOf(token mcp.ProgressToken) string {
	b, err := json.Marshal(token)
	if err != nil {
		return fmt.Sprint(token)
	}
	return tokenKey(b)
}

// flushWait bounds how long a tool waits for its notifications to be
// written; a transport that cannot stream drops them, so the wait must end.
const flushWait = 2 * time.Second

// awaitNotifications waits until the queued progress notifications of the
// call with token have been written by the transport (see NotifyTracker).
// It returns at once when the transport does not track them or none were
// sent.
func awaitNotifications(ctx context.Context, token mcp.ProgressToken, queued int, log *slog.Logger) {
	tr, _ := ctx.Value(trackerKey{}).(*NotifyTracker)
	if tr == nil || token == nil {
		return
	}
	key := tokenKeyOf(token)
	defer tr.forget(key)
	if queued == 0 {
		return
	}
	if !tr.await(ctx, key, queued, flushWait) && ctx.Err() == nil {
		log.Warn("progress notifications not written before the result", "queued", queued)
	}
}
