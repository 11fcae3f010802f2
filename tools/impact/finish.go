package impact

import (
	"fmt"
	"sort"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/tools"
)

// finish fills counts, completeness, how to continue and the summary of
// an answer from dbt (d), Datafold (w) or both.
func (r *impactRun) finish(a ImpactArgs, d *impactDBT, w *impactWalk) {
	o := r.out
	for _, k := range impactKinds {
		o.Counts[k+"s"] = 0
	}
	for i := range o.Nodes {
		n := &o.Nodes[i]
		if n.Table != "" && n.Kind == KindColumn {
			n.Table = r.resolve(n.Table)
		}
		if !n.Root {
			o.Counts[n.Kind+"s"]++
		}
	}
	if len(o.Tests) > 0 {
		o.Counts["tests"] = len(o.Tests)
	}
	var reasons, frontier []string
	depthCut := false
	if w != nil {
		frontier = w.frontier
		if len(w.frontier) > 0 && (w.reachedCo < w.totalCo || w.reachedTa < w.totalTa) && !r.cut {
			depthCut = true
			reasons = append(reasons, fmt.Sprintf("max_depth %d: the lineage goes deeper (Datafold reports %s and %s in all; this answer has %s and %s)",
				w.maxDepth, impactPlural(w.totalCo, "column", "columns"), impactPlural(w.totalTa, "table", "tables"),
				impactPlural(w.reachedCo, "column", "columns"), impactPlural(w.reachedTa, "table", "tables")))
		}
	}
	if d != nil && d.truncated {
		reasons = append(reasons, d.cut...)
	}
	if r.cut {
		reasons = append(reasons, fmt.Sprintf("max_nodes %d: the answer is full; nodes beyond it (and the Lightdash assets of tables not yet looked up) are left out", o.MaxNodes))
	}
	if r.lookupsCut {
		reasons = append(reasons, fmt.Sprintf("lookups %d: the Lightdash lookups of one call stopped at their limit; the charts and dashboards of tables, fields and dashboards not yet looked up are left out", impactMaxLookups))
	}
	o.Truncated = len(reasons) > 0
	o.Complete = !o.Truncated && len(o.Errors) == 0 && !r.unknown
	if o.Truncated {
		o.Continue = r.next(a, d, w, reasons, frontier, depthCut)
	}
	o.Summary = r.summary(a, d, w)
}

// next says how to get what a truncated answer left out.
func (r *impactRun) next(a ImpactArgs, d *impactDBT, w *impactWalk, reasons, frontier []string, depthCut bool) *ImpactContinue {
	o := r.out
	next := map[string]any{"direction": o.Direction, "max_depth": o.MaxDepth, "max_nodes": o.MaxNodes}
	if a.Node != "" {
		next["node"] = a.Node
		if a.Column != "" {
			next["column"] = a.Column
		}
		if a.Project != "" {
			next["project"] = a.Project
		}
	} else if a.ColumnPath != "" {
		next["column_path"] = o.Root.Path
	} else {
		next["table_path"] = o.Root.Path
	}
	if w != nil {
		next["data_source_id"] = w.ds
		if len(r.dfConns) > 1 {
			next[tools.ConnectionArg] = w.conn
		}
	}
	c := &ImpactContinue{Reasons: reasons, Frontier: frontier}
	dbtCut := d != nil && d.truncated
	switch {
	case r.cut && o.MaxNodes < impactMaxNodes:
		next["max_nodes"] = impactMaxNodes
		c.Hint = fmt.Sprintf("call lineage_impact again with max_nodes %d (next_arguments), or start new calls from the frontier nodes.", impactMaxNodes)
		c.NextArguments = next
	case !r.cut && depthCut && !dbtCut && o.MaxDepth < impactMaxDepth:
		next["max_depth"] = min(impactMaxDepth, o.MaxDepth*2)
		c.Hint = fmt.Sprintf("call lineage_impact again with max_depth %d (next_arguments), or start new calls from the frontier nodes.", next["max_depth"])
		c.NextArguments = next
	case dbtCut && (o.MaxDepth < impactMaxDepth || o.MaxNodes < impactMaxNodes):
		next["max_depth"], next["max_nodes"] = min(impactMaxDepth, o.MaxDepth*2), impactMaxNodes
		c.Hint = "call lineage_impact again with larger bounds (next_arguments), or start new calls from the nodes at the edge of this answer."
		c.NextArguments = next
	case r.lookupsCut && !r.cut && !depthCut && !dbtCut:
		c.Hint = "the Lightdash lookups of one call are at their limit: narrow the question (lightdash_projects, a column rather than a table, or a node at the edge of this answer) to look up the rest."
	default:
		c.Hint = "the bounds are at their maximum: start new lineage_impact calls from the frontier nodes (their path is the column_path or table_path)."
	}
	return c
}

