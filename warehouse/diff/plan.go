package diff

import (
	"context"
	"fmt"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/warehouse"
	"github.com/datastack-mcp/datastack-mcp/warehouse/dialect"
)

// plan is a request resolved against both catalogues: which columns are
// compared and how each side writes them.
type plan struct {
	req    *Request
	a, b   *side
	keys   []*column
	values []*column
	schema Schema
}

// side is one side's table and how to query it.
type side struct {
	label  string // A or B
	conn   *warehouse.Conn
	d      dialect.Dialect
	info   *warehouse.TableInfo
	table  string // quoted
	filter string
	// unique: a unique constraint proves the key has no duplicates;
	// notNull: the key columns are NOT NULL.
	unique, notNull bool
}

// column is a compared column (key or value).
type column struct {
	name   string // as A spells it
	a, b   warehouse.ColumnInfo
	ca, cb dialect.Canon // in checksums and key comparisons
	ra, rb dialect.Canon // in fetched rows (a tolerance compares floats)
	tol    float64
	key    bool
	// sameType: both sides have the same type, so one database may
	// compare them as they are.
	sameType bool
}

// of returns the side's column info and canonical forms.
func (c *column) of(s *side) (warehouse.ColumnInfo, dialect.Canon, dialect.Canon) {
	if s.label == "A" {
		return c.a, c.ca, c.ra
	}
	return c.b, c.cb, c.rb
}

// newPlan describes both tables and resolves the request's columns.
func newPlan(ctx context.Context, req *Request) (*plan, error) {
	p := &plan{req: req}
	var err error
	if p.a, err = newSide(ctx, "A", req.A); err != nil {
		return nil, err
	}
	if p.b, err = newSide(ctx, "B", req.B); err != nil {
		return nil, err
	}
	if err := p.resolveColumns(); err != nil {
		return nil, err
	}
	p.a.unique, p.a.notNull = keyFacts(p.a.info, p.keyNames(p.a))
	p.b.unique, p.b.notNull = keyFacts(p.b.info, p.keyNames(p.b))
	return p, nil
}

func newSide(ctx context.Context, label string, s Side) (*side, error) {
	info, err := s.Conn.Describe(ctx, s.Table)
	if err != nil {
		return nil, err
	}
	d := s.Conn.Dialect()
	return &side{label: label, conn: s.Conn, d: d, info: info, table: d.Table(info.Schema, info.Name), filter: strings.TrimSpace(s.Filter)}, nil
}

// where is the side's filter and the condition that keys are not NULL.
func (p *plan) where(s *side, keysNotNull bool) []string {
	var conds []string
	if s.filter != "" {
		conds = append(conds, "("+s.filter+")")
	}
	if keysNotNull && !s.notNull {
		for _, k := range p.keys {
			info, _, _ := k.of(s)
			conds = append(conds, s.d.Quote(info.Name)+" IS NOT NULL")
		}
	}
	return conds
}

func (p *plan) keyNames(s *side) []string {
	out := make([]string, len(p.keys))
	for i, k := range p.keys {
		info, _, _ := k.of(s)
		out[i] = info.Name
	}
	return out
}

// keyFacts reports whether a unique key of the table is among keys, and
// whether every key column is NOT NULL.
func keyFacts(info *warehouse.TableInfo, keys []string) (unique, notNull bool) {
	in := map[string]bool{}
	notNull = true
	for _, k := range keys {
		in[k] = true
		c, _ := info.Column(k)
		notNull = notNull && c.NotNull
	}
	for _, u := range info.Unique {
		all := len(u) > 0
		for _, c := range u {
			all = all && in[c]
		}
		if all {
			return true, notNull
		}
	}
	return false, notNull
}

