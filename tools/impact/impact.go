package impact

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/client"
	"github.com/datastack-mcp/datastack-mcp/dbt"
	"github.com/datastack-mcp/datastack-mcp/dbt/manifest"
	"github.com/datastack-mcp/datastack-mcp/providers"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

// lineage_impact answers "what breaks if I change this?" (downstream) and
// "where does this number come from?" (upstream) in one bounded call that
// crosses providers:
//
//   - the warehouse lineage, from Datafold's explore tools, walked one hop
//     per call so every edge and every node's depth is exact, with the
//     totals from one full-depth call so a cut answer says how much it left
//     out;
//   - downstream only: the Datafold BI integrations bound to the data
//     source, and, in every Lightdash project searched, the explores built
//     on the reached tables (Datafold table name, lowercased, is the
//     Lightdash table name: ANALYTICS.MARTS.fct_orders ↔ fct_orders), the
//     fields that read the reached columns (from the explore's field SQL),
//     and the charts and dashboards using them (catalog analytics).
//
// Every upstream call goes through the generated tools, bound to the
// configured connections, so authentication, connection policies, errors
// and redaction are exactly those of a direct call.

// Name is the name of the impact tool.
const Name = "lineage_impact"

// Impact bounds.
const (
	impactDefaultDepth = 5
	impactMaxDepth     = 20
	impactDefaultNodes = 100
	impactMinNodes     = 5
	impactMaxNodes     = 500
	// impactFullDepth is the deepest lineage Datafold serves
	// (max_depth < 100); it gives the totals.
	impactFullDepth = 99
)

// Node kinds of an impact answer; Counts uses their plurals.
const (
	KindColumn             = "column"
	KindTable              = "table"
	KindBIIntegration      = "bi_integration"
	KindLightdashExplore   = "lightdash_explore"
	KindLightdashField     = "lightdash_field"
	KindLightdashChart     = "lightdash_chart"
	KindLightdashDashboard = "lightdash_dashboard"
)

var impactKinds = []string{KindColumn, KindTable, KindBIIntegration, KindLightdashExplore, KindLightdashField, KindLightdashChart, KindLightdashDashboard}

// ImpactArgs are the arguments of lineage_impact.
type ImpactArgs struct {
	Node                   string   `json:"node,omitempty" jsonschema_description:"dbt lineage: a model, source, seed or snapshot by name, unique_id or relation (db.schema.table)."`
	Column                 string   `json:"column,omitempty" jsonschema_description:"dbt lineage: a column of node, for column-level impact."`
	Project                string   `json:"project,omitempty" jsonschema_description:"dbt lineage: the dbt project, when several are configured."`
	ColumnPath             string   `json:"column_path,omitempty" jsonschema_description:"Datafold lineage: the column, as DATABASE.SCHEMA.TABLE.COLUMN (quote parts that contain dots). Give this or table_path."`
	TablePath              string   `json:"table_path,omitempty" jsonschema_description:"Datafold lineage: the table, as DATABASE.SCHEMA.TABLE. Give this or column_path."`
	DataSourceID           int      `json:"data_source_id,omitempty" jsonschema:"minimum=1" jsonschema_description:"Datafold lineage: the data source (data connection) id whose lineage to walk; datafold_list_data_sources lists them."`
	Connection             string   `json:"connection,omitempty" jsonschema_description:"Which Datafold connection to use."`
	Direction              string   `json:"direction,omitempty" jsonschema:"enum=downstream,enum=upstream,default=downstream" jsonschema_description:"downstream: what depends on it (what breaks if it changes); upstream: what it is computed from (where does this number come from). Lightdash and BI assets are looked up downstream only."`
	MaxDepth               int      `json:"max_depth,omitempty" jsonschema:"minimum=1,maximum=20,default=5" jsonschema_description:"How many lineage hops to follow."`
	MaxNodes               int      `json:"max_nodes,omitempty" jsonschema:"minimum=5,maximum=500,default=100" jsonschema_description:"Most nodes in the answer, all kinds together; the warehouse lineage is filled first."`
	LightdashProjects      []string `json:"lightdash_projects,omitempty" jsonschema_description:"Lightdash project uuids to search; default every project except previews."`
	IncludePreviewProjects bool     `json:"include_preview_projects,omitempty" jsonschema_description:"Also search Lightdash preview projects (used only when lightdash_projects is not given)."`
}

