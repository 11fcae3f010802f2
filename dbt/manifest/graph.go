package manifest

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Metadata is what the manifest says about itself.
type Metadata struct {
	// SchemaVersion is the manifest schema version (4 to 12), 0 when the
	// manifest does not say.
	SchemaVersion int    `json:"schema_version"`
	SchemaURL     string `json:"dbt_schema_version"`
	DBTVersion    string `json:"dbt_version"`
	// ProjectName is metadata.project_name (dbt 1.7+), else the package
	// holding the most models.
	ProjectName string `json:"project_name"`
	ProjectID   string `json:"project_id,omitempty"`
	AdapterType string `json:"adapter_type"`
	GeneratedAt string `json:"generated_at"`
}

// Graph is a loaded dbt project: its nodes and the edges between them. It
// is immutable once built and safe for concurrent use.
type Graph struct {
	Meta Metadata
	// HasCatalog is true when catalog.json was merged in.
	HasCatalog bool

	nodes map[string]*Node
	ids   []string // sorted
	// index is each id's position in ids; kids and pars are children and
	// parents by index (ascending, so in id order) for fast walks.
	index      map[string]int32
	kids, pars [][]int32
	// children and parents are data-flow edges between non-test nodes.
	children map[string][]string
	parents  map[string][]string
	// tests maps a node to the tests that depend on it.
	tests      map[string][]string
	byName     map[string][]string
	byRelation map[string][]string
	byIdent    map[string][]string
	skipped    map[string]int
	warnings   []string
}

// Node returns the node with that unique_id, or nil.
func (g *Graph) Node(id string) *Node { return g.nodes[id] }

// Nodes returns every node, sorted by unique_id.
func (g *Graph) Nodes() []*Node {
	out := make([]*Node, len(g.ids))
	for i, id := range g.ids {
		out[i] = g.nodes[id]
	}
	return out
}

// NodesOf returns the nodes of one kind, sorted by unique_id.
func (g *Graph) NodesOf(k Kind) []*Node {
	var out []*Node
	for _, id := range g.ids {
		if n := g.nodes[id]; n.Kind == k {
			out = append(out, n)
		}
	}
	return out
}

// Children returns the non-test nodes that read id, sorted.
func (g *Graph) Children(id string) []string { return g.children[id] }

// Parents returns the nodes id reads that the manifest holds, sorted.
func (g *Graph) Parents(id string) []string { return g.parents[id] }

// Tests returns the tests that depend on id (the node it tests, or the
// model a relationships test points to), sorted.
func (g *Graph) Tests(id string) []string { return g.tests[id] }

// NodesAtRelation returns the nodes whose relation is parts (one to three:
// [[database.]schema.]identifier, case-insensitive), sorted by unique_id.
func (g *Graph) NodesAtRelation(parts ...string) []*Node {
	var ids []string
	switch len(parts) {
	case 1:
		ids = g.byIdent[strings.ToLower(parts[0])]
	case 2, 3:
		ids = g.byRelation[relationKey(parts...)]
	}
	out := make([]*Node, len(ids))
	for i, id := range ids {
		out[i] = g.nodes[id]
	}
	return out
}

// NodesNamed returns the nodes a name (lowercase-insensitive) denotes,
// sorted by unique_id: model, seed, snapshot, exposure, … names, a
// source's source_name.table, a model version's name.vN.
func (g *Graph) NodesNamed(name string) []*Node {
	ids := g.byName[strings.ToLower(name)]
	out := make([]*Node, len(ids))
	for i, id := range ids {
		out[i] = g.nodes[id]
	}
	return out
}

// Counts returns the number of nodes per kind (kinds with none left out).
func (g *Graph) Counts() map[Kind]int {
	out := map[Kind]int{}
	for _, n := range g.nodes {
		out[n.Kind]++
	}
	return out
}

// Skipped returns the resource types the graph leaves out (analyses,
// operations, …) with how many there were.
func (g *Graph) Skipped() map[string]int { return g.skipped }

// Warnings are things the manifest said that the graph could not honour
// (an edge to a node it does not hold, an unknown schema version).
func (g *Graph) Warnings() []string { return g.warnings }

// builder collects nodes and then indexes them.
type builder struct {
	g *Graph
}

func newBuilder() *builder {
	return &builder{g: &Graph{nodes: map[string]*Node{}, skipped: map[string]int{}}}
}

func (b *builder) add(n *Node) {
	switch n.Kind {
	case KindModel, KindSource, KindSeed, KindSnapshot, KindExposure, KindSemanticModel, KindMetric, KindSavedQuery, KindTest:
		b.g.nodes[n.UniqueID] = n
	default:
		b.g.skipped[string(n.Kind)]++
	}
}

