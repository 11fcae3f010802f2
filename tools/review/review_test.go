package review

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite" // the writable "sqlite" driver, for fixtures only

	"github.com/datastack-mcp/datastack-mcp/dbt"
	"github.com/datastack-mcp/datastack-mcp/tools"
	"github.com/datastack-mcp/datastack-mcp/tools/databases"
)

// model is one model of a test manifest: its file checksum, compiled SQL
// and description; key says whether dbt tests order_id as unique and
// not_null.
type model struct {
	name, checksum, sql, description string
	key                              bool
}

// manifest writes a manifest of the models, built into database db and
// the given schema.
func manifest(t *testing.T, schema string, models ...model) []byte {
	t.Helper()
	nodes := map[string]any{}
	for _, m := range models {
		id := "model.shop." + m.name
		nodes[id] = map[string]any{"unique_id": id, "resource_type": "model", "name": m.name, "package_name": "shop",
			"database": "db", "schema": schema, "alias": m.name, "checksum": map[string]any{"name": "sha256", "checksum": m.checksum},
			"config": map[string]any{"materialized": "table"}, "compiled_code": m.sql, "description": m.description,
			"depends_on": map[string]any{"nodes": []string{}}, "columns": map[string]any{}}
		if m.key {
			for _, test := range []string{"unique", "not_null"} {
				tid := "test.shop." + test + "_" + m.name
				nodes[tid] = map[string]any{"unique_id": tid, "resource_type": "test", "name": test + "_" + m.name, "package_name": "shop",
					"test_metadata": map[string]any{"name": test, "kwargs": map[string]any{"column_name": "order_id"}},
					"column_name":   "order_id", "attached_node": id, "depends_on": map[string]any{"nodes": []string{id}}}
			}
		}
	}
	raw, err := json.Marshal(map[string]any{"metadata": map[string]any{"project_name": "shop"}, "nodes": nodes})
	require.NoError(t, err)
	return raw
}

// database writes a SQLite file holding stg_orders (order_id, status) and
// orders (order_id, amount) of n orders; edit changes row i's values (it
// returns false to leave the row out).
func database(t *testing.T, path string, n int, edit func(i int, status *string, amount *int) bool) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	exec := func(q string, args ...any) {
		_, err := db.Exec(q, args...)
		require.NoError(t, err, q)
	}
	exec(`CREATE TABLE stg_orders (order_id INTEGER, status TEXT)`)
	exec(`CREATE TABLE orders (order_id INTEGER, amount INTEGER)`)
	for i := 1; i <= n; i++ {
		status, amount := "placed", i*10
		if edit != nil && !edit(i, &status, &amount) {
			continue
		}
		exec(`INSERT INTO stg_orders VALUES (?, ?)`, i, status)
		exec(`INSERT INTO orders VALUES (?, ?)`, i, amount)
	}
}

// fixture is production's and a PR's project and warehouse: the PR
// changes stg_orders (drops order 3, returns order 5) and orders (order
// 7's amount), rewords docs_only, removes old and adds fresh.
func fixture(t *testing.T) Options {
	t.Helper()
	prodM := manifest(t, "prod",
		model{name: "stg_orders", checksum: "a1", sql: "select id as order_id, status from raw.orders", key: true},
		model{name: "orders", checksum: "b1", sql: "select order_id, amount from raw.payments"},
		model{name: "docs_only", checksum: "c1", sql: "select 1", description: "old words"},
		model{name: "old", checksum: "d1", sql: "select 1"},
		model{name: "same", checksum: "e1", sql: "select 1"})
	prM := manifest(t, "pr_42",
		model{name: "stg_orders", checksum: "a2", sql: "select id as order_id, status from raw.orders where id != 3", key: true},
		model{name: "orders", checksum: "b2", sql: "select order_id, amount from raw.payments where amount > 0"},
		model{name: "docs_only", checksum: "c1", sql: "select 1", description: "new words"},
		model{name: "fresh", checksum: "f1", sql: "select 1"},
		model{name: "same", checksum: "e1", sql: "select 1"})
	prod, err := dbt.FromBytes("shop", prodM, nil)
	require.NoError(t, err)
	pr, err := dbt.FromBytes("shop_pr42", prM, nil)
	require.NoError(t, err)
	set, err := dbt.NewSet(prod, pr)
	require.NoError(t, err)

	dir := t.TempDir()
	database(t, filepath.Join(dir, "prod.db"), 100, nil)
	database(t, filepath.Join(dir, "pr.db"), 100, func(i int, status *string, amount *int) bool {
		switch i {
		case 3:
			return false
		case 5:
			*status = "returned"
		case 7:
			*amount = 1
		}
		return true
	})
	reg := databases.NewRegistry()
	t.Cleanup(reg.Close)
	reg.Add("wh_prod", "sqlite://"+filepath.Join(dir, "prod.db"))
	reg.Add("wh_pr", "sqlite://"+filepath.Join(dir, "pr.db"))
	return Options{DBT: set, Warehouses: reg, ProjectWarehouse: map[string]string{"shop": "wh_prod", "shop_pr42": "wh_pr"}, Wait: time.Hour}
}

