package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/server"
	"github.com/tidwall/gjson"
)

// Endpoint security of the HTTP transport: Origin allowlist, request body
// cap, bearer tokens (static or JWT) and the OAuth protected-resource
// metadata that tells clients where to get a token.

// defaultMaxBodyBytes caps a request body to /mcp.
const defaultMaxBodyBytes = 4 << 20

// defaultBodyReadTimeout bounds the time a client has to send a request
// body to /mcp, once its headers are in: a client trickling its body must
// not hold a connection (and a handler) for as long as it likes.
const defaultBodyReadTimeout = 30 * time.Second

// minTokenLen is the shortest endpoint token accepted: shorter ones are
// guessable.
const minTokenLen = 16

// httpOptions secure and shape the HTTP endpoint. The zero value is the
// local default: loopback Origins only, 4 MiB bodies, no token, no team
// mode.
type httpOptions struct {
	// allowedOrigins are Origins allowed besides loopback ones ("*": any).
	allowedOrigins []string
	// maxBodyBytes caps a request body; 0 means defaultMaxBodyBytes.
	maxBodyBytes int64
	// bodyReadTimeout bounds the reading of a request body; a body not in
	// by then gets 408 and the connection is closed. 0 means
	// defaultBodyReadTimeout.
	bodyReadTimeout time.Duration
	// tokens are the accepted static bearer tokens.
	tokens []string
	// jwt, when set, accepts bearer JWTs of an identity provider.
	jwt *jwtVerifier
	// publicURL is the URL clients reach /mcp at, the OAuth resource
	// identifier; "" derives it from each request.
	publicURL string
	// clientCredentials is team mode: upstream credentials may come in
	// request headers (teammode.go).
	clientCredentials bool
}

