package contracttest

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/client"
	"github.com/datastack-mcp/datastack-mcp/client/sandbox"
	"github.com/datastack-mcp/datastack-mcp/schemas"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

// TestRevenueByMonthWalkthrough is the one test here on the sandbox rather
// than on real answers: the path a model takes to "revenue by month from
// the Lightdash semantic layer", tool by tool, with no SQL written, each
// structured result checked against its tool's output schema.
func TestRevenueByMonthWalkthrough(t *testing.T) {
	sb, err := sandbox.New()
	require.NoError(t, err)
	c, err := client.New(client.Config{Provider: schemas.Lightdash, BaseURL: sandbox.BaseURL(schemas.Lightdash),
		APIKey: "walkthrough", Transport: sb.Transport(), MaxRetries: -1})
	require.NoError(t, err)
	d := &tools.Deps{Callers: map[string]tools.Caller{schemas.Lightdash: c}}
	all := byName(t)
	call := func(name string, a map[string]any) map[string]any {
		t.Helper()
		tool := all[name]
		require.NotNil(t, tool, name)
		res := tool.Call(context.Background(), d, a)
		require.False(t, res.IsError, "%s: %s", name, res.Text)
		require.NoError(t, outputError(t, tool, res), name)
		b, err := json.Marshal(res.Structured)
		require.NoError(t, err)
		var m map[string]any
		require.NoError(t, json.Unmarshal(b, &m))
		return m
	}

	// 1. The project.
	projects := call("lightdash_list_organization_projects", map[string]any{})
	project := lookup(t, projects, "results", "0", "projectUuid").(string)
	// 2. The explores, and the fields of the orders one: Lightdash field
	// ids are <table>_<field>, date dimensions also <table>_<field>_<interval>.
	explore := call("lightdash_get_explore", map[string]any{"projectUuid": project, "exploreId": "fct_orders"})
	assert.Equal(t, "MONTH", lookup(t, explore, "results", "tables", "fct_orders", "dimensions", "order_date_month", "timeInterval"))
	assert.Equal(t, "sum", lookup(t, explore, "results", "tables", "fct_orders", "metrics", "total_revenue", "type"))
	// 3. Run the metric query.
	sb.QueryRunning = time.Hour
	query := map[string]any{"exploreName": "fct_orders", "dimensions": []any{"fct_orders_order_date_month"},
		"metrics": []any{"fct_orders_total_revenue"}, "filters": map[string]any{},
		"sorts": []any{map[string]any{"fieldId": "fct_orders_order_date_month", "descending": false}}, "limit": 500, "tableCalculations": []any{}}
	run := call("lightdash_execute_metric_query", map[string]any{"projectUuid": project, "query": query})
	id := lookup(t, run, "results", "queryUuid").(string)
	// 4. Its results: pending while it runs, then pages of rows.
	pending := call("lightdash_get_query_results", map[string]any{"projectUuid": project, "queryUuid": id})
	assert.Equal(t, "pending", lookup(t, pending, "results", "status"))
	sb.QueryRunning = 0
	ready := call("lightdash_get_query_results", map[string]any{"projectUuid": project, "queryUuid": id,
		"fields": []any{"results.status", "results.rows.#.fct_orders_order_date_month.value.formatted", "results.rows.#.fct_orders_total_revenue.value.raw"}})
	assert.Equal(t, "ready", lookup(t, ready, "results", "status"))
	rows := lookup(t, ready, "results", "rows").([]any)
	require.NotEmpty(t, rows)
	first := rows[0].(map[string]any)
	assert.Regexp(t, `^\d{4}-\d{2}$`, lookup(t, first, "fct_orders_order_date_month", "value", "formatted"), "month")
	assert.Greater(t, lookup(t, first, "fct_orders_total_revenue", "value", "raw").(float64), 0.0, "revenue")
	// 5. The same as a file.
	file := call("lightdash_download_query_results", map[string]any{"projectUuid": project, "queryUuid": id, "type": "csv"})
	assert.Contains(t, lookup(t, file, "results", "fileUrl"), ".csv")
}

// lookup walks keys (array indexes as numbers in strings) into v.
func lookup(t *testing.T, v any, keys ...string) any {
	t.Helper()
	for _, k := range keys {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i, err := strconv.Atoi(k)
			require.NoError(t, err, k)
			require.Less(t, i, len(x), k)
			v = x[i]
		default:
			t.Fatalf("no %q in %v", k, v)
		}
	}
	return v
}
