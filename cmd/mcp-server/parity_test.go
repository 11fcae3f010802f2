package main

import (
	"context"
	"encoding/json"
	"io"
	"testing"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/evals"
	mcpserver "github.com/datastack-mcp/datastack-mcp/internal/server"
)

// surface is what a client sees of a server.
type surface struct {
	instructions string
	tools        []mcp.Tool
	prompts      []mcp.Prompt
	templates    []mcp.ResourceTemplate
	resources    []mcp.Resource
}

func surfaceOf(t *testing.T, c *mcpclient.Client) surface {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, c.Start(ctx))
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "parity", Version: "1"}
	ir, err := c.Initialize(ctx, init)
	require.NoError(t, err)
	var s surface
	s.instructions = ir.Instructions
	tl, err := c.ListTools(ctx, mcp.ListToolsRequest{})
	require.NoError(t, err)
	s.tools = tl.Tools
	pl, err := c.ListPrompts(ctx, mcp.ListPromptsRequest{})
	require.NoError(t, err)
	s.prompts = pl.Prompts
	rt, err := c.ListResourceTemplates(ctx, mcp.ListResourceTemplatesRequest{})
	require.NoError(t, err)
	s.templates = rt.ResourceTemplates
	rl, err := c.ListResources(ctx, mcp.ListResourcesRequest{})
	require.NoError(t, err)
	s.resources = rl.Resources
	return s
}

// TestEvalsMeasureTheShippedServer: the server evals drive lists the same
// tools, prompts, resources and instructions as `mcp-server --sandbox`
// builds from its flags.
func TestEvalsMeasureTheShippedServer(t *testing.T) {
	cfg, code := parseServe([]string{"--sandbox", "--log-level", "error"}, io.Discard)
	require.NotNil(t, cfg, "flags: exit code %d", code)
	cfg.opts.Getenv = noEnv
	shipped, err := mcpserver.Build(cfg.opts)
	require.NoError(t, err)
	c, err := mcpclient.NewInProcessClient(shipped.MCP.SDK())
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	want := surfaceOf(t, c)

	ev, err := evals.NewServer(context.Background(), evals.ServerOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ev.Close() })
	ec, err := mcpclient.NewInProcessClient(ev.MCP)
	require.NoError(t, err)
	t.Cleanup(func() { _ = ec.Close() })
	got := surfaceOf(t, ec)

	require.NotEmpty(t, want.instructions)
	assert.Equal(t, want.instructions, got.instructions, "instructions")
	asJSON := func(v any) string {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		return string(b)
	}
	assert.JSONEq(t, asJSON(want.tools), asJSON(got.tools), "tools/list")
	assert.JSONEq(t, asJSON(want.prompts), asJSON(got.prompts), "prompts/list")
	assert.JSONEq(t, asJSON(want.templates), asJSON(got.templates), "resources/templates/list")
	assert.JSONEq(t, asJSON(want.resources), asJSON(got.resources), "resources/list")
}
