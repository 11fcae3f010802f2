package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jwksServer is an identity provider's key endpoint on loopback: it serves
// the public keys it is given, counts fetches, and serves OpenID metadata
// naming itself as issuer.
type jwksServer struct {
	*httptest.Server
	mu      sync.Mutex
	keys    []map[string]string
	fetches int
}

func newJWKSServer(t *testing.T) *jwksServer {
	t.Helper()
	s := &jwksServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			json.NewEncoder(w).Encode(map[string]string{"issuer": s.URL, "jwks_uri": s.URL + "/jwks"})
		case "/jwks":
			s.mu.Lock()
			s.fetches++
			json.NewEncoder(w).Encode(map[string]any{"keys": s.keys})
			s.mu.Unlock()
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) add(k map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = append(s.keys, k)
}

func (s *jwksServer) fetchCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetches
}

var b64url = base64.RawURLEncoding

func rsaJWK(kid string, k *rsa.PrivateKey) map[string]string {
	return map[string]string{"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
		"n": b64url.EncodeToString(k.N.Bytes()), "e": b64url.EncodeToString(big.NewInt(int64(k.E)).Bytes())}
}

func ecJWK(kid string, k *ecdsa.PrivateKey) map[string]string {
	pub, err := k.PublicKey.Bytes() // 0x04 || X || Y
	if err != nil {
		panic(err)
	}
	return map[string]string{"kty": "EC", "kid": kid, "crv": "P-256",
		"x": b64url.EncodeToString(pub[1:33]), "y": b64url.EncodeToString(pub[33:])}
}

// testKeys are keys generated once per test binary.
var testKeys = sync.OnceValue(func() (k struct {
	rsa, rsaOther *rsa.PrivateKey
	ec            *ecdsa.PrivateKey
}) {
	var err error
	if k.rsa, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		panic(err)
	}
	if k.rsaOther, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		panic(err)
	}
	if k.ec, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		panic(err)
	}
	return k
})

