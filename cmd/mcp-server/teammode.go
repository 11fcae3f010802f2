package main

import (
	"net/http"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/client"
	"github.com/datastack-mcp/datastack-mcp/providers"
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

// maxCredentialLen bounds one credential header value.
const maxCredentialLen = 4096

// requestCredentials moves credential headers into the request's context
// in team mode; otherwise it drops them and says so in the log. Either way
// they are removed from the request, so nothing further down sees them.
func (s *httpSecurity) requestCredentials(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var present []string
		for _, h := range providers.CredentialHeaders() {
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
		for _, p := range providers.All {
			var cr client.Credentials
			var bad string
			if p.Auth == providers.APIKey {
				cr.APIKey, bad = headerValue(r.Header, p.APIKeyHeader)
			} else {
				var bad2 string
				cr.Username, bad = headerValue(r.Header, p.UsernameHeader)
				cr.Password, bad2 = headerValue(r.Header, p.PasswordHeader)
				if bad == "" {
					bad = bad2
				}
				if bad == "" && (cr.Username == "") != (cr.Password == "") {
					bad = p.UsernameHeader + " and " + p.PasswordHeader + " go together"
				}
			}
			if bad != "" {
				writeHTTPError(w, http.StatusBadRequest, "Bad Request: "+bad)
				return
			}
			if cr != (client.Credentials{}) {
				ctx = client.WithCredentials(ctx, p.Name, cr)
				if info != nil {
					info.creds = append(info.creds, p.Name)
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