// addHTTPFlags registers the HTTP endpoint's security flags on fs. The
// returned function reads token files and checks the settings.
func addHTTPFlags(fs *flag.FlagSet) func() (httpOptions, error) {
	origins := fs.String("allowed-origins", os.Getenv("MCP_ALLOWED_ORIGINS"), "comma-separated browser Origins allowed besides localhost, e.g. https://app.example.com; * allows any (env MCP_ALLOWED_ORIGINS)")
	maxBody := fs.Int64("max-body-bytes", int64(envInt("MCP_MAX_BODY_BYTES", defaultMaxBodyBytes)), "largest request body accepted on /mcp; larger ones get 413 (env MCP_MAX_BODY_BYTES)")
	bodyTimeout, bodyTimeoutErr := defaultBodyReadTimeout, error(nil)
	if v := os.Getenv("MCP_BODY_READ_TIMEOUT"); v != "" {
		if bodyTimeout, bodyTimeoutErr = time.ParseDuration(v); bodyTimeoutErr != nil {
			bodyTimeout = defaultBodyReadTimeout
		}
	}
	bodyRead := fs.Duration("body-read-timeout", bodyTimeout, "time a client has to send a request body to /mcp once its headers are in; slower ones get 408 (env MCP_BODY_READ_TIMEOUT)")
	// Not defaulted from the environment, so that -h never prints it.
	token := fs.String("http-token", "", "bearer token clients must send to /mcp (env MCP_HTTP_TOKEN; prefer the env or --http-token-file, flags show in ps)")
	tokenFile := fs.String("http-token-file", os.Getenv("MCP_HTTP_TOKEN_FILE"), "file of accepted bearer tokens, one per line, # comments (env MCP_HTTP_TOKEN_FILE)")
	issuer := fs.String("jwt-issuer", os.Getenv("MCP_JWT_ISSUER"), "accept bearer JWTs (RS256, ES256) from this OAuth/OIDC issuer (env MCP_JWT_ISSUER)")
	audience := fs.String("jwt-audience", os.Getenv("MCP_JWT_AUDIENCE"), "audience the JWTs must carry; default --public-url (env MCP_JWT_AUDIENCE)")
	jwksURL := fs.String("jwt-jwks-url", os.Getenv("MCP_JWT_JWKS_URL"), "the issuer's JWKS URL; default discovered from the issuer's metadata (env MCP_JWT_JWKS_URL)")
	publicURL := fs.String("public-url", os.Getenv("MCP_PUBLIC_URL"), "URL clients reach the /mcp endpoint at, e.g. https://mcp.example.com/mcp: the OAuth resource (env MCP_PUBLIC_URL)")
	teamMode := fs.Bool("allow-client-credentials", envBool("MCP_ALLOW_CLIENT_CREDENTIALS"), "team mode: each request may bring its own upstream credentials in X-Datafold-Api-Key, X-PostHog-Api-Key, X-Lightdash-Api-Key, X-PDC-Username/X-PDC-Password headers (env MCP_ALLOW_CLIENT_CREDENTIALS=1)")
	return func() (httpOptions, error) {
		if bodyTimeoutErr != nil {
			return httpOptions{}, fmt.Errorf("MCP_BODY_READ_TIMEOUT: %w", bodyTimeoutErr)
		}
		o := httpOptions{
			allowedOrigins:    splitList(*origins),
			maxBodyBytes:      *maxBody,
			bodyReadTimeout:   *bodyRead,
			publicURL:         strings.TrimSpace(*publicURL),
			clientCredentials: *teamMode,
		}
		if o.maxBodyBytes <= 0 {
			return o, fmt.Errorf("--max-body-bytes must be positive, got %d", o.maxBodyBytes)
		}
		if o.bodyReadTimeout <= 0 {
			return o, fmt.Errorf("--body-read-timeout must be positive, got %v", o.bodyReadTimeout)
		}
		for _, orig := range o.allowedOrigins {
			if orig != "*" && normalOrigin(orig) == "" {
				return o, fmt.Errorf("--allowed-origins: %q is not an origin (scheme://host[:port])", orig)
			}
		}
		if o.publicURL != "" {
			if u, err := url.Parse(o.publicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return o, fmt.Errorf("--public-url: %q is not an absolute http(s) URL", o.publicURL)
			}
		}
		if *token == "" {
			*token = os.Getenv("MCP_HTTP_TOKEN")
		}
		if t := strings.TrimSpace(*token); t != "" {
			o.tokens = append(o.tokens, t)
		}
		if *tokenFile != "" {
			list, err := readTokenFile(*tokenFile)
			if err != nil {
				return o, err
			}
			o.tokens = append(o.tokens, list...)
		}
		for i, t := range o.tokens {
			if len(t) < minTokenLen || strings.ContainsFunc(t, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
				return o, fmt.Errorf("endpoint token %d: want at least %d printable characters without spaces", i+1, minTokenLen)
			}
		}
		if *issuer != "" || *audience != "" || *jwksURL != "" {
			aud := *audience
			if aud == "" {
				aud = o.publicURL
			}
			v, err := newJWTVerifier(strings.TrimSpace(*issuer), strings.TrimSpace(aud), strings.TrimSpace(*jwksURL))
			if err != nil {
				return o, err
			}
			o.jwt = v
		}
		return o, nil
	}
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// readTokenFile reads one token per line; blank lines and # comments are
// skipped.
func readTokenFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--http-token-file: %w", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--http-token-file: %w", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--http-token-file %s holds no token", path)
	}
	return out, nil
}

// httpSecurity applies httpOptions to requests.
type httpSecurity struct {
	opt     httpOptions
	logger  *slog.Logger
	origins map[string]bool // normalised allowed origins
	anyOrig bool
	hashes  [][sha256.Size]byte // of the static tokens
}

func newHTTPSecurity(opt httpOptions, logger *slog.Logger) *httpSecurity {
	if opt.maxBodyBytes <= 0 {
		opt.maxBodyBytes = defaultMaxBodyBytes
	}
	if opt.bodyReadTimeout <= 0 {
		opt.bodyReadTimeout = defaultBodyReadTimeout
	}
	s := &httpSecurity{opt: opt, logger: logger, origins: map[string]bool{}}
	for _, o := range opt.allowedOrigins {
		if o == "*" {
			s.anyOrig = true
		} else if n := normalOrigin(o); n != "" {
			s.origins[n] = true
		}
	}
	for _, t := range opt.tokens {
		s.hashes = append(s.hashes, sha256.Sum256([]byte(t)))
	}
	return s
}

