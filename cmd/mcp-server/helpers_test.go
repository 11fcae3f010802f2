package main

import (
	"context"
	"testing"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
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
