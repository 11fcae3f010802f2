package main

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/datastack-mcp/datastack-mcp/client"
	"github.com/datastack-mcp/datastack-mcp/schemas"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

// Team mode (--allow-client-credentials): one server for many people, each
// calling the upstreams with their own identity. A request brings its
// credentials in headers, one set per provider; they go to the upstream
// client through the request's context (client.WithCredentials) and win
// over the server's own credentials for that request. Upstream hosts only
// ever come from the server's configuration.
//
// In team mode a provider is offered when its base URL is known (set, or
// the provider's default: Datafold, PostHog and Lightdash have one, PDC
// needs PDC_URL), even without server-side credentials: a request to it
// without headers then fails with a clear 401 tool error.

// credentialHeaders are the request headers that carry each provider's
// credentials, in provider order.
var credentialHeaders = []struct {
	provider string
	apiKey   string // API-key providers
	username string // PDC
	password string // PDC
}{
	{provider: schemas.Datafold, apiKey: "X-Datafold-Api-Key"},
	{provider: schemas.PostHog, apiKey: "X-PostHog-Api-Key"},
	{provider: schemas.Lightdash, apiKey: "X-Lightdash-Api-Key"},
	{provider: schemas.PDC, username: "X-PDC-Username", password: "X-PDC-Password"},
}

// maxCredentialLen bounds one credential header value.
const maxCredentialLen = 4096

// credentialHeaderNames names every credential header.
func credentialHeaderNames() []string {
	var out []string
	for _, ch := range credentialHeaders {
		for _, h := range []string{ch.apiKey, ch.username, ch.password} {
			if h != "" {
				out = append(out, h)
			}
		}
	}
	return out
}

// teamConfigHint is configHint with the request headers that may also
// carry a provider's credentials.
func teamConfigHint(p string) string {
	for _, ch := range credentialHeaders {
		if ch.provider != p {
			continue
		}
		if ch.apiKey != "" {
			return configHint(p) + " (or the " + ch.apiKey + " request header)"
		}
		return configHint(p) + " (or the " + ch.username + " and " + ch.password + " request headers)"
	}
	return configHint(p)
}

// requestCredentials moves credential headers into the request's context
// in team mode; otherwise it drops them and says so in the log. Either way
// they are removed from the request, so nothing further down sees them.
func (s *httpSecurity) requestCredentials(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var present []string
		for _, h := range credentialHeaderNames() {
			if _, ok := r.Header[http.CanonicalHeaderKey(h)]; ok {
				present = append(present, h)
			}
		}
		if len(present) == 0 {
			next.ServeHTTP(w, r)
			return
		}
		if !s.opt.clientCredentials {
			for _, h := range present {
				r.Header.Del(h)
			}
			s.logger.Warn("client credential headers ignored: team mode is off (start with --allow-client-credentials to use them)",
				"headers", strings.Join(present, ","), "remote", r.RemoteAddr)
			next.ServeHTTP(w, r)
			return
		}
		ctx := r.Context()
		info := infoFrom(ctx)
		for _, ch := range credentialHeaders {
			var cr client.Credentials
			var bad string
			if ch.apiKey != "" {
				cr.APIKey, bad = headerValue(r.Header, ch.apiKey)
			} else {
				var bad2 string
				cr.Username, bad = headerValue(r.Header, ch.username)
				cr.Password, bad2 = headerValue(r.Header, ch.password)
				if bad == "" {
					bad = bad2
				}
				if bad == "" && (cr.Username == "") != (cr.Password == "") {
					bad = ch.username + " and " + ch.password + " go together"
				}
			}
			if bad != "" {
				writeHTTPError(w, http.StatusBadRequest, "Bad Request: "+bad)
				return
			}
			if cr != (client.Credentials{}) {
				ctx = client.WithCredentials(ctx, ch.provider, cr)
				if info != nil {
					info.creds = append(info.creds, ch.provider)
				}
			}
		}
		for _, h := range present {
			r.Header.Del(h)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// headerValue returns a credential header's single value, or why it is
// not usable (never the value itself).
func headerValue(h http.Header, name string) (value, bad string) {
	vs := h.Values(name)
	switch {
	case len(vs) == 0:
		return "", ""
	case len(vs) > 1:
		return "", name + " is repeated"
	}
	v := strings.TrimSpace(vs[0])
	if v == "" || len(v) > maxCredentialLen || strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", name + " must be one non-empty line of at most 4096 characters"
	}
	return v, ""
}

// teamUpstreams completes the configured connections for team mode: every
// connection accepts request credentials, and connections (or providers)
// without server-side credentials are added when their base URL is known.
// ups and skipped are what loadUpstreams returned.
func teamUpstreams(ups []upstream, path string, getenv func(string) string, timeout time.Duration, logger *slog.Logger) ([]upstream, []string, error) {
	var file fileConfig
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, err
		}
		if err := json.NewDecoder(bytes.NewReader(b)).Decode(&file); err != nil {
			return nil, nil, err
		}
	}
	byKey := map[string]upstream{}
	for _, u := range ups {
		byKey[u.provider+"/"+u.name] = u
	}
	var out []upstream
	var skipped []string
	for _, p := range schemas.Providers {
		e := envs[p]
		conns := file[p].Connections
		if len(conns) == 0 {
			conns = []fileConnection{file[p].fileConnection}
		}
		single := len(conns) == 1
		found := 0
		for _, fc := range conns {
			if fc.Name == "" {
				fc.Name = "default"
			}
			if u, ok := byKey[p+"/"+fc.Name]; ok {
				u.cfg.RequestCredentials = true
				out = append(out, u)
				found++
				continue
			}
			base := fc.BaseURL
			if v := getenv(e.BaseURL); v != "" && single {
				base = v
			}
			if base == "" {
				base = e.DefaultURL
			}
			if base == "" {
				logger.Info("team mode: provider has no base URL; its tools are not offered", "provider", p, "connection", fc.Name, "set", e.BaseURL)
				continue
			}
			defaults := map[string]any{}
			if single {
				for arg, env := range defaultEnv[p] {
					if v := getenv(env); v != "" {
						defaults[arg] = v
					}
				}
			}
			for k, v := range fc.Defaults {
				defaults[k] = v
			}
			out = append(out, upstream{
				provider: p,
				name:     fc.Name,
				cfg:      client.Config{Provider: p, BaseURL: base, Timeout: timeout, RequestCredentials: true},
				policy:   tools.Policy{ReadOnly: fc.ReadOnly, Tools: fc.Tools, Exclude: fc.ExcludeTools},
				defaults: defaults,
			})
			logger.Info("team mode: connection without server credentials; each request must bring its own", "provider", p, "connection", fc.Name)
			found++
		}
		if found == 0 {
			skipped = append(skipped, p)
		}
	}
	return out, skipped, nil
}
