package server

import (
	"context"

	"github.com/datastack-mcp/datastack-mcp/client/sandbox"
	"github.com/datastack-mcp/datastack-mcp/tools/databases"
	"github.com/datastack-mcp/datastack-mcp/warehouse"
)

// The sandbox's own databases: the demo warehouse's jaffle-shop tables,
// production and dev, as the embedded SQLite files the sandbox's Datafold
// emulation runs on (warehouse connections sandbox_prod and sandbox_dev),
// written on first use so start-up does not pay for them, and opened
// read-only like any user's database.

// Names of the sandbox's warehouse connections.
const (
	SandboxProd = "sandbox_prod"
	SandboxDev  = "sandbox_dev"
)

// addSandboxWarehouses registers the sandbox's warehouses on reg.
func addSandboxWarehouses(reg *databases.Registry) {
	for _, name := range []string{SandboxProd, SandboxDev} {
		reg.AddOpener(name, func(ctx context.Context) (*warehouse.Conn, error) {
			return sandbox.OpenDemoWarehouse(ctx, name, name == SandboxDev)
		})
	}
}
