package diff

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/client"
	"github.com/datastack-mcp/datastack-mcp/internal/upstreamtest"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

// Unit tests of the diff tools against a fake Datafold at the transport,
// answering with the answers Datafold itself publishes (testdata/*.docs-2022.json,
// from its API documentation) rather than with the sandbox's emulation.

const diffID = 544266

// fixture reads a published answer, without its provenance field.
func fixture(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	var v map[string]any
	require.NoError(t, json.Unmarshal(b, &v))
	delete(v, "_source")
	return v
}

func encode(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// setup returns diff_tables and get_diff_result over a fake Datafold.
func setup(t *testing.T) (diff, get *tools.Tool, d *tools.Deps, up *upstreamtest.Registry) {
	t.Helper()
	up = upstreamtest.New(t)
	c, err := client.New(client.Config{Provider: client.Datafold, BaseURL: "https://app.datafold.test", APIKey: "key-diff-canary", Transport: up, MaxRetries: -1})
	require.NoError(t, err)
	d = &tools.Deps{Callers: map[string]tools.Caller{client.Datafold: c}, Secrets: []string{"key-diff-canary"}}
	all, err := tools.All()
	require.NoError(t, err)
	list, err := Tools(all, Options{Wait: 5 * time.Second, Poll: time.Millisecond})
	require.NoError(t, err)
	return list[0], list[1], d, up
}

// finished is the create-diff answer of the docs, finished with result.
func finished(t *testing.T, result string) string {
	v := fixture(t, "datafold_create_data_diff.docs-2022.json")
	v["status"], v["done"] = "done", true
	v["result"] = result
	return encode(t, v)
}

func verdictOf(t *testing.T, res *tools.Result) *DiffVerdict {
	t.Helper()
	require.NotNil(t, res)
	v, ok := res.Structured.(*DiffVerdict)
	require.True(t, ok, "structured content got %T, want *DiffVerdict; text %s", res.Structured, res.Text)
	return v
}

func TestDiffPublishedAnswers(t *testing.T) {
	sources := `[{"id":7,"name":"Snowflake prod","type":"snowflake"},{"id":8,"name":"Snowflake dev","type":"snowflake"}]`
	args := map[string]any{"a": map[string]any{"data_source": 7, "table": "DATABASE.SCHEMA.TABLE_1"},
		"b": map[string]any{"data_source": 8, "table": "DATABASE.SCHEMA.TABLE_2"}, "primary_key": []any{"PRIMARY_KEY"}}

	t.Run("only match percentages: the differing column is still named", func(t *testing.T) {
		diffTool, _, d, up := setup(t)
		up.Register("GET", "/api/v1/data_sources", 200, sources)
		up.Register("POST", "/api/v1/datadiffs", 200, encode(t, fixture(t, "datafold_create_data_diff.docs-2022.json")))
		up.Register("GET", "/api/v1/datadiffs/544266", 200, finished(t, "different"))
		up.Register("GET", "/api/v1/datadiffs/544266/summary_results", 200, encode(t, fixture(t, "datafold_summary_results_success.docs-2022.json")))
		res := diffTool.Call(context.Background(), d, args)
		require.False(t, res.IsError, res.Text)
		v := verdictOf(t, res)
		assert.Equal(t, "different", v.Result)
		require.NotEmpty(t, v.Columns, "columns with differences")
		assert.Equal(t, "BITTERNESS", v.Columns[0].Column)
		assert.InDelta(t, 94.32, v.Columns[0].MatchPercent, 1e-9)
		assert.True(t, v.Columns[0].Estimated)
		assert.Equal(t, 137, v.Columns[0].ValuesDifferent, "estimated from 5.68 %% of 2,410 rows")
		assert.Len(t, v.Columns, 1, "columns at 100 %% match are not listed")
		assert.Contains(t, res.Text, "BITTERNESS (94.32% match, about 137)")
		assert.NoError(t, diffTool.CheckOutput(jsonValue(t, v)), "the verdict satisfies the declared output schema")
	})

	t.Run("failed: the published error becomes the verdict", func(t *testing.T) {
		diffTool, _, d, up := setup(t)
		up.Register("GET", "/api/v1/data_sources", 200, sources)
		up.Register("POST", "/api/v1/datadiffs", 200, encode(t, fixture(t, "datafold_create_data_diff.docs-2022.json")))
		failed := fixture(t, "datafold_create_data_diff.docs-2022.json")
		failed["status"], failed["done"] = "failed", true
		up.Register("GET", "/api/v1/datadiffs/544266", 200, encode(t, failed))
		up.Register("GET", "/api/v1/datadiffs/544266/summary_results", 200, encode(t, fixture(t, "datafold_summary_results_failed.docs-2022.json")))
		res := diffTool.Call(context.Background(), d, args)
		v := verdictOf(t, res)
		assert.Equal(t, "failed", v.Status)
		require.NotNil(t, v.Error)
		assert.Contains(t, res.Text, "NoSuchTableException")
		assert.Contains(t, res.Text, "DATABASE.SCHEMA.TABLE_1")
	})

	t.Run("bad-pks: a verdict a person understands, and how to find the repeats", func(t *testing.T) {
		_, get, d, up := setup(t)
		up.Register("GET", "/api/v1/data_sources", 200, sources)
		up.Register("GET", "/api/v1/datadiffs/544266", 200, finished(t, "bad-pks"))
		results := fixture(t, "datafold_summary_results_success.docs-2022.json")
		results["pks"].(map[string]any)["dupes"] = []any{12, 0}
		up.Register("GET", "/api/v1/datadiffs/544266/summary_results", 200, encode(t, results))
		res := get.Call(context.Background(), d, map[string]any{"diff_id": diffID})
		v := verdictOf(t, res)
		assert.Equal(t, "bad-pks", v.Result)
		assert.Contains(t, v.Summary, "does not identify one row")
		assert.Contains(t, v.Summary, "12 duplicate")
		require.NotEmpty(t, v.Next)
		assert.Equal(t, "datafold_run_sql_query", v.Next[0].Tool)
		assert.Contains(t, v.Next[0].Arguments["query"], "HAVING COUNT(*) > 1")
	})
}

// TestDiffForwardsOnlyReadOnlySQL: a query or filter that is not plainly
// read-only is refused before anything is sent (no stubs: any request
// fails the test).
func TestDiffForwardsOnlyReadOnlySQL(t *testing.T) {
	cases := []struct {
		name string
		side map[string]any
		want string
	}{
		{"data-modifying CTE hidden by a comment", map[string]any{"data_source": 7,
			"query": "WITH e AS (SELECT 1) --'\n, d AS (DELETE FROM t RETURNING *) SELECT count(*) FROM d --'"}, "a.query must be one plain read-only query"},
		{"second statement in a filter", map[string]any{"data_source": 7, "table": "DB.S.T", "filter": "1=1); DELETE FROM t; SELECT (1"}, "a.filter must be a plain SQL condition"},
		{"side effect in a filter", map[string]any{"data_source": 7, "table": "DB.S.T", "filter": "nextval('s') > 0"}, "a.filter must be a plain SQL condition"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			diffTool, _, d, _ := setup(t)
			res := diffTool.Call(context.Background(), d, map[string]any{"a": tc.side, "b": map[string]any{"data_source": 8, "table": "DB.S.T"}, "primary_key": []any{"id"}})
			require.True(t, res.IsError, res.Text)
			assert.Contains(t, res.Text, tc.want)
			assert.False(t, strings.Contains(res.Text, "key-diff-canary"))
		})
	}
}

// jsonValue is v as decoded JSON, as a client reads structured content.
func jsonValue(t *testing.T, v any) any {
	t.Helper()
	var out any
	require.NoError(t, json.Unmarshal([]byte(encode(t, v)), &out))
	return out
}
