package sqllineage

import (
	"fmt"
	"strings"

	pg "github.com/datastack-mcp/datastack-mcp/sqlast/pgnode"
)

// selectRel analyses one SELECT (or set operation, or VALUES) in the
// scope outer (for correlated and LATERAL references) with the CTEs ctes.
func (a *analyzer) selectRel(stmt *pg.SelectStmt, outer *scope, ctes *cteScope) *relation {
	if stmt.WithClause != nil {
		ctes = a.withScope(stmt.WithClause, ctes)
	}
	if stmt.Op > pg.SetOperation_SETOP_NONE {
		return a.setOp(stmt, outer, ctes)
	}
	sc := &scope{parent: outer, ctes: ctes}
	if len(stmt.ValuesLists) > 0 {
		return a.values(stmt, sc)
	}
	for _, item := range stmt.FromClause {
		a.fromItem(item, sc)
	}
	for _, w := range stmt.WindowClause {
		if wd := w.GetWindowDef(); wd != nil && wd.Name != "" {
			if sc.windows == nil {
				sc.windows = map[string]*pg.WindowDef{}
			}
			sc.windows[strings.ToLower(wd.Name)] = wd
		}
	}
	out := newRelation("query")
	sc.outputs = out
	for _, t := range stmt.TargetList {
		rt := t.GetResTarget()
		if rt == nil {
			continue
		}
		if cr := rt.GetVal().GetColumnRef(); cr != nil && isStar(cr) {
			a.expandStar(cr, sc, out)
			continue
		}
		var l lin
		a.expr(rt.Val, sc, Copy, &l)
		name := rt.Name
		if name == "" {
			name = figureName(rt.Val)
		}
		out.addCol(name, l)
	}
	return out
}

func isStar(cr *pg.ColumnRef) bool {
	n := len(cr.Fields)
	return n > 0 && cr.Fields[n-1].GetAStar() != nil
}

// setOp is UNION, INTERSECT or EXCEPT: columns match by position and take
// the left branch's names. UNION merges both branches' lineage; INTERSECT
// and EXCEPT only filter the left branch's rows.
func (a *analyzer) setOp(stmt *pg.SelectStmt, outer *scope, ctes *cteScope) *relation {
	l := a.selectRel(stmt.Larg, outer, ctes)
	r := a.selectRel(stmt.Rarg, outer, ctes)
	out := &relation{label: "query", complete: l.complete, open: l.open}
	for _, c := range l.cols {
		var cl lin
		cl.merge(c.lin, Copy)
		out.cols = append(out.cols, outCol{name: c.name, lin: cl})
	}
	if stmt.Op != pg.SetOperation_SETOP_UNION {
		return out
	}
	if !l.complete || !r.complete {
		for i := range out.cols {
			out.cols[i].lin.issue(a.problem("a UNION branch selects * over columns that are unknown, so its columns cannot be matched by position"))
		}
		out.complete = false
		out.open = append(append([]*relation(nil), l.open...), r.open...)
		return out
	}
	if len(l.cols) != len(r.cols) {
		a.global = append(a.global, a.problem(fmt.Sprintf("UNION branches have %d and %d columns", len(l.cols), len(r.cols))))
	}
	for i := range out.cols {
		if i < len(r.cols) {
			out.cols[i].lin.merge(r.cols[i].lin, Copy)
		}
	}
	return out
}

// values is VALUES (…), (…): columns column1…columnN.
func (a *analyzer) values(stmt *pg.SelectStmt, sc *scope) *relation {
	out := newRelation("VALUES")
	for _, row := range stmt.ValuesLists {
		for i, item := range row.GetList().GetItems() {
			if i >= len(out.cols) {
				out.addCol(fmt.Sprintf("column%d", i+1), lin{})
			}
			a.expr(item, sc, Copy, &out.cols[i].lin)
		}
	}
	return out
}

// figureName is the name PostgreSQL gives an unnamed output column.
func figureName(n *pg.Node) string {
	switch x := n.GetNode().(type) {
	case *pg.Node_ColumnRef:
		f := x.ColumnRef.Fields
		for i := len(f) - 1; i >= 0; i-- {
			if s := f[i].GetString_(); s != nil {
				return s.Sval
			}
		}
	case *pg.Node_FuncCall:
		return funcName(x.FuncCall)
	case *pg.Node_TypeCast:
		if name := figureName(x.TypeCast.Arg); name != "?column?" {
			return name
		}
		if names := x.TypeCast.GetTypeName().GetNames(); len(names) > 0 {
			return names[len(names)-1].GetString_().GetSval()
		}
	case *pg.Node_AIndirection:
		ind := x.AIndirection.Indirection
		for i := len(ind) - 1; i >= 0; i-- {
			if s := ind[i].GetString_(); s != nil {
				return s.Sval
			}
		}
		return figureName(x.AIndirection.Arg)
	case *pg.Node_CaseExpr:
		return "case"
	case *pg.Node_CoalesceExpr:
		return "coalesce"
	case *pg.Node_MinMaxExpr:
		if x.MinMaxExpr.Op == pg.MinMaxOp_IS_LEAST {
			return "least"
		}
		return "greatest"
	case *pg.Node_AArrayExpr:
		return "array"
	case *pg.Node_RowExpr:
		return "row"
	case *pg.Node_SubLink:
		switch x.SubLink.SubLinkType {
		case pg.SubLinkType_EXISTS_SUBLINK:
			return "exists"
		case pg.SubLinkType_ARRAY_SUBLINK:
			return "array"
		case pg.SubLinkType_EXPR_SUBLINK:
			if tl := x.SubLink.GetSubselect().GetSelectStmt().GetTargetList(); len(tl) > 0 {
				rt := tl[0].GetResTarget()
				if rt.GetName() != "" {
					return rt.GetName()
				}
				return figureName(rt.GetVal())
			}
		}
	case *pg.Node_AExpr:
		if x.AExpr.Kind == pg.A_Expr_Kind_AEXPR_NULLIF {
			return "nullif"
		}
	case *pg.Node_SqlvalueFunction:
		return strings.ToLower(strings.TrimPrefix(x.SqlvalueFunction.Op.String(), "SVFOP_"))
	}
	return "?column?"
}
