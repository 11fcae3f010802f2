package client

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const (
	// pdcLoginPath is operation authToken of schemas/pdc.openapi.json.
	pdcLoginPath = "/api/public/v1/auth"
	// tokenSkew renews a PDC token this long before it expires, so that a
	// token does not expire between check and use.
	tokenSkew = 30 * time.Second

	hintPDCLogin       = "PDC login failed"
	hintPDCCredentials = "PDC login failed; check the PDC username/password configuration"
)

// pdcAuth logs in to PDC and caches the bearer token.
//
// sem (capacity 1) guards token and expires and serialises logins, so
// concurrent callers share one login. It is a channel rather than a mutex
// so that a caller whose context ends stops waiting.
type pdcAuth struct {
	c     *Client
	form  []byte // login body; holds the password, never logged
	sem   chan struct{}
	learn bool // the server's own login: its tokens join the client's redactor

	token   string
	expires time.Time // zero: unknown, keep until a 401
}

// newPDCAuth logs in as username. learn is set for the server's own
// login, whose tokens every answer must be cleared of; a person's tokens
// (team mode) are secrets of their requests only (RequestSecrets).
func newPDCAuth(c *Client, username, password string, learn bool) *pdcAuth {
	form := url.Values{
		"username":   {username},
		"password":   {password},
		"client_id":  {"pdc-client"},
		"grant_type": {"password"},
		"scope":      {"openid profile email"},
	}.Encode()
	return &pdcAuth{c: c, form: []byte(form), sem: make(chan struct{}, 1), learn: learn}
}

func (*pdcAuth) renewable() bool { return true }

func (a *pdcAuth) authorization(ctx context.Context, stale string) (string, error) {
	select {
	case a.sem <- struct{}{}:
	case <-ctx.Done():
		e := a.c.newError(a.loginCall(), 0)
		e.Err, e.Timeout = ctx.Err(), errors.Is(ctx.Err(), context.DeadlineExceeded)
		e.Message = "gave up waiting for the PDC login: " + ctx.Err().Error()
		return "", e
	}
	defer func() { <-a.sem }()

	if a.token != "" && "Bearer "+a.token != stale &&
		(a.expires.IsZero() || a.c.now().Before(a.expires)) {
		return "Bearer " + a.token, nil
	}
	a.token, a.expires = "", time.Time{}
	token, expires, err := a.login(ctx)
	if err != nil {
		return "", err
	}
	a.token, a.expires = token, expires
	return "Bearer " + token, nil
}

func (a *pdcAuth) loginCall() *call {
	u, _ := a.c.buildURL(pdcLoginPath, nil) // constant path: cannot fail
	return &call{
		method:      http.MethodPost,
		template:    pdcLoginPath,
		path:        pdcLoginPath,
		url:         u,
		body:        a.form,
		contentType: "application/x-www-form-urlencoded",
		read:        true, // issuing a token changes nothing upstream
	}
}

// login exchanges username and password for a token and works out when
// to stop using it.
func (a *pdcAuth) login(ctx context.Context) (string, time.Time, error) {
	issued := a.c.now()
	cl := a.loginCall()
	resp, err := a.c.run(ctx, cl)
	if err != nil {
		if e, ok := errors.AsType[*Error](err); ok && !errors.Is(e, ErrRedirect) {
			e.Hint = hintPDCLogin
			if e.Status != 0 {
				e.Hint = hintPDCCredentials
			}
		}
		return "", time.Time{}, err
	}
	var ans struct {
		ExpiresIn  json.RawMessage `json:"expiresIn"`
		ExpiresIn2 json.RawMessage `json:"expires_in"`
		Data       struct {
			AccessToken string          `json:"accessToken"`
			ExpiresIn   json.RawMessage `json:"expiresIn"`
			ExpiresIn2  json.RawMessage `json:"expires_in"`
		} `json:"data"`
	}
	token := ""
	if json.Unmarshal(resp.Body, &ans) == nil {
		token = strings.TrimSpace(ans.Data.AccessToken)
	}
	if token == "" || strings.ContainsFunc(token, func(r rune) bool { return r < 0x21 || r == 0x7f }) {
		e := a.c.newError(cl, 1)
		e.Status = resp.Status
		e.Message = "the login answer carries no usable data.accessToken"
		e.Hint = hintPDCCredentials
		return "", time.Time{}, e
	}
	if a.learn {
		a.c.red.Learn(token)
		a.c.issued.Learn(token)
	}

	var expiresIn time.Duration
	for _, raw := range []json.RawMessage{ans.Data.ExpiresIn, ans.Data.ExpiresIn2, ans.ExpiresIn, ans.ExpiresIn2} {
		if d, ok := seconds(raw); ok {
			expiresIn = d
			break
		}
	}
	return token, tokenExpiry(issued, token, expiresIn), nil
}

// tokenExpiry is when to stop using token: expiresIn after issue if known,
// else the JWT exp claim, minus a skew (at most half the lifetime). Zero
// means unknown; the token is then used until the upstream answers 401.
func tokenExpiry(issued time.Time, token string, expiresIn time.Duration) time.Time {
	var exp time.Time
	switch {
	case expiresIn > 0:
		exp = issued.Add(expiresIn)
	default:
		t, ok := jwtExpiry(token)
		if !ok {
			return time.Time{}
		}
		exp = t
	}
	life := exp.Sub(issued)
	if life <= 0 {
		// Expired on arrival: clocks disagree. Trust the server's 401.
		return time.Time{}
	}
	return exp.Add(-min(tokenSkew, life/2))
}

// jwtExpiry decodes the exp claim of a JWT without verifying it (the
// client only needs a hint for when to renew).
func jwtExpiry(token string) (time.Time, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}, false
	}
	var claims struct {
		Exp json.Number `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return time.Time{}, false
	}
	f, err := claims.Exp.Float64()
	if err != nil || f <= 0 {
		return time.Time{}, false
	}
	return time.Unix(int64(f), 0), true
}

// seconds reads a JSON number or numeric string of seconds.
func seconds(raw json.RawMessage) (time.Duration, bool) {
	s := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	if s == "" || s == "null" {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 || f > 1e9 {
		return 0, false
	}
	return time.Duration(f * float64(time.Second)), true
}