// secureRoutes puts the security chain in front of the MCP endpoint of
// mux, serves the protected-resource metadata when JWTs are accepted, and
// logs every request. Other routes of mux (/healthz) stay open: no Origin
// check, no token.
func secureRoutes(mux http.Handler, opt httpOptions, logger *slog.Logger, addr net.Addr) http.Handler {
	s := newHTTPSecurity(opt, logger)
	protected := s.bodyDeadline(s.checkOrigin(s.authenticate(s.limitBody(s.requestCredentials(mux)))))
	var meta http.Handler
	if s.opt.jwt != nil {
		meta = s.metadataHandler()
	}
	wellKnown := server.WellKnownProtectedResourcePath
	root := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p := r.URL.Path; {
		case p == "/mcp":
			protected.ServeHTTP(w, r)
		case meta != nil && (p == wellKnown || strings.HasPrefix(p, wellKnown+"/")):
			meta.ServeHTTP(w, r)
		default:
			mux.ServeHTTP(w, r)
		}
	})
	s.warnExposure(addr)
	return logRequests(root, logger)
}

// warnExposure logs settings that leave the endpoint open.
func (s *httpSecurity) warnExposure(addr net.Addr) {
	auth := len(s.hashes) > 0 || s.opt.jwt != nil
	if ta, ok := addr.(*net.TCPAddr); ok && !ta.IP.IsLoopback() && !auth {
		s.logger.Warn("listening beyond loopback without endpoint authentication; set --http-token, --http-token-file or --jwt-issuer", "addr", addr.String())
	}
	if s.opt.clientCredentials && !auth {
		s.logger.Warn("team mode (--allow-client-credentials) without endpoint authentication: anyone who reaches the endpoint can use the server's own credentials")
	}
	if s.anyOrig {
		s.logger.Warn("--allowed-origins * lets any web page call the endpoint from a browser")
	}
}

// writeHTTPError answers with a JSON-RPC error object, as mcp-go does for
// its own transport errors.
func writeHTTPError(w http.ResponseWriter, status int, msg string) {
	b, _ := json.Marshal(map[string]any{
		"jsonrpc": "2.0",
		"id":      nil,
		"error":   map[string]any{"code": -32600, "message": msg},
	})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// --- Origin ---

// normalOrigin is scheme://host[:port] lower-cased without a default port,
// or "" when o is not an origin.
func normalOrigin(o string) string {
	u, err := url.Parse(strings.TrimSpace(o))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return ""
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return strings.ToLower(u.Scheme) + "://" + host
}

// originAllowed: loopback origins on any port, and the configured ones.
func (s *httpSecurity) originAllowed(origin string) bool {
	n := normalOrigin(origin)
	if n == "" {
		return s.anyOrig && origin != "null"
	}
	if s.anyOrig || s.origins[n] {
		return true
	}
	u, _ := url.Parse(n)
	return isLoopbackName(u.Hostname())
}

// checkOrigin refuses requests from foreign browser Origins with 403 (a
// request without Origin is not from a browser page) and answers CORS for
// allowed ones.
func (s *httpSecurity) checkOrigin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		if !s.originAllowed(origin) {
			s.logger.Warn("request from a foreign Origin refused", "origin", bound(origin, 200), "remote", r.RemoteAddr)
			closeIfUnread(w, r)
			writeHTTPError(w, http.StatusForbidden, "Forbidden: Origin "+strconv.Quote(bound(origin, 200))+" is not allowed (see --allowed-origins)")
			return
		}
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Add("Vary", "Origin")
		h.Set("Access-Control-Expose-Headers", "Mcp-Session-Id, Mcp-Protocol-Version, WWW-Authenticate")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS")
			if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
				h.Set("Access-Control-Allow-Headers", req)
			}
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func bound(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// --- Body ---

// limitBody reads the body within bodyReadTimeout (bodyDeadline), refusing with 413 one
// over maxBodyBytes and with 408 one that does not arrive in time (closing
// the connection either way), before mcp-go reads it, and notes the
// JSON-RPC method for the request log. The body is read into one buffer:
// of its declared size, or grown up to the cap for a chunked one.
func (s *httpSecurity) limitBody(next http.Handler) http.Handler {
	max := s.opt.maxBodyBytes
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		tooLarge := func() {
			w.Header().Set("Connection", "close")
			writeHTTPError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", max))
		}
		if r.ContentLength > max {
			tooLarge()
			return
		}
		body, err := readRequestBody(r, max) // within the deadline of bodyDeadline
		_ = http.NewResponseController(w).SetReadDeadline(time.Time{})
		switch {
		case errors.Is(err, errBodyTooLarge):
			tooLarge()
			return
		case errors.Is(err, os.ErrDeadlineExceeded):
			s.logger.Info("request body not received in time; connection closed",
				"timeout", s.opt.bodyReadTimeout.String(), "remote", r.RemoteAddr)
			w.Header().Set("Connection", "close")
			writeHTTPError(w, http.StatusRequestTimeout, fmt.Sprintf("request body not received within %s", s.opt.bodyReadTimeout))
			return
		case err != nil:
			w.Header().Set("Connection", "close")
			writeHTTPError(w, http.StatusBadRequest, "could not read the request body")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		if info := infoFrom(r.Context()); info != nil {
			info.mcpMethod, info.tool = peekMethod(body)
		}
		next.ServeHTTP(w, r)
	})
}