// Impact is the structured answer of lineage_impact.
type Impact struct {
	// Summary is the answer in one or two sentences.
	Summary   string     `json:"summary"`
	Root      ImpactRoot `json:"root"`
	Direction string     `json:"direction"`
	// Nodes are the root (root=true) and everything reached, warehouse
	// nodes in breadth-first order, then BI integrations, then Lightdash.
	Nodes []ImpactNode `json:"nodes"`
	// Edges point the way data flows (from feeds to).
	Edges []ImpactEdge `json:"edges"`
	// Counts are the nodes per kind (plural: columns, tables, …), the
	// root column and table left out.
	Counts map[string]int `json:"counts"`
	// DepthReached is the largest lineage depth of a node in the answer.
	DepthReached int `json:"depth_reached"`
	MaxDepth     int `json:"max_depth"`
	MaxNodes     int `json:"max_nodes"`
	// Totals are what Datafold reports at full depth, to compare with
	// counts when the answer is truncated.
	Totals ImpactTotals `json:"totals"`
	// Complete is true when nothing was cut and every lookup succeeded.
	Complete bool `json:"complete"`
	// Truncated is true when max_depth or max_nodes left nodes out;
	// Continue says how to get them.
	Truncated         bool            `json:"truncated"`
	Continue          *ImpactContinue `json:"continue,omitempty"`
	LightdashProjects []ImpactProject `json:"lightdash_projects"`
	Errors            []string        `json:"errors,omitempty"`
	Notes             []string        `json:"notes,omitempty"`
	// Calls is the number of upstream calls the answer took.
	Calls int `json:"calls"`
	// Tests are the dbt tests that guard the root or a node of the answer.
	Tests []manifest.ImpactTest `json:"tests,omitempty"`
}

// ImpactRoot is what the question is about.
type ImpactRoot struct {
	Kind         string `json:"kind"`
	Path         string `json:"path"`
	DataSourceID int    `json:"data_source_id,omitempty"`
	Connection   string `json:"connection,omitempty"`
	// ID and Project name a dbt root (its unique_id and project).
	ID      string `json:"id,omitempty"`
	Project string `json:"project,omitempty"`
}

// ImpactNode is one asset.
type ImpactNode struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Provider string `json:"provider"`
	Name     string `json:"name"`
	// Path is the warehouse path of a column or table.
	Path string `json:"path,omitempty"`
	// Table is, for a column, its table node id; for a Lightdash field,
	// the Lightdash table name.
	Table string `json:"table,omitempty"`
	// Depth is the number of lineage hops from the root; Lightdash nodes
	// have the depth of the table they were reached through.
	Depth      int    `json:"depth"`
	Root       bool   `json:"root,omitempty"`
	Connection string `json:"connection,omitempty"`
	// ProjectUUID is the Lightdash project of a Lightdash node.
	ProjectUUID string `json:"project_uuid,omitempty"`
	// FieldType is dimension or metric (Lightdash fields).
	FieldType string `json:"field_type,omitempty"`
	// ChartKind and Space describe a Lightdash chart.
	ChartKind string `json:"chart_kind,omitempty"`
	Space     string `json:"space,omitempty"`
	// IntegrationType and Status describe a Datafold BI integration.
	IntegrationType string `json:"integration_type,omitempty"`
	Status          string `json:"status,omitempty"`
}

// ImpactEdge is one dependency, pointing the way data flows.
type ImpactEdge struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Relation is feeds (lineage), base_table_of or joined_into (table to
	// explore), read_by (column to field), used_by (field or table to
	// chart) or on_dashboard (chart to dashboard).
	Relation string `json:"relation"`
}

// ImpactTotals are the full-depth sizes of the warehouse lineage, as
// Datafold reports them (the root left out).
type ImpactTotals struct {
	Columns int `json:"columns"`
	Tables  int `json:"tables"`
}

// ImpactContinue says why the answer was cut and how to get the rest.
type ImpactContinue struct {
	Reasons []string `json:"reasons"`
	// Frontier are node ids reached but not expanded.
	Frontier []string `json:"frontier,omitempty"`
	Hint     string   `json:"hint"`
	// NextArguments are lineage_impact arguments that get more.
	NextArguments map[string]any `json:"next_arguments,omitempty"`
}

// ImpactProject is a Lightdash project searched.
type ImpactProject struct {
	Connection string `json:"connection"`
	UUID       string `json:"uuid"`
	Name       string `json:"name"`
	Type       string `json:"type"`
}

