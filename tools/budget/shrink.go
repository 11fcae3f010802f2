package budget

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// cut is one container or string the shrinker reduced.
type cut struct {
	path        string
	depth       int
	array       bool
	kept, total int
	itemKeys    []string // for lists: the keys of the first item, for hints
}

// shrinker reduces a value to a token budget and records what it cut.
type shrinker struct {
	cuts      []cut
	omitted   []string
	shortened []cut // kept/total are characters
}

const (
	// minShare is the least budget a large field is shrunk into; below it,
	// large fields are kept whole in key order or left out.
	minShare = 100
	// minKeep is the least budget worth keeping a shrunk value for.
	minKeep = 12
	// listCap bounds each list in the _truncated object.
	listCap = 10
)

// pagingKeys are top-level answer fields that tell the model how much
// there is and how to get more; they are always kept.
var pagingKeys = map[string]bool{
	"count": true, "total": true, "totalcount": true, "totalresults": true, "totalitems": true, "totalpages": true, "totalpagecount": true,
	"next": true, "nexturl": true, "nextcursor": true, "nextpage": true, "nextpagetoken": true, "cursor": true,
	"previous": true, "prev": true, "hasmore": true, "hasnext": true, "page": true, "pagesize": true,
	"limit": true, "offset": true, "pagination": true,
}

var nameSeparators = strings.NewReplacer("_", "", "-", "")

func normName(s string) string { return nameSeparators.Replace(strings.ToLower(s)) }

func joinPath(path, key string) string {
	if path == "" {
		return gjson.Escape(key)
	}
	return path + "." + gjson.Escape(key)
}

func displayPath(path string) string {
	if path == "" {
		return "@this"
	}
	return path
}

// shrink returns n's value reduced to about b tokens; keep is false when
// nothing of it is worth keeping.
func (s *shrinker) shrink(n *node, path string, depth, b int) (v any, keep bool) {
	if n.tok <= b {
		return n.value(), true
	}
	switch {
	case n.isString():
		if b < minKeep {
			return nil, false
		}
		return s.shortenString(n.str(), path, depth, b), true
	case n.isArray():
		return s.shrinkArray(n, path, depth, b), true
	case n.isObject():
		return s.shrinkObject(n, path, depth, b), true
	default:
		return n.value(), true // numbers, booleans and null cannot shrink
	}
}

// shortenString keeps the first characters of str that fit in b tokens,
// with a marker saying how many were cut. It works on str's bytes (never a
// slice of runes, four bytes a character).
func (s *shrinker) shortenString(str, path string, depth, b int) string {
	total := utf8.RuneCountInString(str)
	keep := int(float64(total) * float64(b) / float64(stringTokens(str)))
	for {
		cand := prefixRunes(str, keep) + fmt.Sprintf(" …[cut: %d of %d characters not shown]", total-keep, total)
		if stringTokens(cand) <= b || keep == 0 {
			s.shortened = append(s.shortened, cut{path: displayPath(path), depth: depth, kept: keep, total: total})
			return cand
		}
		keep = keep * 9 / 10
	}
}

// prefixRunes is the first n characters of s.
func prefixRunes(s string, n int) string {
	i := 0
	for ; n > 0 && i < len(s); n-- {
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
	}
	return s[:i]
}

func (s *shrinker) shrinkArray(n *node, path string, depth, b int) []any {
	avail := b - 2
	total := n.count()
	k, used := 0, 0
	for k < total && used+n.kid(k).tok+1 <= avail {
		used += n.kid(k).tok + 1
		k++
	}
	out := make([]any, 0, k+1)
	for i := 0; i < k; i++ {
		out = append(out, n.kid(i).value())
	}
	if k == 0 && total > 0 && avail >= minKeep {
		// Not even the first element fits: keep it, shrunk.
		if v, ok := s.shrink(n.kid(0), joinPath(path, "0"), depth+1, avail-1); ok {
			out = append(out, v)
			k = 1
		}
	}
	c := cut{path: displayPath(path), depth: depth, array: true, kept: k, total: total}
	if total > 0 {
		if first := n.kid(0); first.isObject() {
			c.itemKeys = append(c.itemKeys, first.open().keys...) // sorted
		}
	}
	if k < total {
		s.cuts = append(s.cuts, c)
	}
	return out
}

// mapLike reports an object used as a map: several entries, all objects
// or all arrays (fields by name, tables by name), rather than a record.
func mapLike(n *node) bool {
	m := n.open()
	if len(m.kids) < 3 {
		return false
	}
	arrays := m.kids[0].isArray()
	for i := range m.kids {
		kid := &m.kids[i]
		switch {
		case kid.isObject():
			if arrays {
				return false
			}
		case kid.isArray():
			if !arrays {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func (s *shrinker) shrinkObject(n *node, path string, depth, b int) map[string]any {
	m := n.open()
	out := map[string]any{}
	avail := b - 2
	var rest []int // indexes into m.keys of fields not yet placed
	for i, k := range m.keys {
		cost := m.kids[i].tok + keyTokens(k)
		if depth == 0 && pagingKeys[normName(k)] && m.kids[i].tok <= 200 {
			out[k] = m.kids[i].value()
			avail -= cost
			continue
		}
		rest = append(rest, i)
	}
	// Small fields first, each within an equal share of what is left.
	sort.SliceStable(rest, func(a, b int) bool {
		return m.kids[rest[a]].tok+keyTokens(m.keys[rest[a]]) < m.kids[rest[b]].tok+keyTokens(m.keys[rest[b]])
	})
	placed := 0
	for ; placed < len(rest); placed++ {
		i := rest[placed]
		cost := m.kids[i].tok + keyTokens(m.keys[i])
		if cost > avail/(len(rest)-placed) {
			break
		}
		out[m.keys[i]] = m.kids[i].value()
		avail -= cost
	}
	large := append([]int(nil), rest[placed:]...)
	sort.Ints(large) // back to key order
	var omitted []string
	share := 0
	if len(large) > 0 {
		share = avail / len(large)
	}
	switch {
	case len(large) == 0:
	case len(large) == 1 || !mapLike(n) && share >= 2*minKeep:
		// A record's large fields: each gets an equal share.
		for _, i := range large {
			k := m.keys[i]
			kb := share - keyTokens(k)
			if kb >= minKeep {
				if v, ok := s.shrink(&m.kids[i], joinPath(path, k), depth+1, kb); ok {
					out[k] = v
					continue
				}
			}
			omitted = append(omitted, joinPath(path, k))
		}
	default:
		// A map of entries, or too many fields to share: the first whole,
		// in key order.
		for _, i := range large {
			k := m.keys[i]
			cost := m.kids[i].tok + keyTokens(k)
			switch {
			case cost <= avail:
				out[k] = m.kids[i].value()
				avail -= cost
			case avail-keyTokens(k) >= minShare:
				v, _ := s.shrink(&m.kids[i], joinPath(path, k), depth+1, avail-keyTokens(k))
				out[k] = v
				avail = 0
			default:
				omitted = append(omitted, joinPath(path, k))
				avail = 0
			}
		}
	}
	if len(omitted) > 0 {
		s.omitted = append(s.omitted, omitted...)
		s.cuts = append(s.cuts, cut{path: displayPath(path), depth: depth, kept: len(m.keys) - len(omitted), total: len(m.keys)})
	}
	return out
}
