package tools

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// Result budget: the text of every generated tool's successful result is
// kept under a number of o200k tokens (Deps.MaxResultTokens, default
// DefaultMaxResultTokens), because clients refuse or cut larger answers.
//
// An answer over the budget is shrunk deterministically and stays valid
// JSON with the same type at every place it keeps, so a tool's output
// schema (top-level property types, nothing required) still holds: a list
// keeps its first items whole and in order; an object keeps its small
// fields whole and shares the rest of the budget among its large ones, or,
// when it is a map of entries (all objects or all arrays) or there are too
// many large fields to share, keeps the first of them in key order whole;
// a long string keeps its beginning and ends with a marker saying how much
// was cut. Top-level paging fields the upstream sent (count, total, next,
// …) are always kept. A top-level "_truncated" object says what was cut:
//
//	"_truncated": {
//	  "reason": "the answer (about 61200 tokens) is larger than this server's 25000-token budget for one tool result",
//	  "kept":  {"items": 120},            // first items (lists) or keys (objects) shown, by gjson path
//	  "total": {"items": 2000},           // their real number in the upstream answer
//	  "omitted_fields": ["…"],            // object fields left out entirely
//	  "shortened_strings": {"…": 15000},  // strings cut, with their real length in characters
//	  "next": "call again with offset=120 and limit=120 for the next items, or pass fields with only the gjson paths you need, e.g. [\"items.#.id\",\"items.#.name\"]"
//	}
//
// Each map or list holds at most 10 entries; "more_cuts" and
// "omitted_fields_more" count the rest (with a tiny budget the lists go
// and only the counts stay). "next" is built from the tool's own paging
// arguments (limit/offset, page/page_size, skip, cursor, …), their values
// in this call, and its projection argument. The text content is one
// sentence saying the answer was cut (with "first K of N" for the main
// list), a newline, and the same JSON as structuredContent.
//
// Sizes are estimated from character classes (cheap, and erring high); the
// exact o200k count (CountTokens) is used only near the budget.

// DefaultMaxResultTokens is the result budget when Deps.MaxResultTokens is 0.
const DefaultMaxResultTokens = 25000

// MinResultTokens is the smallest budget honoured; a smaller setting is
// raised to it, since the explanation of a cut needs room.
const MinResultTokens = 500

// truncatedKey is the top-level key describing a cut answer.
const truncatedKey = "_truncated"

// exactTokens counts o200k tokens exactly (nil: estimates only). It is
// slow (about 1 ms per KB, and loading the ranks takes a moment), so it is
// used only when the estimate is near the budget.
var exactTokens = CountTokens

// estimateTokens approximates the o200k token count of s without a
// tokenizer, erring high: ASCII letters cost a token per 4 (per 2 in runs
// with few vowels, like identifiers, hex or base64), digits one per 3,
// punctuation one per 2, other characters one each, plus 10%. On the
// sandbox's answers it is 1.1 to 2 times the real count.
func estimateTokens(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case isASCIILetter(c):
			j := i
			for j < len(s) && isASCIILetter(s[j]) {
				j++
			}
			n += letterTokens(s[i:j])
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			n += (j - i + 2) / 3
			i = j
		case c == ' ' || c == '\n' || c == '\t' || c == '\r':
			i++
		case c < utf8.RuneSelf:
			j := i
			for j < len(s) && s[j] < utf8.RuneSelf && !isASCIILetter(s[j]) && !(s[j] >= '0' && s[j] <= '9') && s[j] != ' ' {
				j++
			}
			n += (j - i + 1) / 2
			i = j
		default:
			_, w := utf8.DecodeRuneInString(s[i:])
			n++
			i += w
		}
	}
	return n + n/10
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isUpperASCII(c byte) bool  { return c >= 'A' && c <= 'Z' }

// letterTokens splits a run of letters at case changes ("fooBar",
// "HTTPServer") and prices each piece.
func letterTokens(s string) int {
	n, start := 0, 0
	for i := 1; i < len(s); i++ {
		prevUp, up := isUpperASCII(s[i-1]), isUpperASCII(s[i])
		switch {
		case !prevUp && up:
			n += letterPiece(s[start:i])
			start = i
		case prevUp && !up && i-start >= 2:
			n += letterPiece(s[start : i-1])
			start = i - 1
		}
	}
	return n + letterPiece(s[start:])
}

