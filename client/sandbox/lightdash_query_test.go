package sandbox

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// revenueByMonth is the metric query of "revenue by month": no SQL, only
// the explore's field ids.
func revenueByMonth() map[string]any {
	return map[string]any{"query": map[string]any{"exploreName": "fct_orders",
		"dimensions": []any{"fct_orders_order_date_month"}, "metrics": []any{"fct_orders_total_revenue"},
		"filters": map[string]any{}, "sorts": []any{map[string]any{"fieldId": "fct_orders_order_date_month", "descending": false}},
		"limit": 500, "tableCalculations": []any{}}}
}

// TestMetricQueryRevenueByMonth runs revenue by month through the v2 async
// query API: execute, pending, then ready pages whose numbers agree with
// the warehouse's own SQL.
func TestMetricQueryRevenueByMonth(t *testing.T) {
	s := newTestSandbox(t)
	clock := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return clock }
	s.QueryRunning = 2 * time.Second
	v2 := "/api/v2/projects/" + ldProject + "/query/"

	ex := do(t, s, "lightdash", "POST", v2+"metric-query", revenueByMonth())
	if !assert.Equal(t, 200, ex.Status, string(ex.Body)) {
		return
	}
	validateResponse(t, "lightdash", ex)
	id, _ := ex.get("results.queryUuid").(string)
	assert.NotEmpty(t, id)
	assert.Equal(t, "sum", ex.get("results.fields.fct_orders_total_revenue.type"))
	assert.Equal(t, "MONTH", ex.get("results.fields.fct_orders_order_date_month.timeInterval"))

	pending := do(t, s, "lightdash", "GET", v2+id, nil)
	validateResponse(t, "lightdash", pending)
	assert.Equal(t, map[string]any{"queryUuid": id, "status": "pending"}, pending.get("results"))
	assert.Equal(t, 400, do(t, s, "lightdash", "POST", v2+id+"/download", map[string]any{}).Status, "download before ready")

	clock = clock.Add(2 * time.Second)
	ready := do(t, s, "lightdash", "GET", v2+id, nil)
	validateResponse(t, "lightdash", ready)
	assert.Equal(t, "ready", ready.get("results.status"))
	rows, _ := ready.get("results.rows").([]any)
	sql, err := s.runSQL(context.Background(), warehouseFor(1), "select date(order_date, 'start of month'), round(sum(amount), 2) from ANALYTICS.MARTS.fct_orders group by 1 order by 1")
	if !assert.NoError(t, err) {
		return
	}
	if !assert.Equal(t, len(sql.Rows), len(rows), "months") || len(rows) == 0 {
		return
	}
	assert.Equal(t, float64(len(rows)), ready.get("results.totalResults"))
	for i, r := range rows {
		cells := r.(map[string]any)
		month := cells["fct_orders_order_date_month"].(map[string]any)["value"].(map[string]any)
		revenue := cells["fct_orders_total_revenue"].(map[string]any)["value"].(map[string]any)
		assert.Equal(t, sql.Rows[i][0].(string)+"T00:00:00.000Z", month["raw"], "row %d month", i)
		assert.Equal(t, sql.Rows[i][0].(string)[:7], month["formatted"], "row %d formatted month", i)
		assert.Equal(t, sql.Rows[i][1], revenue["raw"], "row %d revenue", i)
		assert.Equal(t, "$", revenue["formatted"].(string)[:1], "row %d formatted revenue", i)
	}
	assert.Equal(t, map[string]any{"reference": "fct_orders_total_revenue", "type": "number"}, ready.get("results.columns.fct_orders_total_revenue"))

	page2 := do(t, s, "lightdash", "GET", v2+id+"?page=2&pageSize=5", nil)
	validateResponse(t, "lightdash", page2)
	assert.Equal(t, rows[5], page2.get("results.rows.0"))
	assert.Equal(t, 1.0, page2.get("results.previousPage"))
	assert.Equal(t, 3.0, page2.get("results.nextPage"))
	assert.Equal(t, float64((len(rows)+4)/5), page2.get("results.totalPageCount"))

	dl := do(t, s, "lightdash", "POST", v2+id+"/download", map[string]any{"type": "csv"})
	validateResponse(t, "lightdash", dl)
	assert.Contains(t, dl.get("results.fileUrl"), ".csv")
	assert.Equal(t, 404, do(t, s, "lightdash", "GET", v2+uuidFor("nope", 1), nil).Status)
	assert.Equal(t, 404, do(t, s, "lightdash", "GET", "/api/v2/projects/"+ldPreview+"/query/"+id, nil).Status, "another project's query")
}

