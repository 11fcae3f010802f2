package client

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Per-request credentials ("team mode").
//
// A server that many people share may let each of them call the upstreams
// with their own identity: the HTTP layer puts the credentials a request
// carries into its context with WithCredentials, and a client configured
// with Config.RequestCredentials uses them for that request instead of its
// own. The upstream host never comes from the request: it is the client's
// BaseURL. A client without RequestCredentials ignores them.
//
// Credentials a request brings are secrets like configured ones: Do scrubs
// them (and PDC tokens issued for them) from error texts and from the
// answer body, and RequestSecrets lists them for layers above that shape
// results.

// Credentials are one person's credentials for one provider.
type Credentials struct {
	// APIKey authenticates Datafold, PostHog and Lightdash.
	APIKey string
	// Username and Password authenticate PDC.
	Username, Password string
}

func (c Credentials) empty() bool {
	return c.APIKey == "" && c.Username == "" && c.Password == ""
}

// requestCreds is what WithCredentials stores in a context. issued is
// filled while the request runs (PDC tokens obtained for it), hence the
// pointer and the lock.
type requestCreds struct {
	byProvider map[string]Credentials

	mu     sync.Mutex
	issued []string
}

type credsKey struct{}

// WithCredentials returns a context carrying cr as the credentials for
// provider, next to those already in ctx for other providers.
func WithCredentials(ctx context.Context, provider string, cr Credentials) context.Context {
	n := &requestCreds{byProvider: map[string]Credentials{}}
	if old, ok := ctx.Value(credsKey{}).(*requestCreds); ok {
		for p, c := range old.byProvider {
			n.byProvider[p] = c
		}
		old.mu.Lock()
		n.issued = append(n.issued, old.issued...)
		old.mu.Unlock()
	}
	n.byProvider[provider] = cr
	return context.WithValue(ctx, credsKey{}, n)
}

// CredentialsFrom returns the credentials ctx carries for provider.
func CredentialsFrom(ctx context.Context, provider string) (Credentials, bool) {
	rc, ok := ctx.Value(credsKey{}).(*requestCreds)
	if !ok {
		return Credentials{}, false
	}
	cr, ok := rc.byProvider[provider]
	return cr, ok && !cr.empty()
}

// RequestSecrets returns the secret values that the credentials in ctx
// bring (API keys and passwords, with their URL-encoded forms, and the
// PDC tokens issued for them so far): values a result or error text built
// for this request must not show. It is nil for a context without any.
func RequestSecrets(ctx context.Context) []string {
	rc, ok := ctx.Value(credsKey{}).(*requestCreds)
	if !ok {
		return nil
	}
	var out []string
	for _, cr := range rc.byProvider {
		for _, v := range []string{cr.APIKey, strings.TrimSpace(cr.APIKey), cr.Password} {
			if v != "" {
				out = appendVariants(out, v)
			}
		}
	}
	rc.mu.Lock()
	out = append(out, rc.issued...)
	rc.mu.Unlock()
	return out
}

// identityKey keys IdentityKey's hash; random per process.
var identityKey = func() []byte {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b
}()

// IdentityKey returns a fingerprint of the credentials ctx carries: a keyed
// hash, stable for the life of the process, that reveals nothing about
// them; "" when ctx carries none. A cache shared by requests must include
// it in its keys, so that one person's answers never reach another.
func IdentityKey(ctx context.Context) string {
	rc, ok := ctx.Value(credsKey{}).(*requestCreds)
	if !ok || len(rc.byProvider) == 0 {
		return ""
	}
	providers := make([]string, 0, len(rc.byProvider))
	for p := range rc.byProvider {
		providers = append(providers, p)
	}
	sort.Strings(providers)
	m := hmac.New(sha256.New, identityKey)
	for _, p := range providers {
		cr := rc.byProvider[p]
		for _, v := range []string{p, cr.APIKey, cr.Username, cr.Password} {
			m.Write([]byte(strconv.Itoa(len(v))))
			m.Write([]byte{':'})
			m.Write([]byte(v))
		}
	}
	return hex.EncodeToString(m.Sum(nil)[:16])
}