// Options give lineage_impact lineage beyond Datafold's.
type Options struct {
	// DBT are the dbt projects whose manifests give model and column
	// lineage (nil: none).
	DBT *dbt.Set
}

// Tool builds the lineage_impact tool over the generated tools of the
// configured providers (available, not yet bound), the connections and the
// dbt projects. It returns nil when neither a Datafold connection that may
// read lineage nor a dbt project is configured.
func Tool(conns []*tools.Connection, available []*tools.Tool, o Options) (*tools.Tool, error) {
	bound, err := tools.Bind(available, conns)
	if err != nil {
		return nil, err
	}
	// A Datafold connection that may read some lineage can be chosen; a
	// lookup its policy excludes fails with the bound tool's error.
	var dfConns []string
	for _, c := range conns {
		if c.Provider != providers.Datafold {
			continue
		}
		for _, name := range impactLineageTools {
			if t := tools.Find(available, name); t != nil && c.Policy.Allows(t) {
				dfConns = append(dfConns, c.Name)
				break
			}
		}
	}
	if len(dfConns) == 0 && (o.DBT == nil || len(o.DBT.Names()) == 0) {
		return nil, nil
	}
	byProvider := map[string][]*tools.Connection{}
	for _, c := range conns {
		byProvider[c.Provider] = append(byProvider[c.Provider], c)
	}
	ann := tools.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true}
	t, err := tools.New(tools.Spec{Name: Name, Provider: tools.DiscoveryProvider, Toolset: "lineage", Title: "Lineage impact", Output: &Impact{},
		Description: "What breaks if a column, model or table changes (direction downstream), or where a number comes from (upstream): one bounded answer across " +
			"your dbt project's lineage (node, optional column: models, sources, seeds, exposures, tests, down to columns) or Datafold lineage (data_source_id with column_path or table_path), " +
			"the Datafold BI integrations, and the Lightdash explores, fields, charts and dashboards built on what is reached. Returns nodes, edges, counts per kind, depth reached, " +
			"complete/truncated and, when cut, how to continue.",
		Annotations: ann}, func(ctx context.Context, d *tools.Deps, a ImpactArgs) *tools.Result {
		r := &impactRun{ctx: ctx, d: d, bound: bound, byProvider: byProvider, dfConns: dfConns, dbt: o.DBT}
		return r.run(a)
	})
	if err != nil {
		return nil, err
	}
	// The connection argument appears only when there is a choice, as for
	// generated tools.
	var s map[string]any
	if err := json.Unmarshal(t.InputSchema, &s); err != nil {
		return nil, err
	}
	props, _ := s["properties"].(map[string]any)
	if len(dfConns) > 1 {
		props[tools.ConnectionArg] = map[string]any{"type": "string", "enum": dfConns, "description": "Which Datafold connection to use."}
		req, _ := s["required"].([]any)
		s["required"] = append(req, tools.ConnectionArg)
	} else {
		delete(props, tools.ConnectionArg)
	}
	schema, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	return t.WithInputSchema(schema)
}

// impactLineageTools are Datafold's lineage (explore) tools.
var impactLineageTools = []string{"datafold_get_column_downstreams", "datafold_get_column_upstreams", "datafold_get_table_downstreams", "datafold_get_table_upstreams"}

// impactRun is one lineage_impact call.
type impactRun struct {
	ctx        context.Context
	d          *tools.Deps
	bound      []*tools.Tool
	byProvider map[string][]*tools.Connection
	dfConns    []string
	dbt        *dbt.Set

	out    *Impact
	nodes  map[string]int // id -> index in out.Nodes
	edges  map[ImpactEdge]bool
	budget int
	cut    bool // max_nodes reached
}

