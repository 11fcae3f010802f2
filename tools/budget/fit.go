package budget

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unsafe"
)

// truncatedKey is the top-level key describing a cut answer.
const truncatedKey = "_truncated"

// Doc is an answer as a tool result's structured content carries it: a
// JSON object. JSON is the answer's text, one valid JSON value; Wrap, when
// not "", is the key a list or scalar JSON is placed under ({"items": …},
// {"result": …}), without copying it.
type Doc struct {
	JSON []byte
	Wrap string
}

// Options are what a fit needs besides the answer.
type Options struct {
	// Budget is the limit in o200k tokens of the whole text.
	Budget int
	// Lead is a sentence that precedes the JSON in the text (it counts
	// against the budget); "" for none.
	Lead string
	// Pager gives the tool's paging arguments; asked for only when the
	// answer must be cut. Nil: none.
	Pager func() *Pager
	// Args are the call's arguments (their paging values).
	Args map[string]any
	// Projected says the call asked for some fields only.
	Projected bool
}

// Fitted is an answer fitted to a budget.
type Fitted struct {
	// Value is the structured content: a json.RawMessage (the answer as it
	// came, compacted) or a decoded object.
	Value any
	// Text is what a model reads: the lead and, when cut, a sentence
	// saying so, then the JSON of Value.
	Text string
	// Truncated says the answer was cut.
	Truncated bool
}

// Fit returns doc whole when its text fits in o.Budget tokens, and
// otherwise the shrunk answer with a "_truncated" object. An answer that
// fits comfortably, with no lead, is passed on as it came (compacted, keys
// in the upstream's order); one near the budget is decoded and counted
// exactly; one far over it is fitted on its bytes (tree.go).
func Fit(doc Doc, o Options) (Fitted, error) {
	view := unsafe.String(unsafe.SliceData(doc.JSON), len(doc.JSON)) // doc.JSON is not changed while we read it
	raw := EstimateTokens(view)
	if passesOn(raw, o) {
		return PassOn(doc)
	}
	est := raw
	if doc.Wrap != "" {
		est += 3 + EstimateTokens(doc.Wrap)
	}
	tree := rootOf(doc, view)
	var whole int
	if est < 3*o.Budget {
		// Near the budget: decoded (it is small) and counted exactly, as
		// the model will read it.
		v := tree.value()
		text, err := EncodeJSON(v)
		if err != nil {
			return Fitted{}, err
		}
		whole = countTokens(joinLead(o.Lead, text), o.Budget)
		if whole <= o.Budget {
			return Fitted{Value: v, Text: joinLead(o.Lead, text)}, nil
		}
	} else {
		// Far over it: estimated on the bytes, never decoded whole.
		whole = EstimateTokens(o.Lead) + est
	}
	var p *Pager
	if o.Pager != nil {
		p = o.Pager()
	}
	// The tree's estimate and the text's count differ; steer by their ratio.
	scale := float64(whole) / float64(max(tree.tok, 1))
	first := int(float64(o.Budget-EstimateTokens(o.Lead)-150) / scale)
	// Shorter lists in _truncated when the explanation itself is too long.
	for _, limit := range []int{listCap, 3, 0} {
		var best *Fitted
		bestTok := 0
		target := first
		for attempt := 0; attempt < 6; attempt++ {
			value, sentence := shrinkTo(tree, max(target, 0), o, whole, p, limit)
			t, err := EncodeJSON(value)
			if err != nil {
				return Fitted{}, err
			}
			text := joinLead(joinSentences(o.Lead, sentence), t)
			tok := countTokens(text, o.Budget)
			if tok <= o.Budget {
				if best == nil || tok > bestTok {
					best, bestTok = &Fitted{Value: value, Text: text, Truncated: true}, tok
				}
				if tok >= o.Budget*85/100 {
					break
				}
				target = target * o.Budget / max(tok, 1) * 95 / 100
				continue
			}
			target = target * o.Budget / tok * 90 / 100
		}
		if best != nil {
			return *best, nil
		}
	}
	// Nothing fitted: only the explanation and the paging fields.
	value, sentence := shrinkTo(tree, 0, o, whole, p, 0)
	t, err := EncodeJSON(value)
	if err != nil {
		return Fitted{}, err
	}
	return Fitted{Value: value, Text: joinLead(joinSentences(o.Lead, sentence), t), Truncated: true}, nil
}

