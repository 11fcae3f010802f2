package main

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// JWT bearer validation against an identity provider's JWKS.
//
// Signature and claim checks are github.com/golang-jwt/jwt/v5: it pins the
// accepted algorithms (no "none", no HS256 with a public key as secret),
// decodes ES256 signatures in their JOSE form (r||s, not ASN.1), reads aud
// as a string or a list and checks exp/nbf with a leeway. The JWKS document
// is parsed here with crypto/rsa and crypto/ecdsa.

const (
	jwtLeeway        = 30 * time.Second // clock skew allowed on exp, nbf
	jwksMaxAge       = 10 * time.Minute // keys are fetched again after this
	jwksMinRefresh   = 30 * time.Second // at most one fetch per this, whatever the kids
	jwksFetchTimeout = 10 * time.Second
	jwksMaxBytes     = 1 << 20
	jwksMaxKeys      = 64
	jwtMaxBytes      = 16 << 10
	minRSABits       = 2048
)

// jwtAlgorithms are the accepted signature algorithms.
var jwtAlgorithms = []string{"RS256", "ES256"}

// jwtVerifier validates bearer JWTs: signature by a key of the issuer's
// JWKS, iss, aud, exp and nbf.
//
// The JWKS is fetched outside the lock, once for all callers that need it
// (single flight): a token whose key is cached is verified at once, even
// while a fetch is slow; only a token whose key is unknown waits for the
// fetch (or its own context).
type jwtVerifier struct {
	issuer   string
	audience string
	hc       *http.Client
	now      func() time.Time
	// minRefresh and maxAge bound how often the JWKS is fetched.
	minRefresh, maxAge time.Duration

	mu        sync.Mutex // guards below; never held while fetching
	jwksURL   string     // "" until discovered from the issuer
	keys      []jwk
	fetched   time.Time // start of the last successful fetch
	attempted time.Time // start of the last fetch, successful or not
	inflight  *jwksFetch
}

// jwksFetch is one fetch of the JWKS; done is closed when it has ended
// and its outcome is in the verifier.
type jwksFetch struct {
	done chan struct{}
	err  error
}

// jwk is one usable key of the JWKS.
type jwk struct {
	kid string
	alg string // "" when the JWK does not pin one
	key crypto.PublicKey
}

func newJWTVerifier(issuer, audience, jwksURL string) (*jwtVerifier, error) {
	if issuer == "" {
		return nil, errors.New("--jwt-issuer is required for JWT validation")
	}
	if audience == "" {
		return nil, errors.New("--jwt-audience (or --public-url, whose value is then the audience) is required with --jwt-issuer")
	}
	if err := fetchableURL(issuer); err != nil {
		return nil, fmt.Errorf("--jwt-issuer: %w", err)
	}
	if jwksURL != "" {
		if err := fetchableURL(jwksURL); err != nil {
			return nil, fmt.Errorf("--jwt-jwks-url: %w", err)
		}
	}
	return &jwtVerifier{
		issuer:   issuer,
		audience: audience,
		jwksURL:  jwksURL,
		// No redirects: every URL fetched is one checked by fetchableURL
		// (https, or http on loopback), never one an answer points at.
		hc: &http.Client{Timeout: jwksFetchTimeout, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
		now:        time.Now,
		minRefresh: jwksMinRefresh,
		maxAge:     jwksMaxAge,
	}, nil
}

// fetchableURL accepts https URLs, and http ones only on loopback.
func fetchableURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", raw)
	}
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopbackName(u.Hostname()):
		return nil
	}
	return fmt.Errorf("%q must be https (http only on loopback)", raw)
}

func isLoopbackName(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil && ip.IsLoopback()
}

// verify checks token and returns its claims. Errors say why, without the
// token.
func (v *jwtVerifier) verify(ctx context.Context, token string) (*jwt.RegisteredClaims, error) {
	if len(token) > jwtMaxBytes {
		return nil, errors.New("token too large")
	}
	p := jwt.NewParser(
		jwt.WithValidMethods(jwtAlgorithms),
		jwt.WithIssuer(v.issuer),
		jwt.WithAudience(v.audience),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(jwtLeeway),
		jwt.WithTimeFunc(v.now),
	)
	claims := &jwt.RegisteredClaims{}
	_, err := p.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		return v.key(ctx, kid, t.Method.Alg())
	})
	if err != nil {
		return nil, err
	}
	return claims, nil
}

