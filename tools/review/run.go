package review

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/dbt"
	"github.com/datastack-mcp/datastack-mcp/tools"
	"github.com/datastack-mcp/datastack-mcp/tools/diff"
	"github.com/datastack-mcp/datastack-mcp/tools/impact"
)

// run is one review_dbt_changes call.
type run struct {
	ctx     context.Context
	d       *tools.Deps
	o       Options
	lineage *tools.Tool // lineage_impact, nil without dbt projects

	base, pr *dbt.Snapshot
	out      *Review
}

// projects picks the base and PR projects.
func (r *run) projects(a Args) (base, pr *dbt.Project, bad *tools.Result) {
	if r.o.DBT == nil || len(r.o.DBT.Names()) < 2 {
		return nil, nil, tools.ErrorResult("%s: needs two dbt projects, production's and the pull request's (the dbt section of the config file, each with its manifest and warehouse).", Name)
	}
	names := r.o.DBT.Names()
	b, p := a.Base, a.PR
	if b == "" || p == "" {
		if len(names) != 2 {
			return nil, nil, tools.ErrorResult("%s: %d dbt projects are configured (%s): give base (production's) and pr.", Name, len(names), strings.Join(names, ", "))
		}
		switch {
		case b != "":
			p = other(names, b)
		case p != "":
			b = other(names, p)
		case strings.HasPrefix(strings.ToLower(names[1]), strings.ToLower(names[0])):
			b, p = names[0], names[1]
		case strings.HasPrefix(strings.ToLower(names[0]), strings.ToLower(names[1])):
			b, p = names[1], names[0]
		default:
			return nil, nil, tools.ErrorResult("%s: which of the dbt projects %s is production's? Give base and pr.", Name, strings.Join(names, " and "))
		}
	}
	var err error
	if base, err = r.o.DBT.Get(b); err != nil {
		return nil, nil, tools.ErrorResult("%s: base: %v", Name, err)
	}
	if pr, err = r.o.DBT.Get(p); err != nil {
		return nil, nil, tools.ErrorResult("%s: pr: %v", Name, err)
	}
	if base == pr {
		return nil, nil, tools.ErrorResult("%s: base and pr are the same project (%s); give production's as base and the pull request's as pr.", Name, base.Name())
	}
	return base, pr, nil
}

// other is the name of names that is not name (case-insensitive), or name.
func other(names []string, name string) string {
	for _, n := range names {
		if !strings.EqualFold(n, name) {
			return n
		}
	}
	return name
}

func (r *run) review(a Args) *tools.Result {
	bp, pp, bad := r.projects(a)
	if bad != nil {
		return bad
	}
	var err error
	if r.base, err = bp.Snapshot(); err != nil {
		return tools.ErrorResult("%s: the dbt project %s cannot be read: %v", Name, bp.Name(), err)
	}
	if r.pr, err = pp.Snapshot(); err != nil {
		return tools.ErrorResult("%s: the dbt project %s cannot be read: %v", Name, pp.Name(), err)
	}
	nModels, nSamples := clamp(a.MaxModels, defaultModels, maxModels), clamp(a.MaxSamples, defaultSamples, maxSamples)
	r.out = &Review{Base: Side{Project: bp.Name(), Warehouse: r.o.ProjectWarehouse[bp.Name()]},
		PR: Side{Project: pp.Name(), Warehouse: r.o.ProjectWarehouse[pp.Name()]}, Models: []Model{}}

	sd := dbt.CompareStates(r.base, r.pr)
	chosen, bad := r.choose(sd, a.Models)
	if bad != nil {
		return bad
	}
	for _, c := range sd.Nodes {
		r.out.Counts.Changed++
		switch c.Change {
		case dbt.ChangeNew:
			r.out.Counts.New++
		case dbt.ChangeRemoved:
			r.out.Counts.Removed++
		default:
			r.out.Counts.Modified++
		}
	}
	if len(chosen) > nModels {
		for _, c := range chosen[nModels:] {
			r.out.NotReviewed = append(r.out.NotReviewed, c.Name)
		}
		chosen = chosen[:nModels]
	}
	prog := tools.NewProgress(r.ctx, 2+2*len(chosen))
	prog.Report("Compared %s with %s: %d changed of %d models, seeds and snapshots.", pp.Name(), bp.Name(), len(sd.Nodes), sd.Compared)
	if !a.SkipDiffs {
		r.checkWarehouses()
	}
	deadline := r.o.now().Add(r.o.Wait)
	seen := downstreamSeen{}
	for _, c := range chosen {
		m := Model{NodeChange: c}
		if c.Change == dbt.ChangeModified && c.CodeChanged() {
			lc, note := dbt.LineageChanges(r.base, r.pr, c.ID)
			m.Columns = dbt.MergeColumnChanges(m.Columns, lc)
			if note != "" {
				r.note(c.Name + ": " + note)
			}
		}
		if !a.SkipDiffs {
			prog.Report("%s: diffing its production and PR tables.", c.Name)
			m.Diff = r.diff(c, a.PrimaryKeys, nSamples, deadline)
			if m.Diff.Status == statusDone {
				r.out.Counts.Diffed++
				if m.Diff.Result != "identical" {
					r.out.Counts.Differing++
				}
			}
		}
		prog.Report("%s: what it reaches downstream.", c.Name)
		m.Downstream = r.downstream(c, changedColumns(m), seen)
		r.out.Models = append(r.out.Models, m)
	}
	r.out.Counts.Reviewed = len(r.out.Models)
	seen.count(&r.out.Counts)
	r.finish(a)
	prog.Finish("Reviewed %d changed models.", r.out.Counts.Reviewed)
	return tools.JSONResult(r.out)
}

