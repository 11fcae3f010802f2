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
type jwtVerifier struct {
	issuer   string
	audience string
	hc       *http.Client
	now      func() time.Time
	// minRefresh and maxAge bound how often the JWKS is fetched.
	minRefresh, maxAge time.Duration

	mu        sync.Mutex // guards below; held while fetching
	jwksURL   string     // "" until discovered from the issuer
	keys      []jwk
	fetched   time.Time // last successful fetch
	attempted time.Time // last fetch, successful or not
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
		issuer:     issuer,
		audience:   audience,
		jwksURL:    jwksURL,
		hc:         &http.Client{Timeout: jwksFetchTimeout},
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

// key returns the key for kid and alg, fetching the JWKS when it is unknown
// or old, but never more often than minRefresh.
func (v *jwtVerifier) key(ctx context.Context, kid, alg string) (crypto.PublicKey, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	now := v.now()
	k := v.lookup(kid, alg)
	old := v.fetched.IsZero() || now.Sub(v.fetched) > v.maxAge
	if (k == nil || old) && (v.attempted.IsZero() || now.Sub(v.attempted) >= v.minRefresh) {
		v.attempted = now
		// A caller that gives up must not spoil the fetch for the others.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), jwksFetchTimeout)
		err := v.fetch(fctx)
		cancel()
		if err != nil && k == nil {
			return nil, fmt.Errorf("signing keys unavailable: %w", err)
		}
		if err == nil {
			v.fetched = now
			k = v.lookup(kid, alg)
		}
	}
	if k == nil {
		return nil, fmt.Errorf("no %s signing key with kid %q in the issuer's JWKS", alg, kid)
	}
	return k, nil
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

// fetch reads the JWKS (discovering its URL from the issuer first when
// not configured). Called with mu held.
func (v *jwtVerifier) fetch(ctx context.Context) error {
	if v.jwksURL == "" {
		u, err := v.discover(ctx)
		if err != nil {
			return err
		}
		v.jwksURL = u
	}
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := v.getJSON(ctx, v.jwksURL, &doc); err != nil {
		return fmt.Errorf("JWKS: %w", err)
	}
	var keys []jwk
	for _, raw := range doc.Keys {
		if k, ok := parseJWK(raw); ok && len(keys) < jwksMaxKeys {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return errors.New("JWKS holds no usable RS256 or ES256 signing key")
	}
	v.keys = keys
	return nil
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

func (v *jwtVerifier) getJSON(ctx context.Context, u string, into any) error {
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
