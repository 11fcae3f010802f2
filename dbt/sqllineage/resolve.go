package sqllineage

import (
	"fmt"
	"strings"

	pg "github.com/datastack-mcp/datastack-mcp/sqlast/pgnode"
)

// columnRef adds the lineage of a column reference used at strength ctx.
func (a *analyzer) columnRef(cr *pg.ColumnRef, sc *scope, ctx EdgeKind, out *lin) {
	var names []string
	star := false
	for _, f := range cr.Fields {
		if s := f.GetString_(); s != nil {
			names = append(names, strings.ToLower(s.Sval))
		} else if f.GetAStar() != nil {
			star = true
		}
	}
	if star {
		a.starInExpr(names, sc, ctx, out)
		return
	}
	if len(names) == 0 {
		return
	}
	if len(names) == 1 {
		a.resolveName(names[0], sc, ctx, out)
		return
	}
	a.resolveQualified(names[:len(names)-1], names[len(names)-1], sc, ctx, out)
}

type match struct {
	e *entry
	l lin
}

// resolveName resolves an unqualified column: in the FROM items of the
// innermost scope that has it, then the select list's earlier aliases,
// then the enclosing scopes.
func (a *analyzer) resolveName(name string, sc *scope, ctx EdgeKind, out *lin) {
	for s := sc; s != nil; s = s.parent {
		var defs, assumes []match
		for _, e := range s.entries {
			l, c, why := e.rel.lookup(name)
			switch c {
			case definite:
				defs = append(defs, match{e, l})
			case assumed:
				assumes = append(assumes, match{e, l})
			case ambiguous:
				out.issue(a.problem(why))
				return
			}
		}
		if len(defs) == 0 && len(assumes) > 0 && s.outputs.has(name) {
			out.issue(a.problem(fmt.Sprintf("%s may be the alias defined earlier in the select list or a column of %s, whose columns are unknown", quote(name), assumes[0].e.rel.label)))
			return
		}
		for _, ms := range [][]match{defs, assumes} {
			switch {
			case len(ms) == 1:
				out.merge(ms[0].l, ctx)
				return
			case len(ms) > 1 && s.joined(name, ms):
				for _, m := range ms {
					out.merge(m.l, ctx)
				}
				return
			case len(ms) > 1:
				labels := make([]string, len(ms))
				for i, m := range ms {
					labels[i] = m.e.rel.label
				}
				if len(defs) > 1 {
					out.issue(a.problem(fmt.Sprintf("column %s is ambiguous: %s all have it", quote(name), strings.Join(labels, ", "))))
				} else {
					out.issue(a.problem(fmt.Sprintf("column %s could come from %s (their columns are unknown)", quote(name), strings.Join(labels, " or "))))
				}
				return
			}
		}
		if s.outputs != nil {
			for _, c := range s.outputs.cols {
				if c.name == name {
					out.merge(c.lin, ctx)
					return
				}
			}
		}
	}
	out.issue(a.problem(fmt.Sprintf("column %s is not in any table of the FROM clause", quote(name))))
}

