package client

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/datastack-mcp/datastack-mcp/providers"
	"github.com/datastack-mcp/datastack-mcp/redact"
)

// Provider names accepted by Config.Provider.
const (
	Datafold  = providers.Datafold
	PostHog   = providers.PostHog
	PDC       = providers.PDC
	Lightdash = providers.Lightdash
)

// Defaults applied by New to zero-valued Config fields.
const (
	DefaultTimeout          = 30 * time.Second
	DefaultMaxRetries       = 2
	DefaultMaxRetryWait     = 10 * time.Second
	DefaultMaxResponseBytes = 10 << 20
	DefaultUserAgent        = "datastack-mcp"
)

// maxIdlePerHost is how many idle connections the default transport keeps
// to the upstream: about the calls a busy server makes at once to one
// provider. An idle one is closed after IdleConnTimeout (90 s).
const maxIdlePerHost = 32

// Config configures one provider's client.
type Config struct {
	// Provider is one of Datafold, PostHog, PDC or Lightdash.
	Provider string
	// BaseURL is scheme, host, optional port and optional path prefix,
	// e.g. "https://app.datafold.com". A trailing slash is tolerated.
	BaseURL string
	// APIKey authenticates Datafold, PostHog and Lightdash.
	APIKey string
	// Username and Password authenticate PDC.
	Username, Password string
	// RequestCredentials lets a request bring its own credentials in its
	// context (WithCredentials): they win over APIKey or Username/Password,
	// which may then be empty. See override.go.
	RequestCredentials bool
	// Transport defaults to a clone of http.DefaultTransport that keeps
	// maxIdlePerHost connections alive.
	Transport http.RoundTripper
	// Timeout bounds each attempt (default 30s).
	Timeout time.Duration
	// MaxRetries is the number of retries after the first attempt
	// (default 2; negative means none).
	MaxRetries int
	// MaxRetryWait caps any single wait between attempts, Retry-After
	// included (default 10s).
	MaxRetryWait time.Duration
	// MaxResponseBytes caps a successful answer's body (default 10 MiB);
	// a larger one is an *Error with TooLarge.
	MaxResponseBytes int64
	// Redactor, when set, is shared with the layers above: the client adds
	// its credentials to it and teaches it the tokens it is issued (PDC), so
	// that they are redacted wherever they turn up, in any provider's
	// answer. Nil: the client keeps its own.
	Redactor *redact.Redactor
	// UserAgent defaults to "datastack-mcp".
	UserAgent string
	// Logger receives one Debug record per attempt; nil discards.
	Logger *slog.Logger
}

// Request is one upstream call described in OpenAPI terms.
type Request struct {
	// Method defaults to GET.
	Method string
	// Path is an OpenAPI path template such as "/api/v1/data_sources/{id}".
	Path string
	// PathParams fills the {name} placeholders of Path.
	PathParams map[string]string
	// Query is encoded with url.Values.Encode.
	Query url.Values
	// Body is raw JSON; nil sends no body.
	Body []byte
	// ContentType defaults to "application/json" when Body is not nil.
	ContentType string
	// Read says the request only reads upstream, as its caller knows from
	// what the operation does (the tool layer's effects), not from its
	// method. Only a read is repeated after an outcome that leaves unknown
	// whether the upstream acted (502, 504, a connection broken after
	// sending); false, the zero value, fails closed: such a request is
	// sent once.
	Read bool
}

// Response is a successful (2xx) upstream answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Client calls one provider's API. It is safe for concurrent use.
type Client struct {
	provider     string
	base         *url.URL // scheme and host; Path/RawPath unused
	prefix       string   // escaped base path without trailing slash
	hc           *http.Client
	auth         authenticator
	red          *redact.Redactor // credentials and issued tokens
	known        *redact.Redactor // red, for known values only (error texts)
	issued       *redact.Redactor // issued tokens only (answers)
	userAgent    string
	timeout      time.Duration
	maxRetries   int
	maxRetryWait time.Duration
	maxBytes     int64
	log          *slog.Logger
	now          func() time.Time
	sleep        func(context.Context, time.Duration) error // between attempts; tests record the waits
}