func (r *impactRun) run(a ImpactArgs) *tools.Result {
	if a.Node != "" {
		if a.ColumnPath != "" || a.TablePath != "" {
			return tools.ErrorResult("%s: give node (dbt lineage) or column_path/table_path (Datafold lineage), not both.", Name)
		}
		return r.dbtRun(a)
	}
	if len(r.dfConns) == 0 {
		return tools.ErrorResult("%s: give node (a dbt model, source or seed) and optionally column; no Datafold connection reads lineage here, so column_path/table_path do not apply.", Name)
	}
	if a.DataSourceID < 1 {
		return tools.ErrorResult("%s: data_source_id (the Datafold data source whose lineage to walk) is required with column_path or table_path; datafold_list_data_sources lists them.", Name)
	}
	if (a.ColumnPath == "") == (a.TablePath == "") {
		return tools.ErrorResult("%s: give exactly one of column_path (DATABASE.SCHEMA.TABLE.COLUMN) or table_path (DATABASE.SCHEMA.TABLE).", Name)
	}
	conn := a.Connection
	switch {
	case conn == "" && len(r.dfConns) == 1:
		conn = r.dfConns[0]
	case conn == "":
		return tools.ErrorResult("%s: several Datafold connections are configured; pass connection, one of %s.", Name, strings.Join(r.dfConns, ", "))
	case !slices.Contains(r.dfConns, conn):
		return tools.ErrorResult("%s: connection %q is not a Datafold connection that may read lineage; use one of %s.", Name, conn, strings.Join(r.dfConns, ", "))
	}
	dir, depth, nodes, bad := bounds(a)
	if bad != nil {
		return bad
	}

	kind, path := KindColumn, a.ColumnPath
	if a.TablePath != "" {
		kind, path = KindTable, a.TablePath
	}
	parts := client.SplitTablePath(path)
	if (kind == KindColumn && len(parts) < 2) || len(parts) == 0 {
		return tools.ErrorResult("%s: %s %q is not a valid path; use %s.", Name, kind+"_path", path,
			map[string]string{KindColumn: "DATABASE.SCHEMA.TABLE.COLUMN", KindTable: "DATABASE.SCHEMA.TABLE"}[kind])
	}
	r.out = &Impact{
		Root:      ImpactRoot{Kind: kind, Path: client.JoinTablePath(parts), DataSourceID: a.DataSourceID, Connection: conn},
		Direction: dir, MaxDepth: depth, MaxNodes: nodes,
		Nodes: []ImpactNode{}, Edges: []ImpactEdge{}, Counts: map[string]int{}, LightdashProjects: []ImpactProject{},
	}
	r.nodes, r.edges, r.budget = map[string]int{}, map[ImpactEdge]bool{}, nodes

	w := &impactWalk{r: r, conn: conn, ds: a.DataSourceID, down: dir == "downstream", maxDepth: depth}
	if bad := w.lineage(kind, parts); bad != nil {
		return bad
	}
	if w.down {
		r.biIntegrations(conn, a.DataSourceID)
		r.lightdash(w, a)
	} else {
		r.note("Lightdash and BI assets are looked up downstream only; call again with direction downstream for what depends on it.")
	}
	r.finish(w, a)
	return tools.JSONResult(r.out)
}

// addNode adds n unless it is there already or the node budget is spent.
// It reports whether n is in the answer afterwards.
func (r *impactRun) addNode(n ImpactNode) bool {
	if _, ok := r.nodes[n.ID]; ok {
		return true
	}
	if !n.Root && len(r.out.Nodes) >= r.budget {
		r.cut = true
		return false
	}
	r.nodes[n.ID] = len(r.out.Nodes)
	r.out.Nodes = append(r.out.Nodes, n)
	return true
}

func (r *impactRun) node(id string) *ImpactNode {
	if i, ok := r.nodes[id]; ok {
		return &r.out.Nodes[i]
	}
	return nil
}

func (r *impactRun) addEdge(from, to, rel string) {
	e := ImpactEdge{From: from, To: to, Relation: rel}
	if from == to || r.edges[e] || r.node(from) == nil || r.node(to) == nil {
		return
	}
	r.edges[e] = true
	r.out.Edges = append(r.out.Edges, e)
}

func (r *impactRun) note(s string) {
	if !slices.Contains(r.out.Notes, s) {
		r.out.Notes = append(r.out.Notes, s)
	}
}

func (r *impactRun) fail(format string, a ...any) {
	r.out.Errors = append(r.out.Errors, fmt.Sprintf(format, a...))
}

