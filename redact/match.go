package redact

import (
	"encoding/base64"
	"net/url"
	"sort"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// MinSecretLen is the length of the shortest secret looked for: shorter
// values would match ordinary text.
const MinSecretLen = 4

// span is a byte range [start, end) of a string.
type span struct{ start, end int }

// variants returns the spellings of secret that decoding cannot reveal:
// the value itself, trimmed, and its base64 forms. (URL-, JSON- and
// HTML-escaped spellings are found by decoding, see view.)
func variants(secret string) []string {
	var out []string
	for _, v := range []string{
		secret,
		strings.TrimSpace(secret),
		url.QueryEscape(secret),
		base64.StdEncoding.EncodeToString([]byte(secret)),
		base64.RawURLEncoding.EncodeToString([]byte(secret)),
	} {
		if len(v) >= MinSecretLen {
			out = append(out, v)
		}
	}
	return out
}

// expand returns the variants of every secret, without duplicates,
// longest first, so that a secret that contains another is replaced
// whole.
func expand(secrets []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range secrets {
		for _, v := range variants(s) {
			if !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	sortLongestFirst(out)
	return out
}

func sortLongestFirst(list []string) {
	sort.SliceStable(list, func(i, j int) bool { return len(list[i]) > len(list[j]) })
}

// hasEscapes reports whether s may spell something differently from what
// it means (backslash escapes, percent-encoding, character references).
func hasEscapes(s string) bool { return strings.ContainsAny(s, `\%&`) }

// findSecrets appends the spans of s where a secret occurs, as written or
// once escapes are decoded.
func findSecrets(s string, secrets []string, spans []span) []span {
	if len(secrets) == 0 || len(s) < len(secrets[len(secrets)-1]) {
		return spans // shorter than the shortest secret
	}
	for _, sec := range secrets {
		for i := 0; i+len(sec) <= len(s); {
			j := strings.Index(s[i:], sec)
			if j < 0 {
				break
			}
			spans = append(spans, span{i + j, i + j + len(sec)})
			i += j + len(sec)
		}
	}
	if !hasEscapes(s) {
		return spans
	}
	v := view(s)
	var found []span // in view offsets
	for _, sec := range secrets {
		for i := 0; i+len(sec) <= len(v); {
			j := strings.Index(v[i:], sec)
			if j < 0 {
				break
			}
			found = append(found, span{i + j, i + j + len(sec)})
			i += j + len(sec)
		}
	}
	if len(found) == 0 {
		return spans
	}
	return append(spans, toSource(s, found)...)
}

// containsSecret reports whether a secret occurs in s, as written or
// decoded.
func containsSecret(s string, secrets []string) bool {
	for _, sec := range secrets {
		if strings.Contains(s, sec) {
			return true
		}
	}
	if len(secrets) == 0 || !hasEscapes(s) {
		return false
	}
	v := view(s)
	for _, sec := range secrets {
		if strings.Contains(v, sec) {
			return true
		}
	}
	return false
}

// view is s with its escapes decoded: backslash escapes (\uXXXX with
// surrogate pairs, \xHH, \/ and other escaped punctuation, \n…, after a
// run of any number of backslashes, so that JSON inside JSON is decoded
// too), percent-encoding (%HH) and HTML character references (&#NN;,
// &#xHH;, &amp; …).
func view(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	var buf [utf8.UTFMax]byte
	for i := 0; i < len(s); {
		d, n := unit(s, i, buf[:0])
		b.Write(d)
		i += n
	}
	return b.String()
}

// toSource maps spans of view(s) to spans of s: each runs from the start
// of the escape that produced its first byte to the end of the one that
// produced its last.
func toSource(s string, found []span) []span {
	type point struct {
		off  int  // view offset
		end  bool // wants the end of its unit, not the start
		span int
	}
	pts := make([]point, 0, 2*len(found))
	for i, f := range found {
		pts = append(pts, point{f.start, false, i}, point{f.end - 1, true, i})
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].off < pts[j].off })
	out := make([]span, len(found))
	var buf [utf8.UTFMax]byte
	p, voff := 0, 0
	for i := 0; i < len(s) && p < len(pts); {
		d, n := unit(s, i, buf[:0])
		for p < len(pts) && pts[p].off < voff+len(d) {
			if pts[p].end {
				out[pts[p].span].end = i + n
			} else {
				out[pts[p].span].start = i
			}
			p++
		}
		voff += len(d)
		i += n
	}
	return out
}

// unit decodes the escape (or the plain byte) at s[i], appending what it
// stands for to dst, and returns dst and the width of the escape in s.
func unit(s string, i int, dst []byte) ([]byte, int) {
	switch s[i] {
	case '\\':
		return backslash(s, i, dst)
	case '%':
		if i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			return append(dst, hexVal(s[i+1])<<4|hexVal(s[i+2])), 3
		}
	case '&':
		if r, n := charRef(s[i:]); n > 0 {
			return utf8.AppendRune(dst, r), n
		}
	}
	return append(dst, s[i]), 1
}