func TestMetricQueryFiltersSortsAndLimits(t *testing.T) {
	s := newTestSandbox(t)
	s.QueryRunning = 0
	run := func(mq map[string]any) *result {
		ex := do(t, s, "lightdash", "POST", "/api/v2/projects/"+ldProject+"/query/metric-query", map[string]any{"query": mq})
		if ex.Status != 200 {
			return ex
		}
		return do(t, s, "lightdash", "GET", "/api/v2/projects/"+ldProject+"/query/"+ex.get("results.queryUuid").(string), nil)
	}
	base := func() map[string]any {
		return map[string]any{"exploreName": "fct_orders", "dimensions": []any{"fct_orders_status"}, "metrics": []any{"fct_orders_order_count"},
			"filters": map[string]any{}, "sorts": []any{map[string]any{"fieldId": "fct_orders_order_count", "descending": true}},
			"limit": 2, "tableCalculations": []any{}}
	}
	r := run(base())
	validateResponse(t, "lightdash", r)
	assert.Equal(t, 2.0, r.get("results.totalResults"), "limit")
	sql, err := s.runSQL(context.Background(), warehouseFor(1), "select status, count(distinct order_id) from fct_orders group by 1 order by 2 desc limit 2")
	if !assert.NoError(t, err) {
		return
	}
	assert.Equal(t, sql.Rows[0][0], r.get("results.rows.0.fct_orders_status.value.raw"))

	completed := base()
	completed["filters"] = map[string]any{"dimensions": map[string]any{"id": "g", "and": []any{
		map[string]any{"id": "r", "target": map[string]any{"fieldId": "fct_orders_status"}, "operator": "equals", "values": []any{"completed"}}}}}
	r = run(completed)
	assert.Equal(t, 1.0, r.get("results.totalResults"))
	assert.Equal(t, "completed", r.get("results.rows.0.fct_orders_status.value.raw"))

	for name, change := range map[string]func(map[string]any){
		"joined table field": func(m map[string]any) { m["dimensions"] = []any{"dim_customers_first_name"} },
		"table calculation": func(m map[string]any) {
			m["tableCalculations"] = []any{map[string]any{"name": "x", "displayName": "X", "sql": "${fct_orders.order_count} * 2"}}
		},
		"OR filters": func(m map[string]any) {
			rule := map[string]any{"id": "r", "target": map[string]any{"fieldId": "fct_orders_status"}, "operator": "equals", "values": []any{"a"}}
			m["filters"] = map[string]any{"dimensions": map[string]any{"id": "g", "or": []any{rule, rule}}}
		},
		"relative date filter": func(m map[string]any) {
			m["filters"] = map[string]any{"dimensions": map[string]any{"id": "g", "and": []any{map[string]any{"id": "r",
				"target": map[string]any{"fieldId": "fct_orders_order_date"}, "operator": "inThePast", "values": []any{3}}}}}
		},
	} {
		mq := base()
		change(mq)
		r := run(mq)
		assert.Equal(t, 400, r.Status, "%s: %s", name, r.Body)
		assert.Contains(t, r.get("error.message"), "not supported by the sandbox", name)
	}
	unknown := base()
	unknown["metrics"] = []any{"fct_orders_nope"}
	assert.Equal(t, 400, run(unknown).Status, "unknown metric")
}

// TestSeededQueryIsReady: Examples' queryUuid answers rows on a fresh sandbox.
func TestSeededQueryIsReady(t *testing.T) {
	s := newTestSandbox(t)
	r := do(t, s, "lightdash", "GET", "/api/v2/projects/"+ldProject+"/query/"+Examples()["lightdash"]["queryUuid"], nil)
	validateResponse(t, "lightdash", r)
	assert.Equal(t, "ready", r.get("results.status"))
	assert.NotEmpty(t, r.get("results.rows"))
}