// call runs a bound generated tool on a connection and returns its answer
// as plain JSON values.
func (r *impactRun) call(provider, conn, name string, args map[string]any) (map[string]any, error) {
	r.out.Calls++
	t := tools.Find(r.bound, name)
	if t == nil {
		return nil, fmt.Errorf("%s is not offered on any %s connection (a connection policy excludes it)", name, tools.ProviderName(provider))
	}
	if !tools.AllowedIn(r.ctx, t) {
		return nil, fmt.Errorf("this request's tool policy (X-MCP-* headers) does not allow %s", name)
	}
	if len(r.byProvider[provider]) > 1 {
		args[tools.ConnectionArg] = conn
	}
	out, err := tools.Fetch(r.ctx, r.d, t, args)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// impactWalk is the warehouse part: Datafold lineage, breadth first.
type impactWalk struct {
	r        *impactRun
	conn     string
	ds       int
	down     bool
	maxDepth int
	kind     string
	rootID   string
	// frontier holds nodes reached but not expanded when the walk stopped.
	frontier []string
	// columns reached per table node id (the root's included).
	columns map[string][]string
	tables  []string // table node ids in BFS order, the root's first
	totalCo int
	totalTa int
}

func (w *impactWalk) tool() string {
	dir := "upstreams"
	if w.down {
		dir = "downstreams"
	}
	if w.kind == KindColumn {
		return "datafold_get_column_" + dir
	}
	return "datafold_get_table_" + dir
}

func (w *impactWalk) args(path string, depth int) map[string]any {
	a := map[string]any{"data_connection_id": w.ds, "max_depth": depth}
	if w.kind == KindColumn {
		a["column_path"] = path
		a["include_tabular_nodes"] = false
	} else {
		a["table_path"] = path
	}
	return a
}

// impactLineageNode is a Column or Table node of Datafold's explore answers.
type impactLineageNode struct {
	Type  string   `json:"type"`
	Name  string   `json:"name"`
	Path  []string `json:"path"`
	Table *struct {
		Name string   `json:"name"`
		Path []string `json:"path"`
	} `json:"table"`
}

func (n impactLineageNode) tablePath() []string {
	if n.Type == "Column" && n.Table != nil {
		if len(n.Table.Path) > 0 {
			return n.Table.Path
		}
		return []string{n.Table.Name}
	}
	if len(n.Path) > 0 {
		return n.Path
	}
	return []string{n.Name}
}

func impactDecodeLineage(ans map[string]any) []impactLineageNode {
	var out []impactLineageNode
	b, _ := json.Marshal(ans["items"])
	_ = json.Unmarshal(b, &out)
	return out
}

func impactColumnID(path string) string { return "datafold:column:" + path }
func impactTableID(path string) string  { return "datafold:table:" + path }

// lineage walks the warehouse lineage from the root; a failure to find the
// root is the tool's error.
func (w *impactWalk) lineage(kind string, parts []string) *tools.Result {
	r := w.r
	w.kind, w.columns = kind, map[string][]string{}
	rootPath := client.JoinTablePath(parts)
	tparts := parts
	if kind == KindColumn {
		tparts = parts[:len(parts)-1]
	}
	tpath := client.JoinTablePath(tparts)
	// Totals first: this also checks that the root exists.
	full, err := r.call(providers.Datafold, w.conn, w.tool(), w.args(rootPath, impactFullDepth))
	if err != nil {
		return tools.ErrorResult("%s: could not read the lineage of %s %s: %v", Name, kind, rootPath, err)
	}
	totalTables := map[string]bool{}
	for _, n := range impactDecodeLineage(full) {
		switch n.Type {
		case "Column":
			w.totalCo++
			totalTables[client.JoinTablePath(n.tablePath())] = true
		case "Table":
			totalTables[client.JoinTablePath(n.tablePath())] = true
		}
	}
	delete(totalTables, tpath)
	w.totalTa = len(totalTables)
	r.out.Totals = ImpactTotals{Columns: w.totalCo, Tables: w.totalTa}

	r.addNode(ImpactNode{ID: impactTableID(tpath), Kind: KindTable, Provider: providers.Datafold, Name: tparts[len(tparts)-1], Path: tpath, Root: true, Connection: w.conn})
	w.tables = append(w.tables, impactTableID(tpath))
	w.rootID = impactTableID(tpath)
	if kind == KindColumn {
		w.rootID = impactColumnID(rootPath)
		r.addNode(ImpactNode{ID: w.rootID, Kind: KindColumn, Provider: providers.Datafold, Name: parts[len(parts)-1], Path: rootPath, Table: impactTableID(tpath), Root: true, Connection: w.conn})
		w.columns[impactTableID(tpath)] = []string{parts[len(parts)-1]}
	}

	type item struct{ id, path, table string }
	var unexpanded []item
	frontier := []item{{w.rootID, rootPath, impactTableID(tpath)}}
	for depth := 1; depth <= w.maxDepth && len(frontier) > 0 && !r.cut; depth++ {
		var next []item
		for i, f := range frontier {
			if r.cut {
				unexpanded = append(unexpanded, frontier[i:]...)
				break
			}
			ans, err := r.call(providers.Datafold, w.conn, w.tool(), w.args(f.path, 1))
			if err != nil {
				r.fail("lineage of %s: %v", f.path, err)
				continue
			}
			for _, n := range impactDecodeLineage(ans) {
				tp := n.tablePath()
				tpath := client.JoinTablePath(tp)
				tid := impactTableID(tpath)
				id, path := tid, tpath
				if n.Type == "Column" {
					path = client.JoinTablePath(append(slices.Clone(tp), n.Name))
					id = impactColumnID(path)
				}
				if r.node(id) == nil {
					if !r.addNode(ImpactNode{ID: tid, Kind: KindTable, Provider: providers.Datafold, Name: tp[len(tp)-1], Path: tpath, Depth: depth, Connection: w.conn}) {
						break
					}
					if !slices.Contains(w.tables, tid) {
						w.tables = append(w.tables, tid)
					}
					if n.Type == "Column" {
						if !r.addNode(ImpactNode{ID: id, Kind: KindColumn, Provider: providers.Datafold, Name: n.Name, Path: path, Table: tid, Depth: depth, Connection: w.conn}) {
							break
						}
						w.columns[tid] = append(w.columns[tid], n.Name)
					}
					next = append(next, item{id, path, tid})
					r.out.DepthReached = max(r.out.DepthReached, depth)
				}
				from, to, tfrom, tto := f.id, id, f.table, tid
				if !w.down {
					from, to, tfrom, tto = to, from, tto, tfrom
				}
				r.addEdge(from, to, "feeds")
				if w.kind == KindColumn {
					r.addEdge(tfrom, tto, "feeds")
				}
			}
			if r.cut {
				// Part of f's neighbours did not fit.
				unexpanded = append(unexpanded, f)
			}
		}
		frontier = next
	}
	for _, f := range append(unexpanded, frontier...) {
		if !slices.Contains(w.frontier, f.id) {
			w.frontier = append(w.frontier, f.id)
		}
	}
	return nil
}

// reached returns the columns and tables reached, the roots left out.
func (w *impactWalk) reached() (columns, tables int) {
	for _, n := range w.r.out.Nodes {
		if n.Root || n.Provider != providers.Datafold {
			continue
		}
		switch n.Kind {
		case KindColumn:
			columns++
		case KindTable:
			tables++
		}
	}
	return columns, tables
}

// biIntegrations adds the Datafold BI integrations bound to the data source.
func (r *impactRun) biIntegrations(conn string, ds int) {
	if r.cut {
		return
	}
	ans, err := r.call(providers.Datafold, conn, "datafold_list_bi_integrations", map[string]any{})
	if err != nil {
		r.fail("Datafold BI integrations: %v", err)
		return
	}
	list, _ := ans["items"].([]any)
	found := 0
	for _, it := range list {
		m, _ := it.(map[string]any)
		if m == nil || !impactBoundTo(m, ds) {
			continue
		}
		id := impactString(m["id"])
		name := impactString(m["name"])
		if name == "" {
			name = impactString(m["type"]) + " integration " + id
		}
		if r.addNode(ImpactNode{ID: "datafold:bi:" + id, Kind: KindBIIntegration, Provider: providers.Datafold, Name: name,
			Connection: conn, IntegrationType: impactString(m["type"]), Status: impactString(m["status"])}) {
			found++
		}
	}
	if found > 0 {
		r.note(fmt.Sprintf("The %s nodes are the Datafold BI integrations that index data source %d; Datafold's lineage answers do not name their assets, so which of their dashboards use the reached tables is not known here.", KindBIIntegration, ds))
	}
}

// impactBoundTo reports whether a BI integration is bound to data source ds
// (bound_data_source_ids, data_source_id(s), or bindings[].boundIds).
func impactBoundTo(m map[string]any, ds int) bool {
	has := func(v any) bool {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				if n, err := strconv.Atoi(impactString(e)); err == nil && n == ds {
					return true
				}
			}
		default:
			if n, err := strconv.Atoi(impactString(x)); err == nil && n == ds {
				return true
			}
		}
		return false
	}
	for _, k := range []string{"bound_data_source_ids", "data_source_ids", "data_source_id"} {
		if has(m[k]) {
			return true
		}
	}
	bindings, _ := m["bindings"].([]any)
	for _, b := range bindings {
		if bm, ok := b.(map[string]any); ok && has(bm["boundIds"]) {
			return true
		}
	}
	return false
}

