package tools

import (
	"encoding/json"
	"math"
	"regexp"
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
	// nouns are the terms of tool names: a query's plural of one of them
	// asks for a list of those things.
	nouns map[string]bool
}

const (
	bm25K1 = 1.2
	// bm25B is how much a longer tool document discounts its matches. Less
	// than prose retrieval's 0.75: a tool's length is how many arguments it
	// takes and how much its one-sentence description details, not drift
	// to other topics, and among a provider's tools that share every word
	// of a query (pdc_*: data, source, catalog) length alone decided, for
	// the shorter tool that gets one over the one that lists (in the evals'
	// routing, 0.25 to 0.35 all rank more tasks' tools first than 0.5).
	bm25B       = 0.3
	nameWeight  = 3
	paramWeight = 1
	// synonymWeight is how much a word a query implies, or quotes as a
	// value, counts against one it says.
	synonymWeight = 0.4
	// intentWeight scales the score of a tool whose kind (it reads, or it
	// changes something) is not what the query asks for: see intentOf.
	intentWeight = 0.7
)

// What of a caller's text takes part in matching: the first maxQueryBytes
// of a search query (a sentence or two says what is wanted) and the first
// maxNameBytes of a tool name to suggest others for (names are under 80
// bytes). The rest is ignored, so the work is bounded whatever is sent: a
// megabyte name compared in full with every tool name took seconds.
const (
	maxQueryBytes = 1000
	maxNameBytes  = 200
)

// synonyms widen a query term to the words the tools use. Keys and
// values are plain words; searchSynonyms holds them stemmed. The evals
// (evals/) show which words users say that the tools do not.
var synonyms = map[string][]string{
	"compare":    {"diff"},
	"difference": {"diff"},
	"changed":    {"diff"},
	"lineage":    {"downstream", "upstream"},
	"depend":     {"downstream"},
	"break":      {"downstream", "impact"},
	"affected":   {"impact", "downstream"},
	"impact":     {"downstream"},
	"blast":      {"impact"},
	"radius":     {"impact"},
	"come":       {"upstream"},
	"origin":     {"upstream"},
	"trace":      {"upstream", "lineage"},
	"source":     {"upstream"},
	"remove":     {"delete"},
	"show":       {"get", "list"},
	"find":       {"list", "get"},
	"warehouse":  {"data", "source"},
	"connection": {"data", "source"},
	"dashboard":  {"dashboard", "chart"},
	"sync":       {"sync", "resync", "reload"},
	"resync":     {"sync", "resync"},
	"stale":      {"sync"},
	"run":        {"run", "trigger", "execute"},
	"rerun":      {"run", "trigger"},
	"kick":       {"start", "trigger"},
	"stop":       {"cancel", "disable"},
	"sql":        {"sql", "query"},
	"runner":     {"run", "sql"},
	"permission": {"access"},
	"share":      {"access"},
	"give":       {"grant", "access"},
	"add":        {"create", "grant"},
	"register":   {"create"},
	"setup":      {"create"},
	"notify":     {"alert", "monitor"},
	"fail":       {"error", "status"},
	"broken":     {"validation", "error"},
	"own":        {"owner"},
	"often":      {"schedule"},
	"export":     {"csv", "download"},
	"pentaho":    {"pdc"},
	"catalogued": {"catalog"},
	"inactive":   {"status"},
	"cost":       {"spend"},
	"have":       {"list"},
	"fine":       {"status"},
	"healthy":    {"status"},
}

// questionSynonyms are question words (stop words, so not terms) that
// imply a kind of tool: "which …" and "what …" ask for a set, a list.
var questionSynonyms = map[string][]string{
	"which": {"list"},
	"what":  {"list"},
	"who":   {"list"},
}

// pluralSynonyms are what the plural of a thing tools are named after
// implies: "posthog sources", "failing monitors" ask for a set, a list.
var pluralSynonyms = []string{"list"}

// plural reports whether a lower-case query word looks like a plural noun
// ("sources", "tables", "diffs"), not a word that only ends in s ("status",
// "access", "analysis"). A third-person verb ("depends") passes too; its
// clause usually asks "what …", which implies a list anyway.
func plural(w string) bool {
	if len(w) < 4 || !strings.HasSuffix(w, "s") || stopwords[w] || questionWords[w] {
		return false
	}
	for _, end := range []string{"ss", "us", "is", "ics", "ous"} {
		if strings.HasSuffix(w, end) {
			return false
		}
	}
	return true
}

