package manifest

import (
	"fmt"
	"slices"
)

// Direction is which way a walk goes.
type Direction string

// Directions: downstream is what reads the node (what breaks if it
// changes); upstream is what it reads (where its data comes from).
const (
	Downstream Direction = "downstream"
	Upstream   Direction = "upstream"
)

// ParseDirection accepts downstream, upstream or "" (downstream).
func ParseDirection(s string) (Direction, error) {
	switch Direction(s) {
	case "", Downstream:
		return Downstream, nil
	case Upstream:
		return Upstream, nil
	}
	return "", fmt.Errorf("direction %q: want downstream or upstream", s)
}

// ImpactOptions bound a walk. MaxDepth and MaxNodes of 0 or less mean no
// limit (callers apply their own defaults).
type ImpactOptions struct {
	Direction Direction
	MaxDepth  int
	MaxNodes  int
}

// ImpactNode is one node of an answer.
type ImpactNode struct {
	ID              string `json:"id"`
	Kind            Kind   `json:"kind"`
	Name            string `json:"name"`
	Package         string `json:"package,omitempty"`
	Relation        string `json:"relation,omitempty"`
	Materialization string `json:"materialization,omitempty"`
	// Depth is the number of edges on a shortest path from the root.
	Depth int  `json:"depth"`
	Root  bool `json:"root,omitempty"`
	// Tests are the ids of the tests that depend on this node.
	Tests []string `json:"tests,omitempty"`
}

// ImpactTest is a test guarding a node of the answer.
type ImpactTest struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	TestType string `json:"test_type"`
	TestName string `json:"test_name,omitempty"`
	// Node is the node it tests (attached node, else the first node of
	// the answer it depends on); Column the column it checks.
	Node   string `json:"node"`
	Column string `json:"column,omitempty"`
	Depth  int    `json:"depth"`
}

// Edge is one dependency, pointing the way data flows (From feeds To).
type Edge struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Impact is the answer of a model-level walk.
type Impact struct {
	Root      ImpactNode `json:"root"`
	Direction Direction  `json:"direction"`
	// Nodes are the nodes reached (root left out), by depth then id.
	Nodes []ImpactNode `json:"nodes"`
	// Edges join the root and the nodes of the answer.
	Edges []Edge `json:"edges"`
	// Exposures are the ids of the exposures among Nodes.
	Exposures []string `json:"exposures,omitempty"`
	// Tests guard the root or a node of the answer.
	Tests []ImpactTest `json:"tests,omitempty"`
	// Counts are the nodes per kind, tests included (root left out).
	Counts       map[Kind]int `json:"counts"`
	DepthReached int          `json:"depth_reached"`
	MaxDepth     int          `json:"max_depth,omitempty"`
	MaxNodes     int          `json:"max_nodes,omitempty"`
	// Total is the number of nodes reachable at any depth (tests and
	// root left out); Total > len(Nodes) exactly when Truncated.
	Total     int  `json:"total"`
	Truncated bool `json:"truncated"`
	// Cut says what the bounds left out and why.
	Cut []string `json:"cut,omitempty"`
	// Frontier are nodes of the answer with neighbours left out.
	Frontier []string `json:"frontier,omitempty"`
}

// Reach is the full breadth-first walk from a node: every reachable node
// (tests excluded) with its shortest depth, in order of depth then id.
func (g *Graph) Reach(id string, dir Direction) (order []string, depth map[string]int) {
	idx, ok := g.index[id]
	if !ok {
		return nil, map[string]int{}
	}
	ord, dep := g.reach(idx, dir)
	order = make([]string, len(ord))
	depth = make(map[string]int, len(ord)+1)
	depth[id] = 0
	for i, n := range ord {
		order[i] = g.ids[n]
		depth[order[i]] = int(dep[n])
	}
	return order, depth
}

// reach is Reach by node index: dep[i] is -1 for nodes not reached.
func (g *Graph) reach(root int32, dir Direction) (order []int32, dep []int32) {
	adj := g.kids
	if dir == Upstream {
		adj = g.pars
	}
	dep = make([]int32, len(g.ids))
	for i := range dep {
		dep[i] = -1
	}
	dep[root] = 0
	level := []int32{root}
	for d := int32(1); len(level) > 0; d++ {
		var next []int32
		for _, cur := range level {
			for _, n := range adj[cur] {
				if dep[n] < 0 {
					dep[n] = d
					next = append(next, n)
				}
			}
		}
		slices.Sort(next) // index order is id order
		order = append(order, next...)
		level = next
	}
	return order, dep
}

