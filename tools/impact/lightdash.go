package impact

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/providers"
)

// The Lightdash side of lineage_impact, downstream only. Real Lightdash
// answers less than a first reading of its API suggests, and each gap
// loses charts unless worked around:
//
//   - table analytics (getAnalytics) lists the charts whose explore is the
//     table, not those of explores that join it: the explores that join a
//     reached table (the catalog's joinedTables) are asked too, and their
//     charts come with the explore (a joined table dropped or renamed
//     breaks the whole explore; Lightdash does not say which charts select
//     the joined table's fields);
//   - field analytics (getAnalyticsField) matches the exact field id: a
//     chart using only order_date_month is not among order_date's, so each
//     time-interval variant of a reached date dimension is asked too;
//   - a chart's dashboardUuid is set only for a chart saved in a dashboard,
//     not for one saved in a space and shown as a tile: the dashboards'
//     tiles are read (spaces, their dashboards, and each dashboard's
//     promoteDashboardDiff, the one operation that gives tiles; it needs an
//     upstream project, and when it fails the answer says the dashboards
//     of those charts are not known).
//
// Lookups are counted against impactMaxLookups; when it stops some, the
// answer is truncated and says so.

// lightdash adds, per Lightdash project searched, the explores built on
// the reached tables, the fields reading the reached columns and the
// charts and dashboards using them.
func (r *impactRun) lightdash(w *impactReach, a ImpactArgs) {
	w = w.normalized(r)
	conns := r.byProvider[providers.Lightdash]
	if len(conns) == 0 {
		r.note("No Lightdash connection is configured, so no Lightdash assets were looked up.")
		return
	}
	wanted := map[string]bool{}
	for _, p := range a.LightdashProjects {
		wanted[p] = true
	}
	seen := map[string]bool{}
	for _, c := range conns {
		ans, ok, err := r.ldCall(c.Name, "lightdash_list_organization_projects", map[string]any{})
		if !ok {
			return
		}
		if err != nil {
			r.fail("Lightdash projects (connection %s): %v", c.Name, err)
			continue
		}
		list, _ := ans["results"].([]any)
		for _, it := range list {
			m, _ := it.(map[string]any)
			p := ImpactProject{Connection: c.Name, UUID: impactString(m["projectUuid"]), Name: impactString(m["name"]), Type: impactString(m["type"])}
			if p.UUID == "" {
				continue
			}
			if len(wanted) > 0 {
				if !wanted[p.UUID] {
					continue
				}
			} else if p.Type == "PREVIEW" && !a.IncludePreviewProjects {
				continue
			}
			seen[p.UUID] = true
			r.out.LightdashProjects = append(r.out.LightdashProjects, p)
		}
	}
	for _, p := range a.LightdashProjects {
		if !seen[p] {
			r.fail("Lightdash project %s was not found on any Lightdash connection", p)
		}
	}
	for _, p := range r.out.LightdashProjects {
		if r.cut || r.lookupsCut {
			return
		}
		r.lightdashProject(w, p)
	}
}

// ldCall is a Lightdash lookup, answered once per call and counted: ok is
// false when impactMaxLookups stopped it.
func (r *impactRun) ldCall(conn, name string, args map[string]any) (ans map[string]any, ok bool, err error) {
	kb, _ := json.Marshal(args)
	key := conn + "\x00" + name + "\x00" + string(kb)
	if ans, hit := r.ldCache[key]; hit {
		return ans, true, nil
	}
	if r.lookups >= impactMaxLookups {
		r.lookupsCut = true
		return nil, false, nil
	}
	r.lookups++
	ans, err = r.call(providers.Lightdash, conn, name, args)
	if err == nil {
		r.ldCache[key] = ans
	}
	return ans, true, err
}

// impactLDTable is a Lightdash explore's table.
type impactLDTable struct {
	Dimensions map[string]impactLDField `json:"dimensions"`
	Metrics    map[string]impactLDField `json:"metrics"`
}