func impactString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// lightdash adds, per Lightdash project searched, the explores built on
// the reached tables, the fields reading the reached columns and the
// charts and dashboards using them.
func (r *impactRun) lightdash(w *impactWalk, a ImpactArgs) {
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
		ans, err := r.call(providers.Lightdash, c.Name, "lightdash_list_organization_projects", map[string]any{})
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
		if r.cut {
			return
		}
		r.lightdashProject(w, p)
	}
}

// impactLDTable is a Lightdash explore's table.
type impactLDTable struct {
	Dimensions map[string]impactLDField `json:"dimensions"`
	Metrics    map[string]impactLDField `json:"metrics"`
}

type impactLDField struct {
	Name                          string `json:"name"`
	SQL                           string `json:"sql"`
	TimeIntervalBaseDimensionName string `json:"timeIntervalBaseDimensionName"`
}

func (r *impactRun) lightdashProject(w *impactWalk, p ImpactProject) {
	cat, err := r.call(providers.Lightdash, p.Connection, "lightdash_get_catalog", map[string]any{"projectUuid": p.UUID, "type": "table"})
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
	for _, tid := range w.tables {
		if r.cut {
			return
		}
		tn := r.node(tid)
		if tn == nil {
			continue
		}
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
		if w.kind == KindTable {
			ans, err := r.call(providers.Lightdash, p.Connection, "lightdash_get_analytics", map[string]any{"projectUuid": p.UUID, "table": table})
			if err != nil {
				r.fail("Lightdash analytics of table %s (project %s): %v", table, p.Name, err)
				continue
			}
			r.charts(p, tid, tn.Depth, ans)
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
		ex, err := r.call(providers.Lightdash, p.Connection, "lightdash_get_explore", map[string]any{"projectUuid": p.UUID, "exploreId": explore})
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
				r.addEdge(impactColumnID(client.JoinTablePath(append(client.SplitTablePath(tn.Path), c))), fid, "read_by")
			}
			ans, err := r.call(providers.Lightdash, p.Connection, "lightdash_get_analytics_field", map[string]any{"projectUuid": p.UUID, "table": table, "field": f.name})
			if err != nil {
				r.fail("Lightdash analytics of field %s.%s (project %s): %v", table, f.name, p.Name, err)
				continue
			}
			r.charts(p, fid, tn.Depth, ans)
		}
	}
}