// key returns the key for kid and alg. A cached key is returned at once;
// when it is older than maxAge a refresh starts in the background. An
// unknown kid waits for a fetch (the one under way, or a new one when
// minRefresh allows).
func (v *jwtVerifier) key(ctx context.Context, kid, alg string) (crypto.PublicKey, error) {
	v.mu.Lock()
	now := v.now()
	k := v.lookup(kid, alg)
	var f *jwksFetch
	if k == nil || v.fetched.IsZero() || now.Sub(v.fetched) > v.maxAge {
		f = v.refresh(now)
	}
	v.mu.Unlock()
	if k != nil {
		return k, nil
	}
	if f == nil {
		return nil, fmt.Errorf("no %s signing key with kid %q in the issuer's JWKS", alg, kid)
	}
	select {
	case <-f.done:
	case <-ctx.Done():
		return nil, fmt.Errorf("signing keys unavailable: %w", ctx.Err())
	}
	v.mu.Lock()
	k = v.lookup(kid, alg)
	v.mu.Unlock()
	switch {
	case k != nil:
		return k, nil
	case f.err != nil:
		return nil, fmt.Errorf("signing keys unavailable: %w", f.err)
	}
	return nil, fmt.Errorf("no %s signing key with kid %q in the issuer's JWKS", alg, kid)
}

// refresh returns the fetch under way, or starts one when minRefresh
// allows; nil when neither. Called with mu held. The fetch runs on its own
// goroutine and context, bounded by jwksFetchTimeout: a caller that gives
// up does not spoil it for the others.
func (v *jwtVerifier) refresh(now time.Time) *jwksFetch {
	if v.inflight != nil {
		return v.inflight
	}
	if !v.attempted.IsZero() && now.Sub(v.attempted) < v.minRefresh {
		return nil
	}
	v.attempted = now
	f := &jwksFetch{done: make(chan struct{})}
	v.inflight = f
	jwksURL := v.jwksURL
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), jwksFetchTimeout)
		defer cancel()
		u, keys, err := v.fetch(ctx, jwksURL)
		v.mu.Lock()
		v.jwksURL = u
		if err == nil {
			v.keys, v.fetched = keys, now
		}
		f.err = err
		v.inflight = nil
		v.mu.Unlock()
		close(f.done)
	}()
	return f
}

// fetching returns the done channel of the fetch under way, or nil (for
// tests).
func (v *jwtVerifier) fetching() <-chan struct{} {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.inflight == nil {
		return nil
	}
	return v.inflight.done
}

// lookup finds the key for kid (or, for a token without kid, the only key
// that fits alg).
func (v *jwtVerifier) lookup(kid, alg string) crypto.PublicKey {
	var found []crypto.PublicKey
	for _, k := range v.keys {
		if (kid != "" && k.kid != kid) || (k.alg != "" && k.alg != alg) || !fits(k.key, alg) {
			continue
		}
		found = append(found, k.key)
	}
	if len(found) == 1 || (kid != "" && len(found) > 0) {
		return found[0]
	}
	return nil
}

func fits(key crypto.PublicKey, alg string) bool {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return alg == "RS256"
	case *ecdsa.PublicKey:
		return alg == "ES256" && k.Curve == elliptic.P256()
	}
	return false
}