type impactLDField struct {
	Name                          string   `json:"name"`
	SQL                           string   `json:"sql"`
	TimeIntervalBaseDimensionName string   `json:"timeIntervalBaseDimensionName"`
	TimeIntervals                 []string `json:"timeIntervals"`
}

// impactVariants returns the time-interval variants of a dimension, as the
// explore lists them (timeIntervalBaseDimensionName) or as its
// timeIntervals name them (name_interval), sorted.
func impactVariants(t impactLDTable, dim string) []string {
	var out []string
	add := func(n string) {
		if n != "" && !strings.EqualFold(n, dim) && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	for key, f := range t.Dimensions {
		if strings.EqualFold(f.TimeIntervalBaseDimensionName, dim) {
			add(impactOr(f.Name, key))
		}
	}
	for key, f := range t.Dimensions {
		if strings.EqualFold(impactOr(f.Name, key), dim) {
			for _, iv := range f.TimeIntervals {
				if !strings.EqualFold(iv, "RAW") {
					add(dim + "_" + strings.ToLower(iv))
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// impactPending is a chart whose analytics entry names no dashboard.
type impactPending struct {
	id, uuid, name string
	depth          int
}

func (r *impactRun) lightdashProject(w *impactReach, p ImpactProject) {
	cat, ok, err := r.ldCall(p.Connection, "lightdash_get_catalog", map[string]any{"projectUuid": p.UUID, "type": "table"})
	if !ok {
		return
	}
	if err != nil {
		r.fail("Lightdash catalog of project %s: %v", p.Name, err)
		return
	}
	// explore (lowercase name) -> tables it joins
	explores := map[string][]string{}
	var names []string
	items, _ := cat["results"].([]any)
	for _, it := range items {
		m, _ := it.(map[string]any)
		if m == nil || (m["type"] != nil && m["type"] != "table") {
			continue
		}
		name := strings.ToLower(impactString(m["name"]))
		if name == "" {
			continue
		}
		var joins []string
		jt, _ := m["joinedTables"].([]any)
		for _, j := range jt {
			switch x := j.(type) {
			case string:
				joins = append(joins, strings.ToLower(x))
			case map[string]any:
				joins = append(joins, strings.ToLower(impactString(x["table"])))
			}
		}
		if _, dup := explores[name]; !dup {
			names = append(names, name)
		}
		explores[name] = joins
	}
	sort.Strings(names)
	var pending []impactPending
	var joinedVia []string
	for _, tid := range w.tables {
		if r.cut || r.lookupsCut {
			break
		}
		tn := r.node(tid)
		if tn == nil {
			continue
		}
		tid = tn.ID
		table := strings.ToLower(tn.Name)
		var containing []string
		for _, e := range names {
			if e == table || slices.Contains(explores[e], table) {
				containing = append(containing, e)
			}
		}
		if len(containing) == 0 {
			continue
		}
		for _, e := range containing {
			eid := "lightdash:explore:" + p.UUID + "/" + e
			if !r.addNode(ImpactNode{ID: eid, Kind: KindLightdashExplore, Provider: providers.Lightdash, Name: e, Depth: tn.Depth, Connection: p.Connection, ProjectUUID: p.UUID}) {
				return
			}
			rel := "joined_into"
			if e == table {
				rel = "base_table_of"
			}
			r.addEdge(tid, eid, rel)
		}
		if w.kind != KindColumn {
			for _, e := range containing {
				from := tid
				if e != table {
					from = "lightdash:explore:" + p.UUID + "/" + e
				}
				ans, ok, err := r.ldCall(p.Connection, "lightdash_get_analytics", map[string]any{"projectUuid": p.UUID, "table": e})
				if !ok {
					break
				}
				if err != nil {
					r.fail("Lightdash analytics of table %s (project %s): %v", e, p.Name, err)
					continue
				}
				n := len(r.out.Nodes)
				pending = append(pending, r.charts(p, from, tn.Depth, ans)...)
				if e != table && len(r.out.Nodes) > n && !slices.Contains(joinedVia, e+" (joins "+table+")") {
					joinedVia = append(joinedVia, e+" (joins "+table+")")
				}
			}
			continue
		}
		cols := w.columns[tid]
		if len(cols) == 0 {
			continue
		}
		explore := containing[0]
		if slices.Contains(containing, table) {
			explore = table
		}
		ex, ok, err := r.ldCall(p.Connection, "lightdash_get_explore", map[string]any{"projectUuid": p.UUID, "exploreId": explore})
		if !ok {
			break
		}
		if err != nil {
			r.fail("Lightdash explore %s (project %s): %v", explore, p.Name, err)
			continue
		}
		var parsed struct {
			Results struct {
				Tables map[string]impactLDTable `json:"tables"`
			} `json:"results"`
		}
		b, _ := json.Marshal(ex)
		_ = json.Unmarshal(b, &parsed)
		var lt *impactLDTable
		for name, t := range parsed.Results.Tables {
			if strings.EqualFold(name, table) {
				t := t
				lt = &t
			}
		}
		if lt == nil {
			continue
		}
		for _, f := range impactFieldsReading(table, *lt, cols) {
			fid := "lightdash:field:" + p.UUID + "/" + table + "." + f.name
			if !r.addNode(ImpactNode{ID: fid, Kind: KindLightdashField, Provider: providers.Lightdash, Name: f.name, Table: table,
				Depth: tn.Depth, Connection: p.Connection, ProjectUUID: p.UUID, FieldType: f.fieldType}) {
				return
			}
			for _, c := range f.columns {
				if cid, ok := w.colIDs[tid+"\x00"+strings.ToLower(c)]; ok {
					r.addEdge(cid, fid, "read_by")
				}
			}
			asked := []string{f.name}
			if f.fieldType == "dimension" {
				asked = append(asked, impactVariants(*lt, f.name)...)
			}
			for i, name := range asked {
				ans, ok, err := r.ldCall(p.Connection, "lightdash_get_analytics_field", map[string]any{"projectUuid": p.UUID, "table": table, "field": name})
				if !ok {
					break
				}
				if err != nil {
					// A variant the catalog does not know has no charts.
					if i > 0 && impactNotFound(err) {
						continue
					}
					r.fail("Lightdash analytics of field %s.%s (project %s): %v", table, name, p.Name, err)
					continue
				}
				pending = append(pending, r.charts(p, fid, tn.Depth, ans)...)
			}
		}
	}
	if len(joinedVia) > 0 {
		r.note(fmt.Sprintf("Lightdash's table analytics list only the charts whose explore is the table, so the charts of explores that join a reached table are included through those explores (%s): a joined table dropped or renamed breaks the whole explore, though Lightdash does not say which of its charts select the joined table's fields.", strings.Join(joinedVia, ", ")))
	}
	r.tileDashboards(p, pending)
}

// impactNotFound reports whether a lookup failed because the upstream has
// no such thing.
func impactNotFound(err error) bool {
	s := strings.ToLower(err.Error())
	return strings.Contains(s, "404") || strings.Contains(s, "not found")
}

// charts adds the charts (and their dashboards) of a catalog analytics
// answer, used by node from; it returns the charts whose entry names no
// dashboard.
func (r *impactRun) charts(p ImpactProject, from string, depth int, ans map[string]any) []impactPending {
	res, _ := ans["results"].(map[string]any)
	list, _ := res["charts"].([]any)
	var pending []impactPending
	for _, it := range list {
		m, _ := it.(map[string]any)
		uuid := impactString(m["uuid"])
		if uuid == "" {
			continue
		}
		cid := "lightdash:chart:" + uuid
		if !r.addNode(ImpactNode{ID: cid, Kind: KindLightdashChart, Provider: providers.Lightdash, Name: impactString(m["name"]), Depth: depth,
			Connection: p.Connection, ProjectUUID: p.UUID, ChartKind: impactString(m["chartKind"]), Space: impactString(m["spaceName"])}) {
			return pending
		}
		r.addEdge(from, cid, "used_by")
		d := impactString(m["dashboardUuid"])
		if d == "" {
			pending = append(pending, impactPending{id: cid, uuid: uuid, name: impactString(m["name"]), depth: depth})
			continue
		}
		if !r.addDashboard(p, d, impactString(m["dashboardName"]), depth) {
			return pending
		}
		r.addEdge(cid, "lightdash:dashboard:"+d, "on_dashboard")
	}
	return pending
}

func (r *impactRun) addDashboard(p ImpactProject, uuid, name string, depth int) bool {
	did := "lightdash:dashboard:" + uuid
	if n := r.node(did); n != nil {
		n.Depth = min(n.Depth, depth)
		return true
	}
	return r.addNode(ImpactNode{ID: did, Kind: KindLightdashDashboard, Provider: providers.Lightdash, Name: name, Depth: depth,
		Connection: p.Connection, ProjectUUID: p.UUID})
}

// tileDashboards finds the dashboards showing charts (saved in a space,
// so their analytics entry names no dashboard) as tiles: the project's
// spaces, their dashboards, and each dashboard's tiles and charts from its
// promotion diff.
func (r *impactRun) tileDashboards(p ImpactProject, pending []impactPending) {
	byUUID := map[string][]impactPending{}
	for _, c := range pending {
		if r.node(c.id) != nil {
			byUUID[c.uuid] = append(byUUID[c.uuid], c)
		}
	}
	if len(byUUID) == 0 || r.cut {
		return
	}
	sp, ok, err := r.ldCall(p.Connection, "lightdash_list_spaces_in_project", map[string]any{"projectUuid": p.UUID})
	if !ok {
		return
	}
	if err != nil {
		r.fail("Lightdash spaces of project %s (to find the dashboards showing charts as tiles): %v", p.Name, err)
		return
	}
	type dash struct{ uuid, name string }
	var dashes []dash
	spaces, _ := sp["results"].([]any)
	for _, s := range spaces {
		sm, _ := s.(map[string]any)
		su := impactString(sm["uuid"])
		if su == "" {
			continue
		}
		ans, ok, err := r.ldCall(p.Connection, "lightdash_get_space", map[string]any{"projectUuid": p.UUID, "spaceUuid": su})
		if !ok {
			return
		}
		if err != nil {
			r.fail("Lightdash space %s of project %s: %v", impactOr(impactString(sm["name"]), su), p.Name, err)
			continue
		}
		res, _ := ans["results"].(map[string]any)
		ds, _ := res["dashboards"].([]any)
		for _, d := range ds {
			dm, _ := d.(map[string]any)
			if u := impactString(dm["uuid"]); u != "" && !slices.ContainsFunc(dashes, func(x dash) bool { return x.uuid == u }) {
				dashes = append(dashes, dash{u, impactString(dm["name"])})
			}
		}
	}
	var unread []string
	var firstErr error
	for _, d := range dashes {
		if r.cut {
			return
		}
		ans, ok, err := r.ldCall(p.Connection, "lightdash_promote_dashboard_diff", map[string]any{"dashboardUuid": d.uuid})
		if !ok {
			return
		}
		if err != nil {
			unread = append(unread, impactOr(d.name, d.uuid))
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		for _, u := range impactDiffCharts(ans) {
			for _, c := range byUUID[u] {
				if !r.addDashboard(p, d.uuid, d.name, c.depth) {
					return
				}
				r.addEdge(c.id, "lightdash:dashboard:"+d.uuid, "on_dashboard")
			}
		}
	}
	if len(unread) > 0 {
		var charts []string
		for _, list := range byUUID {
			charts = append(charts, list[0].name)
		}
		sort.Strings(charts)
		r.unknown = true
		r.note(fmt.Sprintf("Lightdash gives a dashboard's tiles only through its promotion diff (promoteDashboardDiff, which needs an upstream project), and it did not answer for %s of project %s (%s: %v); so whether %s, saved in a space rather than a dashboard, %s on %s is not known.",
			impactPlural(len(unread), "dashboard", "dashboards"), p.Name, impactJoinAnd(unread), firstErr,
			impactPlural(len(charts), "chart", "charts")+" ("+impactJoinAnd(charts)+")", map[bool]string{true: "is a tile", false: "are tiles"}[len(charts) == 1],
			map[bool]string{true: "it", false: "them"}[len(unread) == 1]))
	}
}

// impactDiffCharts returns the chart uuids a promotion diff shows on its
// dashboard: its tiles' savedChartUuid and its charts' uuid and oldUuid.
func impactDiffCharts(ans map[string]any) []string {
	var out []string
	add := func(v any) {
		if s := impactString(v); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	res, _ := ans["results"].(map[string]any)
	dashboards, _ := res["dashboards"].([]any)
	for _, d := range dashboards {
		dm, _ := d.(map[string]any)
		data, _ := dm["data"].(map[string]any)
		tiles, _ := data["tiles"].([]any)
		for _, t := range tiles {
			tm, _ := t.(map[string]any)
			props, _ := tm["properties"].(map[string]any)
			add(props["savedChartUuid"])
		}
	}
	charts, _ := res["charts"].([]any)
	for _, c := range charts {
		cm, _ := c.(map[string]any)
		data, _ := cm["data"].(map[string]any)
		add(data["oldUuid"])
		add(data["uuid"])
	}
	return out
}

type impactFieldUse struct {
	name, fieldType string
	columns         []string
}

var impactSQLRef = regexp.MustCompile(`\$\{\s*([A-Za-z0-9_]+)(?:\.([A-Za-z0-9_]+))?\s*\}(?:\.("[^"]+"|[A-Za-z0-9_]+))?`)

// impactFieldsReading returns the fields of a Lightdash table whose SQL reads one
// of the columns, in Lightdash's SQL syntax: ${TABLE}.column reads a
// column; ${dimension} and ${table.dimension} read a dimension of the same
// table, so whatever that dimension reads. Time-interval variants of a date
// dimension are left out: analytics of the base dimension cover them.
// Dimensions come first, then metrics, each sorted by name.
func impactFieldsReading(table string, t impactLDTable, cols []string) []impactFieldUse {
	// reads returns the impacted columns sql reads, given what the
	// dimensions known so far read.
	reads := func(sql string, dims map[string][]string) []string {
		var out []string
		add := func(list ...string) {
			for _, c := range list {
				if !slices.Contains(out, c) {
					out = append(out, c)
				}
			}
		}
		for _, m := range impactSQLRef.FindAllStringSubmatch(sql, -1) {
			owner, field, col := m[1], m[2], strings.Trim(m[3], `"`)
			switch {
			case strings.EqualFold(owner, "TABLE") && field == "" && col != "":
				for _, c := range cols {
					if strings.EqualFold(c, col) {
						add(c)
					}
				}
			case field == "":
				add(dims[strings.ToLower(owner)]...)
			case strings.EqualFold(owner, table):
				add(dims[strings.ToLower(field)]...)
			}
		}
		return out
	}
	dims := map[string][]string{}
	names := impactSortedKeys(t.Dimensions)
	// A dimension may read another; three passes settle any real chain.
	for range 3 {
		for _, name := range names {
			f := t.Dimensions[name]
			if c := reads(f.SQL, dims); len(c) > 0 {
				dims[strings.ToLower(impactOr(f.Name, name))] = c
			}
		}
	}
	var out []impactFieldUse
	for _, name := range names {
		f := t.Dimensions[name]
		if c := dims[strings.ToLower(impactOr(f.Name, name))]; len(c) > 0 && f.TimeIntervalBaseDimensionName == "" {
			out = append(out, impactFieldUse{impactOr(f.Name, name), "dimension", c})
		}
	}
	for _, name := range impactSortedKeys(t.Metrics) {
		f := t.Metrics[name]
		if c := reads(f.SQL, dims); len(c) > 0 {
			out = append(out, impactFieldUse{impactOr(f.Name, name), "metric", c})
		}
	}
	return out
}

func impactOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func impactSortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
