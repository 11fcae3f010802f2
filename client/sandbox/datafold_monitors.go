package sandbox

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Datafold BI integrations and monitors (with their runs).

func dfCreateBI(kind string) handlerFunc {
	return func(c *call) (int, any) {
		b := copyMap(c.bodyMap())
		if kind == "dbt" {
			if id, _ := num(b, "ci_config_id"); c.s.df.ci[id] == nil {
				return c.fail(&apiError{status: 422, msg: "unknown CI config", fields: []fieldError{{loc: []any{"body", "ci_config_id"},
					msg: fmt.Sprintf("CI config %d does not exist", id), typ: "value_error"}}})
			}
		}
		id := nextKey(c.s.df.bi, 12)
		b["id"] = id
		b["type"] = kind
		if str(b, "name") == "" {
			b["name"] = fmt.Sprintf("%s integration %d", kind, id)
		}
		b["status"] = "syncing"
		b["created_at"] = ptime(c.s.now())
		c.s.df.bi[id] = b
		c.s.df.log(c, "bi.create", "bi_integration", id)
		return 200, b
	}
}

// monitors ----------------------------------------------------------------

func (s *Sandbox) runState(r *dfRun) string {
	if r.Seeded {
		return r.State
	}
	if r.DiffID != 0 {
		d := s.df.diffs[r.DiffID]
		switch st := s.diffStatus(d, s.now()); st {
		case "waiting":
			return "queued"
		case "processing":
			return "checking"
		case "failed":
			return "error"
		case "cancelled":
			return "cancelled"
		}
		if s.outcome(d).result() == "different" {
			return "alert"
		}
		return "ok"
	}
	if s.now().Sub(r.Started) < s.SyncDuration {
		return "checking"
	}
	return "ok"
}

func (s *Sandbox) runView(r *dfRun) map[string]any {
	return map[string]any{"run_id": r.ID, "monitor_id": r.MonitorID, "diff_id": orNil(r.DiffID),
		"started_at": ptime(r.Started), "state": s.runState(r)}
}

func (s *Sandbox) monitorRuns(id int) []*dfRun {
	var out []*dfRun
	for _, r := range s.df.runs {
		if r.MonitorID == id {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b *dfRun) int { return b.Started.Compare(a.Started) })
	return out
}

func (s *Sandbox) monitorSummary(m *dfMonitor) map[string]any {
	out := map[string]any{"id": m.ID, "name": m.Name, "monitor_type": m.Type, "enabled": m.Enabled,
		"created_at": ptime(m.Created), "modified_at": ptime(m.Modified), "owner": orNil(m.Owner),
		"tags": anyList(m.Tags), "last_run": nil, "last_alert": nil, "state": "created"}
	runs := s.monitorRuns(m.ID)
	if len(runs) > 0 {
		out["last_run"] = ptime(runs[0].Started)
		out["state"] = s.runState(runs[0])
	}
	for _, r := range runs {
		if s.runState(r) == "alert" {
			out["last_alert"] = ptime(r.Started)
			break
		}
	}
	return out
}

func (s *Sandbox) monitorFull(m *dfMonitor) map[string]any {
	out := s.monitorSummary(m)
	out["description"] = orNil(m.Description)
	out["schedule"] = m.Schedule
	out["alert"] = m.Alert
	out["dataset"] = m.Dataset
	out["notifications"] = m.Notes
	if len(m.Notes) == 0 {
		out["notifications"] = []any{}
	}
	if len(m.Dataset) == 0 {
		out["dataset"] = []any{}
	}
	return out
}

func dfListMonitors(c *call) (int, any) {
	var ms []*dfMonitor
	tags := strings.Split(c.query.Get("tags"), ",")
	for _, id := range sortedKeys(c.s.df.monitors) {
		m := c.s.df.monitors[id]
		if c.query.Get("tags") != "" && !slices.ContainsFunc(tags, func(t string) bool { return slices.Contains(m.Tags, strings.TrimSpace(t)) }) {
			continue
		}
		ms = append(ms, m)
	}
	orderBy := c.query.Get("order_by")
	desc := c.query.Get("sort_order") == "desc"
	slices.SortStableFunc(ms, func(a, b *dfMonitor) int {
		var r int
		switch orderBy {
		case "name":
			r = cmp.Compare(a.Name, b.Name)
		case "created_by":
			r = cmp.Compare(a.Owner, b.Owner)
		case "last_run", "last_triggered":
			r = cmp.Compare(fmt.Sprint(c.s.monitorSummary(a)["last_run"]), fmt.Sprint(c.s.monitorSummary(b)["last_run"]))
		default:
			r = cmp.Compare(a.ID, b.ID)
		}
		if desc {
			r = -r
		}
		return r
	})
	size := max(1, min(c.queryInt("page_size", 20), 100))
	pg := max(1, c.queryInt("page", 1))
	out := []any{}
	for _, m := range page(ms, (pg-1)*size, size) {
		out = append(out, c.s.monitorSummary(m))
	}
	return 200, map[string]any{"count": len(ms), "page": pg, "page_size": size, "total_pages": (len(ms) + size - 1) / size, "monitors": out}
}

