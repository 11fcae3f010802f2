package tools

import (
	"encoding/json"
	"math"
	"sort"
	"strings"
	"unicode"
)

// index ranks tools for a free-text query with BM25 over each tool's name
// (weighted up), description and argument names. It is small enough to
// rebuild for every policy, and deterministic: ties break by name.
type index struct {
	tools  []*Tool
	docs   []map[string]float64 // term -> weighted frequency
	lens   []float64
	avgLen float64
	df     map[string]int
}

const (
	bm25K1      = 1.2
	bm25B       = 0.75
	nameWeight  = 3
	paramWeight = 1
	// synonymWeight is how much a word a query implies counts against one it says.
	synonymWeight = 0.4
)

// synonyms widen a query term to the words the tools use.
var synonyms = map[string][]string{
	"compare":    {"diff"},
	"difference": {"diff"},
	"changed":    {"diff"},
	"lineage":    {"downstream", "upstream"},
	"depend":     {"downstream"},
	"break":      {"downstream"},
	"impact":     {"downstream"},
	"source":     {"upstream"},
	"remove":     {"delete"},
	"show":       {"get", "list"},
	"find":       {"list", "get"},
	"warehouse":  {"data", "source"},
	"connection": {"data", "source"},
	"dashboard":  {"dashboard", "chart"},
	"sync":       {"sync", "resync", "reload"},
	"run":        {"run", "trigger", "execute"},
	"sql":        {"sql", "query"},
	"permission": {"access"},
	"share":      {"access"},
}

func newIndex(list []*Tool) *index {
	ix := &index{tools: list, df: map[string]int{}}
	total := 0.0
	for _, t := range list {
		doc := map[string]float64{}
		for _, w := range terms(strings.ReplaceAll(t.Name, "_", " ")) {
			doc[w] += nameWeight
		}
		for _, w := range terms(t.Description) {
			doc[w]++
		}
		for _, p := range argNames(t.FullSchema()) {
			for _, w := range terms(p) {
				doc[w] += paramWeight
			}
		}
		n := 0.0
		for w, f := range doc {
			ix.df[w]++
			n += f
		}
		ix.docs = append(ix.docs, doc)
		ix.lens = append(ix.lens, n)
		total += n
	}
	if len(list) > 0 {
		ix.avgLen = total / float64(len(list))
	}
	return ix
}

// hit is one ranked tool.
type hit struct {
	tool  *Tool
	score float64
}

func (ix *index) search(query string, limit int) []hit {
	// The query's own words weigh 1; synonyms they bring in weigh less, so
	// they break ties without outranking what was asked.
	weights := map[string]float64{}
	for _, w := range terms(query) {
		weights[w] = 1
	}
	for _, w := range terms(query) {
		for _, syn := range synonyms[w] {
			if weights[syn] == 0 {
				weights[syn] = synonymWeight
			}
		}
	}
	words := make([]string, 0, len(weights))
	for w := range weights {
		words = append(words, w)
	}
	sort.Strings(words) // a fixed summation order keeps scores, and so ties, stable
	n := float64(len(ix.tools))
	var hits []hit
	for i, doc := range ix.docs {
		score := 0.0
		for _, w := range words {
			qw := weights[w]
			f := doc[w]
			if f == 0 {
				continue
			}
			idf := math.Log(1 + (n-float64(ix.df[w])+0.5)/(float64(ix.df[w])+0.5))
			score += qw * idf * f * (bm25K1 + 1) / (f + bm25K1*(1-bm25B+bm25B*ix.lens[i]/ix.avgLen))
		}
		if score > 0 {
			hits = append(hits, hit{ix.tools[i], score})
		}
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].score != hits[j].score {
			return hits[i].score > hits[j].score
		}
		return hits[i].tool.Name < hits[j].tool.Name
	})
	if limit > 0 && len(hits) > limit {
		hits = hits[:limit]
	}
	return hits
}

var stopwords = map[string]bool{
	"a": true, "an": true, "the": true, "of": true, "to": true, "in": true, "on": true, "for": true, "and": true,
	"or": true, "is": true, "are": true, "my": true, "me": true, "i": true, "what": true, "which": true, "with": true,
	"by": true, "it": true, "this": true, "that": true, "from": true, "do": true, "does": true, "how": true, "if": true,
	"all": true, "be": true, "can": true, "its": true, "their": true, "there": true, "we": true, "our": true,
}

// terms lowercases, splits on non-alphanumerics and camelCase, drops stop
// words and strips simple plural and verb endings.
func terms(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) == 0 {
			return
		}
		w := stem(strings.ToLower(string(cur)))
		cur = cur[:0]
		if w != "" && !stopwords[w] {
			out = append(out, w)
		}
	}
	var prev rune
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if unicode.IsUpper(r) && unicode.IsLower(prev) {
				flush()
			}
			cur = append(cur, r)
		default:
			flush()
		}
		prev = r
	}
	flush()
	return out
}

func stem(w string) string {
	switch {
	case len(w) > 5 && strings.HasSuffix(w, "ing"):
		return w[:len(w)-3]
	case len(w) > 4 && strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case len(w) > 4 && strings.HasSuffix(w, "es") && (strings.HasSuffix(w, "sses") || strings.HasSuffix(w, "xes")):
		return w[:len(w)-2]
	case len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss"):
		return w[:len(w)-1]
	case len(w) > 4 && strings.HasSuffix(w, "ed"):
		return w[:len(w)-2]
	}
	return w
}

// argNames lists the top-level argument names of a schema.
func argNames(schema json.RawMessage) []string {
	var s struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	_ = json.Unmarshal(schema, &s)
	out := make([]string, 0, len(s.Properties))
	for k := range s.Properties {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
