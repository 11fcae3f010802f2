// Command gen writes schemas/operations.gen.go (the tool catalogue) from the
// OpenAPI descriptions in schemas/. Run it with `go generate ./schemas/...`.
//
// Two more modes serve scripts/refresh-spec.sh:
//
//	gen -dump FILE   write the catalogue this binary was compiled with as JSON
//	gen -diff FILE   print how the catalogue generated from the specs now
//	                 differs from the one saved in FILE (tools added,
//	                 removed, renamed; per tool its schema changes)
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/datastack-mcp/datastack-mcp/schemas"
	"github.com/datastack-mcp/datastack-mcp/schemas/internal/gen"
)

func main() {
	dump := flag.String("dump", "", "write the compiled catalogue as JSON to this file and exit")
	diff := flag.String("diff", "", "print the changes from the catalogue saved in this file (by -dump) to the one the specs now generate")
	out := flag.String("o", schemas.CatalogFile, "file to write the generated catalogue to")
	flag.Parse()
	var err error
	switch {
	case *dump != "":
		err = writeJSON(*dump, schemas.Catalog())
	case *diff != "":
		err = printDiff(*diff)
	default:
		err = generate(*out)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func generate(path string) error {
	src, err := gen.Generate()
	if err != nil {
		return err
	}
	return os.WriteFile(path, src, 0o644)
}

func writeJSON(path string, ops []schemas.Operation) error {
	b, err := json.MarshalIndent(ops, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func printDiff(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var before []schemas.Operation
	if err := json.Unmarshal(b, &before); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	after, err := gen.Operations()
	if err != nil {
		return err
	}
	changes := gen.CatalogChanges(before, after)
	if changes == "" {
		changes = "no change to the tool surface\n"
	}
	fmt.Print(changes)
	return nil
}
