package diff

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/warehouse"
	"github.com/datastack-mcp/datastack-mcp/warehouse/canon"
	"github.com/datastack-mcp/datastack-mcp/warehouse/dialect"
)

// dupCol is the per-row count of its key, present when a side has
// duplicated keys.
const dupCol = "ds_key_rows"

// joinSides renders the two sides of a join diff: each a subquery of its
// key and value columns (and key counts when dup), NULL keys left out.
func (p *plan) joinSide(s *side, dup bool) string {
	var cols []string
	for _, c := range append(append([]*column{}, p.keys...), p.values...) {
		info, _, _ := c.of(s)
		cols = append(cols, s.d.Quote(info.Name))
	}
	if dup {
		cols = append(cols, "count(*) OVER (PARTITION BY "+strings.Join(p.keyOrders(s, ""), ", ")+") AS "+dupCol)
	}
	return "(SELECT " + strings.Join(cols, ", ") + " FROM " + s.table + whereSQL(p.where(s, true)) + ")"
}

// joinOn matches keys: as ordered (byte-wise for text) when both sides
// have the same type, else by canonical text.
func (p *plan) joinOn() string {
	a, b := p.a, p.b
	var conds []string
	oa, ob := p.keyOrders(a, "a"), p.keyOrders(b, "b")
	ca, cb := p.keyCanons(a, "a"), p.keyCanons(b, "b")
	for i, k := range p.keys {
		if k.sameType {
			conds = append(conds, oa[i]+" = "+ob[i])
		} else {
			conds = append(conds, ca[i]+" = "+cb[i])
		}
	}
	return strings.Join(conds, " AND ")
}

// nativeCompare reports whether the database may compare a column's two
// sides as they are: same type, and an engine whose types say what the
// value is (SQLite keeps any value in any column, so only its integers,
// floats and text compare as they are).
func nativeCompare(d dialect.Dialect, c *column) bool {
	if !c.sameType {
		return false
	}
	if d.Name() == "sqlite" {
		switch c.ca.Kind {
		case dialect.KindInt, dialect.KindFloat, dialect.KindText:
			return true
		}
		return false
	}
	return true
}

// differs is the SQL of "column j differs" (never NULL when true; NULL or
// false when equal).
func (p *plan) differs(j int) string {
	a, b, d := p.a, p.b, p.a.d
	c := p.values[j]
	x, y := col(a, "a", c.a.Name), col(b, "b", c.b.Name)
	switch {
	case c.tol > 0:
		return "((" + x + " IS NULL) <> (" + y + " IS NULL) OR abs(" + d.Float(x) + " - " + d.Float(y) + ") > " + canon.FloatText(c.tol) + ")"
	case nativeCompare(d, c) && (c.ca.Kind == dialect.KindText || c.ca.Kind == dialect.KindUUID):
		return d.Distinct(d.Order(x, c.a.Type, c.ca), d.Order(y, c.b.Type, c.cb))
	case nativeCompare(d, c):
		return d.Distinct(x, y)
	}
	return d.Distinct(d.Canon(x, c.a.Type, c.ca), d.Canon(y, c.b.Type, c.cb))
}

// joined is "SELECT list FROM a FULL OUTER JOIN b … WHERE where", or its
// LEFT JOIN and anti-join halves where there is no FULL OUTER JOIN.
func (p *plan) joined(list, where string, dupA, dupB bool) string {
	a, b := p.a, p.b
	from := p.joinSide(a, dupA) + " a %s JOIN " + p.joinSide(b, dupB) + " b ON " + p.joinOn()
	w := ""
	if where != "" {
		w = " WHERE " + where
	}
	if a.d.FullJoin() {
		return "SELECT " + list + " FROM " + strings.Replace(from, "%s", "FULL OUTER", 1) + w
	}
	absentA := col(a, "a", p.keys[0].a.Name) + " IS NULL"
	return "SELECT " + list + " FROM " + strings.Replace(from, "%s", "LEFT", 1) + w +
		" UNION ALL SELECT " + list + " FROM " + strings.Replace(from, "%s", "RIGHT", 1) + " WHERE " + absentA
}

