package sandbox

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

func datafoldHandlers() map[string]handlerFunc {
	return map[string]handlerFunc{
		"get_org_spend_api_internal_bolt_org_spend_get": func(c *call) (int, any) {
			return 200, map[string]any{"daily_cap_usd": 50.0, "daily_spend_usd": 12.37, "monthly_cap_usd": 1000.0, "monthly_spend_usd": 231.94, "enforced": false}
		},
		"get_audit_logs_api_v1_audit_logs_get":                                     dfAuditLogs,
		"get_ci_api_v1_ci__ci_config_id__runs_get":                                 dfCIRuns,
		"trigger_ci_api_v1_ci__ci_config_id__trigger_post":                         dfCITrigger,
		"upload_changes_api_v1_ci__ci_config_id___pr_num__post":                    dfCIUpload,
		"list_data_sources_api_v1_data_sources_get":                                dfListSources,
		"create_new_datasource_api_v1_data_sources_post":                           dfCreateSource,
		"get_data_source_test_result_api_v1_data_sources_test__job_id__get":        dfTestResult,
		"get_data_source_types_api_v1_data_sources_types_get":                      dfSourceTypes,
		"get_data_source_api_v1_data_sources__data_source_id__get":                 dfGetSource,
		"execute_query_api_v1_data_sources__data_source_id__query_post":            dfQuery,
		"get_data_source_summary_api_v1_data_sources__data_source_id__summary_get": dfSourceSummary,
		"test_data_source_api_v1_data_sources__data_source_id__test_post":          dfTestSource,
		"list_datadiffs_api_v1_datadiffs_get":                                      dfListDiffs,
		"create_datadiff_api_v1_datadiffs_post":                                    dfCreateDiff,
		"get_datadiff_api_v1_datadiffs__datadiff_id__get": withDiff(func(c *call, d *dfDiff) (int, any) {
			return 200, c.s.diffFull(d, c.s.now())
		}),
		"cancel_diff_api_v1_datadiffs__datadiff_id__cancel_post": withDiff(func(c *call, d *dfDiff) (int, any) {
			if st := c.s.diffStatus(d, c.s.now()); !finished(st) {
				d.Cancelled = true
				c.s.df.log(c, "datadiff.cancel", "datadiff", d.ID)
			}
			return 200, map[string]any{"id": d.ID, "status": c.s.diffStatus(d, c.s.now())}
		}),
		"get_diff_summary_api_v1_datadiffs__datadiff_id__summary_get": withDiff(func(c *call, d *dfDiff) (int, any) {
			return 200, c.s.diffSummary(d, c.s.now())
		}),
		"get_diff_summary_v1_api_v1_datadiffs__datadiff_id__summary_results_get": withDiff(func(c *call, d *dfDiff) (int, any) {
			return 200, c.s.diffResults(d, c.s.now())
		}),
		"db_column_downstreams_api_v1_explore_db__data_connection_id__columns__column_path__downstreams_get": dfColumnLineage(true),
		"db_column_upstreams_api_v1_explore_db__data_connection_id__columns__column_path__upstreams_get":     dfColumnLineage(false),
		"db_table_downstreams_api_v1_explore_db__data_connection_id__tables__table_path__downstreams_get":    dfTableLineage(true),
		"db_table_upstreams_api_v1_explore_db__data_connection_id__tables__table_path__upstreams_get":        dfTableLineage(false),
		"get_all_integrations_api_v1_lineage_bi__get": func(c *call) (int, any) {
			var out []any
			for _, id := range sortedKeys(c.s.df.bi) {
				out = append(out, c.s.df.bi[id])
			}
			return 200, out
		},
		"create_dbt_integration_api_v1_lineage_bi_dbt__post":             dfCreateBI("dbt"),
		"create_hightouch_integration_api_v1_lineage_bi_hightouch__post": dfCreateBI("hightouch"),
		"create_looker_integration_api_v1_lineage_bi_looker__post":       dfCreateBI("looker"),
		"create_mode_integration_api_v1_lineage_bi_mode__post":           dfCreateBI("mode"),
		"create_powerbi_integration_api_v1_lineage_bi_powerbi__post":     dfCreateBI("powerbi"),
		"create_tableau_integration_api_v1_lineage_bi_tableau__post":     dfCreateBI("tableau"),
		"get_integration_api_v1_lineage_bi__bi_datasource_id___get": func(c *call) (int, any) {
			bi := c.s.df.bi[c.intParam("bi_datasource_id")]
			if bi == nil {
				return c.fail(notFound("BI integration %s not found", c.param("bi_datasource_id")))
			}
			return 200, bi
		},
		"resync_integration_api_v1_lineage_bi__bi_datasource_id__sync__get": func(c *call) (int, any) {
			bi := c.s.df.bi[c.intParam("bi_datasource_id")]
			if bi == nil {
				return c.fail(notFound("BI integration %s not found", c.param("bi_datasource_id")))
			}
			bi["status"] = "syncing"
			bi["last_sync_requested_at"] = ptime(c.s.now())
			return 200, map[string]any{"id": bi["id"], "status": "syncing", "message": "Sync scheduled."}
		},
		"list_monitors_api_v1_monitors_get":                        dfListMonitors,
		"create_monitor_diff_api_v1_monitors_create_diff_post":     dfCreateMonitor("diff"),
		"create_monitor_metric_api_v1_monitors_create_metric_post": dfCreateMonitor("metric"),
		"create_monitor_schema_api_v1_monitors_create_schema_post": dfCreateMonitor("schema"),
		"create_monitor_test_api_v1_monitors_create_test_post":     dfCreateMonitor("test"),
		"get_monitor_api_v1_monitors__id__get": withMonitor(func(c *call, m *dfMonitor) (int, any) {
			return 200, c.s.monitorFull(m)
		}),
		"start_monitor_run_api_v1_monitors__id__run_post": withMonitor(dfStartRun),
		"list_monitor_runs_api_v1_monitors__id__runs_get": withMonitor(dfListRuns),
		"get_monitor_run_api_v1_monitors__id__runs__run_id__get": withMonitor(func(c *call, m *dfMonitor) (int, any) {
			id := c.intParam("run_id")
			for _, r := range c.s.df.runs {
				if r.ID == id && r.MonitorID == m.ID {
					out := c.s.runView(r)
					out["error"] = orNil(r.Error)
					out["warnings"] = anyList(r.Warnings)
					if out["state"] == nil {
						out["state"] = "created"
					}
					return 200, out
				}
			}
			return c.fail(notFound("Run %d of monitor %d not found", id, m.ID))
		}),
	}
}

