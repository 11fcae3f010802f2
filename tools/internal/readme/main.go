// Command readme rewrites the tool reference section of the repository's
// README.md from the tool inventory. It runs from `go generate ./tools`.
package main

import (
	"fmt"
	"os"

	"github.com/datastack-mcp/datastack-mcp/resources"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

func main() {
	if err := run("../README.md"); err != nil {
		fmt.Fprintln(os.Stderr, "readme:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	all, err := tools.All()
	if err != nil {
		return err
	}
	extra, err := resources.Inventory(all)
	if err != nil {
		return err
	}
	all = append(all, extra...)
	diff, err := tools.DiffTools(all) // diff_tables, get_diff_result
	if err != nil {
		return err
	}
	all = append(all, diff...)
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := tools.ReplaceReference(string(b), tools.Reference(all))
	if err != nil {
		return err
	}
	return os.WriteFile(path, []byte(out), 0o644)
}
