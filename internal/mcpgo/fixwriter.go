package mcpgo

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
)

// The writers that apply the fixes errorHooks files (errors.go) to the
// error responses they carry. Everything else passes through untouched;
// with no fix waiting, a write costs one atomic load.

// ErrorWriter wraps the stdio transport's output (one JSON-RPC message a
// line, written whole) so that error responses carry the codes and
// messages errors.go gives them.
func ErrorWriter(w io.Writer) io.Writer { return &lineFixer{w: w} }

type lineFixer struct{ w io.Writer }

func (l *lineFixer) Write(p []byte) (int, error) {
	out := p
	if fixes.any() {
		line := bytes.TrimRight(p, "\n")
		if fixed, _, ok := fixMessage(line); ok {
			out = append(fixed, p[len(line):]...)
		}
	}
	if _, err := l.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// ErrorHandler wraps mcp-go's streamable HTTP handler so that error
// responses carry the codes and messages errors.go gives them: a JSON
// answer is held until complete (its HTTP status follows the code in
// protocol 2026-07-28), an SSE stream is fixed event by event.
func ErrorHandler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fw := &httpFixer{ResponseWriter: w}
		h.ServeHTTP(fw, r)
		fw.finish()
	})
}

// httpFixer is an http.ResponseWriter that fixes error responses.
type httpFixer struct {
	http.ResponseWriter
	started bool
	held    bool // a JSON answer held until finish
	status  int
	buf     bytes.Buffer
	sse     bool
}

func (f *httpFixer) WriteHeader(status int) {
	if f.started {
		return
	}
	f.started = true
	ct := f.Header().Get("Content-Type")
	if strings.HasPrefix(ct, "application/json") && fixes.any() {
		f.held, f.status = true, status
		return
	}
	f.sse = strings.HasPrefix(ct, "text/event-stream")
	f.ResponseWriter.WriteHeader(status)
}

func (f *httpFixer) Write(p []byte) (int, error) {
	if !f.started {
		f.WriteHeader(http.StatusOK)
	}
	switch {
	case f.held:
		return f.buf.Write(p)
	case f.sse && fixes.any():
		if _, err := f.ResponseWriter.Write(fixEvents(p)); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return f.ResponseWriter.Write(p)
}

// Flush keeps the response streamable; a held JSON answer is written by
// finish.
func (f *httpFixer) Flush() {
	if f.held {
		return
	}
	if fl, ok := f.ResponseWriter.(http.Flusher); ok {
		fl.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (f *httpFixer) Unwrap() http.ResponseWriter { return f.ResponseWriter }

// finish writes a held JSON answer, fixed.
func (f *httpFixer) finish() {
	if !f.held {
		return
	}
	body, status := f.buf.Bytes(), f.status
	trimmed := bytes.TrimRight(body, "\n")
	if fixed, fx, ok := fixMessage(trimmed); ok {
		body = append(fixed, body[len(trimmed):]...)
		if fx.modern && status == statusFor(fx.from) {
			status = statusFor(fx.code)
		}
	}
	f.ResponseWriter.WriteHeader(status)
	_, _ = f.ResponseWriter.Write(body)
}

// fixEvents fixes the data lines of SSE events.
func fixEvents(p []byte) []byte {
	lines := bytes.Split(p, []byte("\n"))
	changed := false
	for i, line := range lines {
		data, ok := bytes.CutPrefix(line, []byte("data: "))
		if !ok {
			continue
		}
		if fixed, _, ok := fixMessage(data); ok {
			lines[i] = append([]byte("data: "), fixed...)
			changed = true
		}
	}
	if !changed {
		return p
	}
	return bytes.Join(lines, []byte("\n"))
}

// applied is a fix as applied to one response: the code it replaced.
type applied struct {
	fix
	from int
}

// fixMessage returns msg (one JSON-RPC message) with the fix filed for
// it applied, and whether there was one.
func fixMessage(msg []byte) ([]byte, applied, bool) {
	if !bytes.Contains(msg, []byte(`"error"`)) {
		return nil, applied{}, false
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(msg, &m) != nil || m["error"] == nil || m["id"] == nil {
		return nil, applied{}, false
	}
	var e struct {
		Code    int             `json:"code"`
		Message string          `json:"message"`
		Data    json.RawMessage `json:"data,omitempty"`
	}
	var id any
	if json.Unmarshal(m["error"], &e) != nil || json.Unmarshal(m["id"], &id) != nil {
		return nil, applied{}, false
	}
	fx, ok := fixes.take(fixKey(id, e.Message))
	if !ok {
		return nil, applied{}, false
	}
	from := e.Code
	e.Code, e.Message = fx.code, fx.message
	b, err := json.Marshal(e)
	if err != nil {
		return nil, applied{}, false
	}
	m["error"] = b
	out, err := json.Marshal(m)
	if err != nil {
		return nil, applied{}, false
	}
	return out, applied{fx, from}, true
}

// statusFor is the HTTP status protocol 2026-07-28 gives a JSON-RPC error
// code (mcp-go's mapping).
func statusFor(code int) int {
	switch code {
	case mcp.METHOD_NOT_FOUND:
		return http.StatusNotFound
	case mcp.INVALID_REQUEST, mcp.INVALID_PARAMS, mcp.PARSE_ERROR:
		return http.StatusBadRequest
	}
	return http.StatusOK
}
