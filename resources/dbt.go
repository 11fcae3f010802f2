package resources

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/datastack-mcp/datastack-mcp/dbt"
	"github.com/datastack-mcp/datastack-mcp/dbt/manifest"
	"github.com/datastack-mcp/datastack-mcp/tools/impact"
)

// The dbt projects as resources: every configured project (DBT_MANIFEST
// or DBT_PROJECT_DIR, the config file's dbt.projects, the sandbox's
// jaffle_shop and jaffle_shop_pr42), read from the snapshot its loader
// serves, so a rewritten manifest shows at the next read.
//
//	dbt://{project}                                   nodes by kind
//	dbt://{project}/models/{model}                    a model (source, seed, …): columns, parents, children, tests
//	dbt://{project}/models/{model}/columns/{column}   a column's lineage up and down
//	dbt://{project}/lineage/{node}{?direction,max_depth} model-level lineage
//
// {model} and {node} are what lineage_impact's node takes: a name,
// source_name.table, a unique_id or database.schema.table.

// dbtScheme is the scheme of dbt resources.
const dbtScheme = "dbt"

func init() {
	backing := []string{impact.Name}
	routes = append(routes,
		&route{provider: dbtScheme, authority: "project", path: "", listed: true, backing: backing, read: readDBTProject,
			name: "dbt-project", title: "dbt project",
			description: "A dbt project: its manifest's metadata, and its models, sources, seeds, snapshots, exposures and metrics by kind, each with its URI (tests counted)."},
		&route{provider: dbtScheme, authority: "project", path: "models/{model}", backing: backing, read: readDBTModel,
			name: "dbt-model", title: "dbt model",
			description: "One model (or source, seed, snapshot) of a dbt project: description, relation, materialization, columns with types and their direct input columns, parents, children and tests. model is a name, source_name.table, unique_id or database.schema.table."},
		&route{provider: dbtScheme, authority: "project", path: "models/{model}/columns/{column}", backing: backing, read: readDBTColumn,
			name: "dbt-column", title: "dbt column lineage",
			description: "One column of a dbt model: its type and description, its direct inputs, and its column-level lineage upstream (where it comes from) and downstream (what reads it), from the models' compiled SQL."},
		&route{provider: dbtScheme, authority: "project", path: "lineage/{node}", query: []string{"direction", "max_depth"}, backing: backing, read: readDBTLineage,
			name: "dbt-lineage", title: "dbt lineage",
			description: "Model-level lineage of a dbt node: upstream and downstream (or only the direction given), each node with its depth, the edges and the tests; max_depth 1-99 (default: all)."},
	)
}

// dbtSnapshot is the project's current snapshot.
func (c *Catalog) dbtSnapshot(name string) (*dbt.Snapshot, error) {
	set := c.opts.Impact.DBT
	if set == nil {
		return nil, fmt.Errorf("no dbt project is configured")
	}
	p, err := set.Get(name)
	if err != nil {
		return nil, notFound("%v", err)
	}
	return p.Snapshot()
}

// dbtTarget is a project's current snapshot and the node ref names in it;
// a reference that names nothing (or several nodes) is a not-found error
// saying why.
func (c *Catalog) dbtTarget(project, ref string) (*dbt.Snapshot, *manifest.Node, error) {
	s, err := c.dbtSnapshot(project)
	if err != nil {
		return nil, nil, err
	}
	n, err := s.Resolve(ref)
	if err != nil {
		var nf *manifest.NotFoundError
		var amb *manifest.AmbiguousError
		if errors.As(err, &nf) || errors.As(err, &amb) {
			return nil, nil, notFound("dbt project %s: %v", s.Project, err)
		}
		return nil, nil, err
	}
	return s, n, nil
}

// dbtRef is a node of an answer, with its URI.
type dbtRef struct {
	ID       string        `json:"unique_id"`
	Kind     manifest.Kind `json:"kind"`
	Name     string        `json:"name"`
	Relation string        `json:"relation,omitempty"`
	URI      string        `json:"uri,omitempty"`
}

