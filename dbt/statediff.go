package dbt

import (
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/dbt/manifest"
)

// Comparing two states of a project, as dbt's --state does: the
// production manifest (base) against a pull request's (pr). A model,
// seed or snapshot is new, removed, or modified for one or more reasons:
//
//   - body: its file's checksum changed (state:modified.body);
//   - config: its config changed (state:modified.configs);
//   - compiled_sql: its compiled SQL changed although its file did not (a
//     macro or variable it uses changed), the relations it reads and
//     writes rendered alike on both sides so that a PR's own schema is no
//     change;
//   - columns: the warehouse columns (catalog.json) were added, removed or
//     retyped although the code did not change (an upstream select *);
//   - descriptions: the model's or a column's description changed
//     (state:modified.persisted_descriptions), documentation only.
//
// The relation a node builds is not compared: a PR's build writes to its
// own schema by design. Column changes are cheap ones (catalog and
// manifest columns); [LineageChanges] adds the columns whose lineage
// changed, which needs the compiled SQL parsed.

// Change kinds of a node.
const (
	ChangeNew      = "new"
	ChangeRemoved  = "removed"
	ChangeModified = "modified"
)

// Reasons a node is modified.
const (
	ReasonBody         = "body"
	ReasonConfig       = "config"
	ReasonCompiledSQL  = "compiled_sql"
	ReasonColumns      = "columns"
	ReasonDescriptions = "descriptions"
)

// Column change kinds.
const (
	ColumnAdded          = "added"
	ColumnRemoved        = "removed"
	ColumnTypeChanged    = "type_changed"
	ColumnDescription    = "description_changed"
	ColumnLineageChanged = "lineage_changed"
)

// StateDiff is what changed between two states of a project.
type StateDiff struct {
	Base string `json:"base"`
	PR   string `json:"pr"`
	// Nodes are the changed models, seeds and snapshots, by unique_id.
	Nodes []NodeChange `json:"nodes"`
	// Compared is how many models, seeds and snapshots the two states
	// hold together.
	Compared int `json:"compared"`
}

// NodeChange is one changed node.
type NodeChange struct {
	ID     string        `json:"id"`
	Name   string        `json:"name"`
	Kind   manifest.Kind `json:"kind"`
	Change string        `json:"change"`
	// Reasons say why a node is modified (Reason…), most telling first.
	Reasons []string `json:"reasons,omitempty"`
	// BaseRelation and PRRelation are database.schema.identifier on each
	// side (empty where the node is absent or ephemeral).
	BaseRelation string         `json:"base_relation,omitempty"`
	PRRelation   string         `json:"pr_relation,omitempty"`
	Columns      []ColumnChange `json:"columns,omitempty"`
}

// ColumnChange is one changed column of a node.
type ColumnChange struct {
	Column string `json:"column"`
	Change string `json:"change"`
	// Base and PR are what changed (types, descriptions, inputs), as each
	// side has it.
	Base string `json:"base,omitempty"`
	PR   string `json:"pr,omitempty"`
}

// DataChanged reports whether the change can change the node's data: any
// change but one of descriptions only.
func (c *NodeChange) DataChanged() bool {
	return c.Change != ChangeModified || slices.ContainsFunc(c.Reasons, func(r string) bool { return r != ReasonDescriptions })
}

// CodeChanged reports whether the node's SQL or config changed.
func (c *NodeChange) CodeChanged() bool {
	return slices.ContainsFunc(c.Reasons, func(r string) bool {
		return r == ReasonBody || r == ReasonConfig || r == ReasonCompiledSQL
	})
}

// compared are the kinds whose states are compared: what builds a relation.
var compared = []manifest.Kind{manifest.KindModel, manifest.KindSeed, manifest.KindSnapshot}

