package impact

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/client"
	"github.com/datastack-mcp/datastack-mcp/dbt"
	"github.com/datastack-mcp/datastack-mcp/dbt/manifest"
	"github.com/datastack-mcp/datastack-mcp/providers"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

// The dbt side of lineage_impact: the walk runs over the project's
// manifest (dbt.Snapshot), model by model or, with a column, column by
// column through each model's compiled SQL. Its nodes are keyed by their
// relation (database.schema.table, and .column for columns) so that
// Datafold's lineage of the same warehouse merges into them.

// ProviderDBT is the provider of dbt nodes in an answer.
const ProviderDBT = "dbt"

// KindDBTColumn is the kind of a column node reached through dbt.
const KindDBTColumn = "column"

// impactDBT is what the dbt walk of a call found.
type impactDBT struct {
	project string
	// root is the root node; relation its warehouse relation ("" for
	// kinds that have none).
	root     manifest.ImpactNode
	relation string
	column   string
	// truncated and cut are the walk's own bounds at work.
	truncated bool
	cut       []string
}

// dbtWalk walks the dbt lineage of node (and column) in project ("" when
// only one is configured) into the answer. primary walks set the answer's
// root; an error is the tool's error for them.
func (r *impactRun) dbtWalk(project, node, column string, primary bool, w *impactReach) (*impactDBT, error) {
	p, err := r.dbt.Get(project)
	if err != nil {
		return nil, err
	}
	snap, err := p.Snapshot()
	if err != nil {
		return nil, fmt.Errorf("the dbt project %s cannot be read: %v", p.Name(), err)
	}
	o := r.out
	opts := manifest.ImpactOptions{Direction: manifest.Direction(o.Direction), MaxDepth: o.MaxDepth, MaxNodes: o.MaxNodes}
	d := &impactDBT{project: p.Name(), column: column}
	if column == "" {
		imp, err := snap.Impact(node, opts)
		if err != nil {
			return nil, err
		}
		d.root, d.relation = imp.Root, imp.Root.Relation
		if primary {
			o.Root = ImpactRoot{Kind: string(imp.Root.Kind), Path: imp.Root.Name, ID: imp.Root.ID, Project: p.Name()}
		}
		r.addDBTNode(imp.Root, w)
		for _, n := range imp.Nodes {
			r.addDBTNode(n, w)
		}
		for _, e := range imp.Edges {
			r.addEdge(e.From, e.To, "feeds")
		}
		r.addTests(imp.Tests)
		o.DepthReached = max(o.DepthReached, imp.DepthReached)
		d.truncated, d.cut = imp.Truncated, imp.Cut
		return d, nil
	}
	ci, err := snap.ColumnImpact(node+"."+column, opts)
	if err != nil {
		return nil, err
	}
	d.root = manifest.ImpactNode{ID: ci.Root.Node, Name: ci.Root.Name, Kind: ci.Root.Kind, Relation: ci.Root.Relation, Root: true}
	d.relation = ci.Root.Relation
	if primary {
		o.Root = ImpactRoot{Kind: KindDBTColumn, Path: columnName(ci.Root.ColumnRef), ID: ci.Root.Node, Project: p.Name()}
	}
	for _, c := range append([]dbt.ImpactColumn{ci.Root}, ci.Columns...) {
		r.addDBTColumn(c, w)
	}
	for _, n := range ci.Nodes {
		r.addDBTNode(n, w)
	}
	for _, e := range ci.Edges {
		r.addEdge(e.From, e.To, string(e.Kind))
	}
	for _, tl := range ci.TableLevel {
		r.note(fmt.Sprintf("%s (depth %d) may be affected at model level only: %s", tl.Name, tl.Depth, tl.Reason))
	}
	for _, n := range ci.Notes {
		r.note(n)
	}
	r.addTests(ci.Tests)
	o.DepthReached = max(o.DepthReached, ci.DepthReached)
	d.truncated, d.cut = ci.Truncated, ci.Cut
	return d, nil
}

// addTests adds the dbt tests guarding the answer.
func (r *impactRun) addTests(tests []manifest.ImpactTest) {
	for _, t := range tests {
		if !containsTest(r.out.Tests, t.ID) {
			r.out.Tests = append(r.out.Tests, t)
		}
	}
}

