package sandbox

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/datastack-mcp/datastack-mcp/schemas"
)

// Exchange describes one request the sandbox handled. It is passed to the
// function registered with Observe.
type Exchange struct {
	Provider    string // "datafold", "posthog", "pdc" or "lightdash"
	OperationID string // the spec's operationId; empty when no route matched
	Method      string
	Path        string // the request path as sent (still escaped)
	Status      int
	// RequestError is nil iff the request matched the spec: a known route and
	// method, well-formed credentials and parameters/body valid against the
	// operation's schemas. A request for an unknown object (404 from the
	// handler) did match the spec, so its RequestError is nil.
	RequestError error
}

// Sandbox is an in-process emulator of the four providers' APIs with its own
// demo data. Create it with New; the zero value is not usable.
type Sandbox struct {
	// DiffQueued is how long a newly created Datafold data diff stays
	// "waiting", and DiffRunning how long it is "running" after that before
	// it is "done" with results (it stays running while the engine is
	// still comparing). Set them before use (tests shorten them).
	DiffQueued, DiffRunning time.Duration
	// SyncDuration is how long a PostHog schema sync (reload/resync) or a
	// Datafold monitor/CI run stays running.
	SyncDuration time.Duration
	// QueryRunning is how long a Lightdash metric query stays "pending"
	// after executeAsyncMetricQuery before its results are "ready".
	QueryRunning time.Duration
	// TokenTTL is the lifetime of the PDC access tokens issued by authToken.
	TokenTTL time.Duration

	mu        sync.Mutex // guards everything below except obs
	now       func() time.Time
	seq       map[string]int // id sequences per kind
	jwtKey    []byte
	df        *datafoldState
	ph        *posthogState
	pdc       *pdcState
	ld        *lightdashState
	providers map[string]*provider
	demo      *demoFiles // the engine's files

	obsMu sync.RWMutex
	obs   func(Exchange)
}

// provider serves one provider's API.
type provider struct {
	name     string
	s        *Sandbox
	handlers map[string]handlerFunc
}

// spec is the provider's spec. It is only called once serve has loaded it
// successfully (a failure panics, which serve turns into a 500).
func (p *provider) spec() *spec {
	sp, err := getSpec(p.name)
	if err != nil {
		panic(err)
	}
	return sp
}

// New returns a sandbox seeded with the demo data stack. Every Sandbox has its
// own independent state; the parsed specs are shared, and each provider's is
// loaded on the first request to that provider (not by New).
func New() (*Sandbox, error) {
	s := &Sandbox{
		DiffQueued:   2 * time.Second,
		DiffRunning:  4 * time.Second,
		SyncDuration: 5 * time.Second,
		QueryRunning: time.Second,
		TokenTTL:     30 * time.Minute,
		now:          time.Now,
		seq:          map[string]int{},
		jwtKey:       make([]byte, 32),
		providers:    map[string]*provider{},
		demo:         demo,
	}
	if _, err := rand.Read(s.jwtKey); err != nil {
		return nil, err
	}
	s.df = seedDatafold()
	s.ph = seedPostHog()
	s.pdc = seedPDC()
	s.ld = seedLightdash()
	handlers := map[string]map[string]handlerFunc{
		schemas.Datafold:  datafoldHandlers(),
		schemas.PostHog:   posthogHandlers(),
		schemas.PDC:       pdcHandlers(),
		schemas.Lightdash: lightdashHandlers(),
	}
	for _, name := range schemas.Providers {
		s.providers[name] = &provider{name: name, s: s, handlers: handlers[name]}
	}
	return s, nil
}

// BaseURL is the base URL the sandbox answers for as provider, e.g.
// "http://datafold.sandbox.invalid". Requests to it must go through Transport.
func BaseURL(provider string) string {
	return "http://" + provider + ".sandbox.invalid"
}

// Handler serves provider's API (on any host, so it can back an
// httptest.Server). For an unknown provider it answers 404 to everything.
func (s *Sandbox) Handler(provider string) http.Handler {
	p, ok := s.providers[provider]
	if !ok {
		return http.NotFoundHandler()
	}
	return p
}