// build indexes the nodes: names, relations, edges, tests.
func (b *builder) build() *Graph {
	g := b.g
	g.ids = make([]string, 0, len(g.nodes))
	for id := range g.nodes {
		g.ids = append(g.ids, id)
	}
	sort.Strings(g.ids)
	g.children = map[string][]string{}
	g.parents = map[string][]string{}
	g.tests = map[string][]string{}
	g.byName = map[string][]string{}
	g.byRelation = map[string][]string{}
	g.byIdent = map[string][]string{}

	for _, id := range g.ids {
		n := g.nodes[id]
		for _, key := range nameKeys(n) {
			g.byName[key] = append(g.byName[key], id)
		}
		if n.Relation != "" {
			g.byRelation[strings.ToLower(n.Relation)] = append(g.byRelation[strings.ToLower(n.Relation)], id)
			if n.Database != "" && n.Schema != "" {
				k := relationKey(n.Schema, n.Identifier)
				g.byRelation[k] = append(g.byRelation[k], id)
			}
			k := strings.ToLower(n.Identifier)
			g.byIdent[k] = append(g.byIdent[k], id)
		}
	}
	missing := map[string][]string{}
	for _, id := range g.ids {
		n := g.nodes[id]
		n.DependsOn = dedupe(n.DependsOn)
		if n.Kind == KindTest {
			g.attachTest(n)
		}
		for _, dep := range n.DependsOn {
			if g.nodes[dep] == nil {
				missing[dep] = append(missing[dep], id)
				continue
			}
			if n.Kind == KindTest {
				g.tests[dep] = append(g.tests[dep], id)
				continue
			}
			g.parents[id] = append(g.parents[id], dep)
			g.children[dep] = append(g.children[dep], id)
		}
	}
	g.index = make(map[string]int32, len(g.ids))
	for i, id := range g.ids {
		g.index[id] = int32(i)
	}
	g.kids, g.pars = make([][]int32, len(g.ids)), make([][]int32, len(g.ids))
	for i, id := range g.ids {
		for _, c := range g.children[id] {
			g.kids[i] = append(g.kids[i], g.index[c])
		}
		for _, p := range g.parents[id] {
			g.pars[i] = append(g.pars[i], g.index[p])
		}
		slices.Sort(g.kids[i])
		slices.Sort(g.pars[i])
	}
	for _, dep := range sortedKeys(missing) {
		users := missing[dep]
		g.warnings = append(g.warnings, fmt.Sprintf("%s is not in the manifest (disabled or from a package not installed) but %d node(s) depend on it: %s", dep, len(users), strings.Join(firstN(users, 3), ", ")))
	}
	if g.Meta.ProjectName == "" {
		g.Meta.ProjectName = mainPackage(g)
	}
	if v := g.Meta.SchemaVersion; v != 0 && (v < 4 || v > 12) {
		g.warnings = append(g.warnings, fmt.Sprintf("manifest schema v%d is outside the versions this reader was built for (v4 to v12); fields it does not know are ignored", v))
	}
	return g
}

// attachTest resolves a test's AttachedNode when the manifest names it
// only through ref() (before v10) or a unit test's model name.
func (g *Graph) attachTest(t *Node) {
	name, ok := strings.CutPrefix(t.AttachedNode, "name:")
	if !ok {
		return
	}
	t.AttachedNode = ""
	candidates := g.byName[strings.ToLower(name)]
	for _, dep := range t.DependsOn {
		if slices.Contains(candidates, dep) {
			t.AttachedNode = dep
			return
		}
	}
	if len(candidates) == 1 {
		t.AttachedNode = candidates[0]
	}
}

// nameKeys are the lowercase names a user may call the node by.
func nameKeys(n *Node) []string {
	name := strings.ToLower(n.Name)
	switch {
	case n.Kind == KindSource && n.SourceName != "":
		return []string{strings.ToLower(n.SourceName) + "." + name}
	case n.Kind == KindModel && n.Version != "":
		return []string{name, name + ".v" + strings.ToLower(n.Version)}
	}
	return []string{name}
}

// mainPackage is the package holding the most models (then seeds).
func mainPackage(g *Graph) string {
	count := map[string]int{}
	for _, n := range g.nodes {
		if n.Kind == KindModel || n.Kind == KindSeed {
			count[n.Package]++
		}
	}
	best, bestN := "", 0
	for _, p := range sortedKeys(count) {
		if count[p] > bestN {
			best, bestN = p, count[p]
		}
	}
	return best
}

func dedupe(s []string) []string {
	if len(s) < 2 {
		return s
	}
	seen := make(map[string]bool, len(s))
	out := s[:0]
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func firstN(s []string, n int) []string {
	if len(s) > n {
		return append(slices.Clone(s[:n]), fmt.Sprintf("and %d more", len(s)-n))
	}
	return s
}