// choose picks the changed nodes the call asks about (all when models is
// empty); a name that is no changed node is an error naming them.
func (r *run) choose(sd *dbt.StateDiff, models []string) ([]dbt.NodeChange, *tools.Result) {
	if len(models) == 0 {
		return sd.Nodes, nil
	}
	var out []dbt.NodeChange
	for _, want := range models {
		i := slices.IndexFunc(sd.Nodes, func(c dbt.NodeChange) bool {
			return strings.EqualFold(c.Name, want) || c.ID == want
		})
		if i < 0 {
			var names []string
			for _, c := range sd.Nodes {
				names = append(names, c.Name)
			}
			changed := "none changed"
			if len(names) > 0 {
				changed = "changed: " + strings.Join(names, ", ")
			}
			return nil, tools.ErrorResult("%s: %q is not a changed model of %s against %s (%s).", Name, want, sd.PR, sd.Base, changed)
		}
		if !slices.ContainsFunc(out, func(c dbt.NodeChange) bool { return c.ID == sd.Nodes[i].ID }) {
			out = append(out, sd.Nodes[i])
		}
	}
	return out, nil
}

// checkWarehouses notes a project without a warehouse connection.
func (r *run) checkWarehouses() {
	for _, s := range []Side{r.out.Base, r.out.PR} {
		if s.Warehouse == "" {
			r.note(fmt.Sprintf("dbt project %s names no warehouse connection, so no data is diffed: add \"warehouse\" to its entry in the config file's dbt projects.", s.Project))
		}
	}
}

// changedColumns are the columns of a model whose change travels
// downstream, most telling first: those computed differently, removed or
// retyped, then those whose data differs; at most maxColumnWalks.
func changedColumns(m Model) []string {
	var out []string
	add := func(col string) {
		if len(out) < maxColumnWalks && !slices.ContainsFunc(out, func(c string) bool { return strings.EqualFold(c, col) }) {
			out = append(out, col)
		}
	}
	for _, c := range m.Columns {
		switch c.Change {
		case dbt.ColumnLineageChanged, dbt.ColumnRemoved, dbt.ColumnTypeChanged:
			add(c.Column)
		}
	}
	if m.Diff != nil {
		for _, c := range m.Diff.Columns {
			add(c.Column)
		}
	}
	return out
}