// Observe registers fn to be called once per handled request, after the
// response is written. Register it before use; fn must be safe to call from
// several goroutines.
func (s *Sandbox) Observe(fn func(Exchange)) {
	s.obsMu.Lock()
	s.obs = fn
	s.obsMu.Unlock()
}

func (s *Sandbox) notify(ex Exchange) {
	s.obsMu.RLock()
	fn := s.obs
	s.obsMu.RUnlock()
	if fn != nil {
		fn(ex)
	}
}

// Transport returns an http.RoundTripper that serves requests for the hosts
// of BaseURL in-process (no sockets). Other hosts get an error.
func (s *Sandbox) Transport() http.RoundTripper { return transport{s} }

type transport struct{ s *Sandbox }

func (t transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL == nil {
		return nil, errors.New("sandbox: request without URL")
	}
	host := strings.ToLower(req.URL.Hostname())
	name, ok := strings.CutSuffix(host, ".sandbox.invalid")
	p := t.s.providers[name]
	if !ok || p == nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("sandbox: no provider answers for host %q", req.URL.Host)
	}
	if err := req.Context().Err(); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	in := req.Clone(req.Context())
	raw := []byte{}
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		raw = b
	}
	in.Body = io.NopCloser(bytes.NewReader(raw))
	in.ContentLength = int64(len(raw))
	in.RequestURI = in.URL.RequestURI()
	// What p.ServeHTTP(httptest.NewRecorder(), in) and the recorder's Result
	// give, without a second copy of the request and of its body (in is
	// already the transport's own) nor the recorder's buffer and header
	// snapshots.
	ex := Exchange{Provider: p.name, Method: in.Method, Path: in.URL.EscapedPath()}
	status, hdr, body := p.handle(in, in, raw, &ex)
	if status < 100 || status > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", status)) // as the recorder would
	}
	h := make(http.Header, len(hdr)+2)
	for k, v := range hdr {
		h[k] = slices.Clone(v)
	}
	resp := &http.Response{
		Status:     strconv.Itoa(status) + " " + http.StatusText(status),
		StatusCode: status,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     h,
		Body:       io.NopCloser(bytes.NewReader(body)),

		ContentLength: -1,
		Request:       req,
	}
	if body != nil {
		h["Content-Type"] = []string{"application/json"}
		h["Content-Length"] = []string{strconv.Itoa(len(body))}
		resp.ContentLength = int64(len(body))
	}
	ex.Status = status
	p.s.notify(ex)
	return resp, nil
}

// handlerFunc implements one operation. It runs with the sandbox locked and
// returns the status and the body: nil for no body, an *apiError for an error
// in the provider's style, anything else is encoded as JSON (and completed
// against the response schema for 2xx statuses, see fillSchema).
type handlerFunc func(c *call) (int, any)

// call is one request being handled.
type call struct {
	s      *Sandbox
	p      *provider
	op     *opInfo
	r      *http.Request
	params map[string]string // unescaped path parameters
	query  url.Values
	body   any        // decoded JSON body (nil when none)
	form   url.Values // decoded form body
	raw    []byte
}

func (c *call) param(name string) string { return c.params[name] }

// intParam returns a path parameter as an int (validation guarantees integer
// parameters parse).
func (c *call) intParam(name string) int {
	n, _ := strconv.Atoi(c.params[name])
	return n
}

func (c *call) bodyMap() map[string]any {
	m, _ := c.body.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m
}

func (c *call) queryInt(name string, def int) int {
	if v := c.query.Get(name); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return int(f)
		}
	}
	return def
}

func (c *call) queryBool(name string, def bool) bool {
	if v := c.query.Get(name); v != "" {
		if b, err := strconv.ParseBool(v); err == nil {
			return b
		}
	}
	return def
}

const (
	maxBody      = 8 << 20
	maxJSONDepth = 64 // deeper bodies are refused before validation, which is slow on them
)

// jsonDepth is the maximum nesting of arrays/objects in b (strings skipped).
func jsonDepth(b []byte) int {
	depth, most := 0, 0
	inStr, esc := false, false
	for _, c := range b {
		switch {
		case inStr:
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '[' || c == '{':
			depth++
			most = max(most, depth)
		case c == ']' || c == '}':
			depth--
		}
	}
	return most
}

