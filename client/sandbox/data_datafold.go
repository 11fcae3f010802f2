package sandbox

import (
	"slices"
	"strings"
	"time"
)

// Datafold demo data: three data sources (Snowflake prod/dev, BigQuery
// marketing), a dbt CI config with three PR runs, a dbt and a Looker BI
// integration, five data diffs (see diff ids below), four monitors (one per
// kind) with runs, a finished connection test, audit logs.

const (
	canaryDatafoldPassword   = "canary-datafold-pw-7f3a9c"
	canaryDatafoldPrivateKey = "canary-datafold-pk-2b8e41"
	canaryDatafoldLooker     = "canary-datafold-looker-secret-5d17e0"
)

type datafoldState struct {
	sources  map[int]map[string]any // ApiDataSource* JSON by id
	ci       map[int]map[string]any // CI configs by id
	ciRuns   []*dfCIRun
	bi       map[int]map[string]any // BI integrations by id
	diffs    map[int]*dfDiff
	monitors map[int]*dfMonitor
	runs     []*dfRun
	tests    map[int]*dfTestJob
	audit    []map[string]any
}

type dfCIRun struct {
	ID, ConfigID, PRNum                  int
	BaseBranch, BaseSHA, PRBranch, PRSHA string
	Source                               string
	Created                              time.Time
	Seeded                               bool
	Diffs                                []int
}

type dfDiff struct {
	ID                 int
	DS1, DS2           int
	Table1, Table2     []string
	Query1, Query2     string
	Filter1, Filter2   any
	PK                 []string
	Include, Exclude   []string
	Compare            []string
	Tags               []string
	Source             string
	Created            time.Time
	Seeded             bool          // seeded diffs are finished
	Runtime            time.Duration // of seeded diffs
	Cancelled          bool
	MonitorID, CIRunID int
	Req                map[string]any
	out                *diffOutcome
}

type dfMonitor struct {
	ID          int
	Type        string // diff, metric, schema, test
	Name        string
	Description string
	Spec        map[string]any // the create body (public spec)
	Enabled     bool
	Created     time.Time
	Modified    time.Time
	Tags        []string
	Owner       string
	Dataset     []any
	Alert       any
	Schedule    any
	Notes       []any // notifications
}

type dfRun struct {
	ID, MonitorID int
	DiffID        int
	Started       time.Time
	Seeded        bool
	State         string // final state for seeded runs
	Error         string
	Warnings      []string
}

type dfTestJob struct {
	ID, DSID int
	Created  time.Time
	Seeded   bool
}

// dfBase: two days ago, 14:00 UTC (PR #42's CI run).
var dfBase = demoDay.Add(-34 * time.Hour)