func letterPiece(s string) int {
	switch {
	case len(s) == 0:
		return 0
	case len(s) <= 3:
		return 1
	}
	vowels := 0
	for i := 0; i < len(s); i++ {
		switch s[i] | 0x20 {
		case 'a', 'e', 'i', 'o', 'u', 'y':
			vowels++
		}
	}
	if vowels*4 >= len(s) {
		return (len(s) + 3) / 4
	}
	return (len(s) + 1) / 2
}

// countTokens is the token count the budget is checked with: the estimate,
// or the exact count when a tokenizer is available and the estimate is
// near the budget (the estimate errs high by up to about 2 times).
func countTokens(s string, budget int) int {
	e := estimateTokens(s)
	if exactTokens != nil && e > budget*7/10 && e < budget*2 {
		return exactTokens(s)
	}
	return e
}

// node is a value with its estimated size, built once per answer.
type node struct {
	v    any
	tok  int
	kids []*node  // array elements, or object values in keys order
	keys []string // object keys, sorted
}

func sizeTree(v any) *node {
	n := &node{v: v}
	switch x := v.(type) {
	case map[string]any:
		n.keys = make([]string, 0, len(x))
		for k := range x {
			n.keys = append(n.keys, k)
		}
		sort.Strings(n.keys)
		n.tok = 2
		n.kids = make([]*node, len(n.keys))
		for i, k := range n.keys {
			n.kids[i] = sizeTree(x[k])
			n.tok += n.kids[i].tok + keyTokens(k)
		}
	case []any:
		n.tok = 2
		n.kids = make([]*node, len(x))
		for i, el := range x {
			n.kids[i] = sizeTree(el)
			n.tok += n.kids[i].tok + 1
		}
	case string:
		n.tok = stringTokens(x)
	default:
		n.tok = scalarTokens(v)
	}
	return n
}

func keyTokens(k string) int { return stringTokens(k) + 1 }

func stringTokens(s string) int {
	extra := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' || s[i] < 0x20 {
			extra++
		}
	}
	return estimateTokens(s) + 1 + extra/2
}

func scalarTokens(v any) int {
	switch x := v.(type) {
	case nil, bool:
		return 1
	case float64:
		return estimateTokens(strconv.FormatFloat(x, 'g', -1, 64))
	case fmt.Stringer:
		return estimateTokens(x.String())
	default:
		return estimateTokens(fmt.Sprint(x))
	}
}

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
		return n.v, true
	}
	switch x := n.v.(type) {
	case string:
		if b < minKeep {
			return nil, false
		}
		return s.shortenString(x, path, depth, b), true
	case []any:
		return s.shrinkArray(n, path, depth, b), true
	case map[string]any:
		return s.shrinkObject(n, path, depth, b), true
	default:
		return n.v, true // numbers, booleans and null cannot shrink
	}
}

func (s *shrinker) shortenString(str, path string, depth, b int) string {
	runes := []rune(str)
	keep := int(float64(len(runes)) * float64(b) / float64(stringTokens(str)))
	for {
		cand := string(runes[:keep]) + fmt.Sprintf(" …[cut: %d of %d characters not shown]", len(runes)-keep, len(runes))
		if stringTokens(cand) <= b || keep == 0 {
			s.shortened = append(s.shortened, cut{path: displayPath(path), depth: depth, kept: keep, total: len(runes)})
			return cand
		}
		keep = keep * 9 / 10
	}
}

func (s *shrinker) shrinkArray(n *node, path string, depth, b int) []any {
	avail := b - 2
	k, used := 0, 0
	for k < len(n.kids) && used+n.kids[k].tok+1 <= avail {
		used += n.kids[k].tok + 1
		k++
	}
	out := make([]any, 0, k+1)
	for _, kid := range n.kids[:k] {
		out = append(out, kid.v)
	}
	if k == 0 && len(n.kids) > 0 && avail >= minKeep {
		// Not even the first element fits: keep it, shrunk.
		if v, ok := s.shrink(n.kids[0], joinPath(path, "0"), depth+1, avail-1); ok {
			out = append(out, v)
			k = 1
		}
	}
	c := cut{path: displayPath(path), depth: depth, array: true, kept: k, total: len(n.kids)}
	if len(n.kids) > 0 {
		if m, ok := n.kids[0].v.(map[string]any); ok {
			for key := range m {
				c.itemKeys = append(c.itemKeys, key)
			}
			sort.Strings(c.itemKeys)
		}
	}
	if k < len(n.kids) {
		s.cuts = append(s.cuts, c)
	}
	return out
}

