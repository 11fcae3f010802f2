package evals

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/datastack-mcp/datastack-mcp/client/sandbox"
	"github.com/datastack-mcp/datastack-mcp/internal/mcpgo"
	mcpserver "github.com/datastack-mcp/datastack-mcp/internal/server"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

// Server is the server `mcp-server --sandbox` ships, built by the same
// composition root (internal/server.Build) with every tool offered, with an
// in-process MCP client connected to it.
type Server struct {
	MCP     *server.MCPServer
	Client  *mcpclient.Client
	Sandbox *sandbox.Sandbox
	// Tools are the tools the server offers, as registered.
	Tools []*tools.Tool
	// Listed is what tools/list shows a client.
	Listed []mcp.Tool
}

// ServerOptions shape an evals server.
type ServerOptions struct {
	// Discovery serves search_tools, describe_tool and call_tool instead of
	// every tool (--tool-mode discovery).
	Discovery bool
	// Fast shortens the sandbox's simulated durations so a replay does not
	// wait seconds for a data diff; syncs, CI and monitor runs still take
	// long enough (1.5 s) for a check to see them running.
	Fast   bool
	Logger *slog.Logger
}

// BuildOptions are the composition root's options for o: the sandbox
// server, as `mcp-server --sandbox` (with --tool-mode discovery when
// o.Discovery) builds it.
func BuildOptions(o ServerOptions) mcpserver.Options {
	// The timeout leaves room for the sandbox's first SQL query or diff
	// of the process, which writes its SQLite files (seconds, many more on
	// a busy machine).
	opts := mcpserver.Options{Sandbox: true, Timeout: time.Minute, Logger: o.Logger, FastSandbox: o.Fast, Apps: true}
	if o.Discovery {
		opts.Selection.Mode = mcpserver.ModeDiscovery
	}
	return opts
}

// NewServer builds the sandbox server and connects an initialized
// in-process client to it. Close the client when done.
func NewServer(ctx context.Context, o ServerOptions) (*Server, error) {
	built, err := mcpserver.Build(BuildOptions(o))
	if err != nil {
		return nil, err
	}
	s, sb, offered := built.MCP.SDK(), built.Sandbox, built.Tools
	// The adapter's in-process transport: protocol errors carry the codes
	// a client over stdio or HTTP gets.
	c := mcpgo.NewInProcessClient(s)
	if err := c.Start(ctx); err != nil {
		return nil, err
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "datastack-evals", Version: "1"}
	if _, err := c.Initialize(ctx, init); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("initialize: %w", err)
	}
	listed, err := c.ListTools(ctx, mcp.ListToolsRequest{})
	if err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("tools/list: %w", err)
	}
	return &Server{MCP: s, Client: c, Sandbox: sb, Tools: offered, Listed: listed.Tools}, nil
}

// Close closes the client.
func (s *Server) Close() error { return s.Client.Close() }

// Call calls one tool through the MCP client and returns the result and its
// text (what a model reads).
func (s *Server) Call(ctx context.Context, name string, args map[string]any) (*mcp.CallToolResult, string, error) {
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	res, err := s.Client.CallTool(ctx, req)
	if err != nil {
		return nil, "", err
	}
	return res, ResultText(res), nil
}

// ResultText is the text of a tool result, what a model reads.
func ResultText(res *mcp.CallToolResult) string { return mcpgo.Text(res) }