func refOf(project string, n *manifest.Node) dbtRef {
	r := dbtRef{ID: n.UniqueID, Kind: n.Kind, Name: n.DisplayName(), Relation: n.Relation}
	if n.Kind != manifest.KindTest {
		r.URI = engineURI(dbtScheme, project, "models", n.UniqueID)
	}
	return r
}

func refsOf(project string, g *manifest.Graph, ids []string, n int) ([]dbtRef, bool) {
	shown, cut := clipped(ids, n)
	out := make([]dbtRef, 0, len(shown))
	for _, id := range shown {
		if node := g.Node(id); node != nil {
			out = append(out, refOf(project, node))
		}
	}
	return out, cut
}

func readDBTProject(_ context.Context, c *Catalog, v map[string]string) (any, error) {
	s, err := c.dbtSnapshot(v["project"])
	if err != nil {
		return nil, err
	}
	g := s.Graph()
	nodes := map[manifest.Kind][]dbtRef{}
	var truncated []manifest.Kind
	for _, k := range manifest.Kinds {
		if k == manifest.KindTest {
			continue
		}
		list := g.NodesOf(k)
		sort.SliceStable(list, func(i, j int) bool { return list[i].DisplayName() < list[j].DisplayName() })
		shown, cut := clipped(list, maxEngineItems)
		for _, n := range shown {
			nodes[k] = append(nodes[k], refOf(s.Project, n))
		}
		if cut {
			truncated = append(truncated, k)
		}
	}
	out := map[string]any{"project": s.Project, "loaded_at": s.LoadedAt.UTC().Format(time.RFC3339), "metadata": g.Meta,
		"has_catalog": g.HasCatalog, "counts": g.Counts(), "nodes": nodes,
		"model_uri": "dbt://" + s.Project + "/models/{model}", "lineage_uri": "dbt://" + s.Project + "/lineage/{node}"}
	if w := g.Warnings(); len(w) > 0 {
		out["warnings"], _ = clipped(w, maxNeighbours)
	}
	if p, err := c.opts.Impact.DBT.Get(s.Project); err == nil {
		if st := p.Status(); st.Error != "" {
			// The files changed but could not be read: the last good graph
			// is served.
			out["stale"], out["reload_error"] = st.Stale, st.Error
		}
	}
	if len(truncated) > 0 {
		out["truncated"] = true
		out["note"] = fmt.Sprintf("at most %d nodes of a kind are listed (cut: %v); counts has the totals", maxEngineItems, truncated)
	}
	return out, nil
}

// dbtColumn is a column of a model answer.
type dbtColumn struct {
	Name        string                `json:"name"`
	Type        string                `json:"type,omitempty"`
	Description string                `json:"description,omitempty"`
	Documented  bool                  `json:"documented,omitempty"`
	InCatalog   bool                  `json:"in_catalog,omitempty"`
	Sources     []dbt.ColumnSource    `json:"sources,omitempty"`
	Unresolved  []string              `json:"unresolved,omitempty"`
	URI         string                `json:"uri"`
	Tests       []manifest.ImpactTest `json:"tests,omitempty"`
}