func ptime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func seedDatafold() *datafoldState {
	st := &datafoldState{
		sources: map[int]map[string]any{}, ci: map[int]map[string]any{}, bi: map[int]map[string]any{},
		diffs: map[int]*dfDiff{}, monitors: map[int]*dfMonitor{}, tests: map[int]*dfTestJob{},
	}
	lastTest := func(at time.Time) map[string]any {
		var steps []any
		for _, s := range []string{"connection", "temp_schema", "schema_download", "lineage_download"} {
			steps = append(steps, map[string]any{"step": s, "status": "done", "result": map[string]any{"ok": true}})
		}
		return map[string]any{"tested_at": ptime(at), "results": steps}
	}
	common := func(id int, name, typ string) map[string]any {
		return map[string]any{
			"id": id, "name": name, "type": typ, "accessible": true, "hidden": false, "is_paused": false,
			"view_only": false, "float_tolerance": 0.0, "max_allowed_connections": 16, "source": "api",
			"lineage_schedule": "0 3 * * *", "schema_indexing_schedule": "0 */6 * * *", "profile_schedule": nil,
			"schema_max_age_s": 21600, "data_retention_days": 30, "group_ids": []any{1}, "groups": map[string]any{"admins": true},
			"disable_profiling": false, "disable_schema_indexing": false, "oauth_dwh_active": false,
			"catalog_include_list": nil, "catalog_exclude_list": nil, "created_from": "api", "secret_id": nil,
			"last_test": lastTest(dfBase.Add(-48 * time.Hour)),
		}
	}
	prod := common(1, "Snowflake (prod)", "snowflake")
	prod["temp_schema"] = "ANALYTICS.DATAFOLD_TMP"
	prod["options"] = map[string]any{
		"account": "jaffle-xy12345", "user": "DATAFOLD", "role": "DATAFOLD_ROLE", "warehouse": "TRANSFORMING",
		"default_db": "ANALYTICS", "default_schema": "MARTS", "metadata_database": "SNOWFLAKE", "port": 443,
		"authMethod": "keypair", "private_key": canaryDatafoldPrivateKey, "quoted_identifiers_ignore_case": false,
	}
	dev := common(2, "Snowflake (dev)", "snowflake")
	dev["temp_schema"] = "ANALYTICS_DEV.DATAFOLD_TMP"
	dev["lineage_schedule"] = nil
	dev["options"] = map[string]any{
		"account": "jaffle-xy12345", "user": "DATAFOLD_DEV", "role": "DATAFOLD_DEV_ROLE", "warehouse": "DEV_WH",
		"default_db": "ANALYTICS", "default_schema": "MARTS", "metadata_database": "SNOWFLAKE", "port": 443,
		"authMethod": "password", "password": canaryDatafoldPassword, "quoted_identifiers_ignore_case": false,
	}
	bq := common(3, "BigQuery (marketing)", "bigquery")
	bq["temp_schema"] = "jaffle-marketing.datafold_tmp"
	bq["options"] = map[string]any{
		"projectId": "jaffle-marketing", "jsonKeyFile": "********", "location": "US", "useStandardSql": true,
		"totalMBytesProcessedLimit": 10000, "extraProjectsToIndex": nil, "userDefinedFunctionResourceUri": nil,
	}
	st.sources[1], st.sources[2], st.sources[3] = prod, dev, bq

	st.ci[1] = map[string]any{"id": 1, "name": "jaffle_shop dbt CI", "repository": "jaffle-labs/jaffle_shop",
		"prod_data_source_id": 1, "pr_data_source_id": 2, "bi_datasource_id": 11}
	prs := []struct {
		id, pr           int
		branch, sha, src string
		diffs            []int
		at               time.Time
	}{
		{7001, 40, "feature/coupon-metrics", "3c1f9a2", "github", nil, dfBase.Add(-96 * time.Hour)},
		{7002, 41, "fix/customer-email-case", "8d02be7", "github", nil, dfBase.Add(-50 * time.Hour)},
		{7003, 42, "feature/exclude-test-orders", "e4b91c0", "github", []int{101, 102, 103}, dfBase},
	}
	for _, p := range prs {
		st.ciRuns = append(st.ciRuns, &dfCIRun{ID: p.id, ConfigID: 1, PRNum: p.pr, BaseBranch: "main", BaseSHA: "a17be55",
			PRBranch: p.branch, PRSHA: p.sha, Source: p.src, Created: p.at, Seeded: true, Diffs: p.diffs})
	}

	// The integrations carry the fields of their documented configurations
	// (DbtDataSourceConfig, LookerDataSourceConfig) plus id, type and name.
	// Only Looker's and Hightouch's name data sources, in bindings
	// (DataSourceBinding: remoteId, boundIds); a dbt integration names its CI
	// config, not a data source.
	st.bi[11] = map[string]any{"id": 11, "type": "dbt", "name": "dbt Cloud — jaffle_shop", "ci_config_id": 1,
		"indexing_cron": "0 */6 * * *", "status": "synced", "last_synced_at": ptime(dfBase.Add(-2 * time.Hour)),
		"models_indexed": 8, "exposures": []any{"lightdash: Jaffle Shop"}}
	st.bi[12] = map[string]any{"id": 12, "type": "looker", "name": "Looker (prod)", "base_url": "https://jaffle.cloud.looker.com",
		"client_id": "lk_sandbox_3f9a21", "client_secret": canaryDatafoldLooker, "repo_id": 1, "project_ids": []any{"jaffle_shop"},
		"bindings":      []any{map[string]any{"remoteId": "snowflake_prod", "boundIds": []any{1}}},
		"indexing_cron": "0 4 * * *", "status": "synced", "last_synced_at": ptime(dfBase.Add(-10 * time.Hour)),
		"dashboards_indexed": 6, "looks_indexed": 14}

	t := func(s string) []string { return parsePath(s) }
	diffs := []*dfDiff{
		{ID: 101, DS1: 1, DS2: 2, Table1: t("ANALYTICS.MARTS.fct_orders"), Table2: t("ANALYTICS.MARTS.fct_orders"), PK: []string{"order_id"},
			Source: "ci", CIRunID: 7003, Tags: []string{"pr-42"}, Created: dfBase.Add(2 * time.Minute), Runtime: 184 * time.Second},
		{ID: 102, DS1: 1, DS2: 2, Table1: t("ANALYTICS.MARTS.dim_customers"), Table2: t("ANALYTICS.MARTS.dim_customers"), PK: []string{"customer_id"},
			Source: "ci", CIRunID: 7003, Tags: []string{"pr-42"}, Created: dfBase.Add(2 * time.Minute), Runtime: 41 * time.Second},
		{ID: 103, DS1: 1, DS2: 2, Table1: t("ANALYTICS.STAGING.stg_payments"), Table2: t("ANALYTICS.STAGING.stg_payments"), PK: []string{"payment_id"},
			Source: "ci", CIRunID: 7003, Tags: []string{"pr-42"}, Created: dfBase.Add(2 * time.Minute), Runtime: 97 * time.Second},
		{ID: 104, DS1: 1, DS2: 2, Table1: t("ANALYTICS.MARTS.fct_orders"), Table2: t("ANALYTICS.MARTS.fct_orders_v2"), PK: []string{"order_id"},
			Source: "interactive", Created: dfBase.Add(40 * time.Minute), Runtime: 6 * time.Second},
		{ID: 105, DS1: 1, DS2: 2, Table1: t("ANALYTICS.MARTS.fct_orders"), Table2: t("ANALYTICS.MARTS.fct_orders"), PK: []string{"order_id"},
			Source: "schedule", MonitorID: 201, Tags: []string{"orders"}, Created: dfBase.Add(16 * time.Hour), Runtime: 171 * time.Second},
	}
	for _, d := range diffs {
		d.Seeded = true
		st.diffs[d.ID] = d
	}

	daily := func(hour int) map[string]any {
		return map[string]any{"interval": map[string]any{"every": "day", "type": "daily", "hour": hour, "utc_at": nil}}
	}
	slack := []any{map[string]any{"type": "slack", "integration": 1, "channel": "#data-alerts", "mentions": []any{"@analytics-eng"}, "features": nil}}
	mons := []*dfMonitor{
		{ID: 201, Type: "diff", Name: "fct_orders: prod vs dev parity", Description: "Nightly comparison of the orders mart between production and the dev environment.",
			Tags: []string{"orders", "pr-42"}, Owner: "dana@jaffle-shop.example", Schedule: daily(6), Notes: slack,
			Alert:   map[string]any{"type": "diff", "different_rows_percent": 1, "different_rows_count": nil, "match_ratio_min": nil},
			Dataset: []any{map[string]any{"connection_id": 1, "table": "ANALYTICS.MARTS.FCT_ORDERS"}, map[string]any{"connection_id": 2, "table": "ANALYTICS.MARTS.FCT_ORDERS"}},
			Spec: map[string]any{"datadiff": map[string]any{"primary_key": []any{"order_id"},
				"dataset_a": map[string]any{"connection_id": 1, "table": "ANALYTICS.MARTS.FCT_ORDERS"},
				"dataset_b": map[string]any{"connection_id": 2, "table": "ANALYTICS.MARTS.FCT_ORDERS"}}}},
		{ID: 202, Type: "metric", Name: "fct_orders daily row count", Description: "Anomaly detection on the number of new orders per day.",
			Tags: []string{"orders", "volume"}, Owner: "dana@jaffle-shop.example", Schedule: daily(7), Notes: slack,
			Alert:   map[string]any{"type": "automatic", "sensitivity": 70},
			Dataset: []any{map[string]any{"connection_id": 1, "table": "ANALYTICS.MARTS.FCT_ORDERS", "metric": "row_count", "column": nil, "filter": nil, "query": nil}}},
		{ID: 203, Type: "schema", Name: "RAW.payments schema changes", Description: "Alerts when the payments landing table changes shape.",
			Tags: []string{"payments", "raw"}, Owner: "ben@jaffle-shop.example", Schedule: map[string]any{"cron": "0 * * * *", "type": "crontab"}, Notes: slack,
			Dataset: []any{map[string]any{"connection_id": 1, "table": "ANALYTICS.RAW.PAYMENTS"}}},
		{ID: 204, Type: "test", Name: "No negative order amounts", Description: "Fails when fct_orders has an order with a negative amount.",
			Tags: []string{"orders", "quality"}, Owner: "ben@jaffle-shop.example", Schedule: daily(6),
			Notes:   []any{map[string]any{"type": "email", "recipients": []any{"data-team@jaffle-shop.example"}, "features": nil}},
			Dataset: []any{map[string]any{"connection_id": 1, "query": "select * from ANALYTICS.MARTS.FCT_ORDERS where amount < 0"}}},
	}
	for i, m := range mons {
		m.Enabled = true
		m.Created = dfBase.Add(-time.Duration(30-i) * 24 * time.Hour)
		m.Modified = m.Created.Add(3 * time.Hour)
		st.monitors[m.ID] = m
	}
	runs := []*dfRun{
		{ID: 3001, MonitorID: 201, DiffID: 105, Started: dfBase.Add(16 * time.Hour), State: "alert"},
		{ID: 3002, MonitorID: 202, Started: dfBase.Add(17 * time.Hour), State: "ok"},
		{ID: 3003, MonitorID: 202, Started: dfBase.Add(-7 * time.Hour), State: "ok"},
		{ID: 3004, MonitorID: 203, Started: dfBase.Add(15 * time.Hour), State: "ok"},
		{ID: 3005, MonitorID: 203, Started: dfBase.Add(14 * time.Hour), State: "ok"},
		{ID: 3006, MonitorID: 204, Started: dfBase.Add(16 * time.Hour), State: "ok"},
		{ID: 3007, MonitorID: 204, Started: dfBase.Add(-8 * time.Hour), State: "error",
			Error: "SQL compilation error: Object 'ANALYTICS.MARTS.FCT_ORDERS' does not exist or not authorized.", Warnings: []string{"The query ran while the mart was being rebuilt."}},
	}
	for _, r := range runs {
		r.Seeded = true
		st.runs = append(st.runs, r)
	}
	st.tests[501] = &dfTestJob{ID: 501, DSID: 1, Created: dfBase.Add(-48 * time.Hour), Seeded: true}

	for i, a := range []struct{ action, obj, url, email string }{
		{"login", "user", "/login", "dana@jaffle-shop.example"},
		{"datasource.update", "datasource", "/api/v1/data_sources/2", "dana@jaffle-shop.example"},
		{"ci.run", "ci_run", "/api/v1/ci/1/trigger", "ci-bot@jaffle-shop.example"},
		{"datadiff.create", "datadiff", "/api/v1/datadiffs", "ci-bot@jaffle-shop.example"},
		{"datadiff.create", "datadiff", "/api/v1/datadiffs", "ben@jaffle-shop.example"},
		{"monitor.update", "monitor", "/api/v1/monitors/201", "dana@jaffle-shop.example"},
	} {
		st.audit = append(st.audit, map[string]any{
			"event_uuid": uuidFor("df-audit", i), "timestamp": ptime(dfBase.Add(time.Duration(i*47) * time.Minute)),
			"url": "https://app.datafold.com" + a.url, "client_ip": "203.0.113." + itoa(10+i), "action": a.action,
			"user_email": a.email, "user_id": 1 + i%3, "object_type": a.obj, "object_id": nil, "request_type": "POST",
			"status": "success", "source": "web", "user_agent": "Mozilla/5.0", "is_support_user": false, "log_entry": nil, "payload": nil,
		})
	}
	return st
}