// state helpers -----------------------------------------------------------

func (st *datafoldState) sourceName(id int) any {
	if s := st.sources[id]; s != nil {
		return s["name"]
	}
	return nil
}

func (st *datafoldState) ciRun(id int) *dfCIRun {
	for _, r := range st.ciRuns {
		if r.ID == id {
			return r
		}
	}
	return nil
}

func (st *datafoldState) log(c *call, action, objType string, objID int) {
	st.audit = append(st.audit, map[string]any{
		"event_uuid": uuidFor("df-audit", len(st.audit)+1000), "timestamp": ptime(c.s.now()),
		"url": "https://app.datafold.com" + c.r.URL.Path, "client_ip": "198.51.100.7", "action": action,
		"user_email": "api@jaffle-shop.example", "user_id": 1, "object_type": objType, "object_id": objID,
		"request_type": c.r.Method, "status": "success", "source": "api", "user_agent": c.r.UserAgent(),
		"is_support_user": false, "log_entry": nil, "payload": nil,
	})
}

func withDiff(h func(*call, *dfDiff) (int, any)) handlerFunc {
	return func(c *call) (int, any) {
		d := c.s.df.diffs[c.intParam("datadiff_id")]
		if d == nil {
			return c.fail(notFound("Data diff %s not found", c.param("datadiff_id")))
		}
		return h(c, d)
	}
}

func withMonitor(h func(*call, *dfMonitor) (int, any)) handlerFunc {
	return func(c *call) (int, any) {
		m := c.s.df.monitors[c.intParam("id")]
		if m == nil {
			return c.fail(notFound("Monitor %s not found", c.param("id")))
		}
		return h(c, m)
	}
}

// audit logs, CI ----------------------------------------------------------