// joined reports whether the matches are the two sides of a JOIN USING or
// NATURAL JOIN on name.
func (s *scope) joined(name string, ms []match) bool {
	for _, g := range s.joins {
		if !g.merges(name) {
			continue
		}
		all := true
		for _, m := range ms {
			if !containsEntry(g.left, m.e) && !containsEntry(g.right, m.e) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

func containsEntry(es []*entry, e *entry) bool {
	for _, x := range es {
		if x == e {
			return true
		}
	}
	return false
}

// resolveQualified resolves t.col (or schema.t.col): in the innermost
// scope with a FROM item named t; failing that, t may be a column of a
// record or semi-structured type and col a field of it.
func (a *analyzer) resolveQualified(qual []string, col string, sc *scope, ctx EdgeKind, out *lin) {
	q := strings.Join(qual, ".")
	for s := sc; s != nil; s = s.parent {
		e := s.entry(q)
		if e == nil {
			continue
		}
		l, c, why := e.rel.lookup(col)
		switch c {
		case definite, assumed:
			out.merge(l, ctx)
		case ambiguous:
			out.issue(a.problem(why))
		default:
			out.issue(a.problem(fmt.Sprintf("column %s.%s not found: %s has columns %s", q, col, e.rel.label, e.rel.columnNames())))
		}
		return
	}
	if len(qual) == 1 {
		var field lin
		a.resolveName(qual[0], sc, maxKind(ctx, Transformation), &field)
		if len(field.issues) == 0 {
			out.merge(field, ctx)
			return
		}
	}
	out.issue(a.problem(fmt.Sprintf("%s.%s: no table %s in the FROM clause", q, col, quote(q))))
}

// starInExpr is t.* (or *) inside an expression, as in row(t.*): every
// column of t, transformed.
func (a *analyzer) starInExpr(qual []string, sc *scope, ctx EdgeKind, out *lin) {
	inner := maxKind(ctx, Transformation)
	var es []*entry
	if len(qual) == 0 {
		es = sc.entries
	} else if e := a.findEntry(strings.Join(qual, "."), sc); e != nil {
		es = []*entry{e}
	} else {
		out.issue(a.problem(fmt.Sprintf("%s.*: no table %s in the FROM clause", strings.Join(qual, "."), quote(strings.Join(qual, ".")))))
		return
	}
	for _, e := range es {
		for _, c := range e.rel.cols {
			out.merge(c.lin, inner)
		}
		if !e.rel.complete {
			out.issue(a.problem("the columns of " + e.rel.label + " are unknown, so " + e.rel.label + ".* could not be expanded"))
		}
	}
}

func (a *analyzer) findEntry(q string, sc *scope) *entry {
	for s := sc; s != nil; s = s.parent {
		if e := s.entry(q); e != nil {
			return e
		}
	}
	return nil
}

// expandStar adds the columns of SELECT * or SELECT t.* to out.
func (a *analyzer) expandStar(cr *pg.ColumnRef, sc *scope, out *relation) {
	var qual []string
	for _, f := range cr.Fields {
		if s := f.GetString_(); s != nil {
			qual = append(qual, strings.ToLower(s.Sval))
		}
	}
	es := sc.entries
	if len(qual) > 0 {
		e := a.findEntry(strings.Join(qual, "."), sc)
		if e == nil {
			a.global = append(a.global, a.problem(fmt.Sprintf("%s.*: no table %s in the FROM clause", strings.Join(qual, "."), quote(strings.Join(qual, ".")))))
			out.complete = false
			return
		}
		es = []*entry{e}
	}
	for _, e := range es {
		for _, c := range e.rel.cols {
			if len(qual) == 0 && a.hiddenUsing(sc, e, c.name) {
				continue
			}
			var l lin
			l.merge(c.lin, Copy)
			if len(qual) == 0 {
				a.mergeUsing(sc, e, c.name, &l)
			}
			out.cols = append(out.cols, outCol{name: c.name, lin: l})
		}
		if !e.rel.complete {
			out.complete = false
			out.open = append(out.open, e.rel)
		}
	}
}

// hiddenUsing: SELECT * shows a USING column once, from the left side.
func (a *analyzer) hiddenUsing(sc *scope, e *entry, name string) bool {
	for _, g := range sc.joins {
		if containsEntry(g.right, e) && g.merges(name) {
			for _, l := range g.left {
				if _, c, _ := l.rel.lookup(name); c == definite || c == assumed {
					return true
				}
			}
		}
	}
	return false
}

// mergeUsing adds the right side's lineage to a USING column of the left.
func (a *analyzer) mergeUsing(sc *scope, e *entry, name string, l *lin) {
	for _, g := range sc.joins {
		if containsEntry(g.left, e) && g.merges(name) {
			for _, r := range g.right {
				if rl, c, _ := r.rel.lookup(name); c == definite || c == assumed {
					l.merge(rl, Copy)
				}
			}
		}
	}
}