// PassesOn reports whether Fit will pass doc on as it came (compacted):
// it fits comfortably and there is no lead. Such an answer is never cut,
// so it need not be redacted before Fit, only after.
func PassesOn(doc Doc, o Options) bool {
	return passesOn(EstimateTokens(unsafe.String(unsafe.SliceData(doc.JSON), len(doc.JSON))), o)
}

// passesOn is PassesOn for an answer of about est tokens. countTokens
// only counts exactly above 7/10 of the budget; below it the estimate
// (which errs high) decides, and the answer fits whole. The margin covers
// the {"items": …} wrapper.
func passesOn(est int, o Options) bool {
	return o.Lead == "" && !o.Projected && est <= o.Budget*7/10-10
}

// rootOf is the tree of doc, an object.
func rootOf(doc Doc, view string) *node {
	if doc.Wrap != "" {
		return wrapped(doc.Wrap, view)
	}
	n := newNode(view)
	return &n
}

// PassOn is doc as it came, compacted: structured content sent as is.
// It is what Fit returns for an answer PassesOn accepts, without
// estimating it again.
func PassOn(doc Doc) (Fitted, error) {
	var buf bytes.Buffer
	buf.Grow(len(doc.JSON) + len(doc.Wrap) + 5)
	if doc.Wrap != "" {
		buf.WriteString(`{"` + doc.Wrap + `":`)
	}
	if err := json.Compact(&buf, doc.JSON); err != nil {
		return Fitted{}, err
	}
	if doc.Wrap != "" {
		buf.WriteByte('}')
	}
	return Fitted{Value: json.RawMessage(buf.Bytes()), Text: buf.String()}, nil
}

// shrinkTo shrinks the answer's tree into target tokens and describes the
// cut: the value, with its _truncated object, and the sentence.
func shrinkTo(tree *node, target int, o Options, whole int, p *Pager, limit int) (map[string]any, string) {
	s := &shrinker{}
	v, _ := s.shrink(tree, "", 0, target)
	out, ok := v.(map[string]any)
	if !ok {
		out = map[string]any{}
	} else if tree.tok <= target {
		out = copyMap(out) // the tree's own decoded value: _truncated must not land in it
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
		"reason": fmt.Sprintf("the answer (about %d tokens) is larger than this server's %d-token budget for one tool result", whole, o.Budget),
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
	env["next"] = p.next(o.Args, primary, object, s.omitted[:min(len(s.omitted), limit)], len(s.shortened) > 0, o.Projected)
	out[truncatedKey] = env
	return out, cutSentence(o.Budget, primary)
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

func cutSentence(budget int, primary *cut) string {
	if primary != nil {
		return fmt.Sprintf("This answer was cut to fit the %d-token result budget: %s holds the first %d of %d entries; _truncated says what else was cut and how to get the rest.",
			budget, primary.path, primary.kept, primary.total)
	}
	return fmt.Sprintf("This answer was cut to fit the %d-token result budget; _truncated says what was left out or shortened and how to get the rest.", budget)
}

func joinLead(lead, text string) string {
	if lead == "" {
		return text
	}
	return lead + "\n" + text
}

// JoinSentences joins two sentences with a space; either may be "".
func JoinSentences(a, b string) string { return joinSentences(a, b) }

func joinSentences(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " " + b
}

// EncodeJSON is v as compact JSON text without HTML escaping: the text of
// an answer.
func EncodeJSON(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimRight(buf.String(), "\n"), nil
}