// joinStreamSQL lists the rows that differ: only on a side, a key
// duplicated on a side, or a value that differs. Columns: A's key texts,
// B's key texts, A's value texts, B's value texts, then A's and B's key
// counts when dupA or dupB.
func (p *plan) joinStreamSQL(dupA, dupB bool) string {
	a, b := p.a, p.b
	list := append(p.keyCanons(a, "a"), p.keyCanons(b, "b")...)
	list = append(list, p.valueCanons(a, "a", true)...)
	list = append(list, p.valueCanons(b, "b", true)...)
	where := []string{col(a, "a", p.keys[0].a.Name) + " IS NULL", col(b, "b", p.keys[0].b.Name) + " IS NULL"}
	if dupA || dupB {
		list = append(list, dupCount(dupA, "a"), dupCount(dupB, "b"))
		if dupA {
			where = append(where, "a."+dupCol+" > 1")
		}
		if dupB {
			where = append(where, "b."+dupCol+" > 1")
		}
	}
	for j := range p.values {
		where = append(where, p.differs(j))
	}
	return p.joined(strings.Join(list, ", "), strings.Join(where, " OR "), dupA, dupB)
}

func dupCount(dup bool, alias string) string {
	if dup {
		return alias + "." + dupCol
	}
	return "1"
}

// joinCountSQL counts in the database what joinStreamSQL lists: rows only
// in A, only in B, compared (key once on each side), with a difference,
// then per value column.
func (p *plan) joinCountSQL(dupA, dupB bool) string {
	a, b := p.a, p.b
	presentA := col(a, "a", p.keys[0].a.Name) + " IS NOT NULL"
	presentB := col(b, "b", p.keys[0].b.Name) + " IS NOT NULL"
	cmp := presentA + " AND " + presentB
	if dupA {
		cmp += " AND a." + dupCol + " = 1"
	}
	if dupB {
		cmp += " AND b." + dupCol + " = 1"
	}
	flag := func(cond, name string) string { return "CASE WHEN " + cond + " THEN 1 ELSE 0 END AS " + name }
	inner := []string{flag(presentA, "pa"), flag(presentB, "pb"), flag(cmp, "cmp")}
	outer := []string{"COALESCE(sum(CASE WHEN pb = 0 THEN 1 ELSE 0 END), 0)", "COALESCE(sum(CASE WHEN pa = 0 THEN 1 ELSE 0 END), 0)", "COALESCE(sum(cmp), 0)"}
	var anyDiff []string
	for j := range p.values {
		d := "d" + strconv.Itoa(j)
		inner = append(inner, flag(p.differs(j), d))
		anyDiff = append(anyDiff, d+" = 1")
	}
	if len(anyDiff) == 0 {
		anyDiff = []string{"1 = 0"}
	}
	outer = append(outer, "COALESCE(sum(CASE WHEN cmp = 1 AND ("+strings.Join(anyDiff, " OR ")+") THEN 1 ELSE 0 END), 0)")
	for j := range p.values {
		outer = append(outer, "COALESCE(sum(CASE WHEN cmp = 1 AND d"+strconv.Itoa(j)+" = 1 THEN 1 ELSE 0 END), 0)")
	}
	return "SELECT " + strings.Join(outer, ", ") + " FROM (" + p.joined(strings.Join(inner, ", "), "", dupA, dupB) + ") j"
}

// errStreamLimit stops reading differing rows.
var errStreamLimit = errors.New("stream limit reached")

// join runs the join diff.
func (r *run) join(ctx context.Context) error {
	p := r.p
	sess, err := p.a.conn.Begin(ctx, true)
	if err != nil {
		return err
	}
	defer func() {
		if sess != nil {
			sess.Close()
		}
	}()
	snapshot, err := sess.ExportSnapshot(ctx)
	if err != nil {
		return err
	}
	var stA, stB stats
	limited := false // the stream stopped at StreamLimit
	stream := func(dupA, dupB bool) func(context.Context) error {
		return func(ctx context.Context) error {
			r.progress("join", 0, 1)
			sctx, stop := context.WithCancel(ctx)
			defer stop()
			err := r.stream(sctx, sess, dupA, dupB)
			if errors.Is(err, errStreamLimit) {
				limited = true
				return nil
			}
			return err
		}
	}
	if snapshot != "" && p.a.unique && p.a.notNull && p.b.unique && p.b.notNull {
		// No duplicate keys to learn first: count beside the join.
		err = all(ctx, r.countAt(snapshot, p.a, &stA), r.countAt(snapshot, p.b, &stB), stream(false, false))
	} else if stA, stB, err = r.joinStats(ctx, sess, snapshot); err == nil {
		err = stream(stA.dupKeys > 0, stB.dupKeys > 0)(ctx)
	}
	if err != nil {
		return err
	}
	setStats(&r.res.A, stA)
	setStats(&r.res.B, stB)
	if limited {
		// The cancelled statement ended the session: count in a new one.
		sess.Close()
		sess = nil
		if sess, err = p.a.conn.Begin(ctx, true); err != nil {
			return err
		}
		r.progress("count", 0, 1)
		if err := r.count(ctx, sess, stA.dupKeys > 0, stB.dupKeys > 0); err != nil {
			return err
		}
		r.progress("count", 1, 1)
	}
	r.progress("join", 1, 1)
	return r.samples(ctx, sess, sess)
}

