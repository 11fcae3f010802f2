// Command gen writes what is generated from the tool inventory: the tool
// reference section of the repository's README.md, and tools/reflected.gen.go
// (the schemas of the hand-written tools, rendered from their Go types so
// the server does not reflect them at start-up). It runs from
// `go generate ./tools`, in the tools directory.
package main

import (
	"fmt"
	"os"

	"github.com/datastack-mcp/datastack-mcp/resources"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

// Where the outputs go, relative to the tools directory.
const (
	readmePath    = "../README.md"
	reflectedPath = "reflected.gen.go"
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

// inventory is every tool a server can offer: the generated ones, the
// resource catalogue's (list_resources, read_resource, lineage_impact) and
// the diff tools. Building it asks for every hand-written schema.
func inventory() ([]*tools.Tool, error) {
	all, err := tools.All()
	if err != nil {
		return nil, err
	}
	extra, err := resources.Inventory(all)
	if err != nil {
		return nil, err
	}
	all = append(all, extra...)
	diff, err := tools.DiffTools(all) // diff_tables, get_diff_result
	if err != nil {
		return nil, err
	}
	return append(all, diff...), nil
}