func (p *provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ex := Exchange{Provider: p.name, Method: r.Method, Path: r.URL.EscapedPath()}
	status, hdr, body := p.serve(r, &ex)
	for k, v := range hdr {
		w.Header()[k] = v
	}
	if body != nil {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(status)
	if body != nil {
		w.Write(body)
	}
	ex.Status = status
	p.s.notify(ex)
}

// serve handles r and returns the status, extra headers and the encoded body.
func (p *provider) serve(r *http.Request, ex *Exchange) (status int, hdr http.Header, out []byte) {
	defer p.recoverInternal(ex, &status, &hdr, &out)
	var raw []byte
	if r.Body != nil {
		b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil || len(b) > maxBody {
			ex.RequestError = errors.New("request body unreadable or too large")
			return 413, nil, p.encodeError(&apiError{status: 413, msg: "Request body too large"})
		}
		raw = b
	}
	rr := r.Clone(r.Context())
	rr.Body = io.NopCloser(bytes.NewReader(raw))
	rr.ContentLength = int64(len(raw))
	return p.handle(r, rr, raw, ex)
}

// recoverInternal turns a panic into a 500 answer.
func (p *provider) recoverInternal(ex *Exchange, status *int, hdr *http.Header, out *[]byte) {
	if v := recover(); v != nil {
		ex.RequestError = nil
		*status, *hdr = http.StatusInternalServerError, nil
		*out = p.encodeError(&apiError{status: *status, msg: fmt.Sprintf("internal error: %v", v)})
	}
}

// handle answers r, whose body is raw. rr is the request routing and
// validation read (and may modify): a copy of r whose body reads raw, or r
// itself when the caller made r for this call (the transport).
func (p *provider) handle(r, rr *http.Request, raw []byte, ex *Exchange) (status int, hdr http.Header, out []byte) {
	defer p.recoverInternal(ex, &status, &hdr, &out)
	if len(raw) > maxBody {
		ex.RequestError = errors.New("request body unreadable or too large")
		return 413, nil, p.encodeError(&apiError{status: 413, msg: "Request body too large"})
	}
	if jsonDepth(raw) > maxJSONDepth {
		ex.RequestError = errors.New("request body nested too deeply")
		st := 400
		if p.name == schemas.Datafold {
			st = 422
		}
		return st, nil, p.encodeError(&apiError{status: st, msg: "body: JSON nested too deeply",
			fields: []fieldError{{loc: []any{"body"}, msg: "JSON nested too deeply", typ: "json_invalid", code: "parse_error"}}})
	}
	if rr.URL.Host == "" {
		rr.URL.Host = rr.Host
	}

	sp, err := getSpec(p.name)
	if err != nil {
		ex.RequestError = err
		return http.StatusInternalServerError, nil, p.encodeError(&apiError{status: 500, msg: fmt.Sprintf("internal error: %v", err)})
	}
	route, pathParams, err := sp.findRoute(rr)
	if err != nil {
		ex.RequestError = err
		if errors.Is(err, routers.ErrMethodNotAllowed) {
			return http.StatusMethodNotAllowed, http.Header{"Allow": {p.allowed(sp, rr)}}, p.encodeError(&apiError{status: 405, msg: "Method Not Allowed"})
		}
		return http.StatusNotFound, nil, p.encodeError(&apiError{status: 404, msg: "Not Found", route: true})
	}
	op := sp.ops[route.Operation.OperationID]
	ex.OperationID = op.ID

	if needsAuth(route) {
		if aerr := p.s.checkAuth(p.name, r.Header.Get("Authorization")); aerr != nil {
			ex.RequestError = aerr
			return http.StatusUnauthorized, nil, p.encodeError(aerr)
		}
	}

	vin := &openapi3filter.RequestValidationInput{Request: rr, PathParams: pathParams, Route: route, Options: requestValidationOptions}
	if verr := op.validation.validate(r.Context(), vin, raw); verr != nil {
		ex.RequestError = verr
		ae := p.validationError(op, verr)
		return ae.status, nil, p.encodeError(ae)
	}

	c := &call{s: p.s, p: p, op: op, r: r, params: map[string]string{}, query: r.URL.Query(), raw: raw}
	for k, v := range pathParams {
		if u, err := url.PathUnescape(v); err == nil {
			v = u
		}
		c.params[k] = v
	}
	if len(bytes.TrimSpace(raw)) > 0 {
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		switch {
		case ct == "application/x-www-form-urlencoded":
			c.form, _ = url.ParseQuery(string(raw))
		default:
			_ = json.Unmarshal(raw, &c.body)
		}
	}

	h := p.handlers[op.ID]
	if h == nil {
		h = synthHandler
	}
	p.s.mu.Lock()
	status, body := h(c)
	var clean any
	var ae *apiError
	if e, ok := body.(*apiError); ok {
		ae = e
	} else if body != nil {
		clean = jsonValue(body)
	}
	p.s.mu.Unlock()

	if ae != nil {
		if ae.status == 0 {
			ae.status = status
		}
		return ae.status, nil, p.encodeError(ae)
	}
	if clean == nil {
		return status, nil, nil
	}
	return status, nil, encodeAnswer(responseSchema(op.Op, status), clean, sp.is31())
}

// encodeAnswer completes v (from jsonValue, so the answer's own) against the
// response schema sch, when there is one, and encodes it: the same bytes
// as json.Marshal(fillSchema(sch, jsonClone(answer), is31)) gave before
// schemas' facts and synthesized values were cached (answers_test.go keeps
// that pipeline to check it).
func encodeAnswer(sch *openapi3.SchemaRef, v any, is31 bool) []byte {
	if sch != nil {
		fillSchema(sch, v, is31)
	}
	return encodeJSON(v)
}

// requestValidationOptions are the (read-only) options of every request
// validation, built once.
var requestValidationOptions = &openapi3filter.Options{
	AuthenticationFunc:      openapi3filter.NoopAuthenticationFunc,
	MultiError:              true,
	SkipSettingDefaults:     true,
	SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.WithStringFormatValidator("uuid", uuidFormat)},
}

