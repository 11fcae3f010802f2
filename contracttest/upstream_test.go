package contracttest

import (
	"bytes"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// upstream is a fake upstream API: an http.RoundTripper answering each
// request with the answer registered for its method and OpenAPI path
// template (the last registered wins). A request nothing matches gets an
// error and is remembered in missed.
type upstream struct {
	mu     sync.Mutex
	routes []route
	missed []string
}

type route struct {
	method string
	path   *regexp.Regexp
	status int
	body   []byte
}

// serve registers an answer for method and an OpenAPI path template such
// as /api/v1/datadiffs/{datadiff_id}/summary_results.
func (u *upstream) serve(method, template string, status int, body []byte) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.routes = append(u.routes, route{method: method, path: templateRE(template), status: status, body: body})
}

// templateRE matches the escaped paths a template stands for.
func templateRE(template string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for rest := template; rest != ""; {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			b.WriteString(regexp.QuoteMeta(rest))
			break
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			b.WriteString(regexp.QuoteMeta(rest))
			break
		}
		b.WriteString(regexp.QuoteMeta(rest[:i]) + "[^/]+")
		rest = rest[i+j+1:]
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

func (u *upstream) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	for i := len(u.routes) - 1; i >= 0; i-- {
		r := u.routes[i]
		if r.method == req.Method && r.path.MatchString(req.URL.EscapedPath()) {
			h := http.Header{}
			if r.body != nil {
				h.Set("Content-Type", "application/json")
				h.Set("Content-Length", strconv.Itoa(len(r.body)))
			}
			return &http.Response{StatusCode: r.status, Status: strconv.Itoa(r.status) + " " + http.StatusText(r.status),
				Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: h, Request: req,
				Body: io.NopCloser(bytes.NewReader(r.body)), ContentLength: int64(len(r.body))}, nil
		}
	}
	u.missed = append(u.missed, req.Method+" "+req.URL.EscapedPath())
	return nil, &missedError{req.Method + " " + req.URL.EscapedPath()}
}

type missedError struct{ what string }

func (e *missedError) Error() string { return "contracttest: no answer registered for " + e.what }
