package impact

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/client"
	"github.com/datastack-mcp/datastack-mcp/providers"
)

// The Datafold side of lineage_impact: the warehouse lineage from
// Datafold's explore tools, breadth first, one hop per call.

// impactWalk is one walk of Datafold's lineage.
type impactWalk struct {
	r        *impactRun
	reach    *impactReach
	conn     string
	ds       int
	down     bool
	maxDepth int
	kind     string
	rootID   string
	// parts is the number of parts of the root's table path; a lineage
	// node's table path with one part fewer lacks the table (see
	// impactTableParts).
	parts int
	// seen are the ids the walk reached, whether or not another provider's
	// node stands for them.
	seen map[string]bool
	// frontier holds nodes reached but not expanded when the walk stopped.
	frontier []string
	// reachedCo and reachedTa count the columns and tables the walk put in
	// the answer (the root left out); totalCo and totalTa are Datafold's
	// full-depth totals.
	reachedCo, reachedTa int
	totalCo, totalTa     int
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

// impactLineageNode is a Column or Table node of Datafold's explore
// answers: a Table has name and path, a Column has name and table (a
// TableReference: name and path).
type impactLineageNode struct {
	Type  string   `json:"type"`
	Name  string   `json:"name"`
	Path  []string `json:"path"`
	Table *struct {
		Name string   `json:"name"`
		Path []string `json:"path"`
	} `json:"table"`
}

// tablePath returns the node's table path, database to table.
func (n impactLineageNode) tablePath(want int) []string {
	if n.Type == "Column" && n.Table != nil {
		return impactTableParts(n.Table.Path, n.Table.Name, want)
	}
	return impactTableParts(n.Path, n.Name, want)
}

// impactTableParts makes a whole table path of Datafold's path and name.
// Datafold documents a table's path only as "Table path": it may hold the
// table ([db, schema, table]) or only where the table is ([db, schema],
// the table in name). want is the number of parts of the root's table
// path (0: unknown): a path that long is whole, one part shorter lacks the
// table; otherwise a path ending in the name is whole.
func impactTableParts(path []string, name string, want int) []string {
	switch {
	case len(path) == 0:
		return []string{name}
	case name == "":
		return path
	case want > 0 && len(path) == want:
		return path
	case want > 0 && len(path) == want-1:
		return append(slices.Clone(path), name)
	case strings.EqualFold(path[len(path)-1], name):
		return path
	}
	return append(slices.Clone(path), name)
}

// impactItem is a lineage node to expand: its id, path and table id.
type impactItem struct{ id, path, table string }

func impactDecodeLineage(ans map[string]any) []impactLineageNode {
	var out []impactLineageNode
	b, _ := json.Marshal(ans["items"])
	_ = json.Unmarshal(b, &out)
	return out
}

func impactColumnID(path string) string { return "datafold:column:" + path }
func impactTableID(path string) string  { return "datafold:table:" + path }

// lineage walks the warehouse lineage from the root; a failure to find the
// root is the error.
func (w *impactWalk) lineage(kind string, parts []string) error {
	r := w.r
	w.kind, w.seen = kind, map[string]bool{}
	rootPath := client.JoinTablePath(parts)
	tparts := parts
	if kind == KindColumn {
		tparts = parts[:len(parts)-1]
	}
	w.parts = len(tparts)
	tpath := client.JoinTablePath(tparts)
	// Totals first: this also checks that the root exists.
	full, err := r.call(providers.Datafold, w.conn, w.tool(), w.args(rootPath, impactFullDepth))
	if err != nil {
		return fmt.Errorf("could not read the Datafold lineage of %s %s: %v", kind, rootPath, err)
	}
	totalTables := map[string]bool{}
	for _, n := range impactDecodeLineage(full) {
		switch n.Type {
		case "Column":
			w.totalCo++
			totalTables[strings.ToLower(client.JoinTablePath(n.tablePath(w.parts)))] = true
		case "Table":
			totalTables[strings.ToLower(client.JoinTablePath(n.tablePath(w.parts)))] = true
		}
	}
	delete(totalTables, strings.ToLower(tpath))
	w.totalTa = len(totalTables)
	r.out.Totals = ImpactTotals{Columns: w.totalCo, Tables: w.totalTa}

	tid := impactTableID(tpath)
	r.addKeyed(ImpactNode{ID: tid, Kind: KindTable, Provider: providers.Datafold, Name: tparts[len(tparts)-1], Path: tpath, Root: true, Connection: w.conn}, tpath)
	w.reach.addTable(r.resolve(tid))
	w.rootID, w.seen[tid] = tid, true
	if kind == KindColumn {
		w.rootID = impactColumnID(rootPath)
		r.addKeyed(ImpactNode{ID: w.rootID, Kind: KindColumn, Provider: providers.Datafold, Name: parts[len(parts)-1], Path: rootPath, Table: r.resolve(tid), Root: true, Connection: w.conn}, rootPath)
		w.reach.addColumn(r.resolve(tid), parts[len(parts)-1], r.resolve(w.rootID))
		w.seen[w.rootID] = true
	}

	var unexpanded []impactItem
	frontier := []impactItem{{w.rootID, rootPath, tid}}
	for depth := 1; depth <= w.maxDepth && len(frontier) > 0 && !r.cut; depth++ {
		var next []impactItem
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
				if !w.visit(n, depth, &next, f.id, f.table) {
					break
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
		if id := r.resolve(f.id); !slices.Contains(w.frontier, id) {
			w.frontier = append(w.frontier, id)
		}
	}
	return nil
}

// visit adds a lineage node reached at depth from (a node of table
// fromTable), queues it when new, and links it. It reports false when the
// answer is full.
func (w *impactWalk) visit(n impactLineageNode, depth int, next *[]impactItem, from, fromTable string) bool {
	r := w.r
	tp := n.tablePath(w.parts)
	tpath := client.JoinTablePath(tp)
	tid := impactTableID(tpath)
	id, path := tid, tpath
	if n.Type == "Column" {
		path = client.JoinTablePath(append(slices.Clone(tp), n.Name))
		id = impactColumnID(path)
	}
	if !w.seen[id] {
		if !w.seen[tid] {
			if !r.addKeyed(ImpactNode{ID: tid, Kind: KindTable, Provider: providers.Datafold, Name: tp[len(tp)-1], Path: tpath, Depth: depth, Connection: w.conn}, tpath) {
				return false
			}
			w.seen[tid] = true
			w.reachedTa++
			w.reach.addTable(r.resolve(tid))
		}
		if n.Type == "Column" {
			if !r.addKeyed(ImpactNode{ID: id, Kind: KindColumn, Provider: providers.Datafold, Name: n.Name, Path: path, Table: r.resolve(tid), Depth: depth, Connection: w.conn}, path) {
				return false
			}
			w.seen[id] = true
			w.reachedCo++
			w.reach.addColumn(r.resolve(tid), n.Name, r.resolve(id))
		}
		*next = append(*next, impactItem{id, path, tid})
		r.out.DepthReached = max(r.out.DepthReached, depth)
	}
	src, dst, tsrc, tdst := from, id, fromTable, tid
	if !w.down {
		src, dst, tsrc, tdst = dst, src, tdst, tsrc
	}
	r.addEdge(src, dst, "feeds")
	if w.kind == KindColumn {
		r.addEdge(tsrc, tdst, "feeds")
	}
	return true
}
