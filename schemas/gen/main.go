// Command gen writes schemas/operations.gen.go (the tool catalogue) from the OpenAPI
// descriptions in schemas/. Run it with `go generate ./...`.
package main

import (
	"fmt"
	"os"

	"github.com/datastack-mcp/datastack-mcp/schemas"
	"github.com/datastack-mcp/datastack-mcp/schemas/internal/gen"
)

func main() {
	out, err := gen.Generate()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(schemas.CatalogFile, out, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
