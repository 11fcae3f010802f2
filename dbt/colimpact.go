package dbt

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/dbt/manifest"
)

// ColumnRef is one column of a node.
type ColumnRef struct {
	// Node is the unique_id; empty for a relation that is no node (then
	// Relation is its name as written in SQL).
	Node     string        `json:"node,omitempty"`
	Name     string        `json:"name,omitempty"`
	Kind     manifest.Kind `json:"kind,omitempty"`
	Relation string        `json:"relation,omitempty"`
	Column   string        `json:"column"`
}

// Path is name.column (relation.column for a relation that is no node).
func (r ColumnRef) Path() string {
	if r.Name != "" {
		return r.Name + "." + r.Column
	}
	return r.Relation + "." + r.Column
}

func (r ColumnRef) key() string {
	return strings.ToLower(r.Node + "\x00" + r.Relation + "\x00" + r.Column)
}

// ImpactColumn is one column of a column-level answer.
type ImpactColumn struct {
	ColumnRef
	Path  string `json:"path"`
	Depth int    `json:"depth"`
	Root  bool   `json:"root,omitempty"`
	// Unresolved: the column's own lineage is partly unknown.
	Unresolved []string `json:"unresolved,omitempty"`
}

// ColumnEdge is one column-level edge, pointing the way data flows.
type ColumnEdge struct {
	From string   `json:"from"`
	To   string   `json:"to"`
	Kind EdgeKind `json:"kind"`
}

// TableLevelNode is a model the walk reached whose column lineage is
// unknown: it may be affected, at model level only.
type TableLevelNode struct {
	Node   string `json:"node"`
	Name   string `json:"name"`
	Depth  int    `json:"depth"`
	Reason string `json:"reason"`
}

// ColumnImpact is the answer of a column-level walk.
type ColumnImpact struct {
	Root      ImpactColumn       `json:"root"`
	Direction manifest.Direction `json:"direction"`
	// Columns are the columns reached (root left out), by depth.
	Columns []ImpactColumn `json:"columns"`
	Edges   []ColumnEdge   `json:"edges"`
	// Nodes are, at model level, the nodes of the columns reached and,
	// downstream, the exposures, semantic models, metrics and saved
	// queries that read them.
	Nodes     []manifest.ImpactNode `json:"nodes"`
	Exposures []string              `json:"exposures,omitempty"`
	// Tests check a reached column, or its node as a whole.
	Tests []manifest.ImpactTest `json:"tests,omitempty"`
	// TableLevel are models reached whose column lineage is unknown.
	TableLevel []TableLevelNode `json:"table_level,omitempty"`
	// Counts: columns, then nodes per kind, tests.
	Counts       map[string]int `json:"counts"`
	DepthReached int            `json:"depth_reached"`
	MaxDepth     int            `json:"max_depth,omitempty"`
	MaxNodes     int            `json:"max_nodes,omitempty"`
	Truncated    bool           `json:"truncated"`
	Cut          []string       `json:"cut,omitempty"`
	// Frontier are columns of the answer whose further lineage was left
	// out.
	Frontier []string `json:"frontier,omitempty"`
	Notes    []string `json:"notes,omitempty"`
}

// ColumnImpact walks column lineage from ref, "<node>.<column>" (the node
// as Resolve takes it: orders.amount, jaffle.source.tbl.col,
// db.schema.table.col, model.pkg.orders.amount). MaxNodes bounds the
// columns of the answer.
func (s *Snapshot) ColumnImpact(ref string, opts manifest.ImpactOptions) (*ColumnImpact, error) {
	node, column, err := s.ResolveColumn(ref)
	if err != nil {
		return nil, err
	}
	dir, err := manifest.ParseDirection(string(opts.Direction))
	if err != nil {
		return nil, err
	}
	w := &columnWalk{s: s, dir: dir, opts: opts, seen: map[string]int{}, nodeDepth: map[string]int{}, tableLevel: map[string]bool{}}
	w.out = &ColumnImpact{Direction: dir, MaxDepth: opts.MaxDepth, MaxNodes: opts.MaxNodes, Counts: map[string]int{}}
	root := s.ref(node, column)
	w.out.Root = ImpactColumn{ColumnRef: root, Path: root.Path(), Root: true}
	w.run(root)
	w.finish(node)
	return w.out, nil
}