// CompareStates lists the models, seeds and snapshots that are new,
// removed or modified in pr against base.
func CompareStates(base, pr *Snapshot) *StateDiff {
	bg, pg := base.Graph(), pr.Graph()
	out := &StateDiff{Base: base.Project, PR: pr.Project, Nodes: []NodeChange{}}
	ids := map[string]bool{}
	for _, g := range []*manifest.Graph{bg, pg} {
		for _, k := range compared {
			for _, n := range g.NodesOf(k) {
				ids[n.UniqueID] = true
			}
		}
	}
	out.Compared = len(ids)
	for _, id := range slices.Sorted(maps.Keys(ids)) {
		b, p := bg.Node(id), pg.Node(id)
		if b != nil && !slices.Contains(compared, b.Kind) {
			b = nil
		}
		if p != nil && !slices.Contains(compared, p.Kind) {
			p = nil
		}
		c := NodeChange{ID: id}
		switch {
		case b == nil && p == nil:
			continue
		case b == nil:
			c.Change, c.Name, c.Kind, c.PRRelation = ChangeNew, p.DisplayName(), p.Kind, p.Relation
		case p == nil:
			c.Change, c.Name, c.Kind, c.BaseRelation = ChangeRemoved, b.DisplayName(), b.Kind, b.Relation
		default:
			c.Name, c.Kind, c.BaseRelation, c.PRRelation = p.DisplayName(), p.Kind, b.Relation, p.Relation
			c.Reasons, c.Columns = modified(bg, pg, b, p)
			if len(c.Reasons) == 0 {
				continue
			}
			c.Change = ChangeModified
		}
		out.Nodes = append(out.Nodes, c)
	}
	return out
}

// modified says why p differs from b, and which columns changed.
func modified(bg, pg *manifest.Graph, b, p *manifest.Node) ([]string, []ColumnChange) {
	var reasons []string
	body := b.Checksum != "" && p.Checksum != "" && b.Checksum != p.Checksum
	if body {
		reasons = append(reasons, ReasonBody)
	}
	if b.ConfigDigest != p.ConfigDigest || b.Materialization != p.Materialization {
		reasons = append(reasons, ReasonConfig)
	}
	if !body && normalizedSQL(bg, b) != normalizedSQL(pg, p) {
		reasons = append(reasons, ReasonCompiledSQL)
	}
	cols := columnChanges(b, p)
	structural, docs := false, b.Description != p.Description
	for _, c := range cols {
		if c.Change == ColumnDescription {
			docs = true
		} else {
			structural = true
		}
	}
	if structural && len(reasons) == 0 {
		reasons = append(reasons, ReasonColumns)
	}
	if docs {
		reasons = append(reasons, ReasonDescriptions)
	}
	return reasons, cols
}

// columnChanges compares the columns both states list (manifest and
// catalog): added, removed, retyped, redescribed.
func columnChanges(b, p *manifest.Node) []ColumnChange {
	var out []ColumnChange
	for _, pc := range p.Columns {
		bc := b.Column(pc.Name)
		switch {
		case bc == nil:
			// A column only documented on one side is not known to be
			// new unless the catalog says so, or neither side has one.
			if pc.InCatalog || !b.ColumnsFromCatalog() {
				out = append(out, ColumnChange{Column: pc.Name, Change: ColumnAdded, PR: pc.Type})
			}
		case bc.Type != "" && pc.Type != "" && !strings.EqualFold(bc.Type, pc.Type):
			out = append(out, ColumnChange{Column: pc.Name, Change: ColumnTypeChanged, Base: bc.Type, PR: pc.Type})
		}
		if bc != nil && bc.Description != pc.Description && (bc.Documented || pc.Documented) {
			out = append(out, ColumnChange{Column: pc.Name, Change: ColumnDescription, Base: bc.Description, PR: pc.Description})
		}
	}
	for _, bc := range b.Columns {
		if p.Column(bc.Name) == nil && (bc.InCatalog || !p.ColumnsFromCatalog()) {
			out = append(out, ColumnChange{Column: bc.Name, Change: ColumnRemoved, Base: bc.Type})
		}
	}
	return out
}

// normalizedSQL is n's compiled SQL with the relations of n and of the
// nodes it reads written as their unique_ids, and whitespace collapsed, so
// that two builds into different schemas compare equal.
func normalizedSQL(g *manifest.Graph, n *manifest.Node) string {
	var pairs []string
	for _, id := range append([]string{n.UniqueID}, n.DependsOn...) {
		d := g.Node(id)
		if d == nil || d.Relation == "" {
			continue
		}
		var parts []string
		for _, s := range []string{d.Database, d.Schema, d.Identifier} {
			if s != "" {
				parts = append(parts, s)
			}
		}
		ph := "{{" + id + "}}"
		pairs = append(pairs, `"`+strings.Join(parts, `"."`)+`"`, ph, "`"+strings.Join(parts, "`.`")+"`", ph, strings.Join(parts, "."), ph)
	}
	return strings.Join(strings.Fields(strings.NewReplacer(pairs...).Replace(n.CompiledSQL)), " ")
}