// nextKey is one more than the largest key of m (at least start+1).
func nextKey[V any](m map[int]V, start int) int {
	n := start
	for k := range m {
		n = max(n, k)
	}
	return n + 1
}

// lineage ---------------------------------------------------------------

type colRef struct {
	t *table
	c *column
}

// lineageGraph is the column graph of one warehouse: upstream edges come
// from the columns' From lists.
type lineageGraph struct {
	w    *warehouse
	up   map[*column][]colRef
	down map[*column][]colRef
	tab  map[*column]*table
}

func newLineage(w *warehouse) *lineageGraph {
	g := &lineageGraph{w: w, up: map[*column][]colRef{}, down: map[*column][]colRef{}, tab: map[*column]*table{}}
	for _, t := range w.Tables {
		for _, c := range t.Columns {
			g.tab[c] = t
		}
	}
	for _, t := range w.Tables {
		for _, c := range t.Columns {
			for _, f := range c.From {
				p := parsePath(f)
				if len(p) != 3 {
					continue
				}
				ut := w.find([]string{t.DB, p[0], p[1]})
				if ut == nil {
					continue
				}
				uc := ut.column(p[2])
				if uc == nil {
					continue
				}
				g.up[c] = append(g.up[c], colRef{ut, uc})
				g.down[uc] = append(g.down[uc], colRef{t, c})
			}
		}
	}
	return g
}

