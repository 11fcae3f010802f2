package diff

import (
	"strconv"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/warehouse/dialect"
)

// The SQL of a diff: every statement is built here from the plan, so the
// golden tests see exactly what the databases run.

// builder collects a statement's bind arguments.
type builder struct {
	d    dialect.Dialect
	args []any
}

// param adds a key bound (canonical text) of column k on side s.
func (b *builder) param(p *plan, s *side, k *column, text string) string {
	info, c, _ := k.of(s)
	var v any = text
	if c.Kind == dialect.KindInt || c.Kind == dialect.KindDecimal {
		n, err := strconv.ParseInt(text, 10, 64)
		if err == nil {
			v = n
		}
	}
	b.args = append(b.args, v)
	return b.d.Param(b.d.Placeholder(len(b.args)), info.Type, c)
}

// col is a column of side s, quoted, optionally qualified by alias.
func col(s *side, alias, name string) string {
	if alias == "" {
		return s.d.Quote(name)
	}
	return alias + "." + s.d.Quote(name)
}

// keyOrders are the key columns as ranges compare them.
func (p *plan) keyOrders(s *side, alias string) []string {
	out := make([]string, len(p.keys))
	for i, k := range p.keys {
		info, c, _ := k.of(s)
		out[i] = s.d.Order(col(s, alias, info.Name), info.Type, c)
	}
	return out
}

// keyCanons are the key columns' canonical texts.
func (p *plan) keyCanons(s *side, alias string) []string {
	out := make([]string, len(p.keys))
	for i, k := range p.keys {
		info, c, _ := k.of(s)
		out[i] = s.d.Canon(col(s, alias, info.Name), info.Type, c)
	}
	return out
}

// valueCanons are the value columns' canonical texts: for checksums
// (rows=false) or for fetched rows (rows=true, tolerances as floats).
func (p *plan) valueCanons(s *side, alias string, rows bool) []string {
	out := make([]string, len(p.values))
	for i, v := range p.values {
		info, c, r := v.of(s)
		if rows {
			c = r
		}
		out[i] = s.d.Canon(col(s, alias, info.Name), info.Type, c)
	}
	return out
}

