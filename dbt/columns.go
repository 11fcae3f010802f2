package dbt

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/dbt/manifest"
	"github.com/datastack-mcp/datastack-mcp/dbt/sqllineage"
)

// Lineage levels.
const (
	// LevelColumn: each output column is traced to its input columns.
	LevelColumn = "column"
	// LevelTable: only the model's inputs (depends_on) are known; Reason
	// says why.
	LevelTable = "table"
	// LevelSource: a seed or source, where lineage starts; its columns
	// have no inputs.
	LevelSource = "source"
)

// EdgeKind re-exports the edge kinds of package sqllineage.
type EdgeKind = sqllineage.EdgeKind

// Edge kinds.
const (
	Copy           = sqllineage.Copy
	Transformation = sqllineage.Transformation
	Aggregation    = sqllineage.Aggregation
)

// ColumnLineage is the column-level lineage of one node.
type ColumnLineage struct {
	Node     string        `json:"node"`
	Name     string        `json:"name"`
	Kind     manifest.Kind `json:"kind"`
	Relation string        `json:"relation,omitempty"`
	Level    string        `json:"level"`
	// Reason says why Level is table (no compiled SQL, a dialect the
	// grammar rejects, a Python model, …).
	Reason  string          `json:"reason,omitempty"`
	Columns []LineageColumn `json:"columns"`
	// Passthrough are nodes (or relations) whose columns a SELECT *
	// passes through without them being known: each of their columns is
	// a column of this node too.
	Passthrough []string `json:"passthrough,omitempty"`
	// Unresolved lists what could not be traced, per column.
	Unresolved []string `json:"unresolved,omitempty"`
	// Reads are the nodes the SQL reads; Unknown relations it reads that
	// are no node of the project; Upstream the manifest's depends_on.
	Reads    []string `json:"reads,omitempty"`
	Unknown  []string `json:"unknown_relations,omitempty"`
	Upstream []string `json:"upstream,omitempty"`
	Notes    []string `json:"notes,omitempty"`
}

// LineageColumn is one column of a node and its inputs.
type LineageColumn struct {
	Name        string         `json:"name"`
	Type        string         `json:"type,omitempty"`
	Description string         `json:"description,omitempty"`
	Sources     []ColumnSource `json:"sources"`
	Unresolved  []string       `json:"unresolved,omitempty"`
}

// ColumnSource is one input column.
type ColumnSource struct {
	// Node is the input's unique_id; empty for a relation that is no
	// node of the project (then Relation is its name as written).
	Node     string   `json:"node,omitempty"`
	Name     string   `json:"name,omitempty"`
	Relation string   `json:"relation,omitempty"`
	Column   string   `json:"column"`
	Kind     EdgeKind `json:"kind"`
}

// Column returns the column named name (case-insensitive), or nil.
func (l *ColumnLineage) Column(name string) *LineageColumn {
	for i := range l.Columns {
		if strings.EqualFold(l.Columns[i].Name, name) {
			return &l.Columns[i]
		}
	}
	return nil
}

// ColumnLineage is the column lineage of the node ref resolves to: a
// model or snapshot (from its compiled SQL), a seed or source (its
// columns, where lineage starts). Computed once per snapshot.
func (s *Snapshot) ColumnLineage(ref string) (*ColumnLineage, error) {
	n, err := s.Resolve(ref)
	if err != nil {
		return nil, err
	}
	switch n.Kind {
	case manifest.KindModel, manifest.KindSnapshot, manifest.KindSeed, manifest.KindSource:
	default:
		return nil, fmt.Errorf("%s is a %s: column lineage covers models, snapshots, seeds and sources", n.UniqueID, n.Kind)
	}
	return s.lineageOf(n, nil), nil
}

// lineageOf returns the cached lineage of n, computing it when needed.
// chain holds the nodes being computed by this call stack (a model whose
// SQL reads its own relation, as incremental models do).
func (s *Snapshot) lineageOf(n *manifest.Node, chain []string) *ColumnLineage {
	s.mu.Lock()
	l := s.lineage[n.UniqueID]
	s.mu.Unlock()
	if l != nil {
		return l
	}
	l = s.compute(n, append(chain, n.UniqueID))
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.lineage[n.UniqueID]; old != nil {
		return old
	}
	s.lineage[n.UniqueID] = l
	return l
}

