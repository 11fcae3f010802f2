package tools

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/datastack-mcp/datastack-mcp/schemas"
	"github.com/stretchr/testify/assert"
)

func mustAll(t *testing.T) []*Tool {
	t.Helper()
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// TestInventoryCount: one tool per catalogued operation, per provider.
func TestInventoryCount(t *testing.T) {
	all := mustAll(t)
	got, want := map[string]int{}, map[string]int{}
	for _, tool := range all {
		got[tool.Provider]++
	}
	for _, op := range schemas.Catalog() {
		want[op.Provider]++
	}
	assert.Equal(t, want, got, "tools per provider")
}

var validToolName = regexp.MustCompile(`^[a-z0-9]+(_[a-z0-9]+)+$`)

// TestEveryTool checks the whole surface as data: names, descriptions,
// annotations and schemas of every tool.
func TestEveryTool(t *testing.T) {
	descriptions := map[string]string{}
	for _, tool := range mustAll(t) {
		t.Run(tool.Name, func(t *testing.T) {
			if !validToolName.MatchString(tool.Name) || len(tool.Name) > 64 {
				t.Errorf("name %q: want snake_case, at most 64 characters", tool.Name)
			}
			if !strings.HasPrefix(tool.Name, tool.Provider+"_") {
				t.Errorf("name %q: want prefix %q", tool.Name, tool.Provider+"_")
			}
			if tool.Description == "" {
				t.Error("description is empty")
			}
			if n := sentences(tool.Description); n > 2 {
				t.Errorf("description has %d sentences, want at most 2: %q", n, tool.Description)
			}
			if other, dup := descriptions[tool.Description]; dup {
				t.Errorf("description is the same as %s's", other)
			}
			descriptions[tool.Description] = tool.Name
			var schema map[string]any
			if err := json.Unmarshal(tool.InputSchema, &schema); err != nil {
				t.Fatalf("inputSchema does not parse: %v", err)
			}
			if got := schema["type"]; got != "object" {
				t.Errorf("inputSchema.type got %v, want object", got)
			}
			if n := len(tool.InputSchema); n >= 16384 {
				t.Errorf("inputSchema got %d characters, want < 16384", n)
			}
			if tool.Annotations.ReadOnly && tool.Annotations.Destructive {
				t.Error("a read-only tool cannot be destructive")
			}
			if got, want := tool.Annotations.Destructive, tool.Method == "DELETE"; got != want {
				t.Errorf("destructiveHint got %v, want %v for %s", got, want, tool.Method)
			}
		})
	}
}

func sentences(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if (s[i] == '.' || s[i] == '?' || s[i] == '!') && (i+1 == len(s) || s[i+1] == ' ') {
			if i >= 3 && (s[i-3:i] == "e.g" || s[i-3:i] == "i.e") {
				continue
			}
			n++
		}
	}
	if n == 0 {
		return 1
	}
	return n
}

// TestEverySchemaCompiles compiles every tool's validator, which the
// server otherwise does only on a tool's first call.
func TestEverySchemaCompiles(t *testing.T) {
	for _, tool := range mustAll(t) {
		if err := tool.validator.compile(); err != nil {
			t.Errorf("%s: %v", tool.Name, err)
		}
	}
}