func dfAuditLogs(c *call) (int, any) {
	b := c.bodyMap()
	from, to := str(b, "start_date"), str(b, "end_date")
	var logs []any
	for _, l := range c.s.df.audit {
		ts, _ := time.Parse(time.RFC3339, l["timestamp"].(string))
		if t, err := time.Parse(time.RFC3339, from); err == nil && ts.Before(t) {
			continue
		}
		if t, err := time.Parse(time.RFC3339, to); err == nil && ts.After(t) {
			continue
		}
		logs = append(logs, l)
	}
	if logs == nil {
		logs = []any{}
	}
	return 200, map[string]any{"logs": logs}
}

func (s *Sandbox) ciStatus(r *dfCIRun) string {
	if r.Seeded {
		return "done"
	}
	now := s.now()
	for _, id := range r.Diffs {
		if d := s.df.diffs[id]; d != nil && !finished(s.diffStatus(d, now)) {
			return "running"
		}
	}
	if len(r.Diffs) == 0 && now.Sub(r.Created) < s.SyncDuration {
		return "running"
	}
	return "done"
}

func dfCIRuns(c *call) (int, any) {
	id := c.intParam("ci_config_id")
	if c.s.df.ci[id] == nil {
		return c.fail(notFound("CI config %d not found", id))
	}
	var runs []*dfCIRun
	for _, r := range c.s.df.ciRuns {
		if r.ConfigID != id {
			continue
		}
		if v := c.query.Get("pr_sha"); v != "" && !strings.HasPrefix(r.PRSHA, v) {
			continue
		}
		if v := c.query.Get("pr_num"); v != "" && v != itoa(r.PRNum) {
			continue
		}
		runs = append(runs, r)
	}
	slices.SortFunc(runs, func(a, b *dfCIRun) int { return cmp.Compare(b.ID, a.ID) })
	runs = page(runs, c.queryInt("offset", 0), c.queryInt("limit", 50))
	out := []any{}
	for _, r := range runs {
		out = append(out, map[string]any{"id": r.ID, "base_branch": r.BaseBranch, "base_sha": r.BaseSHA, "pr_branch": r.PRBranch,
			"pr_num": itoa(r.PRNum), "pr_sha": r.PRSHA, "source": r.Source, "status": c.s.ciStatus(r)})
	}
	return 200, out
}

// newCIRun records a CI run and diffs the given tables prod (ds 1) vs dev (ds 2).
func (c *call) newCIRun(cfg int, prNum int, base, baseSHA, branch, sha string, tables [][2]string, pk [][]string) map[string]any {
	st := c.s.df
	id := 7001
	for _, r := range st.ciRuns {
		id = max(id, r.ID+1)
	}
	run := &dfCIRun{ID: id, ConfigID: cfg, PRNum: prNum, BaseBranch: base, BaseSHA: baseSHA, PRBranch: branch, PRSHA: sha, Source: "api", Created: c.s.now()}
	st.ciRuns = append(st.ciRuns, run)
	for i, t := range tables {
		d := &dfDiff{ID: nextKey(st.diffs, 110), DS1: 1, DS2: 2, Table1: parsePath(t[0]), Table2: parsePath(t[1]), Source: "ci",
			CIRunID: id, Created: c.s.now(), Tags: []string{fmt.Sprintf("pr-%d", prNum)}}
		if i < len(pk) {
			d.PK = pk[i]
		}
		st.diffs[d.ID] = d
		run.Diffs = append(run.Diffs, d.ID)
	}
	st.log(c, "ci.run", "ci_run", id)
	return map[string]any{"ci_run_id": id, "run_id": id}
}

func dfCITrigger(c *call) (int, any) {
	cfg := c.intParam("ci_config_id")
	if c.s.df.ci[cfg] == nil {
		return c.fail(notFound("CI config %d not found", cfg))
	}
	b := c.bodyMap()
	pr, _ := num(b, "pr_number")
	return 200, c.newCIRun(cfg, pr, str(b, "base_branch"), str(b, "base_sha"), str(b, "pr_branch"), str(b, "pr_sha"),
		[][2]string{{"ANALYTICS.MARTS.fct_orders", "ANALYTICS.MARTS.fct_orders"}, {"ANALYTICS.MARTS.dim_customers", "ANALYTICS.MARTS.dim_customers"}}, nil)
}