func (r *impactRun) summary(a ImpactArgs, d *impactDBT, w *impactWalk) string {
	o := r.out
	c := o.Counts
	var b strings.Builder
	if a.Node != "" {
		b.WriteString(r.dbtSummary())
		if w != nil {
			fmt.Fprintf(&b, " Merged with Datafold's lineage of data source %d.", w.ds)
		}
	} else {
		if o.Direction == "downstream" {
			fmt.Fprintf(&b, "Changing %s %s (Datafold data source %d) reaches %s and %s downstream",
				o.Root.Kind, o.Root.Path, o.Root.DataSourceID, impactPlural(c["columns"], "column", "columns"), impactPlural(c["tables"], "table", "tables"))
		} else {
			fmt.Fprintf(&b, "%s %s (Datafold data source %d) is computed from %s and %s upstream",
				strings.ToUpper(o.Root.Kind[:1])+o.Root.Kind[1:], o.Root.Path, o.Root.DataSourceID, impactPlural(c["columns"], "column", "columns"), impactPlural(c["tables"], "table", "tables"))
		}
		fmt.Fprintf(&b, " (depth %d)", o.DepthReached)
		if d != nil {
			fmt.Fprintf(&b, ", merged with dbt project %s", d.project)
		}
		if o.Direction == "downstream" {
			var ld []string
			for _, k := range []struct{ key, one, many string }{
				{"lightdash_explores", "explore", "explores"}, {"lightdash_fields", "field", "fields"},
				{"lightdash_charts", "chart", "charts"}, {"lightdash_dashboards", "dashboard", "dashboards"},
			} {
				ld = append(ld, impactPlural(c[k.key], k.one, k.many))
			}
			fmt.Fprintf(&b, "; in Lightdash (%s) %s", impactPlural(len(o.LightdashProjects), "project", "projects"), impactJoinAnd(ld))
			if n := c["bi_integrations"]; n > 0 {
				fmt.Fprintf(&b, "; %s index%s the data source", impactPlural(n, "Datafold BI integration", "Datafold BI integrations"), map[bool]string{true: "es", false: ""}[n == 1])
			}
		}
		b.WriteString(".")
	}
	b.WriteString(" ")
	switch {
	case o.Complete:
		b.WriteString("The answer is complete.")
	case o.Truncated:
		b.WriteString("The answer is truncated: " + o.Continue.Hint)
	case len(o.Errors) > 0:
		b.WriteString("Some lookups failed (see errors), so the answer may be incomplete.")
	default:
		b.WriteString("Some of it is not known (see notes), so the answer may be incomplete.")
	}
	return b.String()
}

// dbtSummary sums up an answer whose root is a dbt node.
func (r *impactRun) dbtSummary() string {
	o := r.out
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
	return fmt.Sprintf("In dbt project %s, %s %s %s %s (depth %d).", o.Root.Project, o.Root.Kind, o.Root.Path, verb, what, o.DepthReached)
}
