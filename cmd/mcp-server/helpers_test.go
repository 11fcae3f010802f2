package main

import (
	"context"
	"testing"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
)

// initialize starts c and runs the initialize handshake at version.
func initialize(t testing.TB, c *mcpclient.Client, version string) {
	t.Helper()
	ctx := context.Background()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = version
	init.Params.ClientInfo = mcp.Implementation{Name: "datastack-test", Version: "1"}
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatal(err)
	}
}

func inProcessClient(t *testing.T, a *assembled, version string, opts ...mcpclient.ClientOption) *mcpclient.Client {
	t.Helper()
	c, err := mcpclient.NewInProcessClientWithOptions(a.mcp, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	initialize(t, c, version)
	return c
}
