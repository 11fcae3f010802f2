package evals

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/datastack-mcp/datastack-mcp/client"
	"github.com/datastack-mcp/datastack-mcp/client/sandbox"
	"github.com/datastack-mcp/datastack-mcp/resources"
	"github.com/datastack-mcp/datastack-mcp/schemas"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

// Server is an MCP server on a fresh sandbox, built the way
// `mcp-server --sandbox` builds it (cmd/mcp-server's assemble, sandbox
// branch, with every tool offered), with an in-process MCP client
// connected to it. Keep NewServer in step with assemble.
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

// NewServer assembles a sandbox server and connects an initialized
// in-process client to it. Close the client when done.
func NewServer(ctx context.Context, o ServerOptions) (*Server, error) {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	all, err := tools.All()
	if err != nil {
		return nil, err
	}
	sb, err := sandbox.New()
	if err != nil {
		return nil, err
	}
	if o.Fast {
		sb.DiffQueued, sb.DiffRunning, sb.SyncDuration = 50*time.Millisecond, 100*time.Millisecond, 1500*time.Millisecond
	}
	deps := &tools.Deps{Callers: map[string]tools.Caller{}, ConfigHint: map[string]string{}, Logger: log,
		DatafoldAppURLs: map[string]string{"sandbox": sandbox.BaseURL(schemas.Datafold)}}
	if o.Fast {
		deps.DiffWait, deps.DiffPoll = 5*time.Second, 20*time.Millisecond
	}
	var conns []*tools.Connection
	enabled := map[string]bool{}
	for _, p := range schemas.Providers {
		cfg := client.Config{Provider: p, BaseURL: sandbox.BaseURL(p), Transport: sb.Transport(), Timeout: 10 * time.Second, Logger: log}
		if p == schemas.PDC {
			cfg.Username, cfg.Password = "sandbox", "sandbox"
		} else {
			cfg.APIKey = "sandbox"
		}
		c, err := client.New(cfg)
		if err != nil {
			return nil, err
		}
		deps.Callers[p] = c
		enabled[p] = true
		conns = append(conns, &tools.Connection{Name: "sandbox", Provider: p, Caller: c})
	}
	available := tools.ForProviders(all, enabled)
	cat, err := resources.New(deps, conns, available, resources.Options{Logger: log})
	if err != nil {
		return nil, err
	}
	// diff_tables and get_diff_result are chosen and bound like generated
	// tools (cmd/mcp-server/safety.go).
	diff, err := tools.DiffTools(all)
	if err != nil {
		return nil, err
	}
	available = append(available, diff...)
	offered, err := tools.Bind(available, conns)
	if err != nil {
		return nil, err
	}
	offered = append(offered, cat.Tools()...)
	if o.Discovery {
		if offered, err = tools.DiscoveryTools(offered); err != nil {
			return nil, err
		}
	}
	opts := append([]server.ServerOption{server.WithToolCapabilities(false), server.WithRecovery()}, cat.ServerOptions()...)
	s := server.NewMCPServer("datastack-mcp-evals", "evals", opts...)
	tools.Register(s, offered, deps)
	cat.Register(s)
	s.AddPrompts(tools.DiffPrompts()...)

	c, err := mcpclient.NewInProcessClient(s)
	if err != nil {
		return nil, err
	}
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
	return res, tools.Text(res), nil
}
