package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/datastack-mcp/datastack-mcp/client"
	"github.com/datastack-mcp/datastack-mcp/client/sandbox"
	"github.com/datastack-mcp/datastack-mcp/internal/mcpgo"
	"github.com/datastack-mcp/datastack-mcp/schemas"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

// startBudgeted serves every tool against a fresh sandbox with the given
// result budget (tokens; 0 for the default) and connects an MCP client.
func startBudgeted(t *testing.T, budget int) *mcpclient.Client {
	t.Helper()
	sb, err := sandbox.New()
	if err != nil {
		t.Fatal(err)
	}
	deps := &tools.Deps{Callers: map[string]tools.Caller{}, ConfigHint: map[string]string{}, Logger: discardLogger(), MaxResultTokens: budget}
	for _, p := range schemas.Providers {
		cfg := sb.ClientConfig(p)
		cfg.Logger = discardLogger()
		c, err := client.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		deps.Callers[p] = c
	}
	all, err := tools.All()
	if err != nil {
		t.Fatal(err)
	}
	s := mcpgo.New(mcpgo.Spec{Name: "datastack-mcp", Version: "test", Tools: all, Deps: deps})
	c, err := mcpclient.NewInProcessClient(s.SDK())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	initialize(t, c, mcp.LATEST_PROTOCOL_VERSION)
	return c
}

func callBudgeted(t *testing.T, c *mcpclient.Client, name string, args map[string]any) (*mcp.CallToolResult, map[string]any) {
	t.Helper()
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	res, err := c.CallTool(context.Background(), req)
	if err != nil {
		t.Fatalf("%s: got a protocol error %v, want a result", name, err)
	}
	if res.IsError {
		t.Fatalf("%s: got isError, want success: %s", name, mcpgo.Text(res))
	}
	m, ok := res.StructuredContent.(map[string]any)
	if !ok {
		t.Fatalf("%s: structuredContent got %T, want an object", name, res.StructuredContent)
	}
	return res, m
}

// truncation checks a cut result as a client receives it: a sentence,
// then valid JSON equal to structuredContent, within the budget; it
// returns the _truncated object.
func truncation(t *testing.T, res *mcp.CallToolResult, m map[string]any, budget int) map[string]any {
	t.Helper()
	text := mcpgo.Text(res)
	if n := tools.CountTokens(text); n > budget {
		t.Errorf("text got %d tokens, want at most the budget %d", n, budget)
	}
	first, rest, _ := strings.Cut(text, "\n")
	if !strings.Contains(first, "cut to fit") {
		t.Errorf("first line got %q, want a sentence saying the answer was cut", first)
	}
	var fromText map[string]any
	if err := json.Unmarshal([]byte(rest), &fromText); err != nil {
		t.Fatalf("text after the first line is not valid JSON (%v): %.300s", err, rest)
	}
	a, _ := json.Marshal(fromText)
	b, _ := json.Marshal(m)
	if string(a) != string(b) {
		t.Errorf("text JSON got %.300s, want structuredContent %.300s", a, b)
	}
	tr, ok := m["_truncated"].(map[string]any)
	if !ok {
		t.Fatalf("got no _truncated object: %.500s", text)
	}
	return tr
}

func envelopeCount(t *testing.T, m map[string]any, key, path string) int {
	t.Helper()
	group, _ := m[key].(map[string]any)
	n, ok := group[path].(float64)
	if !ok {
		t.Fatalf("%s.%s got %v, want a number (have %v)", "_truncated."+key, path, group[path], group)
	}
	return int(n)
}