func readDBTModel(_ context.Context, c *Catalog, v map[string]string) (any, error) {
	s, n, err := c.dbtTarget(v["project"], v["model"])
	if err != nil {
		return nil, err
	}
	g := s.Graph()
	out := map[string]any{"project": s.Project, "unique_id": n.UniqueID, "kind": n.Kind, "name": n.DisplayName(), "package": n.Package}
	for k, val := range map[string]string{"description": n.Description, "relation": n.Relation, "materialization": n.Materialization,
		"original_file_path": n.OriginalFilePath, "language": n.Language, "version": n.Version, "exposure_type": n.ExposureType,
		"owner": n.Owner, "url": n.URL, "maturity": n.Maturity, "label": n.Label} {
		if val != "" {
			out[k] = val
		}
	}
	if len(n.Tags) > 0 {
		out["tags"] = n.Tags
	}
	var lin *dbt.ColumnLineage
	switch n.Kind {
	case manifest.KindModel, manifest.KindSnapshot, manifest.KindSeed, manifest.KindSource:
		if lin, err = s.ColumnLineage(n.UniqueID); err != nil {
			return nil, err
		}
		out["lineage_level"] = lin.Level
		if lin.Reason != "" {
			out["lineage_reason"] = lin.Reason
		}
	}
	tests := testsOf(g, n.UniqueID)
	cols := modelColumns(s.Project, n, lin, tests)
	shown, cut := clipped(cols, maxEngineItems)
	out["columns"] = shown
	out["column_count"] = len(cols)
	up, upCut := refsOf(s.Project, g, g.Parents(n.UniqueID), maxNeighbours)
	down, downCut := refsOf(s.Project, g, g.Children(n.UniqueID), maxNeighbours)
	out["upstream"], out["downstream"] = up, down
	var nodeTests []manifest.ImpactTest
	for _, t := range tests {
		if t.Column == "" {
			nodeTests = append(nodeTests, t)
		}
	}
	nodeTests, testsCut := clipped(nodeTests, maxNeighbours)
	if len(nodeTests) > 0 {
		out["tests"] = nodeTests
	}
	out["lineage_uri"] = engineURI(dbtScheme, s.Project, "lineage", n.UniqueID)
	if cut || upCut || downCut || testsCut {
		out["truncated"] = true
	}
	return out, nil
}

// testsOf are the tests attached to a node (each with the column it
// checks).
func testsOf(g *manifest.Graph, id string) []manifest.ImpactTest {
	var out []manifest.ImpactTest
	for _, tid := range g.Tests(id) {
		t := g.Node(tid)
		if t == nil {
			continue
		}
		out = append(out, manifest.ImpactTest{ID: t.UniqueID, Name: t.Name, TestType: t.TestType, TestName: t.TestName, Node: id, Column: t.ColumnName})
	}
	return out
}

// modelColumns are a node's columns: the catalog's or documented ones,
// then those its SQL outputs, each with its direct inputs and tests.
func modelColumns(project string, n *manifest.Node, lin *dbt.ColumnLineage, tests []manifest.ImpactTest) []dbtColumn {
	var out []dbtColumn
	index := map[string]int{}
	add := func(col dbtColumn) *dbtColumn {
		key := strings.ToLower(col.Name)
		if i, ok := index[key]; ok {
			return &out[i]
		}
		col.URI = engineURI(dbtScheme, project, "models", n.UniqueID, "columns", col.Name)
		index[key] = len(out)
		out = append(out, col)
		return &out[len(out)-1]
	}
	for _, col := range n.Columns {
		add(dbtColumn{Name: col.Name, Type: col.Type, Description: col.Description, Documented: col.Documented, InCatalog: col.InCatalog})
	}
	if lin != nil {
		for _, lc := range lin.Columns {
			d := add(dbtColumn{Name: lc.Name, Type: lc.Type, Description: lc.Description})
			d.Sources, d.Unresolved = lc.Sources, lc.Unresolved
		}
	}
	for _, t := range tests {
		if i, ok := index[strings.ToLower(t.Column)]; ok && t.Column != "" {
			out[i].Tests = append(out[i].Tests, t)
		}
	}
	return out
}