// bodyDeadline gives a request with a body bodyReadTimeout, from now, to
// send it: limitBody reads it within that time, and a request refused
// before (Origin, token) cannot hold the connection either (refusals of a
// request with a body close the connection instead of reading the rest).
func (s *httpSecurity) bodyDeadline(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			if err := http.NewResponseController(w).SetReadDeadline(time.Now().Add(s.opt.bodyReadTimeout)); err != nil {
				s.logger.Debug("no read deadline for the request body", "error", err)
			}
		}
		next.ServeHTTP(w, r)
	})
}

// closeIfUnread asks for the connection to be closed after a refusal when
// the request's body was not read: net/http would otherwise read (up to
// 256 KiB of) it before answering, at whatever pace the client sends it.
func closeIfUnread(w http.ResponseWriter, r *http.Request) {
	if r.Body != nil && r.Body != http.NoBody {
		w.Header().Set("Connection", "close")
	}
}

// errBodyTooLarge is a request body over the cap.
var errBodyTooLarge = errors.New("request body too large")

// readRequestBody reads r's body, at most max bytes. The buffer grows as
// bytes arrive (doubling, up to the declared length when there is one),
// so that a client that declares a large body and sends it slowly does not
// get the memory for all of it in advance.
func readRequestBody(r *http.Request, max int64) ([]byte, error) {
	limit := max + 1
	if r.ContentLength >= 0 {
		limit = r.ContentLength
	}
	buf := make([]byte, 0, min(limit, 32<<10))
	for int64(len(buf)) < limit {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, int(min(int64(cap(buf)), limit-int64(cap(buf)))))
		}
		n, err := r.Body.Read(buf[len(buf):min(int64(cap(buf)), limit)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			if r.ContentLength >= 0 && int64(len(buf)) < limit {
				return nil, io.ErrUnexpectedEOF
			}
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if int64(len(buf)) > max {
		return nil, errBodyTooLarge
	}
	return buf, nil
}

// peekMethod returns a JSON-RPC message's method and, for tools/call, the
// tool name.
func peekMethod(body []byte) (method, tool string) {
	t := bytes.TrimSpace(body)
	if len(t) == 0 {
		return "", ""
	}
	if t[0] == '[' {
		return "batch", ""
	}
	// Two fields read with gjson, not the message decoded: this runs on
	// every request, before mcp-go decodes it anyway.
	if !json.Valid(t) {
		return "", ""
	}
	r := gjson.GetManyBytes(t, "method", "params.name")
	if r[0].Type != gjson.String {
		return "", ""
	}
	if r[0].Str == "tools/call" && r[1].Type == gjson.String {
		tool = bound(r[1].Str, 128)
	}
	return bound(r[0].Str, 64), tool
}

// --- Bearer tokens ---

// authenticate requires a bearer token (static or JWT) when any is
// configured.
func (s *httpSecurity) authenticate(next http.Handler) http.Handler {
	if len(s.hashes) == 0 && s.opt.jwt == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := infoFrom(r.Context())
		token, ok := bearerToken(r.Header.Get("Authorization"))
		if !ok {
			s.challenge(w, r, "")
			return
		}
		if s.matchToken(token) {
			if info != nil {
				info.auth = "token"
			}
			r.Header.Del("Authorization")
			next.ServeHTTP(w, r)
			return
		}
		if s.opt.jwt != nil {
			claims, err := s.opt.jwt.verify(r.Context(), token)
			if err == nil {
				if info != nil {
					info.auth, info.subject = "jwt", bound(claims.Subject, 128)
				}
				r.Header.Del("Authorization")
				next.ServeHTTP(w, r)
				return
			}
			s.logger.Info("bearer token refused", "reason", jwtReason(err), "remote", r.RemoteAddr)
		} else {
			s.logger.Info("bearer token refused", "reason", "unknown token", "remote", r.RemoteAddr)
		}
		s.challenge(w, r, "invalid_token")
	})
}

