package sqllineage

import (
	"strings"

	pg "github.com/datastack-mcp/datastack-mcp/sqlast/pgnode"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// expr adds the lineage of expression n to out. ctx is the strength of
// the context: Copy for a bare column of the select list, Transformation
// inside any expression, Aggregation inside an aggregate.
func (a *analyzer) expr(n *pg.Node, sc *scope, ctx EdgeKind, out *lin) {
	if n == nil {
		return
	}
	switch x := n.Node.(type) {
	case *pg.Node_ColumnRef:
		a.columnRef(x.ColumnRef, sc, ctx, out)
	case *pg.Node_AConst, *pg.Node_ParamRef, *pg.Node_SqlvalueFunction:
	case *pg.Node_FuncCall:
		a.funcCall(x.FuncCall, sc, ctx, out)
	case *pg.Node_SubLink:
		a.subLink(x.SubLink, sc, ctx, out)
	case *pg.Node_SelectStmt:
		a.subquery(x.SelectStmt, sc, ctx, out)
	default:
		inner := maxKind(ctx, Transformation)
		children(n, func(c *pg.Node) { a.expr(c, sc, inner, out) })
	}
}

func (a *analyzer) funcCall(fc *pg.FuncCall, sc *scope, ctx EdgeKind, out *lin) {
	argKind := maxKind(ctx, Transformation)
	if isAggregate(fc) {
		argKind = Aggregation
	}
	for _, arg := range fc.Args {
		a.expr(arg, sc, argKind, out)
	}
	for _, o := range fc.AggOrder {
		a.expr(o, sc, argKind, out)
	}
	a.expr(fc.AggFilter, sc, argKind, out)
	inner := maxKind(ctx, Transformation)
	// OVER (w ORDER BY …) or OVER w: the named window's clauses too.
	for w, hops := fc.Over, 0; w != nil && hops < 8; hops++ {
		for _, p := range w.PartitionClause {
			a.expr(p, sc, inner, out)
		}
		for _, o := range w.OrderClause {
			a.expr(o, sc, inner, out)
		}
		ref := w.Refname
		if ref == "" && w.Name != "" && len(w.PartitionClause)+len(w.OrderClause) == 0 {
			ref = w.Name
		}
		if ref == "" {
			break
		}
		w = sc.window(ref)
	}
}

// subLink is a subquery in an expression: a scalar subquery or ARRAY(…)
// yields its output's lineage; x IN (…) and x = ANY (…) also read x.
// EXISTS yields a boolean about rows, not values.
func (a *analyzer) subLink(sl *pg.SubLink, sc *scope, ctx EdgeKind, out *lin) {
	inner := maxKind(ctx, Transformation)
	a.expr(sl.Testexpr, sc, inner, out)
	if sl.SubLinkType == pg.SubLinkType_EXISTS_SUBLINK {
		return
	}
	if q := sl.GetSubselect().GetSelectStmt(); q != nil {
		a.subquery(q, sc, ctx, out)
	}
}

func (a *analyzer) subquery(q *pg.SelectStmt, sc *scope, ctx EdgeKind, out *lin) {
	rel := a.selectRel(q, sc, sc.ctes)
	for _, c := range rel.cols {
		out.merge(c.lin, maxKind(ctx, Transformation))
	}
}

// children calls fn for every expression directly below n, whatever its
// node type: the analysis follows every expression PostgreSQL has without
// listing them.
func children(n *pg.Node, fn func(*pg.Node)) {
	walkMessage(n.ProtoReflect(), fn)
}

func walkMessage(m protoreflect.Message, fn func(*pg.Node)) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Message() == nil || fd.IsMap() {
			return true
		}
		if fd.IsList() {
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				visit(l.Get(i).Message().Interface(), fn)
			}
			return true
		}
		visit(v.Message().Interface(), fn)
		return true
	})
}

func visit(m proto.Message, fn func(*pg.Node)) {
	if n, ok := m.(*pg.Node); ok {
		fn(n)
		return
	}
	walkMessage(m.ProtoReflect(), fn)
}

func funcName(fc *pg.FuncCall) string {
	if n := len(fc.Funcname); n > 0 {
		return strings.ToLower(fc.Funcname[n-1].GetString_().GetSval())
	}
	return "?column?"
}

// isAggregate: an aggregate's syntax (count(*), DISTINCT, ORDER BY,
// FILTER, WITHIN GROUP) or a known aggregate's name, over and above
// PostgreSQL's own the ones of Snowflake, BigQuery, DuckDB and Redshift.
func isAggregate(fc *pg.FuncCall) bool {
	if fc.AggStar || fc.AggDistinct || len(fc.AggOrder) > 0 || fc.AggFilter != nil || fc.AggWithinGroup {
		return true
	}
	return aggregates[funcName(fc)]
}

var aggregates = map[string]bool{}

func init() {
	for _, name := range strings.Fields(`
		count sum avg min max array_agg string_agg listagg group_concat bool_and bool_or every
		bit_and bit_or bit_xor stddev stddev_pop stddev_samp variance var_pop var_samp covar_pop covar_samp corr
		regr_avgx regr_avgy regr_count regr_intercept regr_r2 regr_slope regr_sxx regr_sxy regr_syy
		median mode percentile_cont percentile_disc approx_count_distinct approx_distinct approx_percentile
		approx_quantiles approx_top_count approx_top_k approx_top_sum any_value arbitrary count_if countif sum_if
		first last first_value_agg max_by min_by arg_max arg_min argmax argmin json_agg jsonb_agg json_object_agg
		jsonb_object_agg xmlagg array_union_agg array_unique_agg object_agg hll hll_count_distinct
		kurtosis skewness product fsum favg list histogram entropy logical_and logical_or booland_agg boolor_agg
		bitand_agg bitor_agg bitxor_agg minhash hash_agg range_agg range_intersect_agg string_agg_distinct
		approximate_count_distinct`) {
		aggregates[name] = true
	}
}
