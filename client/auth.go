package client

import (
	"context"
	"fmt"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/providers"
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
	if p, _ := providers.Get(cfg.Provider); p.Auth == providers.Login {
		if cfg.Username == "" || cfg.Password == "" {
			return nil, fmt.Errorf("client: pdc: Username and Password are required (PDC logs in with them to obtain a token)")
		}
		c.red.Add(cfg.Password)
		return newPDCAuth(c, cfg.Username, cfg.Password, true), nil
	}
	key := strings.TrimSpace(cfg.APIKey)
	if key == "" {
		return nil, fmt.Errorf("client: %s: APIKey is required", cfg.Provider)
	}
	if strings.ContainsAny(key, "\r\n") {
		return nil, fmt.Errorf("client: %s: APIKey must be a single line", cfg.Provider)
	}
	c.red.Add(cfg.APIKey, key)
	p, _ := providers.Get(cfg.Provider)
	return staticAuth(p.Scheme + " " + key), nil
}
