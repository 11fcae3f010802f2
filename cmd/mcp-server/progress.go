package main

import (
	"context"
	"io"
	"net/http"

	"github.com/mark3labs/mcp-go/server"

	"github.com/datastack-mcp/datastack-mcp/internal/mcpgo"
)

// Progress notifications must reach the client before the result. mcp-go
// v1.2.1's streamable HTTP can drop the last one (see
// tools/diff_progress.go for the race); the transports here tell the tools
// what they have written, and a tool returns only once its notifications
// are out.

// trackNotifications wraps the MCP HTTP handler: each request gets its own
// tracker, fed by a response writer that reports every SSE event written.
func trackNotifications(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := w.(http.Flusher); !ok || r.Method != http.MethodPost {
			// Without streaming, notifications are not delivered at all.
			h.ServeHTTP(w, r)
			return
		}
		tr := mcpgo.NewNotifyTracker()
		h.ServeHTTP(&trackingWriter{ResponseWriter: w, tr: tr}, r.WithContext(mcpgo.WithNotifyTracker(r.Context(), tr)))
	})
}

// trackingWriter is an http.ResponseWriter that reports what it writes.
type trackingWriter struct {
	http.ResponseWriter
	tr *mcpgo.NotifyTracker
}

func (w *trackingWriter) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	if err == nil {
		w.tr.Observe(p)
	}
	return n, err
}

// Flush keeps the response streamable (mcp-go upgrades to SSE only for a
// writer that flushes).
func (w *trackingWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection (write
// deadlines).
func (w *trackingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// trackStdio makes the stdio server's tools wait until their progress
// notifications are written to out, so they precede the result; it returns
// the writer to serve on.
func trackStdio(s *server.StdioServer, out io.Writer) io.Writer {
	tr := mcpgo.NewNotifyTracker()
	s.SetContextFunc(func(ctx context.Context) context.Context { return mcpgo.WithNotifyTracker(ctx, tr) })
	return &lineTracker{w: out, tr: tr}
}

// lineTracker reports each message written to stdout.
type lineTracker struct {
	w  io.Writer
	tr *mcpgo.NotifyTracker
}

func (l *lineTracker) Write(p []byte) (int, error) {
	n, err := l.w.Write(p)
	if err == nil {
		l.tr.Observe(p)
	}
	return n, err
}
