package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/datastack-mcp/datastack-mcp/tools"
)

// TestReflectedIsCurrent fails when tools/reflected.gen.go no longer holds
// the schemas of every hand-written tool as their Go types render them:
// run go generate ./tools. (This test binary holds no test-only tool types,
// so what it reflects is exactly what the server does.)
func TestReflectedIsCurrent(t *testing.T) {
	if _, err := inventory(); err != nil {
		t.Fatal(err)
	}
	want, err := tools.ReflectedSource()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join("..", "..", reflectedPath))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("tools/%s is stale (got %d bytes, want %d); run go generate ./tools and commit it", reflectedPath, len(got), len(want))
	}
}