func (rc *requestCreds) addIssued(token string) {
	if rc == nil || token == "" {
		return
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, t := range rc.issued {
		if t == token {
			return
		}
	}
	rc.issued = append(rc.issued, token)
}

// ErrNoCredentials is the cause (Error.Err, errors.Is) of the 401 *Error
// of a client with RequestCredentials when neither the request nor the
// configuration gives credentials: nothing was sent upstream.
var ErrNoCredentials = errors.New("send credentials with the request or configure them on the server")

// maxPDCLogins bounds the per-person PDC logins a client keeps.
const maxPDCLogins = 256

// requestAuth authenticates with the request's credentials when it has
// some, else with the configured ones (fallback, nil when none).
type requestAuth struct {
	c        *Client
	fallback authenticator
	scheme   string // API-key providers: the Authorization scheme

	mu     sync.Mutex
	hmac   []byte // key for the PDC cache keys
	logins map[[sha256.Size]byte]*pdcLogin
}

// pdcLogin is one person's PDC login and when it was last used.
type pdcLogin struct {
	auth *pdcAuth
	used time.Time
}

// newRequestAuth is the authenticator of a client with RequestCredentials.
func newRequestAuth(c *Client, cfg Config) (authenticator, error) {
	r := &requestAuth{c: c, scheme: authScheme[cfg.Provider]}
	static := cfg
	static.RequestCredentials = false
	if cfg.APIKey != "" || cfg.Username != "" || cfg.Password != "" {
		fb, err := newAuthenticator(c, static)
		if err != nil {
			return nil, err
		}
		r.fallback = fb
	}
	if cfg.Provider == PDC {
		r.hmac = make([]byte, 32)
		if _, err := rand.Read(r.hmac); err != nil {
			return nil, err
		}
		r.logins = map[[sha256.Size]byte]*pdcLogin{}
	}
	return r, nil
}

// authScheme is the Authorization scheme of each API-key provider.
var authScheme = map[string]string{Datafold: "Key", PostHog: "Bearer", Lightdash: "ApiKey"}

func (r *requestAuth) renewable() bool { return r.c.provider == PDC }

func (r *requestAuth) authorization(ctx context.Context, stale string) (string, error) {
	cr, ok := CredentialsFrom(ctx, r.c.provider)
	if !ok {
		if r.fallback == nil {
			return "", ErrNoCredentials
		}
		return r.fallback.authorization(ctx, stale)
	}
	rc, _ := ctx.Value(credsKey{}).(*requestCreds)
	if r.c.provider != PDC {
		key := strings.TrimSpace(cr.APIKey)
		if key == "" || strings.ContainsAny(key, "\r\n") {
			return "", ErrNoCredentials
		}
		return r.scheme + " " + key, nil
	}
	if cr.Username == "" || cr.Password == "" {
		return "", ErrNoCredentials
	}
	h, err := r.pdcFor(cr).authorization(ctx, stale)
	if err == nil {
		rc.addIssued(strings.TrimPrefix(h, "Bearer "))
	}
	return h, err
}

// pdcFor returns the PDC login of one person. Logins are keyed by a keyed
// hash of username and password together, so that a request knowing only a
// username never gets another person's token, and the map holds no names.
// At most maxPDCLogins are kept; the least recently used goes first.
func (r *requestAuth) pdcFor(cr Credentials) *pdcAuth {
	m := hmac.New(sha256.New, r.hmac)
	m.Write([]byte(cr.Username))
	m.Write([]byte{0})
	m.Write([]byte(cr.Password))
	var key [sha256.Size]byte
	copy(key[:], m.Sum(nil))

	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	if l, ok := r.logins[key]; ok {
		l.used = now
		return l.auth
	}
	if len(r.logins) >= maxPDCLogins {
		var oldest [sha256.Size]byte
		var at time.Time
		for k, l := range r.logins {
			if at.IsZero() || l.used.Before(at) {
				oldest, at = k, l.used
			}
		}
		delete(r.logins, oldest)
	}
	a := newPDCAuth(r.c, cr.Username, cr.Password, false)
	r.logins[key] = &pdcLogin{auth: a, used: now}
	return a
}

// pdcLoginCount is the number of PDC logins kept (for tests).
func (r *requestAuth) pdcLoginCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.logins)
}

// finish applies what the request's own credentials require to the outcome
// of Do: a clear error when there were none, and the secrets only the
// client knows (the request's credentials, the PDC tokens issued) replaced
// in error texts and in the answer, however the upstream spelled them.
func (c *Client) finish(ctx context.Context, method, path string, resp *Response, err error) (*Response, error) {
	if errors.Is(err, ErrNoCredentials) {
		return nil, &Error{Provider: c.provider, Method: method, Path: path, Status: http.StatusUnauthorized,
			Message: "no " + c.provider + " credentials for this request: the server has none configured and the request sent none",
			Err:     ErrNoCredentials, scrub: c.scrubKnown}
	}
	extra := RequestSecrets(ctx)
	if len(extra) > 0 {
		red := c.red.With(extra...)
		if e, ok := errors.AsType[*Error](err); ok {
			known := red.SecretsOnly()
			prev := e.scrub
			e.scrub = func(s string) string {
				if prev != nil {
					s = prev(s)
				}
				return known.Text(s)
			}
			e.Message = red.Text(e.Message)
			e.Hint = known.Text(e.Hint)
			e.Location = known.Text(e.Location)
		}
	}
	// The answer loses the values only the client knows: the PDC tokens it
	// was issued and the request's credentials. (Configured credentials are
	// left to the layers above, which know them, along with redaction by
	// key name and shape: they still need the answer's fields.)
	if resp != nil && (len(extra) > 0 || c.issued.HasSecrets()) {
		resp.Body = c.issued.With(extra...).JSON(resp.Body)
	}
	return resp, err
}

// appendVariants adds v and its URL-encoded forms (an upstream may echo a
// form-encoded login body back).
func appendVariants(list []string, v string) []string {
	list = append(list, v)
	for _, e := range []string{url.QueryEscape(v), url.PathEscape(v)} {
		if e != v {
			list = append(list, e)
		}
	}
	return list
}