// joinStats counts both sides' rows and keys in sess's snapshot: in two
// more sessions at once where the database shares its snapshot
// (PostgreSQL), else one after the other in sess.
func (r *run) joinStats(ctx context.Context, sess *warehouse.Session, snapshot string) (stA, stB stats, err error) {
	p := r.p
	r.progress("stats", 0, 2)
	defer r.progress("stats", 2, 2)
	if snapshot == "" {
		if stA, err = r.sideStats(ctx, sess, p.a); err == nil {
			stB, err = r.sideStats(ctx, sess, p.b)
		}
		return stA, stB, err
	}
	err = both(ctx, r.countAt(snapshot, p.a, &stA), r.countAt(snapshot, p.b, &stB))
	return stA, stB, err
}

// countAt counts a side's rows and keys in a session of its own at
// snapshot.
func (r *run) countAt(snapshot string, s *side, st *stats) func(context.Context) error {
	return func(ctx context.Context) error {
		// The session lives in this function: its context may end when
		// the function returns.
		other, err := r.p.a.conn.BeginAt(ctx, snapshot)
		if err != nil {
			return err
		}
		defer other.Close()
		*st, err = r.sideStats(ctx, other, s)
		return err
	}
}

// stream reads the differing rows and compares them here.
func (r *run) stream(ctx context.Context, sess *warehouse.Session, dupA, dupB bool) error {
	p, t := r.p, r.t
	nk, nv := len(p.keys), len(p.values)
	withDup := dupA || dupB
	seenDupMatch := map[string]bool{}
	streamed := 0
	return r.each(ctx, sess, p.joinStreamSQL(dupA, dupB), nil, func(scan func(...any) error) error {
		if streamed == r.req.StreamLimit {
			return errStreamLimit
		}
		streamed++
		texts := make([]*string, 2*nk+2*nv)
		dest := make([]any, len(texts), len(texts)+2)
		for i := range texts {
			dest[i] = &texts[i]
		}
		var na, nb sql.NullInt64
		if withDup {
			dest = append(dest, &na, &nb)
		}
		if err := scan(dest...); err != nil {
			return err
		}
		r.fetched.Add(1)
		a := row{keys: texts[:nk], vals: texts[2*nk : 2*nk+nv]}
		b := row{keys: texts[nk : 2*nk], vals: texts[2*nk+nv:]}
		if !withDup {
			na.Int64, nb.Int64 = 1, 1
		}
		switch {
		case b.keys[0] == nil:
			t.onlyA(a.keys, 1)
			if na.Int64 == 1 {
				t.unmatchedUniqueA++
			}
		case a.keys[0] == nil:
			t.onlyB(b.keys, 1)
		case na.Int64 > 1 || nb.Int64 > 1:
			if k := a.keyText(); na.Int64 == 1 && !seenDupMatch[k] {
				seenDupMatch[k] = true
				t.unmatchedUniqueA++
			}
		default:
			t.compare(&a, &b)
		}
		return nil
	})
}

// count counts the differences in the database, once too many rows
// differ to read them all; the samples read so far stay.
func (r *run) count(ctx context.Context, sess *warehouse.Session, dupA, dupB bool) error {
	res, t := r.res, r.t
	vals := make([]int64, 4+len(r.p.values))
	dest := make([]any, len(vals))
	for i := range vals {
		dest[i] = &vals[i]
	}
	err := r.each(ctx, sess, r.p.joinCountSQL(dupA, dupB), nil, func(scan func(...any) error) error { return scan(dest...) })
	if err != nil {
		return err
	}
	res.A.RowsOnlyHere, res.B.RowsOnlyHere = vals[0], vals[1]
	t.compared = &vals[2]
	res.Values.RowsWithDifferences = vals[3]
	copy(t.colDiff, vals[4:])
	return nil
}
