package impact

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/client"
	"github.com/datastack-mcp/datastack-mcp/dbt"
	"github.com/datastack-mcp/datastack-mcp/dbt/manifest"
	"github.com/datastack-mcp/datastack-mcp/providers"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

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

// impactMaxLookups bounds the Lightdash lookups of one call (catalog,
// explores, analytics of fields, of their time-interval variants and of
// the explores joining a reached table, spaces and dashboards): a call that
// would need more says so (truncated). A variable so tests can make it
// small.
var impactMaxLookups = 150

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
	DataSourceID           int      `json:"data_source_id,omitempty" jsonschema:"minimum=1" jsonschema_description:"Datafold lineage: the data source (data connection) id whose lineage to walk; datafold_list_data_sources lists them. With node, Datafold's lineage of the node's relation is merged in (default: the Datafold connection's only data source)."`
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
	// Complete is true when nothing was cut, every lookup succeeded and
	// nothing the answer covers is left unknown (notes say what is).
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
	// Providers are, for a node both dbt and Datafold reached (the same
	// table or column), both of them.
	Providers []string `json:"providers,omitempty"`
	Name      string   `json:"name"`
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
			"your dbt project's lineage (node, optional column: models, sources, seeds, exposures, tests, down to columns) and Datafold lineage (data_source_id with column_path or table_path; both merged when both are configured), " +
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

	// keys maps the lowercase warehouse path of a table or column to the
	// node that stands for it; alias maps the id a second provider gives
	// the same table or column to that node.
	keys  map[string]string
	alias map[string]string

	// lookups counts the Lightdash lookups; lookupsCut is set when
	// impactMaxLookups stopped some.
	lookups    int
	lookupsCut bool
	// unknown is set when the answer knows it cannot tell something it
	// covers (a note says what).
	unknown bool
	// ldCache holds Lightdash answers by tool and arguments.
	ldCache map[string]map[string]any
}

// impactReach is what the lineage walks reached, for the Lightdash
// lookups: one list for the merged answer.
type impactReach struct {
	down bool
	// kind is KindColumn for column-level questions, KindTable otherwise.
	kind string
	// tables are the table-like node ids in the order reached, the root's
	// first; columns are the reached column names per table node id, and
	// colIDs the column node id per table id and lowercase column name.
	tables  []string
	columns map[string][]string
	colIDs  map[string]string
}

// normalized returns the reach with every id resolved to the node that
// stands for it (a table or column both providers reached is one node).
func (w *impactReach) normalized(r *impactRun) *impactReach {
	out := &impactReach{down: w.down, kind: w.kind, columns: map[string][]string{}, colIDs: map[string]string{}}
	for _, id := range w.tables {
		out.addTable(r.resolve(id))
	}
	for _, id := range w.tables {
		for _, c := range w.columns[id] {
			out.addColumn(r.resolve(id), c, r.resolve(w.colIDs[id+"\x00"+strings.ToLower(c)]))
		}
	}
	return out
}

func (w *impactReach) addTable(id string) {
	if !slices.Contains(w.tables, id) {
		w.tables = append(w.tables, id)
	}
}

func (w *impactReach) addColumn(table, column, id string) {
	k := table + "\x00" + strings.ToLower(column)
	if _, ok := w.colIDs[k]; ok {
		return
	}
	w.colIDs[k] = id
	w.columns[table] = append(w.columns[table], column)
}

