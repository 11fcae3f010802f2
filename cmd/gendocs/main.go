// Command gendocs writes what is generated from the server's inventory
// (internal/server.Inventory, the tools every server may offer): the tool
// reference section of the repository's README.md, and tools/reflected.gen.go
// (the schemas of the hand-written tools, rendered from their Go types so
// the server does not reflect them at start-up). It sits above everything
// it lists, so no package imports upward to be documented. It runs from
// `go generate ./...`, in this directory.
package main

//go:generate go run .

import (
	"fmt"
	"os"

	mcpserver "github.com/datastack-mcp/datastack-mcp/internal/server"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

// Where the outputs go, relative to this directory.
const (
	readmePath    = "../../README.md"
	reflectedPath = "../../tools/reflected.gen.go"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run() error {
	all, err := inventory()
	if err != nil {
		return err
	}
	src, err := tools.ReflectedSource()
	if err != nil {
		return err
	}
	if err := os.WriteFile(reflectedPath, src, 0o644); err != nil {
		return err
	}
	b, err := os.ReadFile(readmePath)
	if err != nil {
		return err
	}
	out, err := tools.ReplaceReference(string(b), tools.Reference(all))
	if err != nil {
		return err
	}
	return os.WriteFile(readmePath, []byte(out), 0o644)
}

// inventory is every tool a server can offer. Building it asks for every
// hand-written schema.
func inventory() ([]*tools.Tool, error) { return mcpserver.Inventory() }
