package client

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
)

// authenticator yields the Authorization header value for a request.
type authenticator interface {
	// authorization returns the header value to send. stale, when not
	// empty, is a value the upstream has just rejected with 401; an
	// authenticator that can renew must not return it again.
	authorization(ctx context.Context, stale string) (string, error)
	// renewable reports whether a 401 may be cured by asking again.
	renewable() bool
}

// staticAuth sends a fixed header built from an API key.
type staticAuth string

func (s staticAuth) authorization(context.Context, string) (string, error) { return string(s), nil }
func (staticAuth) renewable() bool                                         { return false }

// newAuthenticator checks the credentials cfg needs and registers them as
// secrets to scrub from error texts.
func newAuthenticator(c *Client, cfg Config) (authenticator, error) {
	if cfg.RequestCredentials {
		return newRequestAuth(c, cfg) // override.go
	}
	if cfg.Provider == PDC {
		if cfg.Username == "" || cfg.Password == "" {
			return nil, fmt.Errorf("client: pdc: Username and Password are required (PDC logs in with them to obtain a token)")
		}
		c.secrets.add(cfg.Password)
		return newPDCAuth(c, cfg.Username, cfg.Password), nil
	}
	key := strings.TrimSpace(cfg.APIKey)
	if key == "" {
		return nil, fmt.Errorf("client: %s: APIKey is required", cfg.Provider)
	}
	if strings.ContainsAny(key, "\r\n") {
		return nil, fmt.Errorf("client: %s: APIKey must be a single line", cfg.Provider)
	}
	c.secrets.add(cfg.APIKey)
	c.secrets.add(key)
	scheme := map[string]string{Datafold: "Key", PostHog: "Bearer", Lightdash: "ApiKey"}[cfg.Provider]
	return staticAuth(scheme + " " + key), nil
}

// maxTokenSecrets bounds how many issued tokens are remembered for
// scrubbing; older tokens are long expired.
const maxTokenSecrets = 4

// secretSet holds values that must never appear in error texts or logs.
type secretSet struct {
	mu     sync.RWMutex
	fixed  []string // configured credentials, kept for the client's life
	tokens []string // recently issued tokens, newest last
}

func (s *secretSet) add(v string) {
	if v == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fixed = appendVariants(s.fixed, v)
}

func (s *secretSet) addToken(v string) {
	if v == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = append(s.tokens, v)
	if len(s.tokens) > maxTokenSecrets {
		s.tokens = s.tokens[len(s.tokens)-maxTokenSecrets:]
	}
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

// issuedTokens returns the recently issued tokens.
func (s *secretSet) issuedTokens() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]string(nil), s.tokens...)
}

const redacted = "[REDACTED]"

// scrub replaces every occurrence of a known secret in text.
func (s *secretSet) scrub(text string) string {
	if s == nil || text == "" {
		return text
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, list := range [][]string{s.tokens, s.fixed} {
		for _, v := range list {
			if strings.Contains(text, v) {
				text = strings.ReplaceAll(text, v, redacted)
			}
		}
	}
	return text
}