// call runs the tool directly, collecting its progress notifications.
func call(t *testing.T, o Options, args map[string]any) (*Review, *tools.Result, []float64) {
	t.Helper()
	tool, err := Tool(nil, nil, o)
	require.NoError(t, err)
	var steps []float64
	var total float64
	ctx := tools.WithRequest(context.Background(), &tools.Request{Progress: func(_ context.Context, p, tot float64, _ string) {
		steps, total = append(steps, p), tot
	}})
	res := tool.Call(ctx, &tools.Deps{}, args)
	if res.IsError {
		return nil, res, nil
	}
	rv, ok := res.Structured.(*Review)
	require.True(t, ok, "got structured %T", res.Structured)
	if len(steps) > 0 {
		require.Equal(t, total, steps[len(steps)-1], "the last progress notification has progress == total: got %v of %v", steps, total)
	}
	return rv, res, steps
}

func byName(rv *Review) map[string]Model {
	out := map[string]Model{}
	for _, m := range rv.Models {
		out[m.Name] = m
	}
	return out
}

func TestReview(t *testing.T) {
	rv, res, steps := call(t, fixture(t), map[string]any{})
	require.NotNil(t, rv, "got an error: %s", tools.Text(res))
	assert.Equal(t, Side{Project: "shop", Warehouse: "wh_prod"}, rv.Base, "shop_pr42 extends shop, so shop is production's")
	assert.Equal(t, Side{Project: "shop_pr42", Warehouse: "wh_pr"}, rv.PR)
	assert.Equal(t, Counts{Changed: 5, New: 1, Removed: 1, Modified: 3, Reviewed: 5, Diffed: 1, Differing: 1}, rv.Counts)

	m := byName(rv)
	stg := m["stg_orders"].Diff
	require.NotNil(t, stg)
	assert.Equal(t, statusDone, stg.Status, "stg_orders: %s", stg.Reason)
	assert.Equal(t, []string{"order_id"}, stg.PrimaryKey)
	assert.Equal(t, "dbt tests", stg.KeyFrom)
	assert.Equal(t, "wh_prod:main.stg_orders", stg.Base, "db.prod.stg_orders is read as stg_orders where the database has no schema prod")
	assert.Equal(t, []int64{100, 99, 1, 0, 1}, []int64{stg.RowsBase, stg.RowsPR, stg.OnlyInBase, stg.OnlyInPR, stg.RowsWithDifferences},
		"stg_orders: rows in production, in the PR, only in production, only in the PR, differing")
	assert.Equal(t, "1 row only in production, 1 row differs (status 1)", stg.Summary)

	for name, want := range map[string]string{
		"orders":    reasonNoKey,
		"docs_only": "only descriptions changed, which changes no data",
		"fresh":     "new in the PR, there is no production table to compare with",
		"old":       "removed by the PR, there is no PR table to compare with",
	} {
		d := m[name].Diff
		require.NotNil(t, d, name)
		assert.Equal(t, statusSkipped, d.Status, name)
		assert.Equal(t, want, d.Reason, name)
	}
	assert.Equal(t, []string{"descriptions"}, m["docs_only"].Reasons)
	assert.False(t, rv.Complete, "orders could not be diffed, so the review is not complete")
	assert.Contains(t, rv.Summary, "5 models changed in shop_pr42 against shop (3 modified, 1 new, 1 removed).")
	assert.Contains(t, rv.Summary, "stg_orders (modified: body): 1 row only in production, 1 row differs (status 1).")

	var tools_ []string
	for _, n := range rv.Next {
		tools_ = append(tools_, n.Tool)
	}
	assert.Equal(t, []string{"diff_tables", Name}, tools_, "next: diff stg_orders further, review orders with a key")
	assert.Equal(t, map[string]any{"orders": []string{"<key column>"}}, rv.Next[1].Arguments["primary_keys"])

	// One step after the comparison, two per model (diff, downstream),
	// then the last: 1, 2, … without a gap.
	want := make([]float64, 2+2*5)
	for i := range want {
		want[i] = float64(i + 1)
	}
	assert.Equal(t, want, steps, "progress notifications")
}

// primary_keys gives a model no dbt test keys; models narrows the review.
func TestReviewPrimaryKeysArgument(t *testing.T) {
	rv, res, _ := call(t, fixture(t), map[string]any{"models": []any{"orders"}, "primary_keys": map[string]any{"orders": []any{"order_id"}}})
	require.NotNil(t, rv, "got an error: %s", tools.Text(res))
	require.Len(t, rv.Models, 1)
	d := rv.Models[0].Diff
	assert.Equal(t, statusDone, d.Status, d.Reason)
	assert.Equal(t, "argument", d.KeyFrom)
	assert.Equal(t, int64(1), d.RowsWithDifferences)
	assert.Equal(t, "amount", d.Columns[0].Column)
	assert.Empty(t, rv.NotReviewed, "models asked for orders alone")
	assert.True(t, rv.Complete, "got an incomplete review: %v", rv.Notes)
}