// ResolveColumn splits "<node>.<column>" and checks the column exists.
func (s *Snapshot) ResolveColumn(ref string) (*manifest.Node, string, error) {
	parts := manifest.SplitName(strings.TrimSpace(ref))
	if len(parts) < 2 {
		return nil, "", fmt.Errorf("%q: give a column as <node>.<column>, e.g. orders.amount", ref)
	}
	column := parts[len(parts)-1]
	prefix := strings.Join(quoteParts(parts[:len(parts)-1]), ".")
	n, err := s.Resolve(prefix)
	if err != nil {
		return nil, "", err
	}
	switch n.Kind {
	case manifest.KindModel, manifest.KindSnapshot, manifest.KindSeed, manifest.KindSource:
	default:
		return nil, "", fmt.Errorf("%s is a %s: column lineage covers models, snapshots, seeds and sources", n.UniqueID, n.Kind)
	}
	known := s.knownColumns(n)
	if len(known) == 0 {
		return n, column, nil // nothing to check against
	}
	for _, k := range known {
		if strings.EqualFold(k, column) {
			return n, k, nil
		}
	}
	return nil, "", fmt.Errorf("%s has no column %q; its columns: %s", n.DisplayName(), column, strings.Join(known, ", "))
}

func quoteParts(parts []string) []string {
	out := make([]string, len(parts))
	for i, p := range parts {
		if strings.ContainsAny(p, `."`) {
			p = `"` + strings.ReplaceAll(p, `"`, `""`) + `"`
		}
		out[i] = p
	}
	return out
}

// knownColumns are a node's columns: its lineage's outputs and its
// catalog or documented columns.
func (s *Snapshot) knownColumns(n *manifest.Node) []string {
	var out []string
	add := func(name string) {
		for _, o := range out {
			if strings.EqualFold(o, name) {
				return
			}
		}
		out = append(out, name)
	}
	if n.Kind == manifest.KindModel || n.Kind == manifest.KindSnapshot {
		l := s.lineageOf(n, nil)
		for _, c := range l.Columns {
			add(c.Name)
		}
		if len(l.Passthrough) > 0 {
			return nil // a star passes unknown columns: anything may exist
		}
	}
	for _, c := range n.Columns {
		add(c.Name)
	}
	return out
}

func (s *Snapshot) ref(n *manifest.Node, column string) ColumnRef {
	return ColumnRef{Node: n.UniqueID, Name: n.DisplayName(), Kind: n.Kind, Relation: n.Relation, Column: column}
}

// columnWalk is one breadth-first walk over column edges.
type columnWalk struct {
	s             *Snapshot
	dir           manifest.Direction
	opts          manifest.ImpactOptions
	out           *ColumnImpact
	seen          map[string]int // column key → depth
	nodeDepth     map[string]int // node → least depth of its reached columns
	tableLevel    map[string]bool
	overflow      int
	deeper        bool
	depthFrontier int
}

type step struct {
	ref   ColumnRef
	depth int
}

// hop is one column edge out of the column being expanded.
type hop struct {
	ref  ColumnRef
	kind EdgeKind
}

// expansion is what lies one step from a column.
type expansion struct {
	hops []hop
	// consumers are non-SQL nodes reading the column's node (downstream).
	consumers []*manifest.Node
	// tableLevel are models without column lineage met on the way.
	tableLevel []*ColumnLineage
}

func (e expansion) empty() bool {
	return len(e.hops)+len(e.consumers)+len(e.tableLevel) == 0
}