// resolveColumns matches the columns of both sides and decides how each is
// compared.
func (p *plan) resolveColumns() error {
	req, a, b := p.req, p.a, p.b
	match := map[string]warehouse.ColumnInfo{} // A name -> B column
	for _, ca := range a.info.Columns {
		if cb, ok := b.info.Column(ca.Name); ok {
			match[ca.Name] = cb
		} else {
			p.schema.OnlyInA = append(p.schema.OnlyInA, ca.Name)
		}
	}
	for _, cb := range b.info.Columns {
		if _, ok := a.info.Column(cb.Name); !ok {
			p.schema.OnlyInB = append(p.schema.OnlyInB, cb.Name)
		}
	}
	for _, ca := range a.info.Columns {
		if cb, ok := match[ca.Name]; ok && ca.Type.Family.Schema() != cb.Type.Family.Schema() {
			p.schema.TypeChanged = append(p.schema.TypeChanged, TypeChange{Column: ca.Name, A: ca.Type.Raw, B: cb.Type.Raw,
				FamilyA: ca.Type.Family.Schema(), FamilyB: cb.Type.Family.Schema()})
		}
	}
	// find resolves a name the caller gave to a column of both sides.
	find := func(what, name string) (warehouse.ColumnInfo, warehouse.ColumnInfo, error) {
		ca, okA := a.info.Column(name)
		cb, okB := b.info.Column(name)
		switch {
		case okA && okB:
			return ca, cb, nil
		case !okA:
			return ca, cb, fmt.Errorf("%s column %q is not in %s (A, connection %s); %s", what, name, a.info.Qualified(), a.conn.Name(),
				warehouse.Nearby("columns", name, a.info.ColumnNames()))
		default:
			return ca, cb, fmt.Errorf("%s column %q is not in %s (B, connection %s); %s", what, name, b.info.Qualified(), b.conn.Name(),
				warehouse.Nearby("columns", name, b.info.ColumnNames()))
		}
	}
	isKey := map[string]bool{}
	for _, k := range req.PrimaryKey {
		ca, cb, err := find("primary key", k)
		if err != nil {
			return err
		}
		if isKey[ca.Name] {
			return fmt.Errorf("primary key column %q is named twice", k)
		}
		isKey[ca.Name] = true
		col, err := newColumn(ca, cb, 0, true)
		if err != nil {
			return err
		}
		p.keys = append(p.keys, col)
	}
	tolerance := map[string]float64{}
	for name, tol := range req.Tolerances {
		ca, _, err := find("tolerance", name)
		if err != nil {
			return err
		}
		if isKey[ca.Name] {
			return fmt.Errorf("column %q is a key: it cannot have a tolerance", name)
		}
		tolerance[ca.Name] = tol
	}
	excluded := map[string]bool{}
	for _, name := range req.Exclude {
		ca, okA := a.info.Column(name)
		_, okB := b.info.Column(name)
		if !okA && !okB {
			return fmt.Errorf("excluded column %q is on neither side; %s", name, warehouse.Nearby("columns", name, a.info.ColumnNames()))
		}
		if okA {
			excluded[ca.Name] = true
		}
	}
	var names []string
	if len(req.Columns) > 0 {
		seen := map[string]bool{}
		for _, name := range req.Columns {
			ca, _, err := find("compared", name)
			if err != nil {
				return err
			}
			if !isKey[ca.Name] && !seen[ca.Name] {
				seen[ca.Name] = true
				names = append(names, ca.Name)
			}
		}
	} else {
		for _, ca := range a.info.Columns {
			if _, ok := match[ca.Name]; ok && !isKey[ca.Name] {
				names = append(names, ca.Name)
			}
		}
	}
	for _, name := range names {
		if excluded[name] {
			continue
		}
		ca, _ := a.info.Column(name)
		col, err := newColumn(ca, match[name], tolerance[name], false)
		if err != nil {
			return err
		}
		p.values = append(p.values, col)
		p.schema.Compared = append(p.schema.Compared, name)
	}
	for name := range tolerance {
		if excluded[name] || !containsName(names, name) {
			return fmt.Errorf("column %q has a tolerance but is not compared", name)
		}
	}
	if p.schema.Compared == nil {
		p.schema.Compared = []string{}
	}
	return nil
}

func containsName(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// newColumn decides how a column is compared.
func newColumn(a, b warehouse.ColumnInfo, tol float64, key bool) (*column, error) {
	c := &column{name: a.Name, a: a, b: b, tol: tol, key: key}
	var err error
	c.ca, c.cb, err = dialect.Unify(a.Type, b.Type, tol)
	if err != nil {
		return nil, fmt.Errorf("column %s: %v", a.Name, err)
	}
	c.ra, c.rb = c.ca, c.cb
	if tol > 0 {
		c.ra = dialect.Canon{Kind: dialect.KindFloat, Bits: 64}
		c.rb = c.ra
	}
	c.sameType = strings.EqualFold(a.Type.Raw, b.Type.Raw) && c.ca == c.cb
	return c, nil
}

// checkHashKeys refuses keys that the two databases would not order alike.
func (p *plan) checkHashKeys() error {
	for _, k := range p.keys {
		if k.ca.Kind != k.cb.Kind || !k.ca.Ordered() {
			return fmt.Errorf("key column %s is %s on A and %s on B: a hash diff splits keys into ranges, which needs integer, text, uuid, date or timestamp keys of the same kind on both sides",
				k.name, k.a.Type.Raw, k.b.Type.Raw)
		}
	}
	return nil
}