func dfCIUpload(c *call) (int, any) {
	cfg := c.intParam("ci_config_id")
	if c.s.df.ci[cfg] == nil {
		return c.fail(notFound("CI config %d not found", cfg))
	}
	items, _ := c.body.([]any)
	var tables [][2]string
	var pks [][]string
	for _, it := range items {
		m, _ := it.(map[string]any)
		tables = append(tables, [2]string{str(m, "prod"), str(m, "pr")})
		pks = append(pks, strList(m, "pk"))
	}
	return 200, c.newCIRun(cfg, c.intParam("pr_num"), "main", "", "", "", tables, pks)
}

// data sources -----------------------------------------------------------

func dfListSources(c *call) (int, any) {
	out := []any{}
	for _, id := range sortedKeys(c.s.df.sources) {
		out = append(out, c.s.df.sources[id])
	}
	return 200, out
}

func dfGetSource(c *call) (int, any) {
	ds := c.s.df.sources[c.intParam("data_source_id")]
	if ds == nil {
		return c.fail(notFound("Data source %s not found", c.param("data_source_id")))
	}
	return 200, ds
}

func dfSourceSummary(c *call) (int, any) {
	ds := c.s.df.sources[c.intParam("data_source_id")]
	if ds == nil {
		return c.fail(notFound("Data source %s not found", c.param("data_source_id")))
	}
	return 200, map[string]any{"id": ds["id"], "name": ds["name"], "type": ds["type"]}
}

func dfCreateSource(c *call) (int, any) {
	b := copyMap(c.bodyMap())
	id := nextKey(c.s.df.sources, 3)
	b["id"] = id
	for k, v := range map[string]any{"accessible": true, "hidden": false, "is_paused": false, "view_only": false,
		"source": "api", "created_from": "api", "last_test": nil} {
		if _, ok := b[k]; !ok {
			b[k] = v
		}
	}
	c.s.df.sources[id] = b
	c.s.df.log(c, "datasource.create", "datasource", id)
	return 200, b
}

func dfTestSource(c *call) (int, any) {
	id := c.intParam("data_source_id")
	if c.s.df.sources[id] == nil {
		return c.fail(notFound("Data source %d not found", id))
	}
	job := &dfTestJob{ID: nextKey(c.s.df.tests, 501), DSID: id, Created: c.s.now()}
	c.s.df.tests[job.ID] = job
	return 200, map[string]any{"job_id": job.ID}
}

func dfTestResult(c *call) (int, any) {
	job := c.s.df.tests[c.intParam("job_id")]
	if job == nil {
		return c.fail(notFound("Test job %s not found", c.param("job_id")))
	}
	steps := []string{"connection", "temp_schema", "schema_download", "lineage_download"}
	status := "done"
	done := len(steps)
	if !job.Seeded {
		el := c.s.now().Sub(job.Created)
		if el < c.s.SyncDuration {
			status = "processing"
			done = int(float64(len(steps)) * float64(el) / float64(c.s.SyncDuration))
		}
	}
	w := warehouseFor(job.DSID)
	var results []any
	for i, s := range steps {
		r := map[string]any{"step": s, "status": "done", "result": nil}
		switch {
		case i > done:
			r["status"] = "waiting"
		case i == done && status != "done":
			r["status"] = "processing"
		case w == nil && s == "connection":
			r["status"], r["result"] = "failed", map[string]any{"error": "Connection refused: the sandbox has no warehouse behind this data source."}
			status = "failed"
		case w == nil:
			r["status"] = "cancelled"
		default:
			r["result"] = map[string]any{"ok": true}
			if s == "schema_download" {
				r["result"] = map[string]any{"tables": len(w.Tables)}
			}
		}
		results = append(results, r)
	}
	return 200, map[string]any{"id": job.ID, "status": status, "results": results}
}