func (w *columnWalk) run(root ColumnRef) {
	w.seen[root.key()] = 0
	w.nodeDepth[root.Node] = 0
	queue := []step{{root, 0}}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		var ex expansion
		if w.dir == manifest.Upstream {
			ex = w.upstream(cur.ref)
		} else {
			ex = w.downstream(cur.ref)
		}
		if w.opts.MaxDepth > 0 && cur.depth >= w.opts.MaxDepth {
			if !ex.empty() {
				w.deeper = true
				w.depthFrontier++
				w.out.Frontier = append(w.out.Frontier, cur.ref.Path())
			}
			continue
		}
		for _, c := range ex.consumers {
			w.reachConsumer(c, cur.depth+1)
		}
		for _, l := range ex.tableLevel {
			d := cur.depth + 1
			if l.Node == cur.ref.Node {
				d = cur.depth
			}
			w.markTableLevel(l, d)
		}
		cut := false
		for _, h := range ex.hops {
			from, to := cur.ref, h.ref
			if w.dir == manifest.Upstream {
				from, to = h.ref, cur.ref
			}
			if _, ok := w.seen[h.ref.key()]; ok {
				w.edge(from, to, h.kind)
				continue
			}
			if w.opts.MaxNodes > 0 && len(w.out.Columns) >= w.opts.MaxNodes {
				w.overflow++
				cut = true
				continue
			}
			w.edge(from, to, h.kind)
			w.include(h.ref, cur.depth+1)
			queue = append(queue, step{h.ref, cur.depth + 1})
		}
		if cut {
			w.out.Frontier = append(w.out.Frontier, cur.ref.Path())
		}
	}
}

func (w *columnWalk) include(ref ColumnRef, depth int) {
	w.seen[ref.key()] = depth
	if d, ok := w.nodeDepth[ref.Node]; !ok || depth < d {
		w.nodeDepth[ref.Node] = depth
	}
	ic := ImpactColumn{ColumnRef: ref, Path: ref.Path(), Depth: depth}
	if n := w.s.graph.Node(ref.Node); n != nil && (n.Kind == manifest.KindModel || n.Kind == manifest.KindSnapshot) {
		if lc := w.s.lineageOf(n, nil).Column(ref.Column); lc != nil {
			ic.Unresolved = lc.Unresolved
		}
	}
	w.out.Columns = append(w.out.Columns, ic)
	w.out.DepthReached = max(w.out.DepthReached, depth)
}

// downstream: the columns of the models reading cur that come from it.
func (w *columnWalk) downstream(cur ColumnRef) expansion {
	var ex expansion
	if cur.Node == "" {
		return ex
	}
	for _, childID := range w.s.graph.Children(cur.Node) {
		child := w.s.graph.Node(childID)
		if child.Kind != manifest.KindModel && child.Kind != manifest.KindSnapshot {
			ex.consumers = append(ex.consumers, child)
			continue
		}
		l := w.s.lineageOf(child, nil)
		if l.Level != LevelColumn {
			ex.tableLevel = append(ex.tableLevel, l)
			continue
		}
		explicit := false
		for _, c := range l.Columns {
			for _, src := range c.Sources {
				if src.Node == cur.Node && strings.EqualFold(src.Column, cur.Column) {
					ex.hops = append(ex.hops, hop{w.s.ref(child, c.Name), src.Kind})
				}
			}
			explicit = explicit || strings.EqualFold(c.Name, cur.Column)
		}
		if !explicit && slices.Contains(l.Passthrough, cur.Node) {
			ex.hops = append(ex.hops, hop{w.s.ref(child, cur.Column), Copy})
		}
	}
	return ex
}

// upstream: the input columns cur comes from.
func (w *columnWalk) upstream(cur ColumnRef) expansion {
	var ex expansion
	n := w.s.graph.Node(cur.Node)
	if n == nil || (n.Kind != manifest.KindModel && n.Kind != manifest.KindSnapshot) {
		return ex
	}
	l := w.s.lineageOf(n, nil)
	if l.Level != LevelColumn {
		ex.tableLevel = append(ex.tableLevel, l)
		return ex
	}
	c := l.Column(cur.Column)
	if c == nil {
		for _, p := range l.Passthrough {
			if pn := w.s.graph.Node(p); pn != nil {
				ex.hops = append(ex.hops, hop{w.s.ref(pn, cur.Column), Copy})
			}
		}
		return ex
	}
	for _, src := range c.Sources {
		from := ColumnRef{Node: src.Node, Name: src.Name, Relation: src.Relation, Column: src.Column}
		if sn := w.s.graph.Node(src.Node); sn != nil {
			from.Kind = sn.Kind
		}
		ex.hops = append(ex.hops, hop{from, src.Kind})
	}
	return ex
}