func (s *Snapshot) compute(n *manifest.Node, chain []string) *ColumnLineage {
	out := &ColumnLineage{Node: n.UniqueID, Name: n.DisplayName(), Kind: n.Kind, Relation: n.Relation, Upstream: s.graph.Parents(n.UniqueID)}
	table := func(reason string) *ColumnLineage {
		out.Level, out.Reason = LevelTable, reason
		for _, c := range n.Columns {
			out.Columns = append(out.Columns, LineageColumn{Name: c.Name, Type: c.Type, Description: c.Description, Sources: []ColumnSource{}})
		}
		return out
	}
	switch {
	case n.Kind == manifest.KindSeed || n.Kind == manifest.KindSource:
		out.Level = LevelSource
		for _, c := range n.Columns {
			out.Columns = append(out.Columns, LineageColumn{Name: c.Name, Type: c.Type, Description: c.Description, Sources: []ColumnSource{}})
		}
		if len(n.Columns) == 0 {
			out.Notes = append(out.Notes, "its columns are unknown: neither catalog.json nor the manifest lists them")
		}
		return out
	case n.Language == "python":
		return table("a Python model: there is no SQL to trace columns through")
	case n.CompiledSQL == "":
		why := "the manifest has no compiled SQL for this model (the project was parsed but not compiled: run dbt compile, dbt run or dbt build to write it)"
		if n.HasRawCode {
			why += "; its raw Jinja SQL cannot be used for column lineage"
		}
		return table(why)
	}
	res, err := sqllineage.Analyze(n.CompiledSQL, &catalog{s: s, from: n, chain: chain})
	var pe *sqllineage.ParseError
	switch {
	case errors.As(err, &pe):
		return table(fmt.Sprintf("its compiled SQL (adapter %s) is not understood by the PostgreSQL grammar used for column lineage: %v", s.adapter(), pe.Err))
	case err != nil:
		return table("its compiled SQL is " + err.Error())
	}
	out.Level = LevelColumn
	s.fill(out, n, res)
	if n.Kind == manifest.KindSnapshot {
		out.Notes = append(out.Notes, "dbt adds dbt_scd_id, dbt_updated_at, dbt_valid_from and dbt_valid_to to a snapshot; they come from no input column")
	}
	return out
}

func (s *Snapshot) adapter() string {
	if a := s.graph.Meta.AdapterType; a != "" {
		return a
	}
	return "unknown"
}

// fill converts the SQL analysis into node terms.
func (s *Snapshot) fill(out *ColumnLineage, n *manifest.Node, res *sqllineage.Result) {
	for _, c := range res.Columns {
		lc := LineageColumn{Name: c.Name, Sources: make([]ColumnSource, 0, len(c.Sources)), Unresolved: c.Unresolved}
		if col := n.Column(c.Name); col != nil {
			lc.Name, lc.Type, lc.Description = col.Name, col.Type, col.Description
		}
		for _, src := range c.Sources {
			lc.Sources = append(lc.Sources, s.source(src))
		}
		out.Columns = append(out.Columns, lc)
	}
	for _, t := range res.Passthrough {
		out.Passthrough = append(out.Passthrough, t)
	}
	out.Unresolved = res.Unresolved
	for _, t := range res.Tables {
		if s.graph.Node(t) != nil {
			out.Reads = append(out.Reads, t)
		}
	}
	out.Unknown = res.Unknown
	for _, u := range res.Unknown {
		out.Notes = append(out.Notes, "reads "+u+", which is no node of the project (its columns are followed by name only)")
	}
	for _, r := range out.Reads {
		if r != n.UniqueID && !slices.Contains(out.Upstream, r) {
			out.Notes = append(out.Notes, "reads "+r+" without depending on it in the manifest (a hard-coded relation?)")
		}
	}
}

func (s *Snapshot) source(src sqllineage.Source) ColumnSource {
	node := s.graph.Node(src.Table)
	if node == nil {
		return ColumnSource{Relation: src.Table, Column: src.Column, Kind: src.Kind}
	}
	cs := ColumnSource{Node: node.UniqueID, Name: node.DisplayName(), Relation: node.Relation, Column: src.Column, Kind: src.Kind}
	if col := node.Column(src.Column); col != nil {
		cs.Column = col.Name
	}
	return cs
}

// catalog answers the SQL analysis's questions about relations with the
// project's nodes.
type catalog struct {
	s     *Snapshot
	from  *manifest.Node
	chain []string
}

// Table maps a relation name of the compiled SQL to a node: by relation,
// an ephemeral model's __dbt__cte__ name, or an identifier alone in the
// model's own schema.
func (c *catalog) Table(parts []string) (sqllineage.Table, bool) {
	g := c.s.graph
	var cands []*manifest.Node
	if len(parts) == 1 {
		if name, ok := strings.CutPrefix(strings.ToLower(parts[0]), "__dbt__cte__"); ok {
			for _, n := range g.NodesNamed(name) {
				if n.IsEphemeral() {
					cands = append(cands, n)
				}
			}
		}
	}
	if len(cands) == 0 {
		cands = g.NodesAtRelation(parts...)
	}
	if len(cands) > 1 {
		// The same schema.table in several databases: the model's own.
		var same []*manifest.Node
		for _, n := range cands {
			if strings.EqualFold(n.Database, c.from.Database) && (len(parts) > 1 || strings.EqualFold(n.Schema, c.from.Schema)) {
				same = append(same, n)
			}
		}
		cands = same
	}
	if len(cands) != 1 {
		return sqllineage.Table{}, false
	}
	n := cands[0]
	cols, complete := c.s.columnsOf(n, c.chain)
	return sqllineage.Table{ID: n.UniqueID, Columns: cols, Complete: complete}, true
}

// columnsOf lists a node's columns for SELECT *: the warehouse's
// (catalog.json), else what its own SQL produces, else the documented
// ones (which may be a part).
func (s *Snapshot) columnsOf(n *manifest.Node, chain []string) ([]string, bool) {
	if n.ColumnsFromCatalog() {
		return n.ColumnNames(), true
	}
	if (n.Kind == manifest.KindModel || n.Kind == manifest.KindSnapshot) && !slices.Contains(chain, n.UniqueID) {
		if l := s.lineageOf(n, chain); l.Level == LevelColumn {
			names := make([]string, len(l.Columns))
			for i, c := range l.Columns {
				names[i] = c.Name
			}
			return names, len(l.Passthrough) == 0 && n.Kind == manifest.KindModel
		}
	}
	return n.ColumnNames(), false
}