// Diffs share the diff wait: once it is spent, the models left are
// skipped and said to be.
func TestReviewWaitSpent(t *testing.T) {
	o := fixture(t)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	calls := 0
	o.now = func() time.Time { calls++; return start.Add(time.Duration(calls-1) * 2 * time.Hour) }
	rv, res, _ := call(t, o, map[string]any{"models": []any{"stg_orders"}})
	require.NotNil(t, rv, "got an error: %s", tools.Text(res))
	d := rv.Models[0].Diff
	assert.Equal(t, statusSkipped, d.Status)
	assert.Equal(t, "the diff wait (1h0m0s) was spent on the models before; diff it alone with diff_tables", d.Reason)
}

func TestReviewErrors(t *testing.T) {
	o := fixture(t)
	for _, tc := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"models": []any{"nope"}}, `"nope" is not a changed model of shop_pr42 against shop (changed: docs_only, fresh, old, orders, stg_orders)`},
		{map[string]any{"base": "shop", "pr": "shop"}, "base and pr are the same project (shop)"},
		{map[string]any{"base": "nope"}, `base: no dbt project named "nope"`},
	} {
		_, res, _ := call(t, o, tc.args)
		require.True(t, res.IsError, "args %v: got %s", tc.args, tools.Text(res))
		assert.Contains(t, tools.Text(res), tc.want, "args %v", tc.args)
	}
	_, res, _ := call(t, Options{}, map[string]any{})
	assert.Contains(t, tools.Text(res), "needs two dbt projects")
}

// The default pair: the project whose name the other extends is
// production's; otherwise base and pr must be given.
func TestProjectDefaults(t *testing.T) {
	for _, tc := range []struct {
		names    []string
		args     Args
		base, pr string
		bad      string
	}{
		{[]string{"shop", "shop_pr42"}, Args{}, "shop", "shop_pr42", ""},
		{[]string{"a_dev", "a"}, Args{}, "a", "a_dev", ""},
		{[]string{"prod", "dev"}, Args{}, "", "", "which of the dbt projects dev and prod is production's"},
		{[]string{"prod", "dev"}, Args{PR: "dev"}, "prod", "dev", ""},
		{[]string{"prod", "dev"}, Args{Base: "dev"}, "dev", "prod", ""},
		{[]string{"a", "b", "c"}, Args{Base: "a"}, "", "", "3 dbt projects are configured (a, b, c): give base"},
	} {
		var ps []*dbt.Project
		for _, n := range tc.names {
			p, err := dbt.FromBytes(n, []byte(`{"metadata": {}, "nodes": {}}`), nil)
			require.NoError(t, err)
			ps = append(ps, p)
		}
		set, err := dbt.NewSet(ps...)
		require.NoError(t, err)
		r := &run{o: Options{DBT: set}}
		base, pr, bad := r.projects(tc.args)
		name := fmt.Sprintf("%v %+v", tc.names, tc.args)
		if tc.bad != "" {
			require.NotNil(t, bad, name)
			assert.Contains(t, tools.Text(bad), tc.bad, name)
			continue
		}
		require.Nil(t, bad, name)
		assert.Equal(t, tc.base+" "+tc.pr, base.Name()+" "+pr.Name(), name)
	}
}

func TestPromptNamesTheCall(t *testing.T) {
	res, err := Prompts()[0].Get(context.Background(), map[string]string{"base": "shop", "models": "orders, stg_orders"})
	require.NoError(t, err)
	msg := strings.Join(res.Messages, "\n")
	assert.Contains(t, msg, `review_dbt_changes with {"base":"shop","models":["orders","stg_orders"]}`)
}

// Without a warehouse for a project nothing is diffed, and the answer
// says how to configure one; skip_diffs diffs nothing and says nothing.
func TestReviewWithoutWarehouse(t *testing.T) {
	o := fixture(t)
	o.ProjectWarehouse = map[string]string{"shop": "wh_prod"}
	rv, res, _ := call(t, o, map[string]any{"models": []any{"stg_orders"}})
	require.NotNil(t, rv, "got an error: %s", tools.Text(res))
	assert.Equal(t, "no warehouse connection is configured for both projects", rv.Models[0].Diff.Reason)
	assert.Contains(t, rv.Notes, `dbt project shop_pr42 names no warehouse connection, so no data is diffed: add "warehouse" to its entry in the config file's dbt projects.`)
	assert.False(t, rv.Complete)

	rv, res, _ = call(t, o, map[string]any{"models": []any{"stg_orders"}, "skip_diffs": true})
	require.NotNil(t, rv, "got an error: %s", tools.Text(res))
	assert.Nil(t, rv.Models[0].Diff)
	assert.Empty(t, rv.Notes)
	assert.True(t, rv.Complete, "a review that was asked for no diff is complete without one")
}
