package tools

import (
	"encoding/json"
	"flag"
	"os"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/tools.snapshot.json")

func mustAll(t *testing.T) []*Tool {
	t.Helper()
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	return all
}

func TestInventoryCount(t *testing.T) {
	all := mustAll(t)
	if got, want := len(all), 137; got != want {
		t.Errorf("got %d tools, want %d", got, want)
	}
	per := map[string]int{}
	for _, tool := range all {
		per[tool.Provider]++
	}
	for p, want := range map[string]int{"datafold": 41, "posthog": 18, "pdc": 5, "lightdash": 73} {
		if per[p] != want {
			t.Errorf("%s: got %d tools, want %d", p, per[p], want)
		}
	}
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
			b, err := json.Marshal(tool.MCP())
			if err != nil {
				t.Fatalf("tool does not marshal: %v", err)
			}
			var wire struct {
				InputSchema map[string]any             `json:"inputSchema"`
				Annotations map[string]json.RawMessage `json:"annotations"`
			}
			if err := json.Unmarshal(b, &wire); err != nil {
				t.Fatal(err)
			}
			if got := wire.InputSchema["type"]; got != "object" {
				t.Errorf("inputSchema.type got %v, want object", got)
			}
			if n := len(tool.InputSchema); n >= 16384 {
				t.Errorf("inputSchema got %d characters, want < 16384", n)
			}
			for _, hint := range []string{"readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"} {
				if _, ok := wire.Annotations[hint]; !ok {
					t.Errorf("annotation %s is not set", hint)
				}
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

// TestSnapshot catches unintended changes to the tool surface a client
// sees. After an intended change: go test ./tools -run TestSnapshot -update
func TestSnapshot(t *testing.T) {
	var list []any
	for _, tool := range mustAll(t) {
		list = append(list, tool.MCP())
	}
	got, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	const path = "testdata/tools.snapshot.json"
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read snapshot (create it with -update): %v", err)
	}
	if string(got) != string(want) {
		t.Errorf("tool surface differs from %s; if intended, run go test ./tools -run TestSnapshot -update and review the diff", path)
	}
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