// mapLike reports an object used as a map: several entries, all objects
// or all arrays (fields by name, tables by name), rather than a record.
func mapLike(n *node) bool {
	if len(n.kids) < 3 {
		return false
	}
	_, arrays := n.kids[0].v.([]any)
	for _, kid := range n.kids {
		switch kid.v.(type) {
		case map[string]any:
			if arrays {
				return false
			}
		case []any:
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
	out := map[string]any{}
	avail := b - 2
	var rest []int // indexes into n.keys of fields not yet placed
	for i, k := range n.keys {
		cost := n.kids[i].tok + keyTokens(k)
		if depth == 0 && pagingKeys[normName(k)] && n.kids[i].tok <= 200 {
			out[k] = n.kids[i].v
			avail -= cost
			continue
		}
		rest = append(rest, i)
	}
	// Small fields first, each within an equal share of what is left.
	sort.SliceStable(rest, func(a, b int) bool {
		return n.kids[rest[a]].tok+keyTokens(n.keys[rest[a]]) < n.kids[rest[b]].tok+keyTokens(n.keys[rest[b]])
	})
	placed := 0
	for ; placed < len(rest); placed++ {
		i := rest[placed]
		cost := n.kids[i].tok + keyTokens(n.keys[i])
		if cost > avail/(len(rest)-placed) {
			break
		}
		out[n.keys[i]] = n.kids[i].v
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
			k := n.keys[i]
			kb := share - keyTokens(k)
			if kb >= minKeep {
				if v, ok := s.shrink(n.kids[i], joinPath(path, k), depth+1, kb); ok {
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
			k := n.keys[i]
			cost := n.kids[i].tok + keyTokens(k)
			switch {
			case cost <= avail:
				out[k] = n.kids[i].v
				avail -= cost
			case avail-keyTokens(k) >= minShare:
				v, _ := s.shrink(n.kids[i], joinPath(path, k), depth+1, avail-keyTokens(k))
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
		s.cuts = append(s.cuts, cut{path: displayPath(path), depth: depth, kept: len(n.keys) - len(omitted), total: len(n.keys)})
	}
	return out
}

// pager knows a tool's paging and projection arguments, from its input
// schema, to say how to ask for the rest of a cut answer.
type pager struct {
	offset, size, page, cursor string // argument names, "" when absent
	fields                     string // projection argument, "" when none
	defaults                   map[string]float64
}

var (
	offsetArgs = map[string]bool{"offset": true, "skip": true, "start": true, "startindex": true, "from": true}
	sizeArgs   = map[string]bool{"limit": true, "pagesize": true, "perpage": true, "size": true, "maxresults": true, "maxitems": true, "pagelimit": true}
	pageArgs   = map[string]bool{"page": true, "pagenumber": true, "pageno": true, "pagenum": true}
	cursorArgs = map[string]bool{"cursor": true, "after": true, "pagetoken": true, "nexttoken": true, "startingafter": true, "continuationtoken": true, "nextcursor": true}
)

// newPager reads the argument names of a tool's input schema.
func newPager(props map[string]map[string]any, fields string) *pager {
	p := &pager{fields: fields, defaults: map[string]float64{}}
	names := make([]string, 0, len(props))
	for name := range props {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if d, ok := props[name]["default"].(float64); ok {
			p.defaults[name] = d
		}
		n := normName(name)
		switch {
		case offsetArgs[n] && p.offset == "":
			p.offset = name
		case sizeArgs[n] && p.size == "":
			p.size = name
		case pageArgs[n] && p.page == "":
			p.page = name
		case cursorArgs[n] && p.cursor == "":
			p.cursor = name
		}
	}
	return p
}

func (p *pager) intArg(args map[string]any, name string, fallback int) int {
	if v, ok := args[name]; ok {
		switch x := v.(type) {
		case float64:
			return int(x)
		case int:
			return x
		case interface{ Int64() (int64, error) }:
			if i, err := x.Int64(); err == nil {
				return int(i)
			}
		case string:
			if i, err := strconv.Atoi(x); err == nil {
				return i
			}
		}
	}
	if d, ok := p.defaults[name]; ok {
		return int(d)
	}
	return fallback
}

// next says how to ask for what was cut.
func (p *pager) next(args map[string]any, primary, object *cut, omitted []string, shortened bool, projected bool) string {
	if p == nil {
		p = &pager{}
	}
	var ways []string
	if primary != nil {
		k := max(primary.kept, 1)
		switch {
		case p.offset != "":
			o := p.intArg(args, p.offset, 0) + k
			if p.size != "" {
				ways = append(ways, fmt.Sprintf("call again with %s=%d and %s=%d for the next items", p.offset, o, p.size, k))
			} else {
				ways = append(ways, fmt.Sprintf("call again with %s=%d for the next items", p.offset, o))
			}
		case p.page != "" && p.size != "":
			base := p.intArg(nil, p.page, 1)
			if base != 0 {
				base = 1
			}
			page := p.intArg(args, p.page, base)
			size := p.intArg(args, p.size, 0)
			first := (page - base) * size
			if (page == base || size > 0) && first%k == 0 {
				ways = append(ways, fmt.Sprintf("call again with %s=%d and %s=%d for the next items (pages of %d fit)", p.size, k, p.page, base+(first+k)/k, k))
			} else {
				ways = append(ways, fmt.Sprintf("call again with %s of at most %d (pages that size fit)", p.size, k))
			}
		case p.size != "" && p.cursor != "":
			ways = append(ways, fmt.Sprintf("call again with %s=%d and follow the answer's cursor with %s", p.size, k, p.cursor))
		case p.size != "":
			ways = append(ways, fmt.Sprintf("call again with %s=%d to get only what fits", p.size, k))
		}
	}
	switch {
	case p.fields != "" && projected:
		ways = append(ways, fmt.Sprintf("pass fewer or narrower paths in %s", p.fields))
	case p.fields != "":
		way := fmt.Sprintf("pass %s with only the gjson paths you need", p.fields)
		if ex := fieldsExample(primary, object, omitted); ex != "" {
			way += ", e.g. " + ex
		}
		ways = append(ways, way)
	case len(ways) == 0:
		ways = append(ways, "narrow the request with the tool's filter arguments")
	}
	next := strings.Join(ways, ", or ")
	if shortened {
		next += "; a string longer than the budget is always cut"
	}
	return next
}

// fieldsExample suggests a projection for what was cut.
func fieldsExample(primary, object *cut, omitted []string) string {
	quote := func(paths ...string) string {
		q := make([]string, len(paths))
		for i, p := range paths {
			q[i] = strconv.Quote(p)
		}
		return "[" + strings.Join(q, ",") + "]"
	}
	if primary != nil && len(primary.itemKeys) > 0 && primary.path != "@this" {
		var picked []string
		prefs := []string{"id", "name", "uuid", "key", "title", "label"}
		for _, pref := range prefs { // exact names first
			for _, k := range primary.itemKeys {
				if strings.EqualFold(k, pref) {
					picked = appendOnce(picked, k)
				}
			}
		}
		for _, pref := range prefs { // then user_id, projectUuid, …
			for _, k := range primary.itemKeys {
				l := strings.ToLower(k)
				if strings.HasSuffix(l, "_"+pref) || strings.HasSuffix(l, pref) && k != l {
					picked = appendOnce(picked, k)
				}
			}
		}
		for _, k := range primary.itemKeys {
			picked = appendOnce(picked, k)
		}
		paths := make([]string, 0, 2)
		for _, k := range picked[:min(2, len(picked))] {
			paths = append(paths, primary.path+".#."+gjson.Escape(k))
		}
		return quote(paths...)
	}
	if len(omitted) > 0 {
		return quote(omitted[:min(2, len(omitted))]...)
	}
	if object != nil && object.path != "@this" {
		return quote(object.path + ".@keys")
	}
	return ""
}

// budgetResult is an answer fitted to a budget.
type budgetResult struct {
	value     map[string]any
	sentence  string // why and how it was cut; "" when it fits
	truncated bool
}

// fit returns answer unchanged when its JSON fits in budget tokens, and
// otherwise a shrunk copy with a "_truncated" object. lead is a sentence
// that will precede the JSON in the text (it counts against the budget).
// pager is asked for only when the answer must be cut.
func fit(answer map[string]any, budget int, lead string, pager func() *pager, args map[string]any, projected bool) budgetResult {
	text, err := EncodeJSON(answer)
	if err != nil {
		return budgetResult{value: answer}
	}
	whole := countTokens(joinLead(lead, text), budget)
	if whole <= budget {
		return budgetResult{value: answer}
	}
	p := pager()
	tree := sizeTree(answer)
	// The tree's estimate and the text's count differ; steer by their ratio.
	scale := float64(whole) / float64(max(tree.tok, 1))
	first := int(float64(budget-estimateTokens(lead)-150) / scale)
	// Shorter lists in _truncated when the explanation itself is too long.
	for _, limit := range []int{listCap, 3, 0} {
		var best *budgetResult
		bestTok := 0
		target := first
		for attempt := 0; attempt < 6; attempt++ {
			r := shrinkTo(tree, max(target, 0), budget, whole, p, args, projected, limit)
			t, err := EncodeJSON(r.value)
			if err != nil {
				break
			}
			tok := countTokens(joinLead(joinSentences(lead, r.sentence), t), budget)
			if tok <= budget {
				if best == nil || tok > bestTok {
					best, bestTok = &r, tok
				}
				if tok >= budget*85/100 {
					break
				}
				target = target * budget / max(tok, 1) * 95 / 100
				continue
			}
			target = target * budget / tok * 90 / 100
		}
		if best != nil {
			return *best
		}
	}
	// Nothing fitted: only the explanation and the paging fields.
	return shrinkTo(tree, 0, budget, whole, p, args, projected, 0)
}

func joinLead(lead, text string) string {
	if lead == "" {
		return text
	}
	return lead + "\n" + text
}

// shrinkTo shrinks the answer's tree into target tokens and describes the cut.
func shrinkTo(tree *node, target, budget, whole int, p *pager, args map[string]any, projected bool, limit int) budgetResult {
	s := &shrinker{}
	v, _ := s.shrink(tree, "", 0, target)
	out, ok := v.(map[string]any)
	if !ok {
		out = map[string]any{}
	}
	// The shallowest, then largest, list cut decides how to page.
	sort.SliceStable(s.cuts, func(a, b int) bool {
		x, y := s.cuts[a], s.cuts[b]
		if x.depth != y.depth {
			return x.depth < y.depth
		}
		if x.total != y.total {
			return x.total > y.total
		}
		return x.path < y.path
	})
	var primary, object *cut
	for i := range s.cuts {
		c := &s.cuts[i]
		if c.array && primary == nil {
			primary = c
		}
		if !c.array && object == nil {
			object = c
		}
	}
	env := map[string]any{
		"reason": fmt.Sprintf("the answer (about %d tokens) is larger than this server's %d-token budget for one tool result", whole, budget),
	}
	if len(s.cuts) > 0 && limit > 0 {
		kept, total := map[string]any{}, map[string]any{}
		for _, c := range s.cuts[:min(len(s.cuts), limit)] {
			kept[c.path], total[c.path] = c.kept, c.total
		}
		env["kept"], env["total"] = kept, total
	}
	if len(s.cuts) > limit {
		env["more_cuts"] = len(s.cuts) - limit
	}
	if len(s.omitted) > 0 && limit > 0 {
		list := make([]any, 0, limit)
		for _, o := range s.omitted[:min(len(s.omitted), limit)] {
			list = append(list, o)
		}
		env["omitted_fields"] = list
	}
	if len(s.omitted) > limit {
		env["omitted_fields_more"] = len(s.omitted) - limit
	}
	if len(s.shortened) > 0 && limit > 0 {
		m := map[string]any{}
		for _, c := range s.shortened[:min(len(s.shortened), limit)] {
			m[c.path] = c.total
		}
		env["shortened_strings"] = m
	}
	env["next"] = p.next(args, primary, object, s.omitted[:min(len(s.omitted), limit)], len(s.shortened) > 0, projected)
	out[truncatedKey] = env
	return budgetResult{value: out, sentence: cutSentence(budget, primary), truncated: true}
}

func cutSentence(budget int, primary *cut) string {
	if primary != nil {
		return fmt.Sprintf("This answer was cut to fit the %d-token result budget: %s holds the first %d of %d entries; _truncated says what else was cut and how to get the rest.",
			budget, primary.path, primary.kept, primary.total)
	}
	return fmt.Sprintf("This answer was cut to fit the %d-token result budget; _truncated says what was left out or shortened and how to get the rest.", budget)
}