// searchSynonyms is synonyms keyed and valued by stemmed terms.
var searchSynonyms = func() map[string][]string {
	out := map[string][]string{}
	for k, vs := range synonyms {
		for _, key := range terms(k) {
			for _, v := range vs {
				out[key] = append(out[key], terms(v)...)
			}
		}
	}
	return out
}()

func newIndex(list []*Tool) *index {
	ix := &index{tools: list, df: map[string]int{}, nouns: map[string]bool{}}
	total := 0.0
	for _, t := range list {
		doc := map[string]float64{}
		for _, w := range terms(strings.ReplaceAll(t.Name, "_", " ")) {
			doc[w] += nameWeight
			ix.nouns[w] = true
		}
		if listingVerbs[verbOf(t)] {
			doc["list"] += nameWeight
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
	query = Clip(query, maxQueryBytes)
	// The query's own words weigh 1; synonyms they bring in, and the words
	// of values it quotes, weigh less, so they break ties without
	// outranking what was asked.
	plain, quoted := splitQuoted(query)
	weights := map[string]float64{}
	for _, w := range terms(quoted) {
		weights[w] = synonymWeight
	}
	for _, w := range terms(plain) {
		weights[w] = 1
	}
	for _, w := range terms(plain) {
		for _, syn := range searchSynonyms[w] {
			if weights[syn] == 0 {
				weights[syn] = synonymWeight
			}
		}
	}
	for _, w := range strings.FieldsFunc(strings.ToLower(plain), func(r rune) bool { return !unicode.IsLetter(r) }) {
		syns := questionSynonyms[w]
		if plural(w) && ix.nouns[stem(w)] {
			syns = pluralSynonyms
		}
		for _, syn := range syns {
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
	intent := intentOf(plain)
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
		if acts := changes(ix.tools[i]); (intent == readIntent && acts) || (intent == writeIntent && !acts) {
			score *= intentWeight
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

// quotedValue is text in quotes: a value the user supplies ("… to 'Raw
// event exports'", "the \"No negative amounts\" monitor"), not words for what
// is to be done. An opening quote follows a space, a bracket or the start,
// so the apostrophe of "don't" or "Datafold's" opens nothing.
var quotedValue = regexp.MustCompile(`(^|[\s(\[])(?:'[^']+'|"[^"]+"|“[^”]+”|‘[^’]+’)`)

// splitQuoted returns query without its quoted values, and the values.
func splitQuoted(query string) (plain, quoted string) {
	var values []string
	plain = quotedValue.ReplaceAllStringFunc(query, func(m string) string {
		i := strings.IndexAny(m, `'"“‘`)
		values = append(values, m[i:])
		return m[:i] + " "
	})
	return plain, strings.Join(values, " ")
}

var stopwords = map[string]bool{
	"a": true, "an": true, "the": true, "of": true, "to": true, "in": true, "on": true, "for": true, "and": true,
	"or": true, "is": true, "are": true, "my": true, "me": true, "i": true, "what": true, "which": true, "with": true,
	"by": true, "it": true, "this": true, "that": true, "from": true, "do": true, "does": true, "how": true, "if": true,
	"all": true, "be": true, "can": true, "its": true, "their": true, "there": true, "we": true, "our": true,
}

// terms lowercases, splits on non-alphanumerics and camelCase, drops stop
// words and strips simple plural and verb endings. A camelCase word also
// counts whole, so "PostHog" matches posthog_* and "projectUuid" matches
// "project" and "uuid".
func terms(s string) []string {
	var out []string
	var cur []rune
	add := func(w string) {
		if w = stem(strings.ToLower(w)); w != "" && !stopwords[w] {
			out = append(out, w)
		}
	}
	var word []rune // the whole alphanumeric run, across camelCase parts
	parts := 0
	flush := func() {
		if len(cur) > 0 {
			add(string(cur))
			parts++
		}
		cur = cur[:0]
	}
	endWord := func() {
		flush()
		if parts > 1 {
			add(string(word))
		}
		word, parts = word[:0], 0
	}
	var prev rune
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if unicode.IsUpper(r) && unicode.IsLower(prev) {
				flush()
			}
			cur = append(cur, r)
			word = append(word, r)
		default:
			endWord()
		}
		prev = r
	}
	endWord()
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

// Query intent: whether the user asks a question or asks for a change.
// A question ("which monitors are alerting?", "show me the CI runs") is
// best answered by a tool that reads, so tools that change something rank
// a little lower; a request for a change ("add a monitor…", "stop the
// sync") ranks the tools that read a little lower. Scores are scaled by
// intentWeight, so a tool the words point at clearly still wins.
const (
	noIntent = iota
	readIntent
	writeIntent
)

// actionVerbs are imperatives that ask for a change. Only the base form at
// the start of a clause counts ("Stop the sync", "please add…"), so a
// narrative "I reconnected HubSpot" or a hypothetical "if I rename it" is
// no request. "run" and "diff"/"compare" are left out: running SQL or a
// comparison answers a question.
var actionVerbs = map[string]bool{
	"add": true, "archive": true, "cancel": true, "change": true, "connect": true, "create": true, "delete": true,
	"disable": true, "dismiss": true, "drop": true, "edit": true, "enable": true, "give": true, "grant": true,
	"invite": true, "kick": true, "make": true, "move": true, "notify": true, "promote": true, "refresh": true,
	"register": true, "reload": true, "remove": true, "rename": true, "rerun": true, "resolve": true, "restart": true,
	"resync": true, "revoke": true, "schedule": true, "set": true, "setup": true, "share": true, "start": true,
	"stop": true, "switch": true, "sync": true, "trigger": true, "turn": true, "update": true, "upload": true,
	"validate": true, "alert": true, "export": true, "test": true, "re-run": true,
}

// questionWords open a clause that asks to read.
var questionWords = map[string]bool{
	"what": true, "which": true, "who": true, "whom": true, "whose": true, "where": true, "when": true, "why": true,
	"how": true, "is": true, "are": true, "was": true, "were": true, "do": true, "does": true, "did": true, "has": true,
	"have": true, "any": true, "show": true, "list": true, "tell": true, "find": true, "get": true, "describe": true,
	"explain": true, "check": true, "look": true, "search": true, "read": true, "fetch": true,
}

// stateWords describe how something is ("failing syncs", "stale tables",
// "is the monitor healthy"): a query that names a state without asking for
// a change asks to read it.
var stateWords = map[string]bool{
	"failing": true, "failed": true, "broken": true, "stuck": true, "stale": true, "erroring": true, "errored": true,
	"healthy": true, "unhealthy": true, "late": true, "delayed": true, "outdated": true, "paused": true, "down": true,
	"alerting": true, "inactive": true, "slow": true,
}

// leadIns are skipped before a clause's first verb ("please", "can you",
// "I want to", "let's", "now").
var leadIns = map[string]bool{
	"please": true, "can": true, "could": true, "would": true, "will": true, "you": true, "i": true, "we": true,
	"want": true, "need": true, "to": true, "let": true, "lets": true, "let's": true, "us": true, "help": true,
	"go": true, "ahead": true, "just": true, "now": true, "then": true, "also": true, "and": true, "so": true,
	"kindly": true, "quickly": true, "ok": true, "okay": true,
}

var clauseEnd = regexp.MustCompile(`[.?!;:](\s|$)`)

// intentOf reads a query's intent: a clause opening with an action verb
// asks for a change; otherwise a question mark, a clause opening with a
// question word or a word of state ("failing") asks to read; otherwise
// there is no intent.
func intentOf(query string) int {
	q := strings.ToLower(query)
	read := strings.Contains(q, "?")
	for _, clause := range clauseEnd.Split(q, -1) {
		words := strings.FieldsFunc(clause, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' && r != '-' })
		for _, w := range words {
			read = read || stateWords[w]
		}
		for i, w := range words {
			if leadIns[w] {
				continue
			}
			switch {
			case w == "give" && i+1 < len(words) && words[i+1] == "me":
				read = true
			case actionVerbs[w]:
				return writeIntent
			case questionWords[w]:
				read = true
			}
			break
		}
	}
	if read {
		return readIntent
	}
	return noIntent
}

// changingVerbs are the verbs of tool names that change something. A
// tool's kind comes from its name, not its HTTP method: SQL runners,
// compiled queries and incremental-field listings are POSTs that only read.
var changingVerbs = map[string]bool{
	"add": true, "bulk": true, "cancel": true, "create": true, "delete": true, "download": true, "grant": true,
	"join": true, "promote": true, "refresh": true, "register": true, "reload": true, "remove": true,
	"replace": true, "resolve": true, "resync": true, "revoke": true, "set": true, "start": true, "sync": true,
	"test": true, "trigger": true, "update": true, "upload": true, "validate": true,
}

// changes reports whether a tool changes something, from the first word of
// its name after the provider prefix.
func changes(t *Tool) bool { return changingVerbs[verbOf(t)] }

// listingVerbs are the verbs of tool names that list what matches criteria:
// pdc_filter_data_sources is PDC's list of data sources, and its name
// reads as "list" too, as the plural "data sources" and "which …" ask
// (without it a shorter get-one tool of the same nouns ranks first).
var listingVerbs = map[string]bool{"filter": true, "search": true}

// verbOf is the first word of a tool's name after the provider prefix.
func verbOf(t *Tool) string {
	verb, _, _ := strings.Cut(strings.TrimPrefix(t.Name, t.Provider+"_"), "_")
	return verb
}

// Suggest returns up to n names of tools in list close to name, the
// closest first: for a tool name that is not on the server ("did you
// mean …?"). A name that differs only in case or separators gives that
// one tool; otherwise names within a few edits (typos, a missing provider
// prefix) come first, then the tools the name's words find. Only the
// first maxNameBytes of name take part (suggestKey).
func Suggest(list []*Tool, name string, n int) []string {
	return suggest(list, newIndex(list), name, n)
}

func suggest(list []*Tool, ix *index, name string, n int) []string {
	want := suggestKey(name)
	if want == "" || n <= 0 {
		return nil
	}
	type near struct {
		name string
		dist int
	}
	var close []near
	for _, t := range list {
		if t.Name == want {
			return []string{t.Name}
		}
		d := editDistance(want, t.Name)
		if bare := strings.TrimPrefix(t.Name, t.Provider+"_"); bare != t.Name {
			d = min(d, editDistance(want, bare))
		}
		if d <= max(2, len(want)/8) {
			close = append(close, near{t.Name, d})
		}
	}
	sort.Slice(close, func(i, j int) bool {
		if close[i].dist != close[j].dist {
			return close[i].dist < close[j].dist
		}
		return close[i].name < close[j].name
	})
	var out []string
	for _, c := range close {
		if len(out) < n {
			out = append(out, c.name)
		}
	}
	for _, h := range ix.search(strings.ReplaceAll(want, "_", " "), n) {
		if len(out) < n && !contains(out, h.tool.Name) {
			out = append(out, h.tool.Name)
		}
	}
	return out
}

// suggestKey is what of a name is compared with the tool names: its first
// maxNameBytes, as normalName reads them.
func suggestKey(name string) string { return normalName(Clip(name, maxNameBytes)) }

// normalName is a tool name as it was probably meant: lower case, with
// any run of other characters ("posthog.list-projects") as one "_".
func normalName(s string) string {
	var b strings.Builder
	sep := false
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if sep && b.Len() > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
			sep = false
			continue
		}
		sep = true
	}
	return b.String()
}

// editDistance is the Levenshtein distance between a and b, in bytes
// (tool names are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// abbreviations end with a period that ends no sentence.
var abbreviations = []string{"e.g", "i.e", "etc", "vs", "cf", "approx", "incl", "no"}

// firstSentence is a description's first sentence: up to the first period
// that is followed by a space and a word that does not start in lower
// case, outside parentheses and not ending an abbreviation ("e.g.",
// "vs."), so "(e.g. prod vs. dev)" does not cut it short.
func firstSentence(s string) string {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '[':
			depth++
		case ')', ']':
			depth = max(0, depth-1)
		case '.':
			if depth > 0 || i+1 >= len(s) || s[i+1] != ' ' {
				continue
			}
			rest := strings.TrimLeft(s[i+1:], " ")
			if rest == "" || unicode.IsLower(rune(rest[0])) || endsWithAbbreviation(s[:i]) {
				continue
			}
			return s[:i+1]
		}
	}
	return s
}

func endsWithAbbreviation(s string) bool {
	low := strings.ToLower(s)
	for _, a := range abbreviations {
		if strings.HasSuffix(low, a) && (len(low) == len(a) || !unicode.IsLetter(rune(low[len(low)-len(a)-1]))) {
			return true
		}
	}
	return false
}
