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

// dbtProjectDoc is the content of dbt://{project}.
type dbtProjectDoc struct {
	Project    string                     `json:"project"`
	LoadedAt   string                     `json:"loaded_at"`
	Metadata   manifest.Metadata          `json:"metadata"`
	HasCatalog bool                       `json:"has_catalog"`
	Counts     map[manifest.Kind]int      `json:"counts"`
	Nodes      map[manifest.Kind][]dbtRef `json:"nodes"`
	ModelURI   string                     `json:"model_uri"`
	LineageURI string                     `json:"lineage_uri"`
	Warnings   []string                   `json:"warnings,omitempty"`
	// Stale and ReloadError: the files changed but could not be read, so
	// the last good graph is served.
	Stale       bool   `json:"stale,omitempty"`
	ReloadError string `json:"reload_error,omitempty"`
	Truncated   bool   `json:"truncated,omitempty"`
	Note        string `json:"note,omitempty"`
}

func readDBTProject(_ context.Context, c *Catalog, v map[string]string) (any, error) {
	s, err := c.dbtSnapshot(v["project"])
	if err != nil {
		return nil, err
	}
	g := s.Graph()
	out := &dbtProjectDoc{Project: s.Project, LoadedAt: s.LoadedAt.UTC().Format(time.RFC3339), Metadata: g.Meta, HasCatalog: g.HasCatalog,
		Counts: g.Counts(), Nodes: map[manifest.Kind][]dbtRef{},
		ModelURI: "dbt://" + s.Project + "/models/{model}", LineageURI: "dbt://" + s.Project + "/lineage/{node}"}
	var truncated []manifest.Kind
	for _, k := range manifest.Kinds {
		if k == manifest.KindTest {
			continue
		}
		list := g.NodesOf(k)
		sort.SliceStable(list, func(i, j int) bool { return list[i].DisplayName() < list[j].DisplayName() })
		shown, cut := clipped(list, maxEngineItems)
		for _, n := range shown {
			out.Nodes[k] = append(out.Nodes[k], refOf(s.Project, n))
		}
		if cut {
			truncated = append(truncated, k)
		}
	}
	out.Warnings, _ = clipped(g.Warnings(), maxNeighbours)
	if p, err := c.opts.Impact.DBT.Get(s.Project); err == nil {
		if st := p.Status(); st.Error != "" {
			out.Stale, out.ReloadError = st.Stale, st.Error
		}
	}
	if len(truncated) > 0 {
		out.Truncated = true
		out.Note = fmt.Sprintf("at most %d nodes of a kind are listed (cut: %v); counts has the totals", maxEngineItems, truncated)
	}
	return out, nil
}

// dbtTest is a test guarding a node or one of its columns.
type dbtTest struct {
	ID       string `json:"unique_id"`
	Name     string `json:"name"`
	TestType string `json:"test_type,omitempty"`
	TestName string `json:"test_name,omitempty"`
	Column   string `json:"column,omitempty"`
}

// dbtColumn is a column of a model answer.
type dbtColumn struct {
	Name        string             `json:"name"`
	Type        string             `json:"type,omitempty"`
	Description string             `json:"description,omitempty"`
	Documented  bool               `json:"documented,omitempty"`
	InCatalog   bool               `json:"in_catalog,omitempty"`
	Sources     []dbt.ColumnSource `json:"sources,omitempty"`
	Unresolved  []string           `json:"unresolved,omitempty"`
	Tests       []dbtTest          `json:"tests,omitempty"`
	URI         string             `json:"uri"`
}

// dbtModelDoc is the content of dbt://{project}/models/{model}.
type dbtModelDoc struct {
	Project          string        `json:"project"`
	UniqueID         string        `json:"unique_id"`
	Kind             manifest.Kind `json:"kind"`
	Name             string        `json:"name"`
	Package          string        `json:"package,omitempty"`
	Version          string        `json:"version,omitempty"`
	Description      string        `json:"description,omitempty"`
	Relation         string        `json:"relation,omitempty"`
	Materialization  string        `json:"materialization,omitempty"`
	Language         string        `json:"language,omitempty"`
	OriginalFilePath string        `json:"original_file_path,omitempty"`
	Tags             []string      `json:"tags,omitempty"`
	// Exposures, metrics and the like.
	ExposureType string `json:"exposure_type,omitempty"`
	Owner        string `json:"owner,omitempty"`
	URL          string `json:"url,omitempty"`
	Maturity     string `json:"maturity,omitempty"`
	Label        string `json:"label,omitempty"`
	// LineageLevel is column, table (Reason says why) or source.
	LineageLevel  string      `json:"lineage_level,omitempty"`
	LineageReason string      `json:"lineage_reason,omitempty"`
	ColumnCount   int         `json:"column_count"`
	Columns       []dbtColumn `json:"columns"`
	Upstream      []dbtRef    `json:"upstream"`
	Downstream    []dbtRef    `json:"downstream"`
	// Tests check the node as a whole; a column's are on the column.
	Tests      []dbtTest `json:"tests,omitempty"`
	LineageURI string    `json:"lineage_uri"`
	Truncated  bool      `json:"truncated,omitempty"`
}