func containsTest(list []manifest.ImpactTest, id string) bool {
	for _, t := range list {
		if t.ID == id {
			return true
		}
	}
	return false
}

// mergeDatafold walks Datafold's lineage of the dbt root's relation into
// the answer, when data_source_id asks for it; it returns the walk, or
// nil (a note says why).
func (r *impactRun) mergeDatafold(a ImpactArgs, d *impactDBT, w *impactReach) *impactWalk {
	if a.DataSourceID == 0 && len(r.dfConns) > 0 && d.relation != "" {
		a.DataSourceID = r.onlyDataSource(a, d.relation)
		if a.DataSourceID == 0 {
			return nil
		}
	}
	switch {
	case a.DataSourceID == 0:
		return nil
	case len(r.dfConns) == 0:
		r.note("data_source_id is left unused: no Datafold connection reads lineage here.")
		return nil
	case d.relation == "":
		r.note(fmt.Sprintf("%s has no warehouse relation, so Datafold's lineage is not merged.", d.root.ID))
		return nil
	}
	conn, res := r.datafoldConn(a.Connection)
	if res != nil {
		r.fail("%s", res.Text)
		return nil
	}
	kind := KindTable
	parts := client.SplitTablePath(d.relation)
	if d.column != "" {
		kind, parts = KindColumn, append(parts, d.column)
	}
	if len(parts) == 0 {
		r.note(fmt.Sprintf("%s's relation %q is not a warehouse path Datafold can read, so Datafold's lineage is not merged.", d.root.ID, d.relation))
		return nil
	}
	r.out.Root.DataSourceID, r.out.Root.Connection = a.DataSourceID, conn
	// Datafold's paths are case sensitive and dbt's relations need not
	// be cased as the warehouse names them (Snowflake: upper case).
	var firstErr error
	for _, cand := range impactCasings(parts) {
		wk := &impactWalk{r: r, reach: w, conn: conn, ds: a.DataSourceID, down: w.down, maxDepth: r.out.MaxDepth}
		err := wk.lineage(kind, cand)
		if err == nil {
			return wk
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	r.fail("%v (the dbt answer stands alone)", firstErr)
	return nil
}

// onlyDataSource returns the Datafold connection's data source when it
// has one only (0 otherwise, with a note saying how to merge).
func (r *impactRun) onlyDataSource(a ImpactArgs, relation string) int {
	ask := fmt.Sprintf("Datafold is configured too: pass data_source_id to merge Datafold's lineage of %s into this answer", relation)
	conn, res := r.datafoldConn(a.Connection)
	if res != nil {
		r.note(ask + ".")
		return 0
	}
	ans, err := r.call(providers.Datafold, conn, "datafold_list_data_sources", map[string]any{})
	if err != nil {
		r.note(fmt.Sprintf("%s (the data sources could not be listed: %v).", ask, err))
		return 0
	}
	list, _ := ans["items"].([]any)
	var names []string
	id := 0
	for _, it := range list {
		m, _ := it.(map[string]any)
		n, err := strconv.Atoi(impactString(m["id"]))
		if err != nil || n < 1 {
			continue
		}
		id = n
		names = append(names, fmt.Sprintf("%d (%s)", n, impactOr(impactString(m["name"]), impactString(m["type"]))))
	}
	if len(names) == 1 {
		r.note(fmt.Sprintf("Merged with Datafold's lineage of data source %s, the only one of connection %s.", names[0], conn))
		return id
	}
	if len(names) > impactMaxUnknownNamed {
		names = append(names[:impactMaxUnknownNamed:impactMaxUnknownNamed], fmt.Sprintf("%d more", len(names)-impactMaxUnknownNamed))
	}
	r.note(fmt.Sprintf("%s: one of %s.", ask, impactJoinAnd(names)))
	return 0
}

// impactCasings returns parts as given and, when different, upper-cased.
func impactCasings(parts []string) [][]string {
	up := make([]string, len(parts))
	for i, p := range parts {
		up[i] = strings.ToUpper(p)
	}
	if client.JoinTablePath(up) == client.JoinTablePath(parts) {
		return [][]string{parts}
	}
	return [][]string{parts, up}
}

// mergeDBT walks the dbt lineage of the node whose relation is the
// Datafold root's table, when a dbt project has one; nil otherwise.
func (r *impactRun) mergeDBT(a ImpactArgs, parts []string, kind string, w *impactReach) *impactDBT {
	if r.dbt == nil || len(r.dbt.Names()) == 0 {
		return nil
	}
	tparts, column := parts, ""
	if kind == KindColumn {
		tparts, column = parts[:len(parts)-1], parts[len(parts)-1]
	}
	table := client.JoinTablePath(tparts)
	projects := r.dbt.Names()
	if a.Project != "" {
		projects = []string{a.Project}
	}
	for _, name := range projects {
		p, err := r.dbt.Get(name)
		if err != nil {
			r.fail("%v", err)
			return nil
		}
		snap, err := p.Snapshot()
		if err != nil {
			continue
		}
		n, err := snap.Resolve(table)
		if err != nil || n == nil || !strings.EqualFold(n.Relation, strings.Join(tparts, ".")) {
			continue
		}
		if column != "" {
			column = impactDBTColumn(n, column)
		}
		d, err := r.dbtWalk(name, n.UniqueID, column, false, w)
		if err != nil {
			r.fail("dbt lineage of %s (project %s): %v", n.UniqueID, name, err)
			return nil
		}
		r.out.Root.ID, r.out.Root.Project = n.UniqueID, name
		return d
	}
	r.note(fmt.Sprintf("No node of the dbt project has the relation %s, so dbt's lineage is not merged.", table))
	return nil
}

// impactDBTColumn returns the node's column named like column, ignoring
// case (the warehouse may upper-case what dbt lower-cases).
func impactDBTColumn(n *manifest.Node, column string) string {
	for _, c := range n.Columns {
		if strings.EqualFold(c.Name, column) {
			return c.Name
		}
	}
	return strings.ToLower(column)
}

// bounds reads and clamps the direction and bounds of a call.
func bounds(a ImpactArgs) (dir string, depth, nodes int, bad *tools.Result) {
	dir = a.Direction
	if dir == "" {
		dir = "downstream"
	}
	if dir != "downstream" && dir != "upstream" {
		return "", 0, 0, tools.ErrorResult("%s: direction must be downstream or upstream, got %q.", Name, dir)
	}
	depth = a.MaxDepth
	if depth <= 0 {
		depth = impactDefaultDepth
	}
	nodes = a.MaxNodes
	if nodes <= 0 {
		nodes = impactDefaultNodes
	}
	return dir, min(depth, impactMaxDepth), min(max(nodes, impactMinNodes), impactMaxNodes), nil
}

// addDBTNode adds a dbt node; models, seeds, snapshots and sources are the
// tables Lightdash explores may be built on.
func (r *impactRun) addDBTNode(n manifest.ImpactNode, w *impactReach) {
	if !r.addKeyed(ImpactNode{ID: n.ID, Kind: string(n.Kind), Provider: ProviderDBT, Name: n.Name, Path: n.Relation, Depth: n.Depth, Root: n.Root}, n.Relation) {
		return
	}
	switch n.Kind {
	case manifest.KindModel, manifest.KindSeed, manifest.KindSnapshot, manifest.KindSource:
		w.addTable(r.resolve(n.ID))
	}
	r.out.DepthReached = max(r.out.DepthReached, n.Depth)
}

// addDBTColumn adds a column reached through dbt, named model.column.
func (r *impactRun) addDBTColumn(c dbt.ImpactColumn, w *impactReach) {
	key := ""
	if c.Relation != "" {
		key = c.Relation + "." + c.Column
	}
	if !r.addKeyed(ImpactNode{ID: c.Path, Kind: KindDBTColumn, Provider: ProviderDBT, Name: columnName(c.ColumnRef), Path: c.Relation, Table: c.Node, Depth: c.Depth, Root: c.Root}, key) {
		return
	}
	if c.Node != "" {
		// The column's model, for Lightdash: added as a node when the
		// column walk lists it (ColumnImpact.Nodes).
		w.addTable(r.resolve(c.Node))
		w.addColumn(r.resolve(c.Node), c.Column, r.resolve(c.Path))
	}
}

func columnName(c dbt.ColumnRef) string {
	if c.Name != "" {
		return c.Name + "." + c.Column
	}
	return c.Relation + "." + c.Column
}
