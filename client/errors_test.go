package client

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

const nginx502 = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx/1.25.3</center>
</body>
</html>`

const cloudflarePage = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>app.example.com | 504: Gateway time-out</title>
<style>body{font-family:sans-serif} .x{color:red}</style>
<script>window.__cf = {"ray":"abc"};</script></head>
<body><!-- comment --><div class="x"><h1>Gateway time-out</h1>
<p>The web server reported a gateway time-out error &amp; gave up.</p></div></body></html>`

func TestExtractMessage(t *testing.T) {
	noScrub := func(s string) string { return s }
	tests := []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"empty body", 404, "", "Not Found"},
		{"unknown status, empty body", 599, "  ", "HTTP 599"},
		{"detail string (FastAPI, PostHog)", 404, `{"detail":"Not found."}`, "Not found."},
		{"posthog detail with attr", 400, `{"type":"validation_error","code":"invalid_input","detail":"This field is required.","attr":"name"}`, "name: This field is required."},
		{"fastapi validation list", 422, `{"detail":[{"loc":["body","name"],"msg":"field required","type":"value_error.missing"},{"loc":["query","limit",0],"msg":"not a valid integer"}]}`,
			"body.name: field required; query.limit.0: not a valid integer"},
		{"message string (PDC)", 400, `{"status":400,"message":"Invalid data source type"}`, "Invalid data source type"},
		{"message list (PDC)", 400, `{"status":400,"message":["name must be a string","type is required"]}`, "name must be a string; type is required"},
		{"lightdash error object", 404, `{"status":"error","error":{"statusCode":404,"name":"NotFoundError","message":"Saved chart not found"}}`, "Saved chart not found"},
		{"error string", 403, `{"error":"forbidden"}`, "forbidden"},
		{"oauth error with description", 401, `{"error":"invalid_grant","error_description":"Invalid user credentials"}`, "invalid_grant: Invalid user credentials"},
		{"msg", 400, `{"msg":"bad thing"}`, "bad thing"},
		{"title (problem+json)", 400, `{"type":"about:blank","title":"Bad Request Body","status":400}`, "Bad Request Body"},
		{"errors list", 400, `{"errors":[{"message":"first"},{"message":"second"}]}`, "first; second"},
		{"detail preferred over message", 400, `{"detail":"from detail","message":"from message"}`, "from detail"},
		{"unknown json shape falls back to text", 500, `{"foo":"bar"}`, `{"foo":"bar"}`},
		{"plain text", 500, "upstream exploded\n\n  badly", "upstream exploded badly"},
		{"nginx html page", 502, nginx502, "502 Bad Gateway nginx/1.25.3"},
		{"cloudflare html page", 504, cloudflarePage, "app.example.com | 504: Gateway time-out Gateway time-out The web server reported a gateway time-out error & gave up."},
		{"html without text", 502, "<html><body></body></html>", "Bad Gateway"},
		{"control characters dropped", 500, "bad\x00\x07 thing", "bad thing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := extractMessage(tt.status, []byte(tt.body), noScrub)
			checkEqual(t, tt.want, got, "got %q, want %q", got, tt.want)
		})
	}
}

func TestExtractMessageBounds(t *testing.T) {
	noScrub := func(s string) string { return s }
	tests := []struct {
		name    string
		body    string
		wantLen int // in characters
	}{
		{"long json message bounded to 300", `{"message":"` + strings.Repeat("é", 1000) + `"}`, 300},
		{"long text body bounded to 200", strings.Repeat("x", 5000), 200},
		{"long html body bounded to 200", "<html><body><p>" + strings.Repeat("word ", 1000) + "</p></body></html>", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := extractMessage(500, []byte(tt.body), noScrub)
			n := utf8.RuneCountInString(got)
			checkEqual(t, tt.wantLen, n, "got %d characters, want %d", n, tt.wantLen)
			check(t, strings.HasSuffix(got, "…"), "got %q, want an ellipsis at the cut", got)
			check(t, !strings.Contains(got, "<"), "got %q, want no markup", got)
		})
	}
}

