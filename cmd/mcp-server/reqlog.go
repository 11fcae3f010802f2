package main

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/datastack-mcp/datastack-mcp/tools"
)

// Request logs of the HTTP transport: one record per request with stable
// keys (method, path, status, duration_ms, bytes, remote, and when known
// mcp_method, tool, auth, subject, client_credentials, and for a request
// that called upstreams provider, upstream_calls, upstream_status,
// upstream_ms: tools.CallLog, so a tool call is one Info line). Never headers,
// bodies or query strings: no Authorization, no X-*-Api-Key, no token in
// a URL.

// reqInfo collects what inner handlers learn about a request for its log
// record. Handlers fill it on the request's goroutine before the record is
// written.
type reqInfo struct {
	mcpMethod string
	tool      string
	auth      string   // "token", "jwt" or "" (none required)
	subject   string   // JWT sub
	creds     []string // providers whose credentials the request brought, sorted
	upstream  tools.CallLog
}

type reqInfoKey struct{}

func infoFrom(ctx context.Context) *reqInfo {
	i, _ := ctx.Value(reqInfoKey{}).(*reqInfo)
	return i
}

// logRequests logs each request when it ends: at Info, /healthz at Debug.
func logRequests(next http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &reqInfo{}
		sw := &statusWriter{ResponseWriter: w}
		ctx := tools.WithCallLog(context.WithValue(r.Context(), reqInfoKey{}, info), &info.upstream)
		next.ServeHTTP(sw, r.WithContext(ctx))
		level := slog.LevelInfo
		if r.URL.Path == "/healthz" {
			level = slog.LevelDebug
		}
		if !logger.Enabled(r.Context(), level) {
			info.upstream.AppendAttrs(nil) // later upstream calls log their own line
			return
		}
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		attrs := make([]slog.Attr, 0, 15)
		attrs = append(attrs,
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path), // never RawQuery
			slog.Int("status", status),
			slog.Int64("duration_ms", time.Since(start).Milliseconds()),
			slog.Int64("bytes", sw.bytes),
			slog.String("remote", r.RemoteAddr),
		)
		if info.mcpMethod != "" {
			attrs = append(attrs, slog.String("mcp_method", info.mcpMethod))
		}
		if info.tool != "" {
			attrs = append(attrs, slog.String("tool", info.tool))
		}
		if info.auth != "" {
			attrs = append(attrs, slog.String("auth", info.auth))
		}
		if info.subject != "" {
			attrs = append(attrs, slog.String("subject", info.subject))
		}
		if len(info.creds) > 0 {
			slices.Sort(info.creds)
			attrs = append(attrs, slog.String("client_credentials", strings.Join(info.creds, ",")))
		}
		attrs = info.upstream.AppendAttrs(attrs)
		logger.LogAttrs(r.Context(), level, "http request", attrs...)
	})
}

// statusWriter records the status and size of a response. It keeps
// streaming working (Flush) and lets http.ResponseController reach the
// connection (Unwrap).
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		if w.status == 0 {
			w.status = http.StatusOK
		}
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