func (g *Graph) neighbours(id string, dir Direction) []string {
	if dir == Upstream {
		return g.parents[id]
	}
	return g.children[id]
}

// ImpactOf builds the node of an answer.
func (g *Graph) ImpactOf(n *Node, depth int) ImpactNode {
	return ImpactNode{ID: n.UniqueID, Kind: n.Kind, Name: n.DisplayName(), Package: n.Package,
		Relation: n.Relation, Materialization: n.Materialization, Depth: depth, Tests: g.tests[n.UniqueID]}
}

// Impact walks from the node ref resolves to.
func (g *Graph) Impact(ref string, opts ImpactOptions) (*Impact, error) {
	root, err := g.Resolve(ref)
	if err != nil {
		return nil, err
	}
	dir, err := ParseDirection(string(opts.Direction))
	if err != nil {
		return nil, err
	}
	order, dep := g.reach(g.index[root.UniqueID], dir)
	depth := map[string]int{root.UniqueID: 0}
	out := &Impact{Direction: dir, Counts: map[Kind]int{}, MaxDepth: opts.MaxDepth, MaxNodes: opts.MaxNodes, Total: len(order)}
	out.Root = g.ImpactOf(root, 0)
	out.Root.Root = true
	included := map[string]bool{root.UniqueID: true}
	deeper, overflow := 0, 0
	for _, i := range order {
		id, d := g.ids[i], int(dep[i])
		switch {
		case opts.MaxDepth > 0 && d > opts.MaxDepth:
			deeper++
			continue
		case opts.MaxNodes > 0 && len(out.Nodes) >= opts.MaxNodes:
			overflow++
			continue
		}
		n := g.nodes[id]
		included[id] = true
		depth[id] = d
		out.Nodes = append(out.Nodes, g.ImpactOf(n, d))
		out.Counts[n.Kind]++
		out.DepthReached = max(out.DepthReached, d)
		if n.Kind == KindExposure {
			out.Exposures = append(out.Exposures, id)
		}
	}
	if deeper > 0 {
		out.Cut = append(out.Cut, fmt.Sprintf("max_depth %d left out %d node(s) further than %d hops", opts.MaxDepth, deeper, opts.MaxDepth))
	}
	if overflow > 0 {
		out.Cut = append(out.Cut, fmt.Sprintf("max_nodes %d left out %d node(s) within the depth", opts.MaxNodes, overflow))
	}
	out.Truncated = deeper+overflow > 0
	g.fillEdges(out, included, dir)
	g.fillTests(out, included, depth)
	return out, nil
}

// fillEdges adds the edges between included nodes and the frontier.
func (g *Graph) fillEdges(out *Impact, included map[string]bool, dir Direction) {
	all := append([]ImpactNode{out.Root}, out.Nodes...)
	for _, n := range all {
		cut := false
		for _, next := range g.neighbours(n.ID, dir) {
			if !included[next] {
				cut = true
				continue
			}
			e := Edge{From: n.ID, To: next}
			if dir == Upstream {
				e = Edge{From: next, To: n.ID}
			}
			out.Edges = append(out.Edges, e)
		}
		if cut {
			out.Frontier = append(out.Frontier, n.ID)
		}
	}
}

// fillTests lists the tests of the included nodes once each.
func (g *Graph) fillTests(out *Impact, included map[string]bool, depth map[string]int) {
	seen := map[string]bool{}
	all := append([]ImpactNode{out.Root}, out.Nodes...)
	for _, n := range all {
		for _, tid := range g.tests[n.ID] {
			if seen[tid] {
				continue
			}
			seen[tid] = true
			t := g.nodes[tid]
			on := n.ID
			if t.AttachedNode != "" && included[t.AttachedNode] {
				on = t.AttachedNode
			}
			out.Tests = append(out.Tests, ImpactTest{ID: tid, Name: t.Name, TestType: t.TestType, TestName: t.TestName,
				Node: on, Column: t.ColumnName, Depth: depth[on]})
			out.Counts[KindTest]++
		}
	}
}