// TestBudgetEndToEnd calls large sandbox answers through an MCP client
// with a small budget: each comes back cut, as valid JSON, with the real
// totals and a way to get the rest, and a projection brings it under the
// budget whole.
func TestBudgetEndToEnd(t *testing.T) {
	t.Parallel() // independent of the other tests; runs beside them
	t.Run("SQL rows", func(t *testing.T) {
		const budget = 9000
		c := startBudgeted(t, budget)
		query := map[string]any{"data_source_id": 1, "query": "SELECT * FROM ANALYTICS.MARTS.fct_orders LIMIT 1000"}
		res, m := callBudgeted(t, c, "datafold_run_sql_query", query)
		tr := truncation(t, res, m, budget)
		rows, _ := m["rows"].([]any)
		if got, want := envelopeCount(t, tr, "kept", "rows"), len(rows); got != want {
			t.Errorf("kept.rows got %d, want %d (the rows shown)", got, want)
		}
		if got, want := envelopeCount(t, tr, "total", "rows"), 1000; got != want {
			t.Errorf("total.rows got %d, want the real %d", got, want)
		}
		for i, r := range rows {
			if got := r.(map[string]any)["ORDER_ID"]; got != float64(i+1) {
				t.Fatalf("rows[%d].ORDER_ID got %v, want %d (the first rows, in order)", i, got, i+1)
			}
		}
		if next, _ := tr["next"].(string); !strings.Contains(next, "fields") {
			t.Errorf("next got %q, want it to suggest fields", next)
		}

		query["fields"] = []any{"rows.#.ORDER_ID"}
		res, m = callBudgeted(t, c, "datafold_run_sql_query", query)
		if _, cut := m["_truncated"]; cut {
			t.Fatalf("projected answer got _truncated, want it under the budget: %.300s", mcpgo.Text(res))
		}
		if n := tools.CountTokens(mcpgo.Text(res)); n > budget {
			t.Errorf("projected text got %d tokens, want at most %d", n, budget)
		}
		rows, _ = m["rows"].([]any)
		if got := len(rows); got != 1000 {
			t.Errorf("projected rows got %d, want all 1000", got)
		}
		if got := fmt.Sprint(rows[999]); got != "map[ORDER_ID:1000]" {
			t.Errorf("rows[999] got %s, want only ORDER_ID 1000", got)
		}
	})

	t.Run("Lightdash explore", func(t *testing.T) {
		const budget = 1500
		args := map[string]any{"projectUuid": sandbox.Examples()[schemas.Lightdash]["projectUuid"], "exploreId": "fct_orders"}
		_, full := callBudgeted(t, startBudgeted(t, 0), "lightdash_get_explore", args)
		if _, cut := full["_truncated"]; cut {
			t.Fatal("the explore got cut at the default budget, want it whole for reference")
		}
		c := startBudgeted(t, budget)
		res, m := callBudgeted(t, c, "lightdash_get_explore", args)
		tr := truncation(t, res, m, budget)
		totals, _ := tr["total"].(map[string]any)
		if len(totals) == 0 {
			t.Fatalf("_truncated.total got %v, want the real sizes of what was cut", tr["total"])
		}
		for path := range totals {
			real := gjsonLen(t, full, path)
			if got := envelopeCount(t, tr, "total", path); got != real {
				t.Errorf("total.%s got %d, want the real %d", path, got, real)
			}
		}

		args["fields"] = []any{"results.name", "results.tables.fct_orders.dimensions.@keys", "results.tables.fct_orders.metrics.total_revenue.sql"}
		res, m = callBudgeted(t, c, "lightdash_get_explore", args)
		if _, cut := m["_truncated"]; cut {
			t.Fatalf("projected answer got _truncated, want it under the budget: %.300s", mcpgo.Text(res))
		}
		keys, _ := m["results.tables.fct_orders.dimensions.@keys"].([]any)
		if got, want := len(keys), gjsonLen(t, full, "results.tables.fct_orders.dimensions"); got != want {
			t.Errorf("dimension keys got %d, want all %d", got, want)
		}
		if got := fmt.Sprint(m["results"]); !strings.Contains(got, "name:fct_orders") || !strings.Contains(got, "total_revenue") {
			t.Errorf("results got %s, want the name and the metric's sql", got)
		}
	})

	t.Run("data diffs page", func(t *testing.T) {
		const budget = 600
		_, full := callBudgeted(t, startBudgeted(t, 0), "datafold_list_data_diffs", map[string]any{})
		c := startBudgeted(t, budget)
		res, m := callBudgeted(t, c, "datafold_list_data_diffs", map[string]any{})
		tr := truncation(t, res, m, budget)
		kept := envelopeCount(t, tr, "kept", "results")
		if got, want := envelopeCount(t, tr, "total", "results"), len(full["results"].([]any)); got != want {
			t.Errorf("total.results got %d, want the real %d", got, want)
		}
		if got, want := m["count"], full["count"]; got != want {
			t.Errorf("count got %v, want the upstream's %v", got, want)
		}
		want := fmt.Sprintf("page_size=%d and page=2", kept)
		if next, _ := tr["next"].(string); !strings.Contains(next, want) {
			t.Errorf("next got %q, want it to contain %q", next, want)
		}
	})
}

// gjsonLen is the number of items or keys at a dotted path of decoded JSON.
func gjsonLen(t *testing.T, v any, path string) int {
	t.Helper()
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			var i int
			if _, err := fmt.Sscan(k, &i); err != nil || i >= len(x) {
				t.Fatalf("path %s: bad index %s", path, k)
			}
			v = x[i]
		}
	}
	switch x := v.(type) {
	case map[string]any:
		return len(x)
	case []any:
		return len(x)
	}
	t.Fatalf("path %s got %T, want an object or array", path, v)
	return 0
}
