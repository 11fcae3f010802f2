package impact

import (
	"fmt"
	"sort"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/dbt"
	"github.com/datastack-mcp/datastack-mcp/dbt/manifest"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

// The dbt side of lineage_impact: the walk runs over the project's
// manifest (dbt.Snapshot), model by model or, with a column, column by
// column through each model's compiled SQL; then, downstream, the Lightdash
// assets built on the models reached are looked up as for Datafold lineage
// (Lightdash explores are named after dbt models).

// ProviderDBT is the provider of dbt nodes in an answer.
const ProviderDBT = "dbt"

// KindDBTColumn is the kind of a column node reached through dbt.
const KindDBTColumn = "column"

// dbtRun answers a lineage question about a dbt node.
func (r *impactRun) dbtRun(a ImpactArgs) *tools.Result {
	if r.dbt == nil || len(r.dbt.Names()) == 0 {
		return tools.ErrorResult("%s: no dbt project is configured (set DBT_MANIFEST or DBT_PROJECT_DIR); give data_source_id with column_path or table_path for Datafold lineage.", Name)
	}
	dir, depth, nodes, bad := bounds(a)
	if bad != nil {
		return bad
	}
	p, err := r.dbt.Get(a.Project)
	if err != nil {
		return tools.ErrorResult("%s: %v", Name, err)
	}
	snap, err := p.Snapshot()
	if err != nil {
		return tools.ErrorResult("%s: the dbt project %s cannot be read: %v", Name, p.Name(), err)
	}
	r.out = &Impact{Direction: dir, MaxDepth: depth, MaxNodes: nodes,
		Nodes: []ImpactNode{}, Edges: []ImpactEdge{}, Counts: map[string]int{}, LightdashProjects: []ImpactProject{}}
	r.nodes, r.edges, r.budget = map[string]int{}, map[ImpactEdge]bool{}, nodes
	w := &impactWalk{r: r, down: dir == "downstream", maxDepth: depth, columns: map[string][]string{}}
	opts := manifest.ImpactOptions{Direction: manifest.Direction(dir), MaxDepth: depth, MaxNodes: nodes}
	var cut []string
	var truncated bool
	if a.Column == "" {
		imp, err := snap.Impact(a.Node, opts)
		if err != nil {
			return tools.ErrorResult("%s: %v", Name, err)
		}
		r.out.Root = ImpactRoot{Kind: string(imp.Root.Kind), Path: imp.Root.Name, ID: imp.Root.ID, Project: p.Name()}
		r.addDBTNode(imp.Root, w)
		for _, n := range imp.Nodes {
			r.addDBTNode(n, w)
		}
		for _, e := range imp.Edges {
			r.addEdge(e.From, e.To, "feeds")
		}
		r.out.Tests, r.out.DepthReached = imp.Tests, imp.DepthReached
		truncated, cut = imp.Truncated, imp.Cut
	} else {
		ci, err := snap.ColumnImpact(a.Node+"."+a.Column, opts)
		if err != nil {
			return tools.ErrorResult("%s: %v", Name, err)
		}
		r.out.Root = ImpactRoot{Kind: KindDBTColumn, Path: columnName(ci.Root.ColumnRef), ID: ci.Root.Node, Project: p.Name()}
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
		r.out.Tests, r.out.DepthReached = ci.Tests, ci.DepthReached
		truncated, cut = ci.Truncated, ci.Cut
	}
	if w.down {
		r.lightdash(w, a)
	} else {
		r.note("Lightdash assets are looked up downstream only; call again with direction downstream for what depends on it.")
	}
	r.finishDBT(a, truncated || r.cut, cut)
	return tools.JSONResult(r.out)
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
func (r *impactRun) addDBTNode(n manifest.ImpactNode, w *impactWalk) {
	if !r.addNode(ImpactNode{ID: n.ID, Kind: string(n.Kind), Provider: ProviderDBT, Name: n.Name, Path: n.Relation, Depth: n.Depth, Root: n.Root}) {
		return
	}
	switch n.Kind {
	case manifest.KindModel, manifest.KindSeed, manifest.KindSnapshot, manifest.KindSource:
		if !containsString(w.tables, n.ID) {
			w.tables = append(w.tables, n.ID)
		}
	}
	r.out.DepthReached = max(r.out.DepthReached, n.Depth)
}

// addDBTColumn adds a column reached through dbt, named model.column.
func (r *impactRun) addDBTColumn(c dbt.ImpactColumn, w *impactWalk) {
	id := c.Path
	if !r.addNode(ImpactNode{ID: id, Kind: KindDBTColumn, Provider: ProviderDBT, Name: columnName(c.ColumnRef), Path: c.Relation, Table: c.Node, Depth: c.Depth, Root: c.Root}) {
		return
	}
	if c.Node != "" {
		w.columns[c.Node] = append(w.columns[c.Node], c.Column)
		if !containsString(w.tables, c.Node) {
			// The column's model, for Lightdash: added as a node when the
			// column walk lists it (ColumnImpact.Nodes).
			w.tables = append(w.tables, c.Node)
		}
	}
}

func columnName(c dbt.ColumnRef) string {
	if c.Name != "" {
		return c.Name + "." + c.Column
	}
	return c.Relation + "." + c.Column
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// finishDBT counts, says whether the answer is whole, and sums it up.
func (r *impactRun) finishDBT(a ImpactArgs, truncated bool, cut []string) {
	o := r.out
	for _, n := range o.Nodes {
		if !n.Root {
			o.Counts[n.Kind+"s"]++
		}
	}
	if len(o.Tests) > 0 {
		o.Counts["tests"] = len(o.Tests)
	}
	o.Truncated = truncated
	o.Complete = !truncated && len(o.Errors) == 0
	if truncated {
		reasons := append([]string(nil), cut...)
		if r.cut {
			reasons = append(reasons, fmt.Sprintf("max_nodes %d: the answer is full", o.MaxNodes))
		}
		next := map[string]any{"node": a.Node, "direction": o.Direction, "max_depth": min(impactMaxDepth, o.MaxDepth*2), "max_nodes": impactMaxNodes}
		if a.Column != "" {
			next["column"] = a.Column
		}
		if a.Project != "" {
			next["project"] = a.Project
		}
		o.Continue = &ImpactContinue{Reasons: reasons, NextArguments: next,
			Hint: "call lineage_impact again with larger bounds (next_arguments), or start new calls from the nodes at the edge of this answer."}
	}
	var kinds []string
	for k, n := range o.Counts {
		if n > 0 {
			kinds = append(kinds, fmt.Sprintf("%d %s", n, k))
		}
	}
	sort.Strings(kinds)
	what := "nothing"
	if len(kinds) > 0 {
		what = strings.Join(kinds, ", ")
	}
	verb := "reaches"
	if o.Direction == "upstream" {
		verb = "is computed from"
	}
	o.Summary = fmt.Sprintf("In dbt project %s, %s %s %s %s (depth %d).", o.Root.Project, o.Root.Kind, o.Root.Path, verb, what, o.DepthReached)
	switch {
	case o.Complete:
		o.Summary += " The answer is complete."
	case o.Truncated:
		o.Summary += " The answer is truncated: " + o.Continue.Hint
	default:
		o.Summary += " Some lookups failed (see errors), so the answer may be incomplete."
	}
}
