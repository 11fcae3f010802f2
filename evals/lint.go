package evals

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// LintTool is what the description lint reads of a tool.
type LintTool struct {
	Name        string
	Description string
}

// MaxSentences is the most sentences a tool description may have.
const MaxSentences = 2

// pointer is the generator's closing note on tools whose listing leaves
// arguments out ("More optional fields and nested shapes: see
// describe_tool."): a pointer to the full schema, not part of what the
// tool does.
var pointer = regexp.MustCompile(`\s*(More optional fields( and nested shapes)?|Nested shapes): see describe_tool\.$`)

// Verbs a description may start with: it says what the tool does, in the
// imperative, or (for a tool answering a question) names the question.
var Verbs = map[string]bool{
	"add": true, "calculate": true, "cancel": true, "change": true, "choose": true, "compile": true,
	"connect": true, "create": true, "delete": true, "describe": true, "diff": true, "export": true,
	"fetch": true, "find": true, "get": true, "grant": true, "join": true, "list": true, "promote": true,
	"read": true, "register": true, "remove": true, "replace": true, "resolve": true, "resync": true,
	"revoke": true, "run": true, "search": true, "set": true, "show": true, "start": true, "stop": true,
	"sync": true, "test": true, "trigger": true, "update": true, "upload": true, "validate": true,
	"compare": true, "preview": true, "dismiss": true, "check": true, "send": true, "save": true, "poll": true, "wait": true,
	"what": true, "which": true, "where": true,
}

// Lint checks every tool description: it starts by saying what the tool
// does (an imperative verb, or the question it answers), says something its
// name does not (the object, scope or situation that tells when to use
// it), has at most MaxSentences sentences (the generator's pointer to
// describe_tool aside), and no two tools share a description or a first
// sentence (search_tools shows only the first). It returns one problem per
// line, sorted.
func Lint(list []LintTool) []string {
	var problems []string
	bad := func(name, format string, args ...any) {
		problems = append(problems, name+": "+fmt.Sprintf(format, args...))
	}
	byDesc := map[string][]string{}
	byFirst := map[string][]string{}
	for _, t := range list {
		d := strings.TrimSpace(pointer.ReplaceAllString(strings.TrimSpace(t.Description), ""))
		if d == "" {
			bad(t.Name, "no description")
			continue
		}
		sentences := Sentences(d)
		if len(sentences) > MaxSentences {
			bad(t.Name, "%d sentences, want at most %d: %q", len(sentences), MaxSentences, d)
		}
		first := strings.ToLower(firstWord(d))
		if !Verbs[first] {
			bad(t.Name, "starts with %q: say what the tool does with an imperative verb (Get, List, Create, …)", firstWord(d))
		}
		if extra := beyondName(t.Name, d); len(extra) == 0 {
			bad(t.Name, "only restates its name (%q): say what it returns or changes, and when to use it", d)
		}
		key := strings.ToLower(strings.Join(strings.Fields(d), " "))
		byDesc[key] = append(byDesc[key], t.Name)
		byFirst[strings.ToLower(sentences[0])] = append(byFirst[strings.ToLower(sentences[0])], t.Name)
	}
	for d, names := range byDesc {
		if len(names) > 1 {
			sort.Strings(names)
			bad(strings.Join(names, ", "), "share the description %q", d)
		}
	}
	for s, names := range byFirst {
		if len(names) > 1 && len(byDesc[s]) < 2 {
			sort.Strings(names)
			bad(strings.Join(names, ", "), "share the first sentence %q (all search_tools shows)", s)
		}
	}
	sort.Strings(problems)
	return problems
}

// Sentences splits a description into sentences: a sentence ends at ".",
// "!" or "?" followed by a space and an upper-case letter, or at the end.
// Abbreviations such as "e.g." and "i.e." are followed by lower case, so
// they do not end one.
func Sentences(s string) []string {
	var out []string
	runes := []rune(s)
	start := 0
	for i := 0; i < len(runes); i++ {
		if runes[i] != '.' && runes[i] != '!' && runes[i] != '?' {
			continue
		}
		j := i + 1
		if j < len(runes) && !unicode.IsSpace(runes[j]) {
			continue
		}
		for j < len(runes) && unicode.IsSpace(runes[j]) {
			j++
		}
		if j == len(runes) || unicode.IsUpper(runes[j]) {
			out = append(out, strings.TrimSpace(string(runes[start:i+1])))
			start = j
			i = j - 1
		}
	}
	if rest := strings.TrimSpace(string(runes[start:])); rest != "" {
		out = append(out, rest)
	}
	return out
}

func firstWord(s string) string {
	f := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' })
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// filler are words that add nothing to a tool's name.
var filler = map[string]bool{
	"a": true, "an": true, "the": true, "of": true, "for": true, "to": true, "in": true, "on": true, "by": true,
	"and": true, "or": true, "its": true, "it": true, "this": true, "that": true, "with": true, "from": true,
	"new": true, "all": true, "one": true, "single": true, "given": true, "current": true, "details": true,
	"detail": true, "info": true, "information": true, "item": true, "items": true, "data": true,
}

// beyondName returns the description's words that are neither in the
// tool's name (nor its provider prefix) nor filler.
func beyondName(name, desc string) []string {
	inName := map[string]bool{}
	for _, w := range strings.Split(name, "_") {
		inName[stemWord(w)] = true
	}
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(desc), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		s := stemWord(w)
		if len(s) < 2 || filler[w] || filler[s] || inName[s] {
			continue
		}
		out = append(out, w)
	}
	return out
}

// stemWord strips plural and a few verb endings so "sources" matches
// "source" and "gets" matches "get".
func stemWord(w string) string {
	w = strings.ToLower(w)
	switch {
	case strings.HasSuffix(w, "ies") && len(w) > 4:
		return w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "es") && (strings.HasSuffix(w, "sses") || strings.HasSuffix(w, "xes")):
		return w[:len(w)-2]
	case strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && len(w) > 3:
		return w[:len(w)-1]
	}
	return w
}