func TestUpstreamErrorBodies(t *testing.T) {
	tests := []struct {
		name        string
		method      string
		status      int
		contentType string
		body        string
		wantError   string
	}{
		{
			name: "html error page becomes a short message", method: http.MethodPost, status: 502,
			contentType: "text/html", body: nginx502,
			wantError: "lightdash POST /api/v1/x: 502 Bad Gateway: 502 Bad Gateway nginx/1.25.3",
		},
		{
			name: "fastapi 422 detail list", method: http.MethodPost, status: 422,
			contentType: "application/json",
			body:        `{"detail":[{"loc":["body","data_source1_id"],"msg":"field required","type":"value_error.missing"},{"loc":["body","pk_columns"],"msg":"ensure this value has at least 1 items","type":"value_error.list.min_items"}]}`,
			wantError:   "lightdash POST /api/v1/x: 422 Unprocessable Entity: body.data_source1_id: field required; body.pk_columns: ensure this value has at least 1 items",
		},
		{
			name: "status text not repeated", method: http.MethodGet, status: 403,
			wantError: "lightdash GET /api/v1/x: 403 Forbidden",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, _ := newTestClient(t, Config{Provider: Lightdash}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.contentType != "" {
					w.Header().Set("Content-Type", tt.contentType)
				}
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			}))
			_, err := c.Do(context.Background(), Request{Method: tt.method, Path: "/api/v1/x", Body: []byte(`{}`)})
			e := asError(t, err)
			checkEqual(t, tt.wantError, e.Error(), "got %q, want %q", e.Error(), tt.wantError)
			checkEqual(t, tt.status, e.Status, "got status %d, want %d", e.Status, tt.status)
		})
	}
}

func TestResponseTooLarge(t *testing.T) {
	tests := []struct {
		name      string
		size      int
		stream    bool // keep writing until the client hangs up
		wantLarge bool
	}{
		{"exactly the limit is fine", 1024, false, false},
		{"one byte over", 1025, false, true},
		{"far over", 64 << 10, false, true},
		{"endless stream is not read to the end", 0, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, _ := newTestClient(t, Config{MaxResponseBytes: 1024}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusOK)
				if !tt.stream {
					w.Write([]byte(strings.Repeat("a", tt.size)))
					return
				}
				// Until the client hangs up (bounded, should it never).
				chunk := []byte(strings.Repeat("b", 32<<10))
				for n := 0; n < 64<<20 && r.Context().Err() == nil; n += len(chunk) {
					if _, err := w.Write(chunk); err != nil {
						return
					}
				}
			}))
			resp, err := get(c, "/api/big")
			if !tt.wantLarge {
				mustNoError(t, err)
				check(t, len(resp.Body) == tt.size, "got %d bytes, want %d", len(resp.Body), tt.size)
				return
			}
			e := asError(t, err)
			check(t, e.TooLarge, "got TooLarge false, want true")
			checkEqual(t, 200, e.Status, "got status %d, want 200", e.Status)
			check(t, strings.Contains(e.Error(), "exceeded 1024 bytes"), "got %q, want the limit named", e.Error())
		})
	}
}

func TestErrorUnwrapAndFormatting(t *testing.T) {
	cause := errors.New("boom")
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"transport failure", &Error{Provider: "posthog", Method: "GET", Path: "/p", Message: "request failed: boom", Attempts: 3, Err: cause},
			"posthog GET /p: request failed: boom (3 attempts)"},
		{"no message uses cause", &Error{Provider: "pdc", Method: "GET", Path: "/p", Err: cause}, "pdc GET /p: boom"},
		{"http with hint", &Error{Provider: "pdc", Method: "POST", Path: "/api/public/v1/auth", Status: 401, Message: "Invalid credentials", Attempts: 1, Hint: hintPDCCredentials},
			"pdc POST /api/public/v1/auth: 401 Unauthorized: Invalid credentials; PDC login failed; check the PDC username/password configuration"},
		{"unknown status", &Error{Provider: "datafold", Method: "GET", Path: "/p", Status: 599, Message: "HTTP 599"}, "datafold GET /p: 599: HTTP 599"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkEqual(t, tt.want, tt.err.Error(), "got %q, want %q", tt.err.Error(), tt.want)
			if tt.err.Err != nil {
				check(t, errors.Is(tt.err, cause), "got errors.Is false, want true")
			}
		})
	}
}