// downstream asks lineage_impact what the node reaches (in production's
// project, or the PR's for a new model): the node, then each of columns,
// which is how Lightdash fields, charts and dashboards are reached.
func (r *run) downstream(c dbt.NodeChange, columns []string, seen downstreamSeen) *Downstream {
	project, snap := r.out.Base.Project, r.base
	if c.Change == dbt.ChangeNew {
		project, snap = r.out.PR.Project, r.pr
	}
	var walk, unknown []string
	for _, col := range columns {
		if _, _, err := snap.ResolveColumn(c.ID + "." + col); err == nil {
			walk = append(walk, col)
		} else {
			unknown = append(unknown, col)
		}
	}
	columns = walk
	out := &Downstream{Project: project, Models: []string{}, Columns: columns, Complete: true}
	if len(unknown) > 0 {
		out.Note = fmt.Sprintf("not walked column by column, being no column of %s in %s's manifest: %s", c.Name, project, strings.Join(unknown, ", "))
	}
	if r.lineage == nil {
		out.Complete, out.Note = false, "lineage_impact is not available on this server"
		return out
	}
	if c.Change == dbt.ChangeRemoved {
		columns = nil // production's columns of a model the PR removes all break
	}
	for i, col := range append([]string{""}, columns...) {
		args := map[string]any{"node": c.ID, "project": project, "direction": "downstream", "max_depth": downstreamDepth, "max_nodes": downstreamNodes}
		if col != "" {
			args["column"] = col
		}
		// The nested call reports no progress of its own: this call does.
		res := r.lineage.Call(tools.WithRequest(r.ctx, &tools.Request{}), r.d, args)
		imp, ok := res.Structured.(*impact.Impact)
		if res.IsError || !ok {
			out.Complete, out.Note = false, "lineage_impact failed: "+tools.Clip(strings.TrimSpace(res.Text), 300)
			continue
		}
		if i == 0 {
			out.Tests = len(imp.Tests)
		}
		r.collect(out, imp, seen)
	}
	if out.Note != "" {
		r.note(c.Name + ": " + out.Note)
	}
	return out
}

// collect adds what one lineage_impact answer reached.
func (r *run) collect(out *Downstream, imp *impact.Impact, seen downstreamSeen) {
	for _, n := range imp.Nodes {
		if n.Root {
			continue
		}
		var list *[]string
		switch n.Kind {
		case "model", "seed", "snapshot":
			list = &out.Models
		case "exposure":
			list = &out.Exposures
		case impact.KindLightdashExplore:
			list = &out.LightdashExplores
		case impact.KindLightdashChart:
			list = &out.LightdashCharts
		case impact.KindLightdashDashboard:
			list = &out.LightdashDashboards
		default:
			continue
		}
		if !slices.Contains(*list, n.Name) {
			*list = append(*list, n.Name)
			seen.add(n.Kind, n.ID)
		}
	}
	if !imp.Complete {
		why := append(append([]string{}, imp.Errors...), imp.Notes...)
		if imp.Continue != nil {
			why = append(why, imp.Continue.Reasons...)
		}
		out.Complete, out.Note = false, "lineage_impact's answer is incomplete: "+tools.Clip(strings.Join(first(why, 3), "; "), 400)
	}
}

// downstreamSeen counts distinct downstream assets across models.
type downstreamSeen map[string]map[string]bool

func (s downstreamSeen) add(kind, id string) {
	if s[kind] == nil {
		s[kind] = map[string]bool{}
	}
	s[kind][id] = true
}

func (s downstreamSeen) count(c *Counts) {
	c.DownstreamModels = len(s["model"]) + len(s["seed"]) + len(s["snapshot"])
	c.Exposures = len(s["exposure"])
	c.LightdashCharts = len(s[impact.KindLightdashChart])
	c.LightdashDashboards = len(s[impact.KindLightdashDashboard])
}

func (r *run) note(s string) {
	if !slices.Contains(r.out.Notes, s) {
		r.out.Notes = append(r.out.Notes, s)
	}
}

// clamp is v within [1, most], def when v is not set.
func clamp(v, def, most int) int {
	if v <= 0 {
		return def
	}
	return min(v, most)
}

// finish writes the verdict, whether it is complete, and the next calls.
func (r *run) finish(a Args) {
	o := r.out
	o.Complete = len(o.NotReviewed) == 0
	for _, m := range o.Models {
		if (m.Diff != nil && m.Diff.Status != "done" && m.DataChanged()) || (m.Downstream != nil && !m.Downstream.Complete) {
			o.Complete = false
		}
	}
	o.Summary = r.verdict()
	o.Next = r.next(a)
}

