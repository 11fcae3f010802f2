package tools

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeReference fails when README.md's tool reference is stale: run
// go generate ./...
func TestReadmeReference(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	want := Reference(mustAll(t))
	i := strings.Index(string(b), ReferenceStart)
	j := strings.Index(string(b), ReferenceEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md has no tool reference markers")
	}
	if got := string(b)[i : j+len(ReferenceEnd)]; got != want {
		t.Errorf("README.md tool reference is stale; run go generate ./... and commit README.md")
	}
}
