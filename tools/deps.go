package tools

import (
	"context"
	"log/slog"

	"github.com/datastack-mcp/datastack-mcp/client"
	"github.com/datastack-mcp/datastack-mcp/providers"
	"github.com/datastack-mcp/datastack-mcp/redact"
)

// Caller sends one request to an upstream API; *client.Client is one.
type Caller interface {
	Do(ctx context.Context, req client.Request) (*client.Response, error)
}

// Deps is what tool handlers need from the running server.
type Deps struct {
	// Callers holds one upstream client per configured provider.
	Callers map[string]Caller
	// Secrets are the configured credential values; they are scrubbed from
	// every result and error text, whatever the upstream echoes back (and
	// however it escapes them).
	Secrets []string
	// Redactor, when set, scrubs answers instead of one built from
	// Secrets: the server shares one with its clients, so it also knows the
	// tokens they learn at run time (PDC's).
	Redactor *redact.Redactor
	// ConfigHint names, per provider, the settings that hold its
	// credentials, so an authentication error can say what to fix.
	ConfigHint map[string]string
	Logger     *slog.Logger
	// MaxResultTokens bounds the text of each generated tool's successful
	// result, in tokens: a larger answer is cut to fit and says how to ask
	// for the rest (package tools/budget). 0 or less means DefaultMaxResultTokens;
	// values under MinResultTokens are raised to it.
	MaxResultTokens int
}

func (d *Deps) resultBudget() int {
	n := DefaultMaxResultTokens
	if d != nil && d.MaxResultTokens > 0 {
		n = d.MaxResultTokens
	}
	return max(n, MinResultTokens)
}

// discardLogger is the logger of Deps without one.
var discardLogger = slog.New(slog.DiscardHandler)

func (d *Deps) logger() *slog.Logger {
	if d == nil || d.Logger == nil {
		return discardLogger
	}
	return d.Logger
}

// ProviderName returns a provider's display name (providers.DisplayName;
// the user's databases are "Warehouse").
func ProviderName(p string) string {
	if p == "warehouse" {
		return "Warehouse"
	}
	return providers.DisplayName(p)
}
