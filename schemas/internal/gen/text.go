package gen

import (
	"encoding/json"
	"regexp"
	"strings"
	"unicode"
)

const maxDescription = 160

var (
	mdLink     = regexp.MustCompile(`\[([^\]]+)\]\([^)]+\)`)
	mdMarks    = regexp.MustCompile("`+|\\*\\*")
	spaces     = regexp.MustCompile(`\s+`)
	drfEnumDoc = regexp.MustCompile(`(?s)\n\s*\* ` + "`" + `.*$`)
)

// shortDescription keeps the first sentence of an OpenAPI description,
// without Markdown, at most maxDescription characters.
func shortDescription(v any) string {
	s, _ := v.(string)
	return firstSentences(s, 1, maxDescription)
}

// firstSentences returns up to n sentences of s as plain text, cut at a word
// boundary to at most max characters.
func firstSentences(s string, n, max int) string {
	s = drfEnumDoc.ReplaceAllString(s, "")
	// A blank line or a list starts a new thought; keep the paragraph before it.
	if i := strings.Index(s, "\n\n"); i > 0 {
		s = s[:i]
	}
	if i := strings.Index(s, "\n-"); i > 0 {
		s = s[:i]
	}
	s = mdLink.ReplaceAllString(s, "$1")
	s = mdMarks.ReplaceAllString(s, "")
	s = strings.TrimSpace(spaces.ReplaceAllString(s, " "))
	end := 0
	for count := 0; count < n; count++ {
		i := sentenceEnd(s[end:])
		if i < 0 {
			end = len(s)
			break
		}
		end += i
	}
	s = strings.TrimSpace(s[:end])
	if len(s) > max {
		cut := strings.LastIndex(s[:max-1], " ")
		if cut < max/2 {
			cut = max - 1
		}
		s = strings.TrimRight(s[:cut], " ,;:(") + "…"
	}
	return s
}

// sentenceEnd returns the index just past the first sentence-ending period,
// or -1. "e.g." and decimals are not sentence ends.
func sentenceEnd(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] != '.' && s[i] != '?' && s[i] != '!' {
			continue
		}
		if i+1 < len(s) && s[i+1] != ' ' {
			continue
		}
		word := strings.TrimLeft(s[strings.LastIndex(s[:i], " ")+1:i], "(\"'")
		if strings.EqualFold(word, "e.g") || strings.EqualFold(word, "i.e") || strings.EqualFold(word, "etc") {
			continue
		}
		return i + 1
	}
	return -1
}

// snake turns camelCase, PascalCase and kebab-case into snake_case.
func snake(s string) string {
	var b strings.Builder
	runes := []rune(s)
	for i, r := range runes {
		switch {
		case r == '-' || r == ' ' || r == '.':
			b.WriteByte('_')
		case unicode.IsUpper(r):
			if i > 0 && (unicode.IsLower(runes[i-1]) || unicode.IsDigit(runes[i-1]) ||
				(i+1 < len(runes) && unicode.IsLower(runes[i+1]) && unicode.IsUpper(runes[i-1]))) {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteRune(r)
		}
	}
	return strings.Trim(regexp.MustCompile(`_+`).ReplaceAllString(b.String(), "_"), "_")
}

// slug makes a toolset suffix from an OpenAPI tag: "Data diffs" -> "data-diffs".
func slug(tag string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(tag) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// canonical is a stable text form of a JSON value (encoding/json sorts map keys).
func canonical(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
