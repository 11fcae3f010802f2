package main

import (
	"bytes"
	"os"
	"testing"

	"github.com/datastack-mcp/datastack-mcp/tools"
)

// TestReflectedIsCurrent fails when tools/reflected.gen.go no longer holds
// the schemas of every hand-written tool as their Go types render them:
// run go generate ./cmd/gendocs. (This test binary holds no test-only tool types,
// so what it reflects is exactly what the server does.)
func TestReflectedIsCurrent(t *testing.T) {
	if _, err := inventory(); err != nil {
		t.Fatal(err)
	}
	want, err := tools.ReflectedSource()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(reflectedPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale (got %d bytes, want %d); run go generate ./cmd/gendocs and commit it", reflectedPath, len(got), len(want))
	}
}
