package sandbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/datastack-mcp/datastack-mcp/schemas"
)

// authSchemes is the Authorization scheme each provider expects.
var authSchemes = map[string]string{
	schemas.Datafold:  "Key",
	schemas.PostHog:   "Bearer",
	schemas.Lightdash: "ApiKey",
	schemas.PDC:       "Bearer",
}

// checkAuth checks the Authorization header of a request to provider: any
// non-empty credential in the right scheme is accepted, except for PDC, which
// needs a token issued by this sandbox's authToken operation.
func (s *Sandbox) checkAuth(provider, header string) *apiError {
	header = strings.TrimSpace(header)
	if header == "" {
		return &apiError{status: 401, msg: "missing Authorization header", auth: "missing"}
	}
	scheme, cred, _ := strings.Cut(header, " ")
	cred = strings.TrimSpace(cred)
	if !strings.EqualFold(scheme, authSchemes[provider]) || cred == "" || strings.ContainsAny(cred, " \t") {
		return &apiError{status: 401, msg: "malformed Authorization header: want '" + authSchemes[provider] + " <credential>'", auth: "invalid"}
	}
	if provider == schemas.PDC {
		if _, err := s.verifyJWT(cred); err != "" {
			return &apiError{status: 401, msg: err, auth: "invalid"}
		}
	}
	return nil
}

var b64 = base64.RawURLEncoding

// issueJWT returns an HS256 JWT for user that expires after ttl.
func (s *Sandbox) issueJWT(user string, now time.Time, ttl time.Duration) string {
	head := b64.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	claims, _ := json.Marshal(map[string]any{
		"iss":                "http://pdc.sandbox.invalid/keycloak/realms/pdc",
		"sub":                user,
		"preferred_username": user,
		"azp":                "pdc-client",
		"scope":              "openid profile email",
		"iat":                now.Unix(),
		"exp":                now.Add(ttl).Unix(),
		"typ":                "Bearer",
	})
	body := head + "." + b64.EncodeToString(claims)
	return body + "." + b64.EncodeToString(s.sign(body))
}

func (s *Sandbox) sign(body string) []byte {
	m := hmac.New(sha256.New, s.jwtKey)
	m.Write([]byte(body))
	return m.Sum(nil)
}

// verifyJWT checks a token's signature and expiry; it returns the claims or
// a reason for rejecting it.
func (s *Sandbox) verifyJWT(tok string) (map[string]any, string) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, "token is not a JWT"
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, s.sign(parts[0]+"."+parts[1])) {
		return nil, "token signature is invalid"
	}
	raw, err := b64.DecodeString(parts[1])
	if err != nil {
		return nil, "token payload is invalid"
	}
	var claims map[string]any
	if json.Unmarshal(raw, &claims) != nil {
		return nil, "token payload is invalid"
	}
	exp, _ := claims["exp"].(float64)
	s.mu.Lock()
	now := s.now()
	s.mu.Unlock()
	if int64(exp) <= now.Unix() {
		return nil, "token has expired"
	}
	return claims, ""
}