func readDBTModel(_ context.Context, c *Catalog, v map[string]string) (any, error) {
	s, n, err := c.dbtTarget(v["project"], v["model"])
	if err != nil {
		return nil, err
	}
	g := s.Graph()
	out := &dbtModelDoc{Project: s.Project, UniqueID: n.UniqueID, Kind: n.Kind, Name: n.DisplayName(), Package: n.Package, Version: n.Version,
		Description: n.Description, Relation: n.Relation, Materialization: n.Materialization, Language: n.Language,
		OriginalFilePath: n.OriginalFilePath, Tags: n.Tags, ExposureType: n.ExposureType, Owner: n.Owner, URL: n.URL,
		Maturity: n.Maturity, Label: n.Label, LineageURI: engineURI(dbtScheme, s.Project, "lineage", n.UniqueID)}
	lin, err := dbtLineage(s, n)
	if err != nil {
		return nil, err
	}
	if lin != nil {
		out.LineageLevel, out.LineageReason = lin.Level, lin.Reason
	}
	tests := testsOf(g, n.UniqueID)
	cols := modelColumns(s.Project, n, lin, tests)
	var cut [4]bool
	out.ColumnCount = len(cols)
	out.Columns, cut[0] = clipped(cols, maxEngineItems)
	out.Upstream, cut[1] = refsOf(s.Project, g, g.Parents(n.UniqueID), maxNeighbours)
	out.Downstream, cut[2] = refsOf(s.Project, g, g.Children(n.UniqueID), maxNeighbours)
	for _, t := range tests {
		if t.Column == "" {
			out.Tests = append(out.Tests, t)
		}
	}
	out.Tests, cut[3] = clipped(out.Tests, maxNeighbours)
	out.Truncated = cut != [4]bool{}
	return out, nil
}

// dbtLineage is the column lineage of a relation node (nil for other
// kinds).
func dbtLineage(s *dbt.Snapshot, n *manifest.Node) (*dbt.ColumnLineage, error) {
	if !n.Kind.HasRelation() {
		return nil, nil
	}
	return s.ColumnLineage(n.UniqueID)
}

// testsOf are the tests attached to a node, each with the column it
// checks.
func testsOf(g *manifest.Graph, id string) []dbtTest {
	var out []dbtTest
	for _, tid := range g.Tests(id) {
		if t := g.Node(tid); t != nil {
			out = append(out, dbtTest{ID: t.UniqueID, Name: t.Name, TestType: t.TestType, TestName: t.TestName, Column: t.ColumnName})
		}
	}
	return out
}

// modelColumns are a node's columns: the catalog's or documented ones,
// then those its SQL outputs, each with its direct inputs and tests.
func modelColumns(project string, n *manifest.Node, lin *dbt.ColumnLineage, tests []dbtTest) []dbtColumn {
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

// dbtColumnDoc is the content of dbt://{project}/models/{model}/columns/{column}.
type dbtColumnDoc struct {
	Project       string             `json:"project"`
	Model         dbtRef             `json:"model"`
	Column        string             `json:"column"`
	Type          string             `json:"type,omitempty"`
	Description   string             `json:"description,omitempty"`
	LineageLevel  string             `json:"lineage_level"`
	LineageReason string             `json:"lineage_reason,omitempty"`
	Sources       []dbt.ColumnSource `json:"sources,omitempty"`
	Tests         []dbtTest          `json:"tests,omitempty"`
	// Upstream and Downstream are the column-level walks, as
	// lineage_impact takes them.
	Upstream   *dbt.ColumnImpact `json:"upstream"`
	Downstream *dbt.ColumnImpact `json:"downstream"`
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
	lin, err := s.ColumnLineage(node.UniqueID)
	if err != nil {
		return nil, err
	}
	out := &dbtColumnDoc{Project: s.Project, Model: refOf(s.Project, node), Column: column, LineageLevel: lin.Level, LineageReason: lin.Reason}
	for _, col := range modelColumns(s.Project, node, lin, testsOf(s.Graph(), node.UniqueID)) {
		if strings.EqualFold(col.Name, column) {
			out.Type, out.Description, out.Sources, out.Tests = col.Type, col.Description, col.Sources, col.Tests
		}
	}
	ref := node.UniqueID + "." + quotePart(column)
	if out.Upstream, err = s.ColumnImpact(ref, manifest.ImpactOptions{Direction: manifest.Upstream, MaxNodes: maxLineage}); err != nil {
		return nil, err
	}
	if out.Downstream, err = s.ColumnImpact(ref, manifest.ImpactOptions{Direction: manifest.Downstream, MaxNodes: maxLineage}); err != nil {
		return nil, err
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
		lin, _ := dbtLineage(s, n)
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