// sign makes a token with method, kid and claims, signed by key.
func sign(t *testing.T, method jwt.SigningMethod, kid string, key any, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestJWTBearer(t *testing.T) {
	keys := testKeys()
	idp := newJWKSServer(t)
	idp.add(rsaJWK("rsa-1", keys.rsa))
	idp.add(ecJWK("ec-1", keys.ec))
	const aud = "datastack-test"
	v, err := newJWTVerifier(idp.URL, aud, idp.URL+"/jwks")
	if err != nil {
		t.Fatal(err)
	}
	base, logs := serveSecured(t, options{}, httpOptions{jwt: v})

	now := time.Now()
	claims := func(edit func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"iss": idp.URL, "aud": aud, "sub": "alice@example.com", "exp": now.Add(time.Hour).Unix(), "iat": now.Unix()}
		if edit != nil {
			edit(c)
		}
		return c
	}
	rs := func(edit func(jwt.MapClaims)) string {
		return sign(t, jwt.SigningMethodRS256, "rsa-1", keys.rsa, claims(edit))
	}
	cases := []struct {
		name  string
		token string
		want  int
		// wantReason is what the refusal's log record says.
		wantReason string
	}{
		{"valid RS256", rs(nil), 200, ""},
		{"valid ES256", sign(t, jwt.SigningMethodES256, "ec-1", keys.ec, claims(nil)), 200, ""},
		{"audience in a list", rs(func(c jwt.MapClaims) { c["aud"] = []string{"other", aud} }), 200, ""},
		{"expired within the leeway", rs(func(c jwt.MapClaims) { c["exp"] = now.Add(-10 * time.Second).Unix() }), 200, ""},
		{"wrong issuer", rs(func(c jwt.MapClaims) { c["iss"] = "https://evil.example" }), 401, "wrong issuer"},
		{"wrong audience", rs(func(c jwt.MapClaims) { c["aud"] = "another-api" }), 401, "wrong audience"},
		{"no audience", rs(func(c jwt.MapClaims) { delete(c, "aud") }), 401, "aud claim is required"},
		{"expired", rs(func(c jwt.MapClaims) { c["exp"] = now.Add(-2 * time.Minute).Unix() }), 401, "expired"},
		{"no expiry", rs(func(c jwt.MapClaims) { delete(c, "exp") }), 401, "exp claim is required"},
		{"not valid yet", rs(func(c jwt.MapClaims) { c["nbf"] = now.Add(5 * time.Minute).Unix() }), 401, "not valid yet"},
		{"bad signature", sign(t, jwt.SigningMethodRS256, "rsa-1", keys.rsaOther, claims(nil)), 401, "bad signature"},
		{"tampered payload", tamper(rs(nil)), 401, "bad signature"},
		{"unknown kid", sign(t, jwt.SigningMethodRS256, "rsa-9", keys.rsa, claims(nil)), 401, "no RS256 signing key with kid"},
		{"EC key used as RS256", sign(t, jwt.SigningMethodRS256, "ec-1", keys.rsa, claims(nil)), 401, "no RS256 signing key with kid"},
		{"HS256 with the public key as secret", sign(t, jwt.SigningMethodHS256, "rsa-1", []byte(rsaJWK("rsa-1", keys.rsa)["n"]), claims(nil)), 401, "bad signature"},
		{"alg none", sign(t, jwt.SigningMethodNone, "rsa-1", jwt.UnsafeAllowNoneSignatureType, claims(nil)), 401, "bad signature"},
		{"not a JWT", "not-a-jwt-at-all", 401, "malformed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, h, answer := post(t, "POST", base+"/mcp", map[string]string{"Authorization": "Bearer " + tc.token}, strings.NewReader(pingBody))
			if got != tc.want {
				t.Fatalf("status got %d, want %d (answer %s)", got, tc.want, bound(answer, 200))
			}
			if got == 401 {
				lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
				var last struct{ Msg, Reason string }
				for _, l := range lines {
					var rec struct{ Msg, Reason string }
					if json.Unmarshal([]byte(l), &rec) == nil && rec.Msg == "bearer token refused" {
						last = rec
					}
				}
				if !strings.Contains(last.Reason, tc.wantReason) {
					t.Errorf("refusal reason got %q, want %q", last.Reason, tc.wantReason)
				}
				wantMeta := `resource_metadata="` + base + `/.well-known/oauth-protected-resource/mcp"`
				if wa := h.Get("WWW-Authenticate"); !strings.Contains(wa, wantMeta) || !strings.Contains(wa, `error="invalid_token"`) {
					t.Errorf("WWW-Authenticate got %q, want %s and error=\"invalid_token\"", wa, wantMeta)
				}
			}
		})
	}
	if l := logs.String(); strings.Contains(l, rs(nil)[:40]) {
		t.Errorf("log holds a token: %s", bound(l, 500))
	}
	if !strings.Contains(logs.String(), `"subject":"alice@example.com"`) {
		t.Errorf("request log got %s, want the JWT subject", bound(logs.String(), 500))
	}

	t.Run("no token", func(t *testing.T) {
		got, h, _ := post(t, "POST", base+"/mcp", nil, strings.NewReader(pingBody))
		want := `Bearer realm="datastack-mcp", resource_metadata="` + base + `/.well-known/oauth-protected-resource/mcp"`
		if got != 401 || h.Get("WWW-Authenticate") != want {
			t.Errorf("got %d %q, want 401 %q", got, h.Get("WWW-Authenticate"), want)
		}
	})
	for _, path := range []string{"/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp"} {
		t.Run("metadata at "+path, func(t *testing.T) {
			resp, err := http.Get(base + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var meta struct {
				Resource             string   `json:"resource"`
				AuthorizationServers []string `json:"authorization_servers"`
				BearerMethods        []string `json:"bearer_methods_supported"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&meta); err != nil || resp.StatusCode != 200 {
				t.Fatalf("got %d %v, want 200 with JSON", resp.StatusCode, err)
			}
			if meta.Resource != base+"/mcp" || len(meta.AuthorizationServers) != 1 || meta.AuthorizationServers[0] != idp.URL {
				t.Errorf("metadata got %+v, want resource %s/mcp and authorization server %s", meta, base, idp.URL)
			}
		})
	}
}

// tamper changes the payload of a token, keeping its signature.
func tamper(tok string) string {
	parts := strings.Split(tok, ".")
	payload, _ := b64url.DecodeString(parts[1])
	payload = []byte(strings.Replace(string(payload), "alice", "mallo", 1))
	return parts[0] + "." + b64url.EncodeToString(payload) + "." + parts[2]
}

// TestJWKSRefresh: a new kid makes the verifier fetch the JWKS again (key
// rotation), but never more often than minRefresh; the JWKS URL can be
// discovered from the issuer.
func TestJWKSRefresh(t *testing.T) {
	keys := testKeys()
	idp := newJWKSServer(t)
	idp.add(rsaJWK("old", keys.rsa))
	v, err := newJWTVerifier(idp.URL, "aud-1", "") // discovered
	if err != nil {
		t.Fatal(err)
	}
	v.minRefresh = 0
	token := func(kid string, key any, method jwt.SigningMethod) string {
		return sign(t, method, kid, key, jwt.MapClaims{"iss": idp.URL, "aud": "aud-1", "exp": time.Now().Add(time.Hour).Unix()})
	}
	steps := []struct {
		name        string
		before      func()
		token       string
		wantOK      bool
		wantFetches int
	}{
		{"first token fetches the keys", nil, token("old", keys.rsa, jwt.SigningMethodRS256), true, 1},
		{"known kid: no fetch", nil, token("old", keys.rsa, jwt.SigningMethodRS256), true, 1},
		{"rotated key: one fetch", func() { idp.add(ecJWK("new", keys.ec)) }, token("new", keys.ec, jwt.SigningMethodES256), true, 2},
		{"unknown kid, refresh allowed: one fetch", nil, token("ghost", keys.rsa, jwt.SigningMethodRS256), false, 3},
		{"unknown kids within minRefresh: no fetch", func() { v.minRefresh = time.Hour }, token("ghost-2", keys.rsa, jwt.SigningMethodRS256), false, 3},
		{"and again", nil, token("ghost-3", keys.rsa, jwt.SigningMethodRS256), false, 3},
		{"known kid still fine", nil, token("new", keys.ec, jwt.SigningMethodES256), true, 3},
	}
	for _, s := range steps {
		if s.before != nil {
			s.before()
		}
		_, err := v.verify(context.Background(), s.token)
		if (err == nil) != s.wantOK {
			t.Errorf("%s: got error %v, want ok=%v", s.name, err, s.wantOK)
		}
		if got := idp.fetchCount(); got != s.wantFetches {
			t.Errorf("%s: JWKS fetches got %d, want %d", s.name, got, s.wantFetches)
		}
	}
}

func TestParseJWK(t *testing.T) {
	keys := testKeys()
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	ec := ecJWK("e", keys.ec)
	offCurve := map[string]string{"kty": "EC", "crv": "P-256", "x": ec["x"], "y": b64url.EncodeToString(make([]byte, 32))}
	cases := []struct {
		name string
		jwk  map[string]string
		want bool
	}{
		{"RSA 2048", rsaJWK("r", keys.rsa), true},
		{"EC P-256", ec, true},
		{"RSA under 2048 bits", rsaJWK("s", small), false},
		{"encryption key", map[string]string{"kty": "RSA", "use": "enc", "n": rsaJWK("r", keys.rsa)["n"], "e": "AQAB"}, false},
		{"EC point off the curve", offCurve, false},
		{"EC P-384", map[string]string{"kty": "EC", "crv": "P-384", "x": ec["x"], "y": ec["y"]}, false},
		{"symmetric key", map[string]string{"kty": "oct", "k": "c2VjcmV0"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			raw, _ := json.Marshal(tc.jwk)
			if _, got := parseJWK(raw); got != tc.want {
				t.Errorf("usable got %v, want %v", got, tc.want)
			}
		})
	}
}

// gatedJWKS is a JWKS endpoint whose fetches after the first are held
// until the test releases them: a slow identity provider, under the
// test's control.
type gatedJWKS struct {
	*jwksServer
	arrived  chan struct{} // a held fetch has arrived
	release  chan struct{} // closed: held fetches answer
	returned atomic.Int32  // held fetches that have answered (or given up)
}

func newGatedJWKS(t *testing.T) *gatedJWKS {
	t.Helper()
	g := &gatedJWKS{arrived: make(chan struct{}, 16), release: make(chan struct{})}
	g.jwksServer = &jwksServer{}
	var n atomic.Int32
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) > 1 {
			g.arrived <- struct{}{}
			select {
			case <-g.release:
			case <-r.Context().Done():
			}
			defer g.returned.Add(1)
		}
		g.mu.Lock()
		g.fetches++
		body, _ := json.Marshal(map[string]any{"keys": g.keys})
		g.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	t.Cleanup(func() { g.open(); g.Close() })
	return g
}

// open releases the held fetches (once).
func (g *gatedJWKS) open() {
	select {
	case <-g.release:
	default:
		close(g.release)
	}
}

// TestJWKSSlowFetchDoesNotHoldCachedKeys: while a JWKS fetch (for an
// unknown kid) hangs, a token whose key is cached is verified at once,
// and every token waiting for the fetch shares it.
func TestJWKSSlowFetchDoesNotHoldCachedKeys(t *testing.T) {
	keys := testKeys()
	idp := newGatedJWKS(t)
	idp.add(rsaJWK("old", keys.rsa))
	v, err := newJWTVerifier("https://issuer.example", "aud-1", idp.URL+"/jwks")
	require.NoError(t, err)
	v.minRefresh = 0
	token := func(kid string, key any, method jwt.SigningMethod) string {
		return sign(t, method, kid, key, jwt.MapClaims{"iss": "https://issuer.example", "aud": "aud-1", "exp": time.Now().Add(time.Hour).Unix()})
	}
	_, err = v.verify(context.Background(), token("old", keys.rsa, jwt.SigningMethodRS256))
	require.NoError(t, err, "first token (first fetch, not held)")

	// Tokens with a new kid: they need a fetch, which is held.
	idp.add(ecJWK("new", keys.ec))
	const waiters = 5
	results := make(chan error, waiters)
	for range waiters {
		go func() {
			_, err := v.verify(context.Background(), token("new", keys.ec, jwt.SigningMethodES256))
			results <- err
		}()
	}
	<-idp.arrived // the fetch is under way, and held

	_, err = v.verify(context.Background(), token("old", keys.rsa, jwt.SigningMethodRS256))
	assert.NoError(t, err, "token with a cached key during the fetch")
	assert.Zero(t, idp.returned.Load(), "got the cached-key token verified only after the fetch ended, want it verified while the fetch hangs")

	// A caller that gives up stops waiting; the fetch goes on for others.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = v.verify(ctx, token("new", keys.ec, jwt.SigningMethodES256))
	assert.ErrorIs(t, err, context.Canceled, "got %v for a caller that gave up, want context.Canceled", err)

	idp.open()
	for range waiters {
		assert.NoError(t, <-results, "token waiting for the fetch")
	}
	assert.Equal(t, 2, idp.fetchCount(), "got %d JWKS fetches, want 2 (one shared by every waiter)", idp.fetchCount())
}

// TestJWKSStaleKeysRefreshedInBackground: keys older than maxAge are still
// used while they are fetched again.
func TestJWKSStaleKeysRefreshedInBackground(t *testing.T) {
	keys := testKeys()
	idp := newGatedJWKS(t)
	idp.add(rsaJWK("old", keys.rsa))
	v, err := newJWTVerifier("https://issuer.example", "aud-1", idp.URL+"/jwks")
	require.NoError(t, err)
	v.minRefresh = 0
	clock := time.Now()
	v.now = func() time.Time { return clock }
	tok := sign(t, jwt.SigningMethodRS256, "old", keys.rsa, jwt.MapClaims{"iss": "https://issuer.example", "aud": "aud-1", "exp": clock.Add(time.Hour).Unix()})
	_, err = v.verify(context.Background(), tok)
	require.NoError(t, err)

	clock = clock.Add(v.maxAge + time.Second) // keys are stale now
	_, err = v.verify(context.Background(), tok)
	assert.NoError(t, err, "token with a stale key: served from the cache")
	<-idp.arrived
	done := v.fetching()
	require.NotNil(t, done, "got no refresh under way, want one")
	idp.open()
	<-done
	assert.Equal(t, 2, idp.fetchCount(), "got %d fetches, want 2", idp.fetchCount())
}

// TestJWKSRedirectsNotFollowed: the https-or-loopback rule holds for every
// URL fetched, so no redirect is followed, in discovery or for the JWKS.
func TestJWKSRedirectsNotFollowed(t *testing.T) {
	keys := testKeys()
	target := newJWKSServer(t) // a real JWKS, reached only through a redirect
	target.add(rsaJWK("k", keys.rsa))
	for _, tc := range []struct {
		name     string
		path     string // the path that redirects
		location string
		discover bool
	}{
		{"JWKS 302 to another port", "/jwks", target.URL + "/jwks", false},
		{"JWKS 307 to cloud metadata", "/jwks", "http://169.254.169.254/latest/meta-data/", false},
		{"discovery 302 to another port", "/.well-known/openid-configuration", target.URL + "/.well-known/openid-configuration", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var issuer string
			idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == tc.path {
					w.Header().Set("Location", tc.location)
					w.WriteHeader(http.StatusFound)
					return
				}
				if r.URL.Path == "/.well-known/openid-configuration" {
					json.NewEncoder(w).Encode(map[string]string{"issuer": issuer, "jwks_uri": issuer + "/jwks"})
					return
				}
				http.NotFound(w, r)
			}))
			defer idp.Close()
			issuer = idp.URL
			jwks := idp.URL + "/jwks"
			if tc.discover {
				jwks = ""
			}
			v, err := newJWTVerifier(issuer, "aud-1", jwks)
			require.NoError(t, err)
			before := target.fetchCount()
			tok := sign(t, jwt.SigningMethodRS256, "k", keys.rsa, jwt.MapClaims{"iss": issuer, "aud": "aud-1", "exp": time.Now().Add(time.Hour).Unix()})
			_, err = v.verify(context.Background(), tok)
			require.Error(t, err, "got a token verified with keys from a redirect target, want it refused")
			assert.Contains(t, err.Error(), "not followed", "got %v, want the redirect named", err)
			assert.Contains(t, err.Error(), "redirecting to "+tc.location, "got %v, want where it pointed", err)
			assert.Equal(t, before, target.fetchCount(), "got the redirect target fetched, want it untouched")
		})
	}
}

func TestJWKSFetchableURLEveryFetch(t *testing.T) {
	v, err := newJWTVerifier("https://issuer.example", "aud-1", "")
	require.NoError(t, err)
	err = v.getJSON(context.Background(), "http://169.254.169.254/jwks", new(any))
	assert.ErrorContains(t, err, "must be https", "got %v, want a plain-http non-loopback URL refused before any request", err)
}