// dataSourceTypes lists the types of ApiDataSourceForm with their
// configuration schema taken from the spec itself.
func dfSourceTypes(c *call) (int, any) {
	form := c.p.spec().schema("ApiDataSourceForm")
	var out []any
	if form != nil && form.Value != nil {
		alts := form.Value.OneOf
		if len(alts) == 0 {
			alts = form.Value.AnyOf
		}
		for _, alt := range alts {
			if alt.Value == nil {
				continue
			}
			typ, _ := discriminatorValue(alt.Value.Properties["type"])
			opt := alt.Value.Properties["options"]
			var cfg any = map[string]any{}
			if opt != nil && opt.Value != nil {
				for _, o := range opt.Value.AnyOf {
					if o.Value != nil && len(o.Value.Properties) > 0 {
						b, _ := json.Marshal(o.Value)
						_ = json.Unmarshal(b, &cfg)
					}
				}
			}
			name := strings.TrimPrefix(alt.Value.Title, "ApiDataSource")
			if name == "" {
				name = fmt.Sprint(typ)
			}
			features := []any{"diffs", "lineage", "monitors", "profiling", "query"}
			if t := fmt.Sprint(typ); t == "s3" || t == "gcs" || t == "azure_data_lake" {
				features = []any{"diffs", "query"}
			}
			out = append(out, map[string]any{"type": typ, "name": name, "features": features, "configuration_schema": cfg})
		}
	}
	if out == nil {
		out = []any{}
	}
	return 200, out
}

func dfQuery(c *call) (int, any) {
	id := c.intParam("data_source_id")
	if c.s.df.sources[id] == nil {
		return c.fail(notFound("Data source %d not found", id))
	}
	q := str(c.bodyMap(), "query")
	w := warehouseFor(id)
	if w == nil {
		return c.fail(badRequest("Could not connect to data source %d: the sandbox has no warehouse behind it", id))
	}
	res, err := c.s.runSQL(c.r.Context(), w, q)
	if err != nil {
		return c.fail(sqlFailure(err))
	}
	var cols []any
	for i, col := range res.Columns {
		cols = append(cols, map[string]any{"name": col.Name, "type": dfType(col.Type), "db_type": col.Type, "is_nullable": true,
			"number": i, "description": nil})
	}
	return 200, map[string]any{"columns": cols, "rows": res.objects()}
}

func dfType(dbType string) string {
	t := strings.ToUpper(dbType)
	switch {
	case strings.HasPrefix(t, "NUMBER(38,0)"), strings.HasPrefix(t, "INT"):
		return "integer"
	case strings.HasPrefix(t, "NUMBER"), strings.HasPrefix(t, "NUMERIC"), strings.HasPrefix(t, "FLOAT"):
		return "decimal"
	case strings.HasPrefix(t, "DATE"):
		return "date"
	case strings.HasPrefix(t, "TIMESTAMP"):
		return "timestamp"
	case strings.HasPrefix(t, "BOOL"):
		return "boolean"
	}
	return "text"
}

// data diffs ---------------------------------------------------------------

func dfListDiffs(c *call) (int, any) {
	now := c.s.now()
	var ds []*dfDiff
	for _, id := range sortedKeys(c.s.df.diffs) {
		ds = append(ds, c.s.df.diffs[id])
	}
	desc := c.query.Get("sort_order") != "asc"
	orderBy := c.query.Get("order_by")
	key := func(d *dfDiff) string {
		switch orderBy {
		case "data_source1_id":
			return fmt.Sprintf("%09d", d.DS1)
		case "data_source2_id":
			return fmt.Sprintf("%09d", d.DS2)
		case "table1":
			return displayPath(d.Table1)
		case "table2":
			return displayPath(d.Table2)
		case "status":
			return c.s.diffStatus(d, now)
		case "created_at", "updated_at", "finished_at":
			return ptime(d.Created)
		}
		return fmt.Sprintf("%09d", d.ID)
	}
	slices.SortStableFunc(ds, func(a, b *dfDiff) int {
		r := cmp.Compare(key(a), key(b))
		if desc {
			r = -r
		}
		return r
	})
	size := max(1, min(c.queryInt("page_size", 20), 100))
	pg := max(1, c.queryInt("page", 1))
	total := len(ds)
	var results []any
	for _, d := range page(ds, (pg-1)*size, size) {
		results = append(results, c.s.diffFull(d, now))
	}
	if results == nil {
		results = []any{}
	}
	return 200, map[string]any{"count": total, "page": pg, "page_size": size, "total_pages": (total + size - 1) / size, "results": results}
}