// LineageChanges lists the columns of node id whose inputs (the columns
// they are computed from, and how: copy, transformation, aggregation)
// differ between base and pr, from each side's compiled SQL, and the
// columns its SQL adds or drops (when neither side selects * from
// something of unknown columns). note says
// why nothing could be compared (a side's SQL the grammar cannot read).
func LineageChanges(base, pr *Snapshot, id string) (changes []ColumnChange, note string) {
	bn, pn := base.Graph().Node(id), pr.Graph().Node(id)
	if bn == nil || pn == nil || bn.Kind != manifest.KindModel && bn.Kind != manifest.KindSnapshot {
		return nil, ""
	}
	bl, pl := base.lineageOf(bn, nil), pr.lineageOf(pn, nil)
	for _, l := range []*ColumnLineage{bl, pl} {
		if l.Level != LevelColumn {
			return nil, "column lineage not compared: " + l.Reason
		}
	}
	exact := len(bl.Passthrough) == 0 && len(pl.Passthrough) == 0
	for _, pc := range pl.Columns {
		bc := bl.Column(pc.Name)
		switch {
		case bc == nil && exact:
			changes = append(changes, ColumnChange{Column: pc.Name, Change: ColumnAdded, PR: inputs(&pc)})
		case bc == nil:
		default:
			if b, p := inputs(bc), inputs(&pc); b != p {
				changes = append(changes, ColumnChange{Column: pc.Name, Change: ColumnLineageChanged, Base: b, PR: p})
			}
		}
	}
	for _, bc := range bl.Columns {
		if exact && pl.Column(bc.Name) == nil {
			changes = append(changes, ColumnChange{Column: bc.Name, Change: ColumnRemoved, Base: inputs(&bc)})
		}
	}
	return changes, ""
}

// MergeColumnChanges adds to a the changes of b it does not have (the same
// column and kind of change), keeping a's order.
func MergeColumnChanges(a, b []ColumnChange) []ColumnChange {
	for _, c := range b {
		if !slices.ContainsFunc(a, func(x ColumnChange) bool { return strings.EqualFold(x.Column, c.Column) && x.Change == c.Change }) {
			a = append(a, c)
		}
	}
	return a
}

// inputs writes a column's inputs as "name.column (kind)", sorted.
func inputs(c *LineageColumn) string {
	var out []string
	for _, s := range c.Sources {
		from := s.Name
		if from == "" {
			from = s.Relation
		}
		out = append(out, from+"."+s.Column+" ("+string(s.Kind)+")")
	}
	sort.Strings(out)
	out = slices.Compact(out)
	if len(out) == 0 {
		return "no input column"
	}
	return strings.Join(out, ", ")
}

// TestedKey returns the column of node id that dbt tests say identifies a
// row: the first (in the node's column order, then by name) with both a
// unique and a not_null test attached to the node; nil when none has.
func TestedKey(g *manifest.Graph, id string) []string {
	tests := map[string]map[string]bool{}
	for _, tid := range g.Tests(id) {
		t := g.Node(tid)
		if t == nil || t.AttachedNode != id || t.ColumnName == "" || (t.TestName != "unique" && t.TestName != "not_null") {
			continue
		}
		col := strings.ToLower(strings.Trim(t.ColumnName, "\"`"))
		if tests[col] == nil {
			tests[col] = map[string]bool{}
		}
		tests[col][t.TestName] = true
	}
	keyed := func(col string) bool { return tests[col]["unique"] && tests[col]["not_null"] }
	if n := g.Node(id); n != nil {
		for _, c := range n.Columns {
			if keyed(strings.ToLower(c.Name)) {
				return []string{c.Name}
			}
		}
	}
	for _, col := range slices.Sorted(maps.Keys(tests)) {
		if keyed(col) {
			return []string{col}
		}
	}
	return nil
}