// uuidFormat checks format: uuid in requests (the real servers reject
// malformed ids before looking anything up).
var uuidFormat = openapi3.NewRegexpFormatValidator(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func (sp *spec) is31() bool { return sp.doc.IsOpenAPI31OrLater() }

// allowed lists the methods the path of r supports.
func (p *provider) allowed(sp *spec, r *http.Request) string {
	var ms []string
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		r2 := r.Clone(r.Context())
		r2.Method = m
		if _, _, err := sp.router.FindRoute(r2); err == nil {
			ms = append(ms, m)
		}
	}
	return strings.Join(ms, ", ")
}

func needsAuth(route *routers.Route) bool {
	sec := route.Operation.Security
	if sec == nil {
		sec = &route.Spec.Security
	}
	return sec != nil && len(*sec) > 0
}

// successStatus is the lowest 2xx status op declares (200 if none).
func successStatus(op *openapi3.Operation) int {
	best := 0
	for code := range op.Responses.Map() {
		n, err := strconv.Atoi(code)
		if err == nil && n >= 200 && n < 300 && (best == 0 || n < best) {
			best = n
		}
	}
	if best == 0 {
		best = 200
	}
	return best
}

// responseSchema is the JSON schema of op's response for status, or nil when
// that response has no JSON body.
func responseSchema(op *openapi3.Operation, status int) *openapi3.SchemaRef {
	ref := op.Responses.Status(status)
	if ref == nil || ref.Value == nil {
		return nil
	}
	mt := ref.Value.Content.Get("application/json")
	if mt == nil {
		return nil
	}
	return mt.Schema
}

// synthHandler answers with a value synthesized from the success response
// schema (operations without curated behaviour).
func synthHandler(c *call) (int, any) {
	st := successStatus(c.op.Op)
	sch := responseSchema(c.op.Op, st)
	if sch == nil {
		return st, nil
	}
	return st, newResponseSynth(c.p.spec().is31(), c.op.ID).gen(sch, "", 0)
}

// jsonClone deep-copies v through JSON, turning structs into maps and all
// numbers into float64, so the result can be completed and encoded without
// touching the store.
func jsonClone(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

// nextID returns the next id of a kind, starting after start.
func (s *Sandbox) nextID(kind string, start int) int {
	if s.seq[kind] < start {
		s.seq[kind] = start
	}
	s.seq[kind]++
	return s.seq[kind]
}

func sortedKeys[M ~map[K]V, K interface{ ~string | ~int }, V any](m M) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