// charts adds the charts (and their dashboards) of a catalog analytics
// answer, used by node from.
func (r *impactRun) charts(p ImpactProject, from string, depth int, ans map[string]any) {
	res, _ := ans["results"].(map[string]any)
	list, _ := res["charts"].([]any)
	for _, it := range list {
		m, _ := it.(map[string]any)
		uuid := impactString(m["uuid"])
		if uuid == "" {
			continue
		}
		cid := "lightdash:chart:" + uuid
		if !r.addNode(ImpactNode{ID: cid, Kind: KindLightdashChart, Provider: providers.Lightdash, Name: impactString(m["name"]), Depth: depth,
			Connection: p.Connection, ProjectUUID: p.UUID, ChartKind: impactString(m["chartKind"]), Space: impactString(m["spaceName"])}) {
			return
		}
		r.addEdge(from, cid, "used_by")
		if d := impactString(m["dashboardUuid"]); d != "" {
			did := "lightdash:dashboard:" + d
			if !r.addNode(ImpactNode{ID: did, Kind: KindLightdashDashboard, Provider: providers.Lightdash, Name: impactString(m["dashboardName"]), Depth: depth,
				Connection: p.Connection, ProjectUUID: p.UUID}) {
				return
			}
			r.addEdge(cid, did, "on_dashboard")
		}
	}
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

// finish fills counts, completeness, how to continue and the summary.
func (r *impactRun) finish(w *impactWalk, a ImpactArgs) {
	o := r.out
	for _, k := range impactKinds {
		o.Counts[k+"s"] = 0
	}
	for _, n := range o.Nodes {
		if !n.Root {
			o.Counts[n.Kind+"s"]++
		}
	}
	cols, tabs := w.reached()
	var reasons []string
	if len(w.frontier) > 0 && (cols < w.totalCo || tabs < w.totalTa) && !r.cut {
		reasons = append(reasons, fmt.Sprintf("max_depth %d: the lineage goes deeper (Datafold reports %s and %s in all; this answer has %s and %s)",
			w.maxDepth, impactPlural(w.totalCo, "column", "columns"), impactPlural(w.totalTa, "table", "tables"), impactPlural(cols, "column", "columns"), impactPlural(tabs, "table", "tables")))
	}
	if r.cut {
		reasons = append(reasons, fmt.Sprintf("max_nodes %d: the answer is full; nodes beyond it (and the Lightdash assets of tables not yet looked up) are left out", o.MaxNodes))
	}
	o.Truncated = len(reasons) > 0
	o.Complete = !o.Truncated && len(o.Errors) == 0
	if o.Truncated {
		next := map[string]any{"data_source_id": a.DataSourceID, "direction": o.Direction, "max_depth": o.MaxDepth, "max_nodes": o.MaxNodes}
		if a.ColumnPath != "" {
			next["column_path"] = o.Root.Path
		} else {
			next["table_path"] = o.Root.Path
		}
		if len(r.byProvider[providers.Datafold]) > 1 {
			next[tools.ConnectionArg] = o.Root.Connection
		}
		c := &ImpactContinue{Reasons: reasons, Frontier: w.frontier}
		switch {
		case r.cut && o.MaxNodes < impactMaxNodes:
			next["max_nodes"] = impactMaxNodes
			c.Hint = fmt.Sprintf("call lineage_impact again with max_nodes %d (next_arguments), or start new calls from the frontier nodes.", impactMaxNodes)
			c.NextArguments = next
		case !r.cut && o.MaxDepth < impactMaxDepth:
			next["max_depth"] = min(impactMaxDepth, o.MaxDepth*2)
			c.Hint = fmt.Sprintf("call lineage_impact again with max_depth %d (next_arguments), or start new calls from the frontier nodes.", next["max_depth"])
			c.NextArguments = next
		default:
			c.Hint = "the bounds are at their maximum: start new lineage_impact calls from the frontier nodes (their path is the column_path or table_path)."
		}
		o.Continue = c
	}
	o.Summary = r.summary()
}

func impactPlural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func (r *impactRun) summary() string {
	o := r.out
	c := o.Counts
	var b strings.Builder
	if o.Direction == "downstream" {
		fmt.Fprintf(&b, "Changing %s %s (Datafold data source %d) reaches %s and %s downstream",
			o.Root.Kind, o.Root.Path, o.Root.DataSourceID, impactPlural(c["columns"], "column", "columns"), impactPlural(c["tables"], "table", "tables"))
	} else {
		fmt.Fprintf(&b, "%s %s (Datafold data source %d) is computed from %s and %s upstream",
			strings.ToUpper(o.Root.Kind[:1])+o.Root.Kind[1:], o.Root.Path, o.Root.DataSourceID, impactPlural(c["columns"], "column", "columns"), impactPlural(c["tables"], "table", "tables"))
	}
	fmt.Fprintf(&b, " (depth %d)", o.DepthReached)
	if o.Direction == "downstream" {
		var ld []string
		for _, k := range []struct{ key, one, many string }{
			{"lightdash_explores", "explore", "explores"}, {"lightdash_fields", "field", "fields"},
			{"lightdash_charts", "chart", "charts"}, {"lightdash_dashboards", "dashboard", "dashboards"},
		} {
			ld = append(ld, impactPlural(c[k.key], k.one, k.many))
		}
		fmt.Fprintf(&b, "; in Lightdash (%s) %s", impactPlural(len(o.LightdashProjects), "project", "projects"), impactJoinAnd(ld))
		if n := c["bi_integrations"]; n > 0 {
			fmt.Fprintf(&b, "; %s index%s the data source", impactPlural(n, "Datafold BI integration", "Datafold BI integrations"), map[bool]string{true: "es", false: ""}[n == 1])
		}
	}
	b.WriteString(". ")
	switch {
	case o.Complete:
		b.WriteString("The answer is complete.")
	case o.Truncated:
		b.WriteString("The answer is truncated: " + o.Continue.Hint)
	default:
		b.WriteString("Some lookups failed (see errors), so the answer may be incomplete.")
	}
	return b.String()
}

func impactJoinAnd(list []string) string {
	switch len(list) {
	case 0:
		return ""
	case 1:
		return list[0]
	}
	return strings.Join(list[:len(list)-1], ", ") + " and " + list[len(list)-1]
}
