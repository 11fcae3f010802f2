package server

import (
	"log/slog"
	"time"

	"github.com/datastack-mcp/datastack-mcp/internal/mcpgo"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

// Tool modes of [Selection].
const (
	ModeAll       = "all"
	ModeDiscovery = "discovery"
)

// Selection is which tools a server offers: the policy of the
// tool-choosing flags and the tool mode.
type Selection struct {
	Policy tools.Policy
	// Mode is ModeAll (every tool in tools/list) or ModeDiscovery
	// (search_tools, describe_tool and call_tool); "" means ModeAll.
	Mode string
}

// Options shape one server.
type Options struct {
	// Sandbox serves every provider from the embedded sandbox.
	Sandbox bool
	// ConfigPath is the JSON config file (--config), "" for none.
	ConfigPath string
	// Timeout bounds one upstream HTTP attempt.
	Timeout time.Duration
	// Getenv reads the environment (os.Getenv; tests pass a map's).
	Getenv func(string) string
	Logger *slog.Logger
	// Selection chooses the tools offered.
	Selection Selection
	// MaxResultTokens bounds one tool result; 0 means
	// tools.DefaultMaxResultTokens.
	MaxResultTokens int
	// DiffWait and DiffPoll: how long diff_tables waits for a verdict and
	// how often it checks; 0 means the defaults.
	DiffWait, DiffPoll time.Duration
	// ClientCredentials is team mode: requests may bring their own
	// upstream credentials.
	ClientCredentials bool
	// Version is what the server reports in initialize.
	Version string
	// Apps offers the MCP Apps views (ui:// resources and the tools'
	// _meta pointing at them) for hosts that render them.
	Apps bool
	// FastSandbox shortens the sandbox's simulated durations (evals).
	FastSandbox bool
	// Extra adds test-only tools, resources and prompts (the conformance
	// fixtures build), after the product's.
	Extra *mcpgo.Extra
}

func (o *Options) defaults() {
	if o.Getenv == nil {
		o.Getenv = func(string) string { return "" }
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.Selection.Mode == "" {
		o.Selection.Mode = ModeAll
	}
	if o.Version == "" {
		o.Version = "dev"
	}
}