func readDBTColumn(_ context.Context, c *Catalog, v map[string]string) (any, error) {
	s, n, err := c.dbtTarget(v["project"], v["model"])
	if err != nil {
		return nil, err
	}
	node, column, err := s.ResolveColumn(n.UniqueID + "." + quotePart(v["column"]))
	if err != nil {
		return nil, notFound("dbt project %s: %v", s.Project, err)
	}
	out := map[string]any{"project": s.Project, "model": refOf(s.Project, node), "column": column}
	lin, err := s.ColumnLineage(node.UniqueID)
	if err != nil {
		return nil, err
	}
	var tests []manifest.ImpactTest
	for _, t := range testsOf(s.Graph(), node.UniqueID) {
		if strings.EqualFold(t.Column, column) {
			tests = append(tests, t)
		}
	}
	for _, col := range modelColumns(s.Project, node, lin, tests) {
		if strings.EqualFold(col.Name, column) {
			out["type"], out["description"], out["sources"], out["tests"] = col.Type, col.Description, col.Sources, col.Tests
		}
	}
	out["lineage_level"] = lin.Level
	if lin.Reason != "" {
		out["lineage_reason"] = lin.Reason
	}
	ref := node.UniqueID + "." + quotePart(column)
	for _, dir := range []manifest.Direction{manifest.Upstream, manifest.Downstream} {
		ci, err := s.ColumnImpact(ref, manifest.ImpactOptions{Direction: dir, MaxNodes: maxLineage})
		if err != nil {
			return nil, err
		}
		out[string(dir)] = ci
	}
	return out, nil
}

func readDBTLineage(_ context.Context, c *Catalog, v map[string]string) (any, error) {
	s, n, err := c.dbtTarget(v["project"], v["node"])
	if err != nil {
		return nil, err
	}
	depth := 0
	if d, ok := v["max_depth"]; ok {
		if depth, err = strconv.Atoi(d); err != nil || depth < 1 || depth > 99 {
			return nil, notFound("max_depth must be a whole number from 1 to 99, got %q", d)
		}
	}
	dirs := []manifest.Direction{manifest.Upstream, manifest.Downstream}
	if d := v["direction"]; d != "" {
		dirs = []manifest.Direction{manifest.Direction(d)}
	}
	out := map[string]any{"project": s.Project, "node": refOf(s.Project, n)}
	for _, dir := range dirs {
		im, err := s.Impact(n.UniqueID, manifest.ImpactOptions{Direction: dir, MaxDepth: depth, MaxNodes: maxLineage})
		if err != nil {
			return nil, err
		}
		out[string(dir)] = im
	}
	return out, nil
}

// quotePart double-quotes a name part holding a dot or a quote, as dbt
// references are written.
func quotePart(s string) string {
	if strings.ContainsAny(s, `."`) {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

// dbtCandidates completes a dbt project, a model (models, sources, seeds,
// snapshots), a node (any but tests) or a column of the chosen model.
// Candidates come from the current snapshot; what fails completes
// nothing.
func (c *Catalog) dbtCandidates(project, arg string, chosen map[string]string, projects []string) []candidate {
	if arg == "project" {
		return plain(projects...)
	}
	s, err := c.dbtSnapshot(project)
	if err != nil || s == nil {
		return nil
	}
	g := s.Graph()
	switch arg {
	case "model", "node":
		key := fmt.Sprintf("dbt/%p/%s", s, arg)
		if v, ok := c.cache.get(key); ok {
			return v.([]candidate)
		}
		var out []candidate
		for _, n := range g.Nodes() {
			if n.Kind == manifest.KindTest || arg == "model" && !n.Kind.HasRelation() {
				continue
			}
			out = append(out, candidate{refName(s, n), n.UniqueID + " " + n.Relation})
		}
		sort.SliceStable(out, func(i, j int) bool { return out[i].value < out[j].value })
		c.cache.put(key, out)
		return out
	case "column":
		n, err := s.Resolve(chosen["model"])
		if err != nil {
			return nil
		}
		var lin *dbt.ColumnLineage
		if n.Kind.HasRelation() {
			lin, _ = s.ColumnLineage(n.UniqueID)
		}
		var out []candidate
		for _, col := range modelColumns(s.Project, n, lin, nil) {
			out = append(out, candidate{col.Name, col.Name})
		}
		return out
	}
	return nil
}

// refName is how a completion names a node: its display name when that
// resolves to it, else its unique_id.
func refName(s *dbt.Snapshot, n *manifest.Node) string {
	if r, err := s.Resolve(n.DisplayName()); err == nil && r == n {
		return n.DisplayName()
	}
	return n.UniqueID
}
