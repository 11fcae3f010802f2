package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestOnlyThinLayersImportMCP keeps the MCP SDK out of the domain
// packages: only tools/, resources/ and cmd/ may import mcp-go, and evals/,
// which drives the server as an MCP client does.
func TestOnlyThinLayersImportMCP(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "../../...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const module = "github.com/datastack-mcp/datastack-mcp/"
	allowed := []string{module + "tools", module + "resources", module + "cmd/", module + "evals"}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := fields[0]
		for _, imp := range fields[1:] {
			if !strings.HasPrefix(imp, "github.com/mark3labs/mcp-go") {
				continue
			}
			ok := false
			for _, a := range allowed {
				if strings.HasPrefix(pkg, a) {
					ok = true
				}
			}
			if !ok {
				t.Errorf("%s imports %s; only tools/, resources/, cmd/ (and the evals client) may import mcp-go", pkg, imp)
			}
		}
	}
}
