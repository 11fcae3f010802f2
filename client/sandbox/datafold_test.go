package sandbox

import (
	"fmt"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// waitFor polls fn until it returns true (or fails after a few seconds),
// for sandboxes that run on the real clock; a test that can should move a
// testClock instead.
func waitFor(t *testing.T, what string, fn func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if fn() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// testClock is a sandbox clock that moves only when the test moves it:
// states that change with time (diffs, test jobs, syncs) then change
// exactly when the test says, whatever the machine's load.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

// useTestClock makes s run on a testClock starting now.
func useTestClock(s *Sandbox) *testClock {
	c := &testClock{t: time.Now()}
	s.now = c.now
	return c
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestDatafoldDiffProdVsDevOrders(t *testing.T) {
	t.Parallel()
	s := newTestSandbox(t)
	s.DiffQueued, s.DiffRunning = 400*time.Millisecond, 400*time.Millisecond
	clock := useTestClock(s)
	r := do(t, s, "datafold", "POST", "/api/v1/datadiffs", map[string]any{
		"data_source1_id": 1, "data_source2_id": 2, "pk_columns": []any{"order_id"},
		"table1": []any{"ANALYTICS", "MARTS", "fct_orders"}, "table2": []any{"ANALYTICS", "MARTS", "fct_orders"},
	})
	require.Equal(t, 200, r.Status, string(r.Body))
	validateResponse(t, "datafold", r)
	id := int(r.get("id").(float64))
	require.Equal(t, "waiting", r.get("status"))
	require.Equal(t, false, r.get("done"))
	path := fmt.Sprintf("/api/v1/datadiffs/%d", id)
	require.Equal(t, "pending", do(t, s, "datafold", "GET", path+"/summary_results", nil).get("status"))

	clock.advance(s.DiffQueued)
	require.Equal(t, "processing", do(t, s, "datafold", "GET", path, nil).get("status"), "once queued for DiffQueued")
	rr := do(t, s, "datafold", "GET", path+"/summary_results", nil)
	require.Equal(t, "running", rr.get("status"))
	validateResponse(t, "datafold", rr)

	clock.advance(s.DiffRunning)
	settle(s)
	require.Equal(t, "done", do(t, s, "datafold", "GET", path, nil).get("status"), "once running for DiffRunning and compared")
	full := do(t, s, "datafold", "GET", path, nil)
	validateResponse(t, "datafold", full)
	require.Equal(t, "different", full.get("result"))
	require.Equal(t, 142.0, full.get("diff_stats.rows_removed"))
	require.Equal(t, 30.0, full.get("diff_stats.rows_added"))

	res := do(t, s, "datafold", "GET", path+"/summary_results", nil)
	validateResponse(t, "datafold", res)
	require.Equal(t, "done", res.get("status"))
	require.Equal(t, []any{142.0, 30.0}, res.get("pks.exclusives"))
	require.Equal(t, []any{125430.0, 125318.0}, res.get("pks.total_rows"))
	require.Equal(t, 3.0, res.get("values.columns_with_differences"))
	differing := map[string]float64{}
	for _, c := range res.get("values.columns_diff_stats").([]any) {
		m := c.(map[string]any)
		if n := m["values_different"].(float64); n > 0 {
			differing[m["column_name"].(string)] = n
		}
	}
	require.Equal(t, 3, len(differing), differing)
	require.True(t, differing["amount"] > 1000 && differing["amount"] == differing["credit_card_amount"] && differing["status"] > 200, differing)

	sum := do(t, s, "datafold", "GET", path+"/summary", nil)
	validateResponse(t, "datafold", sum)
	require.Equal(t, "Snowflake (prod)", sum.get("data_source1_name"))
	require.Equal(t, "Snowflake (dev)", sum.get("data_source2_name"))

	// The seeded CI diff of the same tables says the same.
	seeded := do(t, s, "datafold", "GET", "/api/v1/datadiffs/101/summary_results", nil)
	require.Equal(t, res.get("values"), seeded.get("values"))

	// It is listed (newest first by default).
	list := do(t, s, "datafold", "GET", "/api/v1/datadiffs?page_size=2", nil)
	validateResponse(t, "datafold", list)
	require.Equal(t, float64(id), list.get("results.0.id"))
	require.Equal(t, 6.0, list.get("count"))
}

func TestDatafoldDiffOutcomes(t *testing.T) {
	t.Parallel()
	s := newTestSandbox(t)
	s.DiffQueued, s.DiffRunning = 0, 0
	create := func(body map[string]any) *result {
		r := do(t, s, "datafold", "POST", "/api/v1/datadiffs", body)
		require.Equal(t, 200, r.Status, string(r.Body))
		settle(s)
		return do(t, s, "datafold", "GET", fmt.Sprintf("/api/v1/datadiffs/%v", r.get("id")), nil)
	}
	// dim_customers is identical, also when the table is given as one dotted string.
	r := create(map[string]any{"data_source1_id": 1, "data_source2_id": 2, "pk_columns": []any{"customer_id"},
		"table1": []any{"ANALYTICS.MARTS.dim_customers"}, "table2": []any{"ANALYTICS", "MARTS", "DIM_CUSTOMERS"}})
	require.Equal(t, "identical", r.get("result"))
	// A missing table fails like Snowflake does.
	r = create(map[string]any{"data_source1_id": 1, "data_source2_id": 2, "pk_columns": []any{"order_id"},
		"table1": []any{"ANALYTICS", "MARTS", "fct_orders"}, "table2": []any{"ANALYTICS", "MARTS", "fct_orderz"}})
	require.Equal(t, "failed", r.get("status"))
	res := do(t, s, "datafold", "GET", fmt.Sprintf("/api/v1/datadiffs/%v/summary_results", r.get("id")), nil)
	validateResponse(t, "datafold", res)
	require.Equal(t, "failed", res.get("status"))
	require.Equal(t, "NoSuchTableException", res.get("error.error_type"))
	// Queries resolve to their table; excluding the differing columns leaves only exclusive rows.
	r = create(map[string]any{"data_source1_id": 1, "data_source2_id": 2, "pk_columns": []any{"order_id"},
		"query1": "select * from ANALYTICS.MARTS.fct_orders", "query2": "select * from ANALYTICS.MARTS.fct_orders",
		"exclude_columns": []any{"amount", "credit_card_amount", "status"}})
	require.Equal(t, "different", r.get("result"))
	require.Equal(t, []any{}, r.get("affected_columns"))
	// Same data source, same table: identical.
	r = create(map[string]any{"data_source1_id": 1, "data_source2_id": 1, "pk_columns": []any{"order_id"},
		"table1": []any{"MARTS", "fct_orders"}, "table2": []any{"MARTS", "fct_orders"}})
	require.Equal(t, "identical", r.get("result"))
	require.Equal(t, "in_db", r.get("kind"))
	// Unknown data source: FastAPI-style 422.
	bad := do(t, s, "datafold", "POST", "/api/v1/datadiffs", map[string]any{"data_source1_id": 9, "data_source2_id": 2,
		"pk_columns": []any{"id"}, "table1": []any{"a"}, "table2": []any{"b"}})
	require.Equal(t, 422, bad.Status)
	validateError(t, "datafold", bad)
	// The seeded failed diff.
	f := do(t, s, "datafold", "GET", "/api/v1/datadiffs/104/summary_results", nil)
	require.Equal(t, "NoSuchTableException", f.get("error.error_type"))
	require.Equal(t, "identical", do(t, s, "datafold", "GET", "/api/v1/datadiffs/102", nil).get("result"))
}

func TestDatafoldDiffCancel(t *testing.T) {
	t.Parallel()
	s := newTestSandbox(t)
	s.DiffQueued, s.DiffRunning = time.Hour, time.Hour
	r := do(t, s, "datafold", "POST", "/api/v1/datadiffs", map[string]any{"data_source1_id": 1, "data_source2_id": 2,
		"pk_columns": []any{"customer_id"}, "table1": []any{"ANALYTICS", "MARTS", "dim_customers"}, "table2": []any{"ANALYTICS", "MARTS", "dim_customers"}})
	path := fmt.Sprintf("/api/v1/datadiffs/%v", r.get("id"))
	c := do(t, s, "datafold", "POST", path+"/cancel", nil)
	require.Equal(t, 200, c.Status)
	validateResponse(t, "datafold", c)
	require.Equal(t, "cancelled", c.get("status"))
	require.Equal(t, "cancelled", do(t, s, "datafold", "GET", path, nil).get("status"))
	require.Equal(t, "failed", do(t, s, "datafold", "GET", path+"/summary_results", nil).get("status"))
	// Cancelling a finished diff changes nothing.
	require.Equal(t, "done", do(t, s, "datafold", "POST", "/api/v1/datadiffs/101/cancel", nil).get("status"))
}

func names(r *result) []string {
	var out []string
	for _, n := range r.JSON.([]any) {
		m := n.(map[string]any)
		if m["type"] == "Table" {
			out = append(out, "T:"+m["name"].(string))
			continue
		}
		out = append(out, m["table"].(map[string]any)["name"].(string)+"."+m["name"].(string))
	}
	return out
}

func TestDatafoldLineage(t *testing.T) {
	t.Parallel()
	s := newTestSandbox(t)
	get := func(path string) *result {
		r := do(t, s, "datafold", "GET", path, nil)
		require.Equal(t, 200, r.Status, string(r.Body))
		validateResponse(t, "datafold", r)
		return r
	}
	col := "/api/v1/explore/db/1/columns/"
	require.Equal(t, []string{"stg_payments.amount"}, names(get(col+"ANALYTICS.RAW.payments.amount/downstreams?max_depth=1")))
	down := names(get(col + "ANALYTICS.RAW.payments.amount/downstreams"))
	for _, want := range []string{"stg_payments.amount", "fct_orders.amount", "fct_orders.credit_card_amount", "dim_customers.lifetime_value"} {
		require.True(t, slices.Contains(down, want), "%v lacks %s", down, want)
	}
	withTables := names(get(col + "ANALYTICS.RAW.payments.amount/downstreams?max_depth=2&include_tabular_nodes=true"))
	require.True(t, slices.Contains(withTables, "T:fct_orders") && !slices.Contains(withTables, "T:dim_customers"), withTables)
	up := names(get(col + url.PathEscape(`ANALYTICS."MARTS".fct_orders.amount`) + "/upstreams"))
	require.Equal(t, []string{"stg_payments.amount", "payments.amount"}, up)
	require.Equal(t, []string{"fct_orders.amount"}, names(get(col+"ANALYTICS.MARTS.dim_customers.lifetime_value/upstreams?max_depth=1")))
	// What breaks if lifetime_value changes? Nothing downstream in the warehouse.
	require.Equal(t, 0, len(get(col+"ANALYTICS.MARTS.dim_customers.lifetime_value/downstreams").JSON.([]any)))

	tbl := "/api/v1/explore/db/2/tables/"
	require.Equal(t, []string{"T:stg_orders", "T:fct_orders", "T:dim_customers"}, names(get(tbl+"ANALYTICS.RAW.orders/downstreams")))
	require.Equal(t, []string{"T:stg_orders", "T:stg_payments"}, names(get(tbl+"MARTS.fct_orders/upstreams?max_depth=1")))
	require.Equal(t, []string{"T:stg_orders", "T:stg_payments", "T:orders", "T:payments"}, names(get(tbl+"fct_orders/upstreams")))

	for _, p := range []string{col + "ANALYTICS.MARTS.fct_orders.nope/upstreams", tbl + "ANALYTICS.MARTS.nope/upstreams",
		col + "amount/upstreams", "/api/v1/explore/db/3/tables/x/upstreams", "/api/v1/explore/db/42/tables/x/upstreams"} {
		require.Equal(t, 404, do(t, s, "datafold", "GET", p, nil).Status, p)
	}
}

func TestDatafoldQueriesAndSources(t *testing.T) {
	t.Parallel()
	s := newTestSandbox(t)
	clock := useTestClock(s)
	q := func(ds int, sql string) *result {
		return do(t, s, "datafold", "POST", fmt.Sprintf("/api/v1/data_sources/%d/query", ds), map[string]any{"query": sql})
	}
	require.Equal(t, 125430.0, q(1, "select count(*) from ANALYTICS.MARTS.fct_orders").get("rows.0.COUNT(*)"))
	require.Equal(t, 125318.0, q(2, "select count(*) as n from ANALYTICS.MARTS.fct_orders").get("rows.0.N"))
	// An order whose card payment dev rounds.
	oid := 67
	for orderMethod(oid) != "credit_card" || oid%883 == 0 {
		oid += 67
	}
	prod := q(1, fmt.Sprintf("select amount, status from fct_orders where order_id = %d", oid))
	dev := q(2, fmt.Sprintf("select amount, status from fct_orders where order_id = %d", oid))
	validateResponse(t, "datafold", prod)
	require.NotEqual(t, prod.get("rows.0.AMOUNT"), dev.get("rows.0.AMOUNT"))
	require.Equal(t, "return_pending", q(1, "select status from fct_orders where order_id = 587").get("rows.0.STATUS"))
	require.Equal(t, "returned", q(2, "select status from fct_orders where order_id = 587").get("rows.0.STATUS"))
	require.Equal(t, 0, len(q(2, "select * from fct_orders where order_id = 883").get("rows").([]any)))
	bad := q(1, "select * from ANALYTICS.MARTS.nope")
	require.Equal(t, 400, bad.Status)
	require.Contains(t, bad.get("detail").(string), "does not exist")
	// SQL runs on an engine: what it runs is answered, what it cannot run
	// is an error, never a fake success.
	require.Equal(t, 1.0, q(1, "with x as (select 1 as one) select * from x").get("rows.0.ONE"))
	fn := q(1, "select median(amount) from ANALYTICS.MARTS.fct_orders")
	require.Equal(t, 400, fn.Status)
	require.Contains(t, fn.get("detail").(string), "no such function: median")
	require.Equal(t, 3.0, q(3, "select count(*) from marketing.campaigns where channel = 'meta'").get("rows.0.count(*)"))

	// data sources: create, then get; test connection progresses.
	r := do(t, s, "datafold", "POST", "/api/v1/data_sources", map[string]any{"type": "pg", "name": "Postgres (app replica)",
		"options": map[string]any{"host": "app-replica", "port": 5432, "user": "datafold", "dbname": "jaffle_app"}})
	require.Equal(t, 200, r.Status, string(r.Body))
	validateResponse(t, "datafold", r)
	id := r.get("id")
	require.Equal(t, 4.0, id)
	g := do(t, s, "datafold", "GET", fmt.Sprintf("/api/v1/data_sources/%v", id), nil)
	require.Equal(t, "Postgres (app replica)", g.get("name"))
	require.Equal(t, 4, len(do(t, s, "datafold", "GET", "/api/v1/data_sources", nil).JSON.([]any)))
	job := do(t, s, "datafold", "POST", "/api/v1/data_sources/1/test", nil).get("job_id")
	path := fmt.Sprintf("/api/v1/data_sources/test/%v", job)
	clock.advance(s.SyncDuration)
	require.Equal(t, "done", do(t, s, "datafold", "GET", path, nil).get("status"), "test job after SyncDuration")
	tr := do(t, s, "datafold", "GET", path, nil)
	validateResponse(t, "datafold", tr)
	require.Equal(t, "schema_download", tr.get("results.2.step"))
	types := do(t, s, "datafold", "GET", "/api/v1/data_sources/types", nil)
	found := false
	for _, x := range types.JSON.([]any) {
		m := x.(map[string]any)
		if m["type"] == "snowflake" {
			found = m["configuration_schema"].(map[string]any)["properties"].(map[string]any)["account"] != nil
		}
	}
	require.True(t, found, "snowflake type with its configuration schema")
}

func TestDatafoldMonitorsAndCI(t *testing.T) {
	t.Parallel()
	s := newTestSandbox(t)
	s.DiffQueued, s.DiffRunning = 0, 0
	r := do(t, s, "datafold", "POST", "/api/v1/monitors/create/metric", map[string]any{
		"name": "dim_customers freshness", "connection_id": 1, "schedule": map[string]any{"interval": map[string]any{"every": "hour"}},
		"metric": map[string]any{"type": "table", "table": "ANALYTICS.MARTS.DIM_CUSTOMERS", "metric": "freshness"}, "tags": []any{"customers"}})
	require.Equal(t, 200, r.Status, string(r.Body))
	id := r.get("id")
	m := do(t, s, "datafold", "GET", fmt.Sprintf("/api/v1/monitors/%v", id), nil)
	validateResponse(t, "datafold", m)
	require.Equal(t, "dim_customers freshness", m.get("name"))
	require.Equal(t, "metric", m.get("monitor_type"))
	require.Equal(t, "freshness", m.get("dataset.0.metric"))
	list := do(t, s, "datafold", "GET", "/api/v1/monitors?tags=customers", nil)
	require.Equal(t, 1.0, list.get("count"))

	// A diff monitor run creates a diff; when it is done the run alerts.
	run := do(t, s, "datafold", "POST", "/api/v1/monitors/201/run", nil)
	require.Equal(t, 200, run.Status)
	rp := fmt.Sprintf("/api/v1/monitors/201/runs/%v", run.get("run_id"))
	rr := do(t, s, "datafold", "GET", rp, nil)
	validateResponse(t, "datafold", rr)
	require.Equal(t, "alert", rr.get("state"))
	require.NotEqual(t, nil, rr.get("diff_id"))
	runs := do(t, s, "datafold", "GET", "/api/v1/monitors/201/runs", nil)
	require.Equal(t, 2.0, runs.get("count"))
	require.Equal(t, run.get("run_id"), runs.get("runs.0.run_id"))

	// CI: trigger a PR, it diffs the marts and shows up in the runs.
	tr := do(t, s, "datafold", "POST", "/api/v1/ci/1/trigger", map[string]any{"base_branch": "main", "base_sha": "a17be55",
		"pr_branch": "feature/more", "pr_number": 43, "pr_sha": "0badc0de"})
	require.Equal(t, 200, tr.Status)
	cr := do(t, s, "datafold", "GET", "/api/v1/ci/1/runs?pr_num=43", nil)
	validateResponse(t, "datafold", cr)
	require.Equal(t, tr.get("ci_run_id"), cr.get("0.id"))
	require.Equal(t, "done", cr.get("0.status"))
	require.Equal(t, 404, do(t, s, "datafold", "GET", "/api/v1/ci/9/runs", nil).Status)
	logs := do(t, s, "datafold", "GET", "/api/v1/audit_logs", nil)
	require.True(t, len(logs.get("logs").([]any)) > 6)
}