// walk returns the columns reachable from start within maxDepth hops, in BFS
// order, excluding start.
func (g *lineageGraph) walk(start []colRef, downstream bool, maxDepth int) []colRef {
	edges := g.up
	if downstream {
		edges = g.down
	}
	seen := map[*column]bool{}
	for _, s := range start {
		seen[s.c] = true
	}
	var out []colRef
	frontier := start
	for depth := 0; depth < maxDepth && len(frontier) > 0; depth++ {
		var next []colRef
		for _, f := range frontier {
			for _, e := range edges[f.c] {
				if !seen[e.c] {
					seen[e.c] = true
					out = append(out, e)
					next = append(next, e)
				}
			}
		}
		frontier = next
	}
	return out
}

// tableWalk returns the tables reachable from t within maxDepth table hops.
func (g *lineageGraph) tableWalk(t *table, downstream bool, maxDepth int) []*table {
	adj := func(x *table) []*table {
		var out []*table
		for _, c := range x.Columns {
			edges := g.up[c]
			if downstream {
				edges = g.down[c]
			}
			for _, e := range edges {
				if e.t != x && !slices.Contains(out, e.t) {
					out = append(out, e.t)
				}
			}
		}
		return out
	}
	seen := map[*table]bool{t: true}
	var out []*table
	frontier := []*table{t}
	for depth := 0; depth < maxDepth && len(frontier) > 0; depth++ {
		var next []*table
		for _, f := range frontier {
			for _, n := range adj(f) {
				if !seen[n] {
					seen[n] = true
					out = append(out, n)
					next = append(next, n)
				}
			}
		}
		frontier = next
	}
	return out
}

func tableNode(t *table, cols []string) map[string]any {
	var cs []any
	for _, c := range cols {
		cs = append(cs, map[string]any{"name": c})
	}
	if cs == nil {
		cs = []any{}
	}
	return map[string]any{"type": "Table", "name": t.Name, "path": t.path(), "columns": cs}
}

func columnNode(r colRef) map[string]any {
	return map[string]any{"type": "Column", "name": r.c.Name, "table": map[string]any{"name": r.t.Name, "path": r.t.path()}}
}

func displayPath(parts []string) string {
	q := make([]string, len(parts))
	for i, p := range parts {
		q[i] = quotePart(p)
	}
	return strings.Join(q, ".")
}