// New validates cfg and returns a client for cfg.Provider.
func New(cfg Config) (*Client, error) {
	switch {
	case cfg.Provider == "":
		return nil, fmt.Errorf("client: Provider is required (one of %s)", providers.List())
	case !providers.Known(cfg.Provider):
		return nil, fmt.Errorf("client: unknown provider %q (want one of %s)", cfg.Provider, providers.List())
	}
	base, prefix, err := parseBaseURL(cfg.Provider, cfg.BaseURL)
	if err != nil {
		return nil, err
	}

	c := &Client{
		provider:     cfg.Provider,
		base:         base,
		prefix:       prefix,
		red:          cfg.Redactor,
		userAgent:    cfg.UserAgent,
		timeout:      cfg.Timeout,
		maxRetries:   cfg.MaxRetries,
		maxRetryWait: cfg.MaxRetryWait,
		maxBytes:     cfg.MaxResponseBytes,
		log:          cfg.Logger,
		now:          time.Now,
		sleep:        sleep,
	}
	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	switch {
	case c.maxRetries == 0:
		c.maxRetries = DefaultMaxRetries
	case c.maxRetries < 0:
		c.maxRetries = 0
	}
	if c.maxRetryWait <= 0 {
		c.maxRetryWait = DefaultMaxRetryWait
	}
	if c.maxBytes <= 0 {
		c.maxBytes = DefaultMaxResponseBytes
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.red == nil {
		c.red = redact.New(nil)
	}
	c.known = c.red.SecretsOnly()
	c.issued = redact.New(nil).SecretsOnly()
	rt := cfg.Transport
	if rt == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		// Keep a connection per concurrent call alive: with the default of
		// 2 idle connections per host, 8 clients calling at once closed and
		// redialled most upstream connections, a TCP (and TLS) handshake per
		// call (BENCHMARKS.md, throughput).
		t.MaxIdleConnsPerHost = maxIdlePerHost
		rt = t
	}
	// Upstream requests go to the configured origin only: a redirect is
	// an answer (an *Error wrapping ErrRedirect), never followed, so that
	// neither credentials nor a PDC login form reach another host or port.
	c.hc = &http.Client{Transport: rt, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}

	if c.auth, err = newAuthenticator(c, cfg); err != nil {
		return nil, err
	}
	return c, nil
}

// parseBaseURL checks BaseURL and splits it into scheme+host and an escaped
// path prefix without trailing slash.
func parseBaseURL(provider, raw string) (*url.URL, string, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, "", fmt.Errorf("client: %s: BaseURL is required (e.g. https://host)", provider)
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, "", fmt.Errorf("client: %s: BaseURL %q is not a valid URL: %v", provider, raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, "", fmt.Errorf("client: %s: BaseURL %q must be an absolute http:// or https:// URL", provider, raw)
	}
	if u.Host == "" {
		return nil, "", fmt.Errorf("client: %s: BaseURL %q has no host", provider, raw)
	}
	if u.User != nil {
		return nil, "", fmt.Errorf("client: %s: BaseURL must not carry credentials; use the API key or username/password settings", provider)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return nil, "", fmt.Errorf("client: %s: BaseURL %q must not have a query or fragment", provider, raw)
	}
	prefix := strings.TrimRight(u.EscapedPath(), "/")
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, prefix, nil
}

// Provider returns the provider name the client was configured for.
func (c *Client) Provider() string { return c.provider }

// CloseIdleConnections closes idle keep-alive connections of the transport.
func (c *Client) CloseIdleConnections() { c.hc.CloseIdleConnections() }

// Do sends req, retrying where safe, and returns the 2xx answer. Every
// other outcome is an *Error, except for an invalid req (missing path
// parameter, malformed template), which is reported before anything is sent.
func (c *Client) Do(ctx context.Context, req Request) (*Response, error) {
	method := strings.ToUpper(strings.TrimSpace(req.Method))
	if method == "" {
		method = http.MethodGet
	}
	path, err := expandPath(req.Path, req.PathParams)
	if err != nil {
		return nil, fmt.Errorf("client: %s %s %s: %w", c.provider, method, req.Path, err)
	}
	u, err := c.buildURL(path, req.Query)
	if err != nil {
		return nil, fmt.Errorf("client: %s %s %s: %w", c.provider, method, req.Path, err)
	}
	ct := req.ContentType
	if ct == "" && req.Body != nil {
		ct = "application/json"
	}
	resp, err := c.run(ctx, &call{
		method:      method,
		template:    req.Path,
		path:        path,
		url:         u,
		body:        req.Body,
		contentType: ct,
		read:        req.Read,
		auth:        c.auth,
	})
	return c.finish(ctx, method, path, resp, err) // override.go
}
