package sandbox

import (
	"github.com/datastack-mcp/datastack-mcp/client"
)

// Credentials the sandbox accepts: any, so these only need to be unlike
// any word an answer holds (a client scrubs its own credentials from
// what it returns).
const (
	APIKey   = "sandbox-api-key-not-secret"
	Username = "sandbox-user"
	Password = "sandbox-password-not-secret"
)

// ClientConfig is the configuration of a client of provider that talks to
// s: its base URL, its transport and the sandbox's credentials. Callers
// set timeouts, retries and logging.
func (s *Sandbox) ClientConfig(provider string) client.Config {
	cfg := client.Config{Provider: provider, BaseURL: BaseURL(provider), Transport: s.Transport()}
	if provider == client.PDC {
		cfg.Username, cfg.Password = Username, Password
	} else {
		cfg.APIKey = APIKey
	}
	return cfg
}
