package sqllineage

import (
	"slices"
	"strings"
)

// colKey is one input column: a table identity and a lowercase column.
type colKey struct{ table, column string }

// lin is the lineage of one value: the input columns it comes from, how,
// and what could not be resolved on the way.
type lin struct {
	src    map[colKey]EdgeKind
	issues []string
}

func (l *lin) add(k colKey, kind EdgeKind) {
	if l.src == nil {
		l.src = map[colKey]EdgeKind{}
	}
	if old, ok := l.src[k]; !ok || kind.rank() > old.rank() {
		l.src[k] = kind
	}
}

func (l *lin) issue(s string) {
	if !slices.Contains(l.issues, s) {
		l.issues = append(l.issues, s)
	}
}

// merge adds o's sources, each at least as strong as ctx.
func (l *lin) merge(o lin, ctx EdgeKind) {
	for k, kind := range o.src {
		l.add(k, maxKind(kind, ctx))
	}
	for _, s := range o.issues {
		l.issue(s)
	}
}

// outCol is one output column of a relation.
type outCol struct {
	name string // lowercase
	lin  lin
}

// relation is what a FROM item or a query yields: its columns in order and
// how names not listed resolve.
type relation struct {
	label string
	cols  []outCol
	// base is the table identity of a catalog table; a name it does not
	// list passes through to it unless complete.
	base string
	// complete means cols are all the columns.
	complete bool
	// open are relations a SELECT * passed through without listing
	// their columns (they were not complete).
	open []*relation
	// fn, when set, is the lineage of every column of a table function
	// (its arguments).
	fn *lin
}

// certainty is how sure a lookup is.
type certainty int

const (
	notFound certainty = iota
	// assumed: the relation's columns are not all known, and the name
	// passes through to where it must come from.
	assumed
	definite
	// ambiguous: more than one column or source answers.
	ambiguous
)

func newRelation(label string) *relation { return &relation{label: label, complete: true} }

func (r *relation) addCol(name string, l lin) {
	r.cols = append(r.cols, outCol{name: strings.ToLower(name), lin: l})
}

// lookup finds the lineage of column name (lowercase).
func (r *relation) lookup(name string) (lin, certainty, string) {
	var found *outCol
	n := 0
	for i := range r.cols {
		if r.cols[i].name == name {
			found = &r.cols[i]
			n++
		}
	}
	switch {
	case n == 1:
		return found.lin, definite, ""
	case n > 1:
		return lin{}, ambiguous, r.label + " has more than one column named " + quote(name)
	case r.complete:
		return lin{}, notFound, ""
	case r.fn != nil:
		var l lin
		l.merge(*r.fn, Transformation)
		return l, assumed, ""
	case r.base != "":
		var l lin
		l.add(colKey{r.base, name}, Copy)
		return l, assumed, ""
	}
	var hits []lin
	var from []string
	for _, o := range r.open {
		l, c, why := o.lookup(name)
		switch c {
		case ambiguous:
			return lin{}, ambiguous, why
		case assumed, definite:
			hits = append(hits, l)
			from = append(from, o.label)
		}
	}
	switch len(hits) {
	case 0:
		return lin{}, notFound, ""
	case 1:
		return hits[0], assumed, ""
	}
	return lin{}, ambiguous, "column " + quote(name) + " could come from " + strings.Join(from, " or ") + " (their columns are unknown)"
}

// has reports whether r (possibly nil) lists a column named name.
func (r *relation) has(name string) bool {
	if r == nil {
		return false
	}
	for _, c := range r.cols {
		if c.name == name {
			return true
		}
	}
	return false
}

// openBases lists the tables whose unlisted columns pass through r.
func (r *relation) openBases(out []string) []string {
	if r.complete {
		return out
	}
	if r.base != "" {
		if !slices.Contains(out, r.base) {
			out = append(out, r.base)
		}
		return out
	}
	for _, o := range r.open {
		out = o.openBases(out)
	}
	return out
}

// columnNames lists r's known columns for messages.
func (r *relation) columnNames() string {
	names := make([]string, len(r.cols))
	for i, c := range r.cols {
		names[i] = c.name
	}
	return strings.Join(names, ", ")
}

func quote(s string) string { return `"` + s + `"` }