// verdict is the answer in a few sentences.
func (r *run) verdict() string {
	o := r.out
	if o.Counts.Changed == 0 {
		return fmt.Sprintf("No model, seed or snapshot of %s differs from %s.", o.PR.Project, o.Base.Project)
	}
	var b strings.Builder
	noun := "model"
	for _, m := range o.Models {
		if m.Kind != "model" {
			noun = "node"
		}
	}
	fmt.Fprintf(&b, "%s changed in %s against %s (%d modified, %d new, %d removed)", plural(o.Counts.Changed, noun), o.PR.Project, o.Base.Project,
		o.Counts.Modified, o.Counts.New, o.Counts.Removed)
	if len(o.NotReviewed) > 0 {
		fmt.Fprintf(&b, "; %d reviewed, %d not (not_reviewed)", o.Counts.Reviewed, len(o.NotReviewed))
	}
	b.WriteString(".")
	for _, m := range o.Models {
		fmt.Fprintf(&b, " %s (%s", m.Name, m.Change)
		if len(m.Reasons) > 0 {
			b.WriteString(": " + strings.Join(m.Reasons, ", "))
		}
		b.WriteString(")")
		if m.Diff != nil {
			b.WriteString(": " + m.Diff.Summary)
		}
		b.WriteString(".")
	}
	c := o.Counts
	var reach []string
	for _, p := range []struct {
		n         int
		one, many string
	}{{c.DownstreamModels, "dbt model", "dbt models"}, {c.Exposures, "exposure", "exposures"},
		{c.LightdashCharts, "Lightdash chart", "Lightdash charts"}, {c.LightdashDashboards, "Lightdash dashboard", "Lightdash dashboards"}} {
		if p.n > 0 {
			reach = append(reach, plural(p.n, p.one, p.many))
		}
	}
	if len(reach) > 0 {
		fmt.Fprintf(&b, " Downstream: %s.", strings.Join(reach, ", "))
	} else {
		b.WriteString(" Nothing downstream.")
	}
	if !o.Complete {
		b.WriteString(" The review is not complete: see notes, not_reviewed and each model's diff.")
	}
	return b.String()
}

// plural writes n and the noun (one, or many when given, else one+"s").
func plural(n int, one string, many ...string) string {
	if n == 1 {
		return "1 " + one
	}
	if len(many) > 0 {
		return fmt.Sprintf("%d %s", n, many[0])
	}
	return fmt.Sprintf("%d %ss", n, one)
}

// next are the calls that go further, most useful first.
func (r *run) next(a Args) []diff.DiffNext {
	o := r.out
	var out []diff.DiffNext
	add := func(n diff.DiffNext) {
		if len(out) < maxNext {
			out = append(out, n)
		}
	}
	var keyless []string
	for _, m := range o.Models {
		d := m.Diff
		switch {
		case d == nil:
		case d.Status == "done" && d.Result != "identical":
			add(diff.DiffNext{Tool: diff.TablesName, Arguments: map[string]any{
				"a": map[string]any{"warehouse": o.Base.Warehouse, "table": tableOf(d.Base)},
				"b": map[string]any{"warehouse": o.PR.Warehouse, "table": tableOf(d.PR)}, "primary_key": d.PrimaryKey},
				Why: fmt.Sprintf("more samples of how %s differs, or narrow it with filters", m.Name)})
		case d.Status == "skipped" && d.Reason == reasonNoKey:
			keyless = append(keyless, m.Name)
		}
	}
	for _, m := range o.Models {
		for _, c := range m.Columns {
			if c.Change == dbt.ColumnLineageChanged || c.Change == dbt.ColumnRemoved || c.Change == dbt.ColumnTypeChanged {
				add(diff.DiffNext{Tool: impact.Name, Arguments: map[string]any{"node": m.Name, "column": c.Column, "project": o.Base.Project},
					Why: fmt.Sprintf("what reads %s.%s (%s), column by column", m.Name, c.Column, strings.ReplaceAll(c.Change, "_", " "))})
				break
			}
		}
	}
	if len(keyless) > 0 {
		keys := map[string]any{}
		for _, n := range keyless {
			keys[n] = []string{"<key column>"}
		}
		add(diff.DiffNext{Tool: Name, Arguments: map[string]any{"base": o.Base.Project, "pr": o.PR.Project, "models": keyless, "primary_keys": keys},
			Why: "diff the models no dbt test gives a key (find one with warehouse_describe_table)"})
	}
	if len(o.NotReviewed) > 0 {
		add(diff.DiffNext{Tool: Name, Arguments: map[string]any{"base": o.Base.Project, "pr": o.PR.Project, "models": o.NotReviewed},
			Why: "review the changed models left out"})
	}
	return out
}

// tableOf is the table of a "warehouse:table" side.
func tableOf(side string) string {
	_, t, _ := strings.Cut(side, ":")
	return t
}