func (r *impactRun) run(a ImpactArgs) *tools.Result {
	if a.Node != "" && (a.ColumnPath != "" || a.TablePath != "") {
		return tools.ErrorResult("%s: give node (dbt lineage) or column_path/table_path (Datafold lineage), not both.", Name)
	}
	if a.Node == "" {
		if len(r.dfConns) == 0 {
			return tools.ErrorResult("%s: give node (a dbt model, source or seed) and optionally column; no Datafold connection reads lineage here, so column_path/table_path do not apply.", Name)
		}
		if a.DataSourceID < 1 {
			return tools.ErrorResult("%s: data_source_id (the Datafold data source whose lineage to walk) is required with column_path or table_path; datafold_list_data_sources lists them.", Name)
		}
		if (a.ColumnPath == "") == (a.TablePath == "") {
			return tools.ErrorResult("%s: give exactly one of column_path (DATABASE.SCHEMA.TABLE.COLUMN) or table_path (DATABASE.SCHEMA.TABLE).", Name)
		}
	} else if r.dbt == nil || len(r.dbt.Names()) == 0 {
		return tools.ErrorResult("%s: no dbt project is configured (set DBT_MANIFEST or DBT_PROJECT_DIR); give data_source_id with column_path or table_path for Datafold lineage.", Name)
	}
	dir, depth, nodes, bad := bounds(a)
	if bad != nil {
		return bad
	}
	r.out = &Impact{Direction: dir, MaxDepth: depth, MaxNodes: nodes,
		Nodes: []ImpactNode{}, Edges: []ImpactEdge{}, Counts: map[string]int{}, LightdashProjects: []ImpactProject{}}
	r.nodes, r.edges, r.budget = map[string]int{}, map[ImpactEdge]bool{}, nodes
	r.keys, r.alias, r.ldCache = map[string]string{}, map[string]string{}, map[string]map[string]any{}
	reach := &impactReach{down: dir == "downstream", kind: KindTable, columns: map[string][]string{}, colIDs: map[string]string{}}
	if a.Column != "" || a.ColumnPath != "" {
		reach.kind = KindColumn
	}

	var (
		dbtPart *impactDBT
		dfWalk  *impactWalk
	)
	if a.Node != "" {
		var err error
		if dbtPart, err = r.dbtWalk(a.Project, a.Node, a.Column, true, reach); err != nil {
			return tools.ErrorResult("%s: %v", Name, err)
		}
		dfWalk = r.mergeDatafold(a, dbtPart, reach)
	} else {
		conn, res := r.datafoldConn(a.Connection)
		if res != nil {
			return res
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
		r.out.Root = ImpactRoot{Kind: kind, Path: client.JoinTablePath(parts), DataSourceID: a.DataSourceID, Connection: conn}
		dfWalk = &impactWalk{r: r, reach: reach, conn: conn, ds: a.DataSourceID, down: reach.down, maxDepth: depth}
		if err := dfWalk.lineage(kind, parts); err != nil {
			return tools.ErrorResult("%s: %v", Name, err)
		}
		dbtPart = r.mergeDBT(a, parts, kind, reach)
	}
	if reach.down {
		if dfWalk != nil {
			r.biIntegrations(dfWalk.conn, dfWalk.ds)
		}
		r.lightdash(reach, a)
	} else if dfWalk != nil {
		r.note("Lightdash and BI assets are looked up downstream only; call again with direction downstream for what depends on it.")
	} else {
		r.note("Lightdash assets are looked up downstream only; call again with direction downstream for what depends on it.")
	}
	r.finish(a, dbtPart, dfWalk)
	return tools.JSONResult(r.out)
}

// datafoldConn picks the Datafold connection of a call.
func (r *impactRun) datafoldConn(conn string) (string, *tools.Result) {
	switch {
	case conn == "" && len(r.dfConns) == 1:
		return r.dfConns[0], nil
	case conn == "":
		return "", tools.ErrorResult("%s: several Datafold connections are configured; pass connection, one of %s.", Name, strings.Join(r.dfConns, ", "))
	case !slices.Contains(r.dfConns, conn):
		return "", tools.ErrorResult("%s: connection %q is not a Datafold connection that may read lineage; use one of %s.", Name, conn, strings.Join(r.dfConns, ", "))
	}
	return conn, nil
}

// addNode adds n unless it is there already or the node budget is spent.
// It reports whether n is in the answer afterwards.
func (r *impactRun) addNode(n ImpactNode) bool {
	if r.node(n.ID) != nil {
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

// addKeyed adds n, a table or column whose lowercase warehouse path is
// key: when another provider's node already stands for key, n's id
// becomes an alias of that node, which then names both providers. It
// reports whether n (or the node standing for it) is in the answer.
func (r *impactRun) addKeyed(n ImpactNode, key string) bool {
	key = strings.ToLower(key)
	if id, ok := r.keys[key]; ok && key != "" && id != n.ID {
		ex := r.node(id)
		if ex.Provider != n.Provider {
			r.alias[n.ID] = id
			if len(ex.Providers) == 0 {
				ex.Providers = []string{ex.Provider}
			}
			if !slices.Contains(ex.Providers, n.Provider) {
				ex.Providers = append(ex.Providers, n.Provider)
			}
			if !ex.Root {
				ex.Depth = min(ex.Depth, n.Depth)
			}
			ex.Root = ex.Root || n.Root
			return true
		}
	}
	if !r.addNode(n) {
		return false
	}
	if _, ok := r.keys[key]; key != "" && !ok {
		r.keys[key] = n.ID
	}
	return true
}

// resolve returns the id of the node standing for id.
func (r *impactRun) resolve(id string) string {
	if a, ok := r.alias[id]; ok {
		return a
	}
	return id
}

func (r *impactRun) node(id string) *ImpactNode {
	if i, ok := r.nodes[r.resolve(id)]; ok {
		return &r.out.Nodes[i]
	}
	return nil
}

func (r *impactRun) addEdge(from, to, rel string) {
	e := ImpactEdge{From: r.resolve(from), To: r.resolve(to), Relation: rel}
	pair := ImpactEdge{From: e.From, To: e.To}
	// Datafold's plain feeds adds nothing to dbt's edge between the same
	// nodes (copy, transformation, aggregation).
	if e.From == e.To || r.edges[e] || (rel == "feeds" && r.edges[pair]) || r.node(e.From) == nil || r.node(e.To) == nil {
		return
	}
	r.edges[e], r.edges[pair] = true, true
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
// as plain JSON values (a top-level array as {"items": [...]}).
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
	return tools.Fetch(r.ctx, r.d, t, args)
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

func impactPlural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
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
