package sqllineage

import (
	"strings"

	pg "github.com/datastack-mcp/datastack-mcp/sqlast/pgnode"
)

// analyzer holds what one Analyze call accumulates.
type analyzer struct {
	cat     Catalog
	tables  map[string]bool
	unknown map[string]bool
	// global are problems not tied to one output column.
	global []string
	// where names the CTE or subquery being analysed, for messages.
	where string
	// tableRels caches each catalog table's relation.
	tableRels map[string]*relation
}

func (a *analyzer) problem(s string) string {
	if a.where != "" {
		return a.where + ": " + s
	}
	return s
}

// entry is one FROM item visible in a scope.
type entry struct {
	// names are the lowercase qualifiers it answers to: its alias, or its
	// name, schema.name and database.schema.name.
	names []string
	rel   *relation
}

func (e *entry) answers(q string) bool {
	for _, n := range e.names {
		if n == q {
			return true
		}
	}
	return false
}

// joinGroup records a JOIN … USING or NATURAL JOIN: the named columns of
// its two sides are one column.
type joinGroup struct {
	left, right []*entry
	using       []string
	natural     bool
}

func (j *joinGroup) merges(name string) bool {
	if j.natural {
		return true
	}
	for _, u := range j.using {
		if u == name {
			return true
		}
	}
	return false
}

// scope is the name space of one SELECT: its FROM items, the scopes
// around it (correlated references) and the CTEs it sees.
type scope struct {
	parent  *scope
	ctes    *cteScope
	entries []*entry
	joins   []*joinGroup
	// outputs is the select list built so far: Snowflake, DuckDB and
	// BigQuery let a later expression use an earlier alias.
	outputs *relation
	// windows are the WINDOW clause's named windows.
	windows map[string]*pg.WindowDef
}

// window returns the definition a window refers to by name, walking the
// scopes out.
func (s *scope) window(name string) *pg.WindowDef {
	for sc := s; sc != nil; sc = sc.parent {
		if w := sc.windows[strings.ToLower(name)]; w != nil {
			return w
		}
	}
	return nil
}

func (s *scope) entry(q string) *entry {
	for _, e := range s.entries {
		if e.answers(q) {
			return e
		}
	}
	return nil
}

// cteScope is one WITH clause.
type cteScope struct {
	parent    *cteScope
	defs      map[string]*cteDef
	recursive bool
}

type cteDef struct {
	name  string
	expr  *pg.CommonTableExpr
	scope *cteScope
	rel   *relation
	state int // 0 new, 1 being analysed, 2 done
}

func (c *cteScope) find(name string) *cteDef {
	for s := c; s != nil; s = s.parent {
		if d := s.defs[name]; d != nil {
			return d
		}
	}
	return nil
}

func (a *analyzer) withScope(w *pg.WithClause, parent *cteScope) *cteScope {
	cs := &cteScope{parent: parent, defs: map[string]*cteDef{}, recursive: w.Recursive}
	for _, n := range w.Ctes {
		if cte := n.GetCommonTableExpr(); cte != nil {
			name := strings.ToLower(cte.Ctename)
			cs.defs[name] = &cteDef{name: name, expr: cte, scope: cs}
		}
	}
	return cs
}

// cteRel analyses a CTE once, on first use.
func (a *analyzer) cteRel(d *cteDef) *relation {
	switch d.state {
	case 2:
		return d.rel
	case 1:
		if d.rel != nil { // a recursive CTE's own reference: its base case
			return d.rel
		}
		rel := &relation{label: "CTE " + d.name}
		a.global = append(a.global, a.problem("CTE "+quote(d.name)+" refers to itself without WITH RECURSIVE"))
		return rel
	}
	d.state = 1
	saved := a.where
	a.where = "CTE " + quote(d.name)
	defer func() { a.where = saved }()
	q := d.expr.GetCtequery().GetSelectStmt()
	if q == nil {
		d.rel = &relation{label: "CTE " + d.name}
		a.global = append(a.global, a.problem("not a SELECT; its columns are unknown"))
	} else {
		if d.scope.recursive && q.Op > pg.SetOperation_SETOP_NONE && q.Larg != nil {
			d.rel = a.renamed(a.selectRel(q.Larg, nil, d.scope), d.expr.Aliascolnames, "CTE "+d.name)
		}
		d.rel = a.renamed(a.selectRel(q, nil, d.scope), d.expr.Aliascolnames, "CTE "+d.name)
	}
	d.state = 2
	return d.rel
}

// renamed returns rel with its first columns renamed (t(a, b) aliases)
// and its label set.
func (a *analyzer) renamed(rel *relation, names []*pg.Node, label string) *relation {
	if len(names) == 0 && rel.label == label {
		return rel
	}
	out := *rel
	out.label = label
	if len(names) > 0 {
		out.cols = append([]outCol(nil), rel.cols...)
		for i, n := range names {
			if i < len(out.cols) {
				out.cols[i].name = strings.ToLower(n.GetString_().GetSval())
			}
		}
	}
	return &out
}

