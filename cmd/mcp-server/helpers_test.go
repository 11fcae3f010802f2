package main

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/datastack-mcp/datastack-mcp/client/sandbox"
	mcpserver "github.com/datastack-mcp/datastack-mcp/internal/server"
	"github.com/datastack-mcp/datastack-mcp/schemas"
	"github.com/datastack-mcp/datastack-mcp/tools"
	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/stretchr/testify/require"
)

// initialize starts c and runs the initialize handshake at version.
func initialize(t testing.TB, c *mcpclient.Client, version string) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, c.Start(ctx), "start the client")
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = version
	init.Params.ClientInfo = mcp.Implementation{Name: "datastack-test", Version: "1"}
	_, err := c.Initialize(ctx, init)
	require.NoError(t, err, "initialize")
}

// inProcessClient connects an initialized in-process MCP client to a.
func inProcessClient(t *testing.T, a *assembled, version string, opts ...mcpclient.ClientOption) *mcpclient.Client {
	t.Helper()
	c, err := mcpclient.NewInProcessClientWithOptions(a.mcp, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	initialize(t, c, version)
	return c
}

// assembled is a built server under the names the tests use.
type assembled struct {
	mcp       *server.MCPServer
	tools     []*tools.Tool
	providers []string
	sandbox   *sandbox.Sandbox
}

// options and selection spell mcpserver.Options and Selection for tests.
type options struct {
	sandbox            bool
	configPath         string
	timeout            time.Duration
	getenv             func(string) string
	logger             *slog.Logger
	selection          selection
	maxResultTokens    int
	diffWait, diffPoll time.Duration
	clientCredentials  bool
}

type selection struct {
	policy tools.Policy
	mode   string
}

const (
	modeAll       = mcpserver.ModeAll
	modeDiscovery = mcpserver.ModeDiscovery
)

// assemble builds the server as main does, through mcpserver.Build.
func assemble(o options) (*assembled, error) {
	s, err := mcpserver.Build(mcpserver.Options{Sandbox: o.sandbox, ConfigPath: o.configPath, Timeout: o.timeout, Getenv: o.getenv,
		Logger: o.logger, Selection: mcpserver.Selection{Policy: o.selection.policy, Mode: o.selection.mode},
		MaxResultTokens: o.maxResultTokens, DiffWait: o.diffWait, DiffPoll: o.diffPoll, ClientCredentials: o.clientCredentials,
		Version: version(), Extra: fixtures.extraOrNil()})
	if err != nil {
		return nil, err
	}
	return &assembled{mcp: s.MCP.SDK(), tools: s.Tools, providers: s.Providers, sandbox: s.Sandbox}, nil
}

// sandboxTools is how many tools `mcp-server --sandbox` offers: every
// generated tool (one per catalogued operation), the resource, lineage and
// diff tools, and the sandbox warehouse's tools. Tests compare listings
// with it, never with a literal.
func sandboxTools(t testing.TB) int {
	t.Helper()
	s, err := mcpserver.Build(mcpserver.Options{Sandbox: true})
	require.NoError(t, err)
	return len(s.Tools)
}

// generatedTools is the number of catalogued operations.
func generatedTools() int { return len(schemas.Catalog()) }