// whereSQL joins conditions into a WHERE clause ("" for none).
func whereSQL(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// keyNull is "some key column is NULL" on side s.
func (p *plan) keyNull(s *side) string {
	var parts []string
	for _, k := range p.keys {
		info, _, _ := k.of(s)
		parts = append(parts, s.d.Quote(info.Name)+" IS NULL")
	}
	return strings.Join(parts, " OR ")
}

// statsSQL counts a side's rows, NULL keys, duplicated keys and their rows.
func (p *plan) statsSQL(s *side) string {
	from := " FROM " + s.table + whereSQL(p.where(s, false))
	switch {
	case s.unique && s.notNull:
		return "SELECT count(*), 0, 0, 0" + from
	case s.unique:
		return "SELECT count(*), COALESCE(sum(CASE WHEN " + p.keyNull(s) + " THEN 1 ELSE 0 END), 0), 0, 0" + from
	}
	orders := p.keyOrders(s, "")
	var nulls []string
	for _, o := range orders {
		nulls = append(nulls, o+" IS NULL")
	}
	return "SELECT COALESCE(sum(n), 0), COALESCE(sum(CASE WHEN nk = 1 THEN n ELSE 0 END), 0)," +
		" COALESCE(sum(CASE WHEN nk = 0 AND n > 1 THEN 1 ELSE 0 END), 0), COALESCE(sum(CASE WHEN nk = 0 AND n > 1 THEN n ELSE 0 END), 0)" +
		" FROM (SELECT count(*) AS n, CASE WHEN " + strings.Join(nulls, " OR ") + " THEN 1 ELSE 0 END AS nk" + from +
		" GROUP BY " + strings.Join(orders, ", ") + ") g"
}

// dupSampleSQL lists duplicated keys and their row counts.
func (p *plan) dupSampleSQL(s *side, limit int) string {
	keys := p.keyCanons(s, "")
	var pos []string
	for i := range keys {
		pos = append(pos, strconv.Itoa(i+1))
	}
	return "SELECT " + strings.Join(keys, ", ") + ", count(*) FROM " + s.table + whereSQL(p.where(s, true)) +
		" GROUP BY " + strings.Join(keys, ", ") + " HAVING count(*) > 1 ORDER BY " + strings.Join(pos, ", ") + " " + s.d.Limit(limit)
}

// nullSampleSQL lists keys of rows with a NULL key column.
func (p *plan) nullSampleSQL(s *side, limit int) string {
	conds := p.where(s, false)
	conds = append(conds, "("+p.keyNull(s)+")")
	return "SELECT " + strings.Join(p.keyCanons(s, ""), ", ") + " FROM " + s.table + whereSQL(conds) + " " + s.d.Limit(limit)
}

// segmentConds are the conditions of a key range.
func (p *plan) segmentConds(b *builder, s *side, seg *segment) []string {
	conds := p.where(s, true)
	orders := p.keyOrders(s, "")
	if seg.lo != nil {
		conds = append(conds, p.tupleCmp(b, s, orders, seg.lo, false))
	}
	if seg.hi != nil {
		conds = append(conds, p.tupleCmp(b, s, orders, seg.hi, true))
	}
	return conds
}

// tupleCmp is "keys >= bound" (less=false) or "keys < bound" (less=true),
// lexicographic over the key columns.
func (p *plan) tupleCmp(b *builder, s *side, orders []string, bound []string, less bool) string {
	var rec func(i int) string
	rec = func(i int) string {
		par := b.param(p, s, p.keys[i], bound[i])
		last := i == len(orders)-1
		switch {
		case last && less:
			return orders[i] + " < " + par
		case last:
			return orders[i] + " >= " + par
		}
		strict := " > "
		if less {
			strict = " < "
		}
		eq := b.param(p, s, p.keys[i], bound[i])
		return "(" + orders[i] + strict + par + " OR (" + orders[i] + " = " + eq + " AND " + rec(i+1) + "))"
	}
	return rec(0)
}

// checksumSQL is the count and hash sum of a range (bounds nil), with the
// minimum and maximum key when the key is one integer; or, with bounds,
// of each sub-range: bucket i holds keys from bounds[i-1] (inclusive) to
// bounds[i] (exclusive).
func (p *plan) checksumSQL(s *side, seg *segment, bounds [][]string) (string, []any) {
	// Parameters are numbered in the order they are made, which must be
	// the order they appear in (SQLite's ? are positional).
	b := &builder{d: s.d}
	sum := "count(*), " + s.d.HashSum(append(p.keyCanons(s, ""), p.valueCanons(s, "", false)...))
	if bounds == nil {
		extra := ""
		if p.intKey() {
			o := p.keyOrders(s, "")[0]
			extra = ", min(" + o + "), max(" + o + ")"
		}
		return "SELECT " + sum + extra + " FROM " + s.table + whereSQL(p.segmentConds(b, s, seg)), b.args
	}
	bucket := p.bucketTree(b, s, p.keyOrders(s, ""), bounds, 0, len(bounds))
	return "SELECT " + bucket + " AS bucket, " + sum + " FROM " + s.table + whereSQL(p.segmentConds(b, s, seg)) + " GROUP BY 1", b.args
}

// bucketTree is a CASE of depth log2(len(bounds)) giving the sub-range of
// a row: keys below bounds[lo] are in bucket lo, at or above bounds[hi-1]
// in bucket hi.
func (p *plan) bucketTree(b *builder, s *side, orders []string, bounds [][]string, lo, hi int) string {
	if lo == hi {
		return strconv.Itoa(lo)
	}
	mid := (lo + hi) / 2
	return "CASE WHEN " + p.tupleCmp(b, s, orders, bounds[mid], true) + " THEN " + p.bucketTree(b, s, orders, bounds, lo, mid) +
		" ELSE " + p.bucketTree(b, s, orders, bounds, mid+1, hi) + " END"
}

// boundarySQL picks up to factor-1 keys splitting a range into ranges of
// about as many distinct keys: every step-th distinct key, step being the
// distinct count over factor.
func (p *plan) boundarySQL(s *side, seg *segment, factor int) (string, []any) {
	b := &builder{d: s.d}
	conds := p.segmentConds(b, s, seg)
	orders, canons := p.keyOrders(s, ""), p.keyCanons(s, "")
	var inner, outer, order []string
	for i := range orders {
		inner = append(inner, orders[i]+" AS o"+strconv.Itoa(i), canons[i]+" AS c"+strconv.Itoa(i))
		outer = append(outer, "c"+strconv.Itoa(i))
		order = append(order, "o"+strconv.Itoa(i))
	}
	f := strconv.Itoa(factor)
	return "SELECT " + strings.Join(outer, ", ") + " FROM (SELECT " + strings.Join(outer, ", ") +
		", row_number() OVER (ORDER BY " + strings.Join(order, ", ") + ") AS rn, count(*) OVER () AS cnt" +
		" FROM (SELECT DISTINCT " + strings.Join(inner, ", ") + " FROM " + s.table + whereSQL(conds) + ") d) r" +
		" WHERE rn > 1 AND (rn - 1) % ((cnt + " + f + " - 1) / " + f + ") = 0 ORDER BY rn", b.args
}

// fetchSQL reads a range's rows: key texts, then value texts.
func (p *plan) fetchSQL(s *side, seg *segment) (string, []any) {
	b := &builder{d: s.d}
	conds := p.segmentConds(b, s, seg)
	cols := append(p.keyCanons(s, ""), p.valueCanons(s, "", true)...)
	return "SELECT " + strings.Join(cols, ", ") + " FROM " + s.table + whereSQL(conds), b.args
}

// intKey reports whether the key is one integer column.
func (p *plan) intKey() bool {
	return len(p.keys) == 1 && p.keys[0].ca.Kind == dialect.KindInt
}

// keyCountsSQL counts a range's rows per distinct key.
func (p *plan) keyCountsSQL(s *side, seg *segment) (string, []any) {
	b := &builder{d: s.d}
	conds := p.segmentConds(b, s, seg)
	keys := strings.Join(p.keyCanons(s, ""), ", ")
	return "SELECT " + keys + ", count(*) FROM " + s.table + whereSQL(conds) + " GROUP BY " + keys, b.args
}