func dfCreateMonitor(kind string) handlerFunc {
	return func(c *call) (int, any) {
		b := c.bodyMap()
		st := c.s.df
		var dataset []any
		addDS := func(m map[string]any) {
			conn, _ := num(m, "connection_id")
			if st.sources[conn] == nil {
				return
			}
			dataset = append(dataset, map[string]any{"connection_id": conn, "table": orNil(str(m, "table")),
				"query": orNil(str(m, "query")), "filter": m["filter"], "column": orNil(str(m, "column")), "metric": orNil(str(m, "metric"))})
		}
		switch kind {
		case "diff":
			dd, _ := b["datadiff"].(map[string]any)
			for _, k := range []string{"dataset_a", "dataset_b"} {
				m, _ := dd[k].(map[string]any)
				conn, _ := num(m, "connection_id")
				if st.sources[conn] == nil {
					return c.fail(&apiError{status: 422, msg: "unknown connection", fields: []fieldError{{loc: []any{"body", "datadiff", k, "connection_id"},
						msg: fmt.Sprintf("Data source %d does not exist", conn), typ: "value_error"}}})
				}
				addDS(m)
			}
		default:
			conn, _ := num(b, "connection_id")
			if st.sources[conn] == nil {
				return c.fail(&apiError{status: 422, msg: "unknown connection", fields: []fieldError{{loc: []any{"body", "connection_id"},
					msg: fmt.Sprintf("Data source %d does not exist", conn), typ: "value_error"}}})
			}
			m := map[string]any{"connection_id": conn, "table": b["table"], "query": b["query"]}
			if mt, ok := b["metric"].(map[string]any); ok {
				m["table"], m["filter"], m["column"] = mt["table"], mt["filter"], mt["column"]
				m["metric"] = fmt.Sprint(mt["metric"])
				if q := str(mt, "query"); q != "" {
					m["query"] = q
				}
			}
			addDS(m)
		}
		now := c.s.now()
		enabled := true
		if e, ok := b["enabled"].(bool); ok {
			enabled = e
		}
		var alert any = b["alert"]
		if am, ok := alert.(map[string]any); ok && kind == "diff" {
			am = copyMap(am)
			am["type"] = "diff"
			alert = am
		}
		notes, _ := b["notifications"].([]any)
		m := &dfMonitor{ID: nextKey(st.monitors, 204), Type: kind, Name: str(b, "name"), Description: str(b, "description"),
			Spec: copyMap(b), Enabled: enabled, Created: now, Modified: now, Tags: strList(b, "tags"), Owner: str(b, "owner"),
			Dataset: dataset, Alert: alert, Schedule: b["schedule"], Notes: notes}
		st.monitors[m.ID] = m
		st.log(c, "monitor.create", "monitor", m.ID)
		return 200, map[string]any{"id": m.ID}
	}
}

func dfStartRun(c *call, m *dfMonitor) (int, any) {
	st := c.s.df
	id := 3001
	for _, r := range st.runs {
		id = max(id, r.ID+1)
	}
	r := &dfRun{ID: id, MonitorID: m.ID, Started: c.s.now()}
	if m.Type == "diff" {
		dd, _ := m.Spec["datadiff"].(map[string]any)
		a, _ := dd["dataset_a"].(map[string]any)
		b, _ := dd["dataset_b"].(map[string]any)
		ds1, _ := num(a, "connection_id")
		ds2, _ := num(b, "connection_id")
		d := &dfDiff{ID: nextKey(st.diffs, 110), DS1: ds1, DS2: ds2, Table1: parsePath(str(a, "table")), Table2: parsePath(str(b, "table")),
			Query1: str(a, "query"), Query2: str(b, "query"), PK: strList(dd, "primary_key"), Source: "schedule", MonitorID: m.ID,
			Created: c.s.now(), Tags: m.Tags}
		st.diffs[d.ID] = d
		r.DiffID = d.ID
	}
	st.runs = append(st.runs, r)
	return 200, map[string]any{"run_id": r.ID}
}

func dfListRuns(c *call, m *dfMonitor) (int, any) {
	var runs []*dfRun
	for _, r := range c.s.monitorRuns(m.ID) {
		if t, err := time.Parse(time.RFC3339, c.query.Get("start_time")); err == nil && r.Started.Before(t) {
			continue
		}
		if t, err := time.Parse(time.RFC3339, c.query.Get("end_time")); err == nil && r.Started.After(t) {
			continue
		}
		runs = append(runs, r)
	}
	size := max(1, min(c.queryInt("page_size", 20), 100))
	pg := max(1, c.queryInt("page", 1))
	out := []any{}
	for _, r := range page(runs, (pg-1)*size, size) {
		out = append(out, c.s.runView(r))
	}
	return 200, map[string]any{"count": len(runs), "page": pg, "page_size": size, "total_pages": (len(runs) + size - 1) / size, "runs": out}
}
