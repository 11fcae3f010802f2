package manifest

import (
	"fmt"
	"sort"
	"strings"
)

// AmbiguousError is a reference more than one node answers to.
type AmbiguousError struct {
	Ref        string
	Candidates []*Node
}

func (e *AmbiguousError) Error() string {
	parts := make([]string, len(e.Candidates))
	for i, n := range e.Candidates {
		parts[i] = describe(n)
	}
	return fmt.Sprintf("%q is ambiguous: %d nodes match (%s); give a unique_id or a database.schema.table relation", e.Ref, len(e.Candidates), strings.Join(parts, "; "))
}

// NotFoundError is a reference no node answers to.
type NotFoundError struct {
	Ref string
	// Suggestions are unique_ids of nodes whose name contains the
	// reference's last part.
	Suggestions []string
}

func (e *NotFoundError) Error() string {
	msg := fmt.Sprintf("no node of the dbt project matches %q (give a name, source_name.table, unique_id or database.schema.table)", e.Ref)
	if len(e.Suggestions) > 0 {
		msg += "; similar: " + strings.Join(e.Suggestions, ", ")
	}
	return msg
}

func describe(n *Node) string {
	s := n.UniqueID + " (" + string(n.Kind)
	if n.Relation != "" {
		s += ", " + n.Relation
	}
	return s + ")"
}

// Resolve finds the node a user means by ref: a unique_id; a name (model,
// seed, snapshot, exposure, metric, …; a source as source_name.table; a
// model version as name.vN, plain name meaning the latest version); or a
// relation database.schema.table or schema.table (case-insensitive, parts
// may be quoted). When a name matches one relation (model, seed, snapshot,
// source) and other kinds too (a semantic model named after its model),
// the relation wins; any other tie is an *AmbiguousError.
func (g *Graph) Resolve(ref string) (*Node, error) {
	cands, err := g.ResolveAll(ref)
	if err != nil {
		return nil, err
	}
	if len(cands) == 1 {
		return cands[0], nil
	}
	return nil, &AmbiguousError{Ref: ref, Candidates: cands}
}

// ResolveAll returns every node ref could mean, after the preferences of
// Resolve; it fails only when there is none.
func (g *Graph) ResolveAll(ref string) ([]*Node, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, fmt.Errorf("empty node reference")
	}
	if n := g.nodes[ref]; n != nil {
		return []*Node{n}, nil
	}
	parts := SplitName(ref)
	key := strings.ToLower(strings.Join(parts, "."))
	seen := map[string]bool{}
	var cands []*Node
	addAll := func(ids []string) {
		for _, id := range ids {
			if !seen[id] {
				seen[id] = true
				cands = append(cands, g.nodes[id])
			}
		}
	}
	for _, id := range g.ids {
		if strings.EqualFold(id, ref) {
			addAll([]string{id})
		}
	}
	addAll(g.byName[key])
	if len(parts) >= 2 {
		addAll(g.byRelation[key])
	}
	if len(cands) == 0 && len(parts) == 1 {
		// An alias that differs from the name: the identifier alone.
		addAll(g.byIdent[key])
	}
	if len(cands) == 0 {
		return nil, &NotFoundError{Ref: ref, Suggestions: g.suggest(parts[len(parts)-1])}
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].UniqueID < cands[j].UniqueID })
	return prefer(cands), nil
}

// prefer narrows candidates: non-tests over tests, the latest version of
// one versioned model, one relation over other kinds.
func prefer(cands []*Node) []*Node {
	if len(cands) < 2 {
		return cands
	}
	cands = keepIf(cands, func(n *Node) bool { return n.Kind != KindTest })
	if latest := keepIf(cands, func(n *Node) bool {
		return n.Kind == KindModel && n.Version != "" && n.Version == n.LatestVersion
	}); len(latest) == 1 && allVersionsOf(cands, latest[0]) {
		return latest
	}
	if rel := keepIf(cands, func(n *Node) bool { return n.Kind.HasRelation() }); len(rel) == 1 {
		return rel
	}
	return cands
}

// keepIf returns the nodes f accepts, or all of them when it accepts none.
func keepIf(nodes []*Node, f func(*Node) bool) []*Node {
	var out []*Node
	for _, n := range nodes {
		if f(n) {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nodes
	}
	return out
}

func allVersionsOf(cands []*Node, latest *Node) bool {
	for _, n := range cands {
		if n.Kind.HasRelation() && (n.Kind != KindModel || n.Package != latest.Package || !strings.EqualFold(n.Name, latest.Name)) {
			return false
		}
	}
	return true
}

func (g *Graph) suggest(last string) []string {
	last = strings.ToLower(last)
	if len(last) < 3 {
		return nil
	}
	var out []string
	for _, id := range g.ids {
		n := g.nodes[id]
		if n.Kind != KindTest && strings.Contains(strings.ToLower(n.Name), last) {
			out = append(out, id)
			if len(out) == 5 {
				break
			}
		}
	}
	return out
}

// SplitName splits a dotted reference into its parts. Parts may be quoted
// with double quotes or backticks (`"my.db".schema.table`); a backticked
// whole (BigQuery's `project.dataset.table`) splits at its dots.
func SplitName(s string) []string {
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			j := i + 1
			for j < len(s) {
				if s[j] == '"' {
					if j+1 < len(s) && s[j+1] == '"' {
						cur.WriteByte('"')
						j += 2
						continue
					}
					break
				}
				cur.WriteByte(s[j])
				j++
			}
			i = j
		case '`':
			j := strings.IndexByte(s[i+1:], '`')
			if j < 0 {
				cur.WriteString(s[i+1:])
				i = len(s)
				continue
			}
			inner := s[i+1 : i+1+j]
			if k := strings.LastIndexByte(inner, '.'); k >= 0 && cur.Len() == 0 {
				pre := SplitName(inner[:k])
				parts = append(parts, pre...)
				inner = inner[k+1:]
			}
			cur.WriteString(inner)
			i += j + 1
		case '.':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(parts, cur.String())
}