// backslash decodes an escape after a run of backslashes at s[i].
func backslash(s string, i int, dst []byte) ([]byte, int) {
	k := 0
	for i+k < len(s) && s[i+k] == '\\' {
		k++
	}
	j := i + k
	if j >= len(s) {
		return append(dst, s[i:j]...), k
	}
	switch c := s[j]; {
	case c == 'u':
		r, ok := hex4(s, j+1)
		if !ok {
			break
		}
		n := k + 5
		if utf16.IsSurrogate(r) {
			// The low half may follow with its own run of backslashes.
			if i+n < len(s) && s[i+n] == '\\' {
				m := i + n
				for m < len(s) && s[m] == '\\' {
					m++
				}
				if m < len(s) && s[m] == 'u' {
					if lo, ok := hex4(s, m+1); ok {
						if pr := utf16.DecodeRune(r, lo); pr != utf8.RuneError {
							return utf8.AppendRune(dst, pr), m + 5 - i
						}
					}
				}
			}
			r = utf8.RuneError
		}
		return utf8.AppendRune(dst, r), n
	case c == 'x':
		if j+2 < len(s) && isHex(s[j+1]) && isHex(s[j+2]) {
			return append(dst, hexVal(s[j+1])<<4|hexVal(s[j+2])), k + 3
		}
	case c == 'n':
		return append(dst, '\n'), k + 1
	case c == 't':
		return append(dst, '\t'), k + 1
	case c == 'r':
		return append(dst, '\r'), k + 1
	case c > ' ' && c < 0x7f && !isAlnum(c):
		return append(dst, c), k + 1
	}
	// No escape follows: the backslashes stand for themselves (all of
	// them at once, so that a long run is not counted again and again).
	return append(dst, s[i:j]...), k
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		if !isHex(c) {
			return 0, false
		}
		r = r<<4 | rune(hexVal(c))
	}
	return r, true
}

var namedRefs = []struct {
	name string
	r    rune
}{{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}}

// charRef decodes an HTML character reference at the start of s.
func charRef(s string) (rune, int) {
	for _, e := range namedRefs {
		if strings.HasPrefix(s, e.name) {
			return e.r, len(e.name)
		}
	}
	if len(s) < 4 || s[1] != '#' {
		return 0, 0
	}
	i, base := 2, rune(10)
	if s[2] == 'x' || s[2] == 'X' {
		i, base = 3, 16
	}
	var r rune
	start := i
	for ; i < len(s) && i-start < 8; i++ {
		c := s[i]
		switch {
		case base == 10 && '0' <= c && c <= '9':
			r = r*10 + rune(c-'0')
		case base == 16 && isHex(c):
			r = r*16 + rune(hexVal(c))
		case c == ';' && i > start:
			if r > utf8.MaxRune {
				return 0, 0
			}
			return r, i + 1
		default:
			return 0, 0
		}
	}
	return 0, 0
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func hexVal(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// replaceSpans replaces each span of s (merged where they overlap or
// touch) with Redacted.
func replaceSpans(s string, spans []span) string {
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for i := 0; i < len(spans); {
		start, end := spans[i].start, spans[i].end
		for i++; i < len(spans) && spans[i].start <= end; i++ {
			end = max(end, spans[i].end)
		}
		if start < last {
			start = last
		}
		b.WriteString(s[last:start])
		b.WriteString(Redacted)
		last = end
	}
	b.WriteString(s[last:])
	return b.String()
}
