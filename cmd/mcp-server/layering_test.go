package main

import (
	"os/exec"
	"strings"
	"testing"
)

// layers states the architecture, lowest first: a package may import its
// own layer and the layers below, never one above. A package the table
// does not place fails the test, so a new package is placed on purpose.
var layers = [][]string{
	// 0. Facts: the provider table, the specs and catalog, the SQL grammar.
	{"providers", "schemas", "sqlast", "internal/buildinfo"},
	// 1. Upstreams and engines: provider HTTP clients, secrets, the user's
	//    databases, dbt artifacts.
	{"client", "redact", "warehouse", "dbt", "internal/pgtest", "internal/upstreamtest"},
	// 2. The sandbox: an upstream like any other.
	{"client/sandbox"},
	// 3. The answer budget: fitting an upstream answer to what a model
	//    reads, below the framework that calls it.
	{"tools/budget"},
	// 4. The tool framework.
	{"tools"},
	// 5. Features over the framework, and the resource surface.
	{"tools/", "resources", "apps"},
	// 6. The one MCP SDK adapter.
	{"internal/mcpgo"},
	// 7. The composition root.
	{"internal/server"},
	// 8. What runs it: the binary, generators, evals and contract tests.
	{"cmd/", "evals", "contracttest"},
}

const module = "github.com/datastack-mcp/datastack-mcp/"

// layerOf returns the layer of a package of the module, -1 if none.
func layerOf(pkg string) int {
	rel := strings.TrimPrefix(pkg, module)
	best, bestLen := -1, -1
	for i, l := range layers {
		for _, p := range l {
			match := rel == p || strings.HasPrefix(rel, strings.TrimSuffix(p, "/")+"/")
			if strings.HasSuffix(p, "/") {
				match = strings.HasPrefix(rel, p)
			}
			if match && len(p) > bestLen {
				best, bestLen = i, len(p)
			}
		}
	}
	return best
}

// TestLayering: nothing low imports something high, and only the adapter
// (internal/mcpgo), cmd/ and evals (which drives the server as a client)
// import the MCP SDK.
func TestLayering(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "../../...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := fields[0]
		own := layerOf(pkg)
		if own < 0 {
			t.Errorf("%s is in no layer; place it in layering_test.go", pkg)
			continue
		}
		for _, imp := range fields[1:] {
			if strings.HasPrefix(imp, "github.com/mark3labs/mcp-go") {
				if rel := strings.TrimPrefix(pkg, module); rel != "internal/mcpgo" && !strings.HasPrefix(rel, "cmd/") && !strings.HasPrefix(rel, "evals") {
					t.Errorf("%s imports %s; only internal/mcpgo, cmd/ and evals may import mcp-go", pkg, imp)
				}
				continue
			}
			if !strings.HasPrefix(imp, module) || strings.Contains(imp, "/internal/gen") {
				continue
			}
			if l := layerOf(imp); l > own {
				t.Errorf("%s (layer %d) imports %s (layer %d): a lower layer may not import a higher one", pkg, own, imp, l)
			}
		}
	}
}
