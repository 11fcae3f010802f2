package tools

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// CallLog gathers what one request's upstream calls did, for the single
// record its transport logs when the request ends (the HTTP request log):
// one Info line per tool call instead of one per request plus one per
// upstream call. Without a CallLog in the context (stdio), or once the
// record is written (a call outliving its request), each upstream call is
// logged on its own at Info; with one, at Debug. Safe for concurrent use:
// a hand-written tool may call upstreams in parallel.
type CallLog struct {
	mu       sync.Mutex
	written  bool
	provider string
	calls    int
	status   int // the first failed call's status (0: no answer), else the last call's
	failed   bool
	elapsed  time.Duration // summed over the calls
}

type callLogKey struct{}

// WithCallLog returns ctx carrying l.
func WithCallLog(ctx context.Context, l *CallLog) context.Context {
	return context.WithValue(ctx, callLogKey{}, l)
}

// add records one upstream call; false if the record is already written.
func (l *CallLog) add(provider string, status int, elapsed time.Duration) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.written {
		return false
	}
	if l.provider == "" {
		l.provider = provider
	} else if l.provider != provider {
		l.provider = "several"
	}
	l.calls++
	l.elapsed += elapsed
	if !l.failed {
		l.status = status
		l.failed = status < 200 || status > 299
	}
	return true
}

// AppendAttrs appends the upstream keys of the request's record (provider,
// upstream_calls, upstream_status, upstream_ms) when it made upstream
// calls, and marks the record written.
func (l *CallLog) AppendAttrs(attrs []slog.Attr) []slog.Attr {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.written = true
	if l.calls == 0 {
		return attrs
	}
	return append(attrs,
		slog.String("provider", l.provider),
		slog.Int("upstream_calls", l.calls),
		slog.Int("upstream_status", l.status),
		slog.Int64("upstream_ms", l.elapsed.Milliseconds()))
}

// logUpstream logs one upstream call: into the request's CallLog (and at
// Debug) when there is one, else at Info. Never the request's arguments,
// headers or body: the operation's path template only.
func logUpstream(ctx context.Context, d *Deps, t *Tool, provider, method, path string, status int, elapsed time.Duration) {
	level := slog.LevelInfo
	if l, _ := ctx.Value(callLogKey{}).(*CallLog); l != nil && l.add(provider, status, elapsed) {
		level = slog.LevelDebug
	}
	lg := d.logger()
	if !lg.Enabled(ctx, level) {
		return
	}
	lg.LogAttrs(ctx, level, "upstream call",
		slog.String("tool", t.Name),
		slog.String("provider", provider),
		slog.String("method", method),
		slog.String("path", path),
		slog.Int("status", status),
		slog.Int64("duration_ms", elapsed.Milliseconds()))
}