func (w *columnWalk) edge(from, to ColumnRef, kind EdgeKind) {
	w.out.Edges = append(w.out.Edges, ColumnEdge{From: from.Path(), To: to.Path(), Kind: kind})
}

// reachConsumer adds a non-SQL consumer (exposure, semantic model, …) and
// what reads it in turn, at model level.
func (w *columnWalk) reachConsumer(n *manifest.Node, depth int) {
	if d, ok := w.nodeDepth[n.UniqueID]; ok && d <= depth {
		return
	}
	w.nodeDepth[n.UniqueID] = depth
	order, depths := w.s.graph.Reach(n.UniqueID, manifest.Downstream)
	for _, id := range order {
		if d, ok := w.nodeDepth[id]; !ok || depth+depths[id] < d {
			w.nodeDepth[id] = depth + depths[id]
		}
	}
}

func (w *columnWalk) markTableLevel(l *ColumnLineage, depth int) {
	if w.tableLevel[l.Node] {
		return
	}
	w.tableLevel[l.Node] = true
	w.out.TableLevel = append(w.out.TableLevel, TableLevelNode{Node: l.Node, Name: l.Name, Depth: depth, Reason: l.Reason})
	if d, ok := w.nodeDepth[l.Node]; !ok || depth < d {
		w.nodeDepth[l.Node] = depth
	}
}

// finish fills the model-level part, tests, counts and cut reasons.
func (w *columnWalk) finish(root *manifest.Node) {
	g := w.s.graph
	out := w.out
	ids := make([]string, 0, len(w.nodeDepth))
	for id := range w.nodeDepth {
		if id != "" && id != root.UniqueID {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool {
		if w.nodeDepth[ids[i]] != w.nodeDepth[ids[j]] {
			return w.nodeDepth[ids[i]] < w.nodeDepth[ids[j]]
		}
		return ids[i] < ids[j]
	})
	for _, id := range ids {
		n := g.Node(id)
		if n == nil {
			continue
		}
		out.Nodes = append(out.Nodes, g.ImpactOf(n, w.nodeDepth[id]))
		out.Counts[string(n.Kind)]++
		if n.Kind == manifest.KindExposure {
			out.Exposures = append(out.Exposures, id)
		}
	}
	out.Counts["columns"] = len(out.Columns)
	w.fillTests(root)
	if w.deeper {
		out.Cut = append(out.Cut, fmt.Sprintf("max_depth %d: the lineage of %d column(s) at depth %d goes further", w.opts.MaxDepth, w.depthFrontier, w.opts.MaxDepth))
	}
	if w.overflow > 0 {
		out.Cut = append(out.Cut, fmt.Sprintf("max_nodes %d: %d more column(s) reached were left out (and what they lead to was not followed)", w.opts.MaxNodes, w.overflow))
	}
	out.Truncated = len(out.Cut) > 0
	if len(out.TableLevel) > 0 {
		out.Notes = append(out.Notes, "models in table_level have no column lineage: they may use the column; what they feed was not followed (the model-level impact shows it)")
	}
}

// fillTests lists the tests of each reached column and the tests of its
// node that check no particular column.
func (w *columnWalk) fillTests(root *manifest.Node) {
	g := w.s.graph
	cols := append([]ImpactColumn{w.out.Root}, w.out.Columns...)
	seen := map[string]bool{}
	for _, c := range cols {
		if c.Node == "" {
			continue
		}
		for _, tid := range g.Tests(c.Node) {
			t := g.Node(tid)
			if seen[tid] || (t.AttachedNode != "" && t.AttachedNode != c.Node) {
				continue
			}
			if t.ColumnName != "" && !strings.EqualFold(t.ColumnName, c.Column) {
				continue
			}
			seen[tid] = true
			w.out.Tests = append(w.out.Tests, manifest.ImpactTest{ID: tid, Name: t.Name, TestType: t.TestType, TestName: t.TestName,
				Node: c.Node, Column: t.ColumnName, Depth: c.Depth})
			w.out.Counts[string(manifest.KindTest)]++
		}
	}
}
