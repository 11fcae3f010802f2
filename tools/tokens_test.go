package tools

import (
	"encoding/json"
	"sort"
	"sync"
	"testing"
)

// Token budget of tools/list as a model reads it (o200k_base tokens of the
// compact JSON of each tool's name, description and input schema). The
// generator fits each tool to a per-tool budget (schemas/internal/gen);
// these are the hard limits.
const (
	maxListTokens = 15000
	maxToolTokens = 1200
)

func TestTokenBudget(t *testing.T) {
	all := mustAll(t)
	type cost struct {
		name   string
		tokens int
	}
	var costs []cost
	total := 0
	for _, tool := range all {
		n := CountTokens(ModelView(tool))
		total += n
		costs = append(costs, cost{tool.Name, n})
		if n > maxToolTokens {
			t.Errorf("%s: model view costs %d tokens, want at most %d", tool.Name, n, maxToolTokens)
		}
	}
	if total > maxListTokens {
		t.Errorf("tools/list model view of %d tools costs %d tokens, want at most %d", len(all), total, maxListTokens)
	}
	sort.SliceStable(costs, func(i, j int) bool { return costs[i].tokens > costs[j].tokens })
	t.Logf("tools/list model view: %d tools, %d o200k tokens (limit %d)", len(all), total, maxListTokens)
	for _, c := range costs[:min(10, len(costs))] {
		t.Logf("%5d  %s", c.tokens, c.name)
	}
}

func TestCountTokens(t *testing.T) {
	if got := CountTokens(""); got != 0 {
		t.Errorf("CountTokens(\"\") got %d, want 0", got)
	}
	// "hello world" is two o200k_base tokens.
	if got := CountTokens("hello world"); got != 2 {
		t.Errorf("CountTokens(\"hello world\") got %d, want 2", got)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got := CountTokens("hello world"); got != 2 {
				t.Errorf("concurrent CountTokens got %d, want 2", got)
			}
		}()
	}
	wg.Wait()
}

func TestModelView(t *testing.T) {
	tool := &Tool{Name: "x_y", Description: "Does y.", InputSchema: json.RawMessage("{\n  \"type\": \"object\"\n}")}
	if got, want := ModelView(tool), `{"name":"x_y","description":"Does y.","inputSchema":{"type":"object"}}`; got != want {
		t.Errorf("ModelView got %s, want %s", got, want)
	}
}

// TestFullSchema checks that a tool whose listing leaves arguments out
// still accepts them: arguments are validated against the full schema, and
// the compact schema's arguments are a subset of it.
func TestFullSchema(t *testing.T) {
	fuller := 0
	for _, tool := range mustAll(t) {
		var compact, full struct {
			Properties map[string]json.RawMessage `json:"properties"`
		}
		if err := json.Unmarshal(tool.InputSchema, &compact); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(tool.FullSchema(), &full); err != nil {
			t.Fatalf("%s: full schema: %v", tool.Name, err)
		}
		for name := range compact.Properties {
			if _, ok := full.Properties[name]; !ok {
				t.Errorf("%s: argument %q is listed but not in the full schema", tool.Name, name)
			}
		}
		if len(full.Properties) > len(compact.Properties) {
			fuller++
		}
		for name := range full.Properties {
			if !contains(tool.validator.known, name) {
				t.Errorf("%s: argument %q of the full schema is unknown to the validator", tool.Name, name)
			}
		}
	}
	if fuller == 0 {
		t.Error("no tool leaves an argument out of its listing; the budget test no longer exercises the full schema")
	}
}

// TestDiscoveryTokenBudget: discovery mode's three tools cost at most
// 1,000 tokens in a model's context.
func TestDiscoveryTokenBudget(t *testing.T) {
	disc, err := DiscoveryTools(mustAll(t))
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, d := range disc {
		total += CountTokens(ModelView(d))
	}
	t.Logf("discovery mode: %d tokens for %d tools", total, len(disc))
	if total > 1000 {
		t.Errorf("discovery mode costs %d tokens, want at most 1000", total)
	}
}