// tableRel is the relation of a catalog table.
func (a *analyzer) tableRel(t Table) *relation {
	a.tables[t.ID] = true
	if r := a.tableRels[t.ID]; r != nil {
		return r
	}
	r := &relation{label: t.ID, base: t.ID, complete: t.Complete}
	for _, c := range t.Columns {
		var l lin
		l.add(colKey{t.ID, strings.ToLower(c)}, Copy)
		r.addCol(c, l)
	}
	if a.tableRels == nil {
		a.tableRels = map[string]*relation{}
	}
	a.tableRels[t.ID] = r
	return r
}

// fromItem adds the entries of one FROM item to sc.
func (a *analyzer) fromItem(n *pg.Node, sc *scope) {
	switch x := n.Node.(type) {
	case *pg.Node_RangeVar:
		a.rangeVar(x.RangeVar, sc)
	case *pg.Node_RangeSubselect:
		rs := x.RangeSubselect
		alias := strings.ToLower(rs.GetAlias().GetAliasname())
		outer := sc.parent
		if rs.Lateral {
			outer = sc
		}
		saved := a.where
		a.where = "subquery " + quote(alias)
		var rel *relation
		if q := rs.GetSubquery().GetSelectStmt(); q != nil {
			rel = a.selectRel(q, outer, sc.ctes)
		} else {
			rel = &relation{}
		}
		a.where = saved
		rel = a.renamed(rel, rs.GetAlias().GetColnames(), "subquery "+alias)
		sc.entries = append(sc.entries, &entry{names: []string{alias}, rel: rel})
	case *pg.Node_JoinExpr:
		j := x.JoinExpr
		start := len(sc.entries)
		a.fromItem(j.Larg, sc)
		mid := len(sc.entries)
		a.fromItem(j.Rarg, sc)
		if len(j.UsingClause) > 0 || j.IsNatural {
			g := &joinGroup{left: sc.entries[start:mid:mid], right: sc.entries[mid:], natural: j.IsNatural}
			for _, u := range j.UsingClause {
				g.using = append(g.using, strings.ToLower(u.GetString_().GetSval()))
			}
			sc.joins = append(sc.joins, g)
		}
	case *pg.Node_RangeFunction:
		a.rangeFunction(x.RangeFunction, sc)
	case *pg.Node_RangeTableSample:
		a.fromItem(x.RangeTableSample.Relation, sc)
	default:
		a.global = append(a.global, a.problem("a FROM item of a kind this analysis does not follow; its columns are unknown"))
		sc.entries = append(sc.entries, &entry{rel: &relation{label: "FROM item"}})
	}
}

func (a *analyzer) rangeVar(rv *pg.RangeVar, sc *scope) {
	var parts []string
	for _, p := range []string{rv.Catalogname, rv.Schemaname, rv.Relname} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	name := strings.ToLower(rv.Relname)
	var rel *relation
	if rv.Schemaname == "" {
		if strings.HasPrefix(name, "__dbt__cte__") {
			if t, ok := a.cat.Table(parts); ok {
				rel = a.tableRel(t)
			}
		}
		d := sc.ctes.find(name)
		// Inside a non-recursive CTE its own name means an outer one.
		for d != nil && d.state == 1 && !d.scope.recursive {
			d = d.scope.parent.find(name)
		}
		if rel == nil && d != nil {
			rel = a.cteRel(d)
		}
	}
	if rel == nil {
		if t, ok := a.cat.Table(parts); ok {
			rel = a.tableRel(t)
		} else {
			id := strings.Join(parts, ".")
			a.unknown[id] = true
			rel = &relation{label: id, base: id}
		}
	}
	var names []string
	if alias := rv.GetAlias(); alias != nil {
		names = []string{strings.ToLower(alias.Aliasname)}
		rel = a.renamed(rel, alias.Colnames, rel.label)
	} else {
		for i := range parts {
			names = append(names, strings.ToLower(strings.Join(parts[i:], ".")))
		}
	}
	sc.entries = append(sc.entries, &entry{names: names, rel: rel})
}

// rangeFunction is a table function (unnest, generate_series, flatten):
// every column it yields comes from its arguments.
func (a *analyzer) rangeFunction(rf *pg.RangeFunction, sc *scope) {
	var l lin
	label := "function"
	for _, f := range rf.Functions {
		items := f.GetList().GetItems()
		if len(items) > 0 {
			if fc := items[0].GetFuncCall(); fc != nil {
				label = funcName(fc)
			}
			a.expr(items[0], sc, Transformation, &l)
		}
	}
	alias := strings.ToLower(rf.GetAlias().GetAliasname())
	if alias == "" {
		alias = label
	}
	rel := &relation{label: "function " + label, fn: &l}
	var names []string
	for _, n := range rf.GetAlias().GetColnames() {
		names = append(names, n.GetString_().GetSval())
	}
	for _, n := range rf.Coldeflist {
		names = append(names, n.GetColumnDef().GetColname())
	}
	if len(names) > 0 {
		rel.complete = true
		for _, n := range names {
			var cl lin
			cl.merge(l, Transformation)
			rel.addCol(n, cl)
		}
	}
	sc.entries = append(sc.entries, &entry{names: []string{alias}, rel: rel})
}