// fetch reads the JWKS at jwksURL, discovering that URL from the issuer
// first when it is "". It returns the URL (discovered or given) and the
// usable keys. Called without mu.
func (v *jwtVerifier) fetch(ctx context.Context, jwksURL string) (string, []jwk, error) {
	if jwksURL == "" {
		u, err := v.discover(ctx)
		if err != nil {
			return "", nil, err
		}
		jwksURL = u
	}
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := v.getJSON(ctx, jwksURL, &doc); err != nil {
		return jwksURL, nil, fmt.Errorf("JWKS: %w", err)
	}
	var keys []jwk
	for _, raw := range doc.Keys {
		if k, ok := parseJWK(raw); ok && len(keys) < jwksMaxKeys {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return jwksURL, nil, errors.New("JWKS holds no usable RS256 or ES256 signing key")
	}
	return jwksURL, keys, nil
}

// discover reads jwks_uri from the issuer's OpenID or OAuth metadata.
func (v *jwtVerifier) discover(ctx context.Context) (string, error) {
	base := strings.TrimRight(v.issuer, "/")
	var errs []error
	for _, path := range []string{"/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"} {
		var meta struct {
			Issuer  string `json:"issuer"`
			JWKSURI string `json:"jwks_uri"`
		}
		if err := v.getJSON(ctx, base+path, &meta); err != nil {
			errs = append(errs, err)
			continue
		}
		if strings.TrimRight(meta.Issuer, "/") != base {
			return "", fmt.Errorf("issuer metadata names issuer %q, want %q", meta.Issuer, v.issuer)
		}
		if err := fetchableURL(meta.JWKSURI); err != nil {
			return "", fmt.Errorf("issuer metadata jwks_uri: %w", err)
		}
		return meta.JWKSURI, nil
	}
	return "", fmt.Errorf("discovering the JWKS of %s: %w (or set --jwt-jwks-url)", v.issuer, errors.Join(errs...))
}

// getJSON fetches u, which must pass fetchableURL, without following
// redirects, and decodes its JSON.
func (v *jwtVerifier) getJSON(ctx context.Context, u string, into any) error {
	if err := fetchableURL(u); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := v.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return fmt.Errorf("GET %s: timeout", u)
		}
		return fmt.Errorf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return fmt.Errorf("GET %s: %s, redirecting to %s, which is not followed; configure the final URL (--jwt-jwks-url, or --jwt-issuer)",
			u, resp.Status, redirectTarget(u, resp.Header.Get("Location")))
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, jwksMaxBytes+1))
	if err != nil {
		return fmt.Errorf("GET %s: %v", u, err)
	}
	if len(b) > jwksMaxBytes {
		return fmt.Errorf("GET %s: answer larger than %d bytes", u, jwksMaxBytes)
	}
	if err := json.Unmarshal(b, into); err != nil {
		return fmt.Errorf("GET %s: %v", u, err)
	}
	return nil
}

// redirectTarget is a redirect's Location resolved against from, without
// userinfo or query, at most 150 characters.
func redirectTarget(from, loc string) string {
	if strings.TrimSpace(loc) == "" {
		return "nowhere (no Location)"
	}
	base, err1 := url.Parse(from)
	l, err2 := url.Parse(strings.TrimSpace(loc))
	if err1 != nil || err2 != nil {
		return "an unreadable Location"
	}
	r := base.ResolveReference(l)
	r.User = nil
	rest := ""
	if r.RawQuery != "" || r.Fragment != "" {
		rest = "?…"
	}
	r.RawQuery, r.Fragment, r.RawFragment = "", "", ""
	return bound(r.String()+rest, 150)
}

// parseJWK reads an RSA or P-256 EC signing key; other keys are skipped.
func parseJWK(raw json.RawMessage) (jwk, bool) {
	var k struct {
		Kty string `json:"kty"`
		Use string `json:"use"`
		Alg string `json:"alg"`
		Kid string `json:"kid"`
		N   string `json:"n"`
		E   string `json:"e"`
		Crv string `json:"crv"`
		X   string `json:"x"`
		Y   string `json:"y"`
	}
	if json.Unmarshal(raw, &k) != nil || (k.Use != "" && k.Use != "sig") {
		return jwk{}, false
	}
	b64 := base64.RawURLEncoding
	switch k.Kty {
	case "RSA":
		if k.Alg != "" && k.Alg != "RS256" {
			return jwk{}, false
		}
		n, err1 := b64.DecodeString(k.N)
		e, err2 := b64.DecodeString(k.E)
		if err1 != nil || err2 != nil || len(e) == 0 || len(e) > 4 {
			return jwk{}, false
		}
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		if pub.N.BitLen() < minRSABits || pub.E < 3 || pub.E%2 == 0 {
			return jwk{}, false
		}
		return jwk{kid: k.Kid, alg: k.Alg, key: pub}, true
	case "EC":
		if k.Crv != "P-256" || (k.Alg != "" && k.Alg != "ES256") {
			return jwk{}, false
		}
		x, err1 := b64.DecodeString(k.X)
		y, err2 := b64.DecodeString(k.Y)
		if err1 != nil || err2 != nil || len(x) != 32 || len(y) != 32 {
			return jwk{}, false
		}
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
		if err != nil { // not a point on the curve
			return jwk{}, false
		}
		return jwk{kid: k.Kid, alg: k.Alg, key: pub}, true
	}
	return jwk{}, false
}

// jwtReason is a short, token-free reason for a log line.
func jwtReason(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return "expired"
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return "not valid yet"
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return "wrong issuer"
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return "wrong audience"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return "bad signature"
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "malformed"
	}
	return err.Error()
}