func bearerToken(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " ")
	tok = strings.TrimSpace(tok)
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return "", false
	}
	return tok, true
}

// matchToken compares token with every static token in constant time.
func (s *httpSecurity) matchToken(token string) bool {
	h := sha256.Sum256([]byte(token))
	found := 0
	for _, want := range s.hashes {
		found |= subtle.ConstantTimeCompare(h[:], want[:])
	}
	return found == 1
}

// challenge answers 401 with the WWW-Authenticate header of RFC 6750,
// pointing at the protected-resource metadata (RFC 9728) when JWTs are
// accepted.
func (s *httpSecurity) challenge(w http.ResponseWriter, r *http.Request, errCode string) {
	v := `Bearer realm="datastack-mcp"`
	if s.opt.jwt != nil {
		v += `, resource_metadata="` + s.metadataURL(r) + `"`
	}
	if errCode != "" {
		v += `, error="` + errCode + `"`
	}
	w.Header().Set("WWW-Authenticate", v)
	closeIfUnread(w, r)
	writeHTTPError(w, http.StatusUnauthorized, "Unauthorized: send Authorization: Bearer <token>")
}

// --- Protected-resource metadata (RFC 9728) ---

// resource is the OAuth resource identifier: --public-url, or the URL
// this request reached /mcp at.
func (s *httpSecurity) resource(r *http.Request) string {
	if s.opt.publicURL != "" {
		return s.opt.publicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/mcp"
}

// metadataURL is where the resource's metadata is served (RFC 9728 §3.1:
// the well-known path with the resource's path appended).
func (s *httpSecurity) metadataURL(r *http.Request) string {
	res := s.resource(r)
	u, err := url.Parse(res)
	if err != nil {
		return res
	}
	return u.Scheme + "://" + u.Host + server.ProtectedResourceMetadataPath(res)
}

func (s *httpSecurity) metadataHandler() http.Handler {
	var once sync.Once
	var static http.Handler
	build := func(r *http.Request) http.Handler {
		return server.NewProtectedResourceMetadataHandler(server.ProtectedResourceMetadataConfig{
			Resource:               s.resource(r),
			AuthorizationServers:   []string{s.opt.jwt.issuer},
			BearerMethodsSupported: []string{"header"},
			ResourceName:           "datastack-mcp",
		})
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.opt.publicURL == "" {
			build(r).ServeHTTP(w, r)
			return
		}
		once.Do(func() { static = build(r) })
		static.ServeHTTP(w, r)
	})
}
