package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/datastack-mcp/datastack-mcp/schemas"
)

// TestToolsCommand checks `mcp-server tools` maps every operation
// one-to-one to a tool.
func TestToolsCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"tools"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code got %d, want 0; stderr %s", code, stderr.String())
	}
	var list []struct {
		Name      string  `json:"name"`
		Provider  string  `json:"provider"`
		Operation *string `json:"operation"`
		Method    string  `json:"method"`
		Path      string  `json:"path"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &list); err != nil {
		t.Fatalf("output is not a JSON array: %v", err)
	}
	ops := schemas.Catalog()
	byOp := map[string]string{}
	for _, e := range list {
		if e.Operation == nil {
			continue
		}
		key := e.Provider + "/" + *e.Operation
		if prev, dup := byOp[key]; dup {
			t.Errorf("operation %s is served by %s and %s", key, prev, e.Name)
		}
		byOp[key] = e.Name
		if e.Method == "" || e.Path == "" {
			t.Errorf("%s: method %q path %q, want both", e.Name, e.Method, e.Path)
		}
	}
	for _, op := range ops {
		if _, ok := byOp[op.Provider+"/"+op.OperationID]; !ok {
			t.Errorf("operation %s/%s has no tool", op.Provider, op.OperationID)
		}
	}
	if got, want := len(byOp), generatedTools(); got != want {
		t.Errorf("got %d operation tools, want %d", got, want)
	}
}

func TestBadFlags(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want int
	}{
		{"unknown command", []string{"serve-all"}, 2},
		{"bad transport", []string{"--transport", "sse"}, 2},
		{"bad log level", []string{"--log-level", "loud"}, 2},
		{"help", []string{"-h"}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if got := run(tc.args, &stdout, &stderr); got != tc.want {
				t.Errorf("exit code got %d, want %d (stderr %s)", got, tc.want, stderr.String())
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout got %q, want nothing (stdout is the protocol's)", stdout.String())
			}
		})
	}
}
