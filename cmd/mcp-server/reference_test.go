package main

import (
	"os"
	"strings"
	"testing"

	mcpserver "github.com/datastack-mcp/datastack-mcp/internal/server"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

// TestReadmeReference fails when README.md's tool reference is stale: run
// go generate ./...
func TestReadmeReference(t *testing.T) {
	all, err := mcpserver.Inventory()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(b), tools.ReferenceStart)
	j := strings.Index(string(b), tools.ReferenceEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md has no tool reference markers")
	}
	if got, want := string(b)[i:j+len(tools.ReferenceEnd)], tools.Reference(all); got != want {
		t.Errorf("README.md tool reference is stale; run go generate ./... and commit README.md")
	}
}
