package server

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/internal/mcpgo"
	"github.com/datastack-mcp/datastack-mcp/schemas"
)

var update = flag.Bool("update", false, "rewrite testdata/toolsnaps/*.json")

// snapDir holds one snapshot per tool: what tools/list shows a client.
const snapDir = "testdata/toolsnaps"

// TestToolSnapshots catches unintended changes to the tool surface a
// client sees, tool by tool, generated and hand-written alike, and prints
// the difference. After an intended change:
//
//	go test ./internal/server -run TestToolSnapshots -update
func TestToolSnapshots(t *testing.T) {
	inv, err := Inventory()
	require.NoError(t, err)
	want := map[string]bool{}
	for _, tool := range inv {
		name := tool.Name + ".json"
		want[name] = true
		got, err := json.MarshalIndent(mcpgo.ToolOf(tool), "", "  ")
		require.NoError(t, err)
		path := filepath.Join(snapDir, name)
		if *update {
			require.NoError(t, os.MkdirAll(snapDir, 0o755))
			require.NoError(t, os.WriteFile(path, append(got, '\n'), 0o644))
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: no snapshot (create it with -update): %v", tool.Name, err)
			continue
		}
		assert.JSONEq(t, string(b), string(got), "%s differs from %s", tool.Name, path)
	}
	entries, err := os.ReadDir(snapDir)
	require.NoError(t, err)
	for _, e := range entries {
		if !want[e.Name()] {
			if *update {
				require.NoError(t, os.Remove(filepath.Join(snapDir, e.Name())))
				continue
			}
			t.Errorf("%s: snapshot of a tool the server no longer has; run with -update", e.Name())
		}
	}
}

// TestInventoryFollowsCatalog: every catalogued operation is a tool, and
// every tool on the wire carries all four annotation hints.
func TestInventoryFollowsCatalog(t *testing.T) {
	inv, err := Inventory()
	require.NoError(t, err)
	ops := map[string]bool{}
	for _, op := range schemas.Catalog() {
		ops[op.OperationID] = true
	}
	generated := 0
	for _, tool := range inv {
		if tool.Operation != "" {
			generated++
			assert.True(t, ops[tool.Operation], "%s: operation %s is not in the catalog", tool.Name, tool.Operation)
		}
		b, err := json.Marshal(mcpgo.ToolOf(tool))
		require.NoError(t, err)
		var wire struct {
			Annotations map[string]json.RawMessage `json:"annotations"`
		}
		require.NoError(t, json.Unmarshal(b, &wire))
		var missing []string
		for _, hint := range []string{"readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"} {
			if _, ok := wire.Annotations[hint]; !ok {
				missing = append(missing, hint)
			}
		}
		sort.Strings(missing)
		assert.Empty(t, missing, "%s: annotation hints not set", tool.Name)
	}
	assert.Equal(t, len(schemas.Catalog()), generated, "generated tools")
}