func dfCreateDiff(c *call) (int, any) {
	b := c.bodyMap()
	st := c.s.df
	ds1, _ := num(b, "data_source1_id")
	ds2, _ := num(b, "data_source2_id")
	for _, id := range []int{ds1, ds2} {
		if st.sources[id] == nil {
			return c.fail(&apiError{status: 422, msg: "invalid data source", fields: []fieldError{{loc: []any{"body", "data_source_id"},
				msg: fmt.Sprintf("Data source %d does not exist", id), typ: "value_error"}}})
		}
	}
	t1, t2 := strList(b, "table1"), strList(b, "table2")
	q1, q2 := str(b, "query1"), str(b, "query2")
	if (len(t1) == 0 && q1 == "" && str(b, "file1") == "") || (len(t2) == 0 && q2 == "" && str(b, "file2") == "") {
		return c.fail(&apiError{status: 422, msg: "missing dataset", fields: []fieldError{{loc: []any{"body"},
			msg: "Value error, each dataset needs one of table, query or file", typ: "value_error"}}})
	}
	pk := strList(b, "pk_columns")
	infer, _ := b["infer_pk"].(bool)
	if len(pk) == 0 && !infer {
		return c.fail(&apiError{status: 422, msg: "missing pk", fields: []fieldError{{loc: []any{"body", "pk_columns"},
			msg: "Value error, pk_columns is required unless infer_pk is true", typ: "value_error"}}})
	}
	// A single dotted element is accepted too ("ANALYTICS.MARTS.fct_orders").
	if len(t1) == 1 {
		t1 = parsePath(t1[0])
	}
	if len(t2) == 1 {
		t2 = parsePath(t2[0])
	}
	d := &dfDiff{ID: nextKey(st.diffs, 110), DS1: ds1, DS2: ds2, Table1: t1, Table2: t2, Query1: q1, Query2: q2,
		Filter1: b["filter1"], Filter2: b["filter2"], PK: pk, Include: strList(b, "include_columns"),
		Exclude: strList(b, "exclude_columns"), Compare: strList(b, "columns_to_compare"), Tags: strList(b, "tags"),
		Source: "api", Created: c.s.now(), Req: copyMap(b)}
	st.diffs[d.ID] = d
	st.log(c, "datadiff.create", "datadiff", d.ID)
	return 200, c.s.diffFull(d, c.s.now())
}

// lineage -----------------------------------------------------------------

func (c *call) lineageArgs() (*lineageGraph, int, *apiError) {
	id := c.intParam("data_connection_id")
	if c.s.df.sources[id] == nil {
		return nil, 0, notFound("Data connection %d not found", id)
	}
	g := lineageFor(id)
	if g == nil {
		return nil, 0, notFound("No lineage has been indexed for data connection %d", id)
	}
	return g, c.queryInt("max_depth", 10), nil
}

func dfColumnLineage(down bool) handlerFunc {
	return func(c *call) (int, any) {
		g, depth, err := c.lineageArgs()
		if err != nil {
			return c.fail(err)
		}
		parts := parsePath(c.param("column_path"))
		if len(parts) < 2 {
			return c.fail(notFound("Column %q not found: use DATABASE.SCHEMA.TABLE.COLUMN", c.param("column_path")))
		}
		t := g.w.find(parts[:len(parts)-1])
		var col *column
		if t != nil {
			col = t.column(parts[len(parts)-1])
		}
		if col == nil {
			return c.fail(notFound("Column %s not found", displayPath(parts)))
		}
		found := g.walk([]colRef{{t, col}}, down, depth)
		out := []any{}
		var tables []*table
		byTable := map[*table][]string{}
		for _, r := range found {
			out = append(out, columnNode(r))
			if !slices.Contains(tables, r.t) {
				tables = append(tables, r.t)
			}
			byTable[r.t] = append(byTable[r.t], r.c.Name)
		}
		if c.queryBool("include_tabular_nodes", false) {
			for _, tt := range tables {
				out = append(out, tableNode(tt, byTable[tt]))
			}
		}
		return 200, out
	}
}

func dfTableLineage(down bool) handlerFunc {
	return func(c *call) (int, any) {
		g, depth, err := c.lineageArgs()
		if err != nil {
			return c.fail(err)
		}
		parts := parsePath(c.param("table_path"))
		t := g.w.find(parts)
		if t == nil {
			return c.fail(notFound("Table %s not found", displayPath(parts)))
		}
		out := []any{}
		for _, n := range g.tableWalk(t, down, depth) {
			out = append(out, tableNode(n, n.columnNames()))
		}
		return 200, out
	}
}
