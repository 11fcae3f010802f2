package redact

import (
	"encoding/base64"
	"regexp"
	"strings"
)

// Values that look like credentials wherever they appear. Each finder
// appends the spans to replace: the credential only, so that "Bearer …"
// stays readable as "Bearer [REDACTED]".

var (
	jwtShape = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*`)
	pemShape = regexp.MustCompile(`(?s)-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\z)`)
)

// findShapes appends the spans of s that look like credentials. text adds
// "name: value" pairs to "name=value" ones (error texts, not JSON values,
// where a colon is ordinary prose).
func findShapes(s string, text bool, spans []span) []span {
	if len(s) < 8 {
		return spans
	}
	spans = authSpans(s, spans)
	if strings.Contains(s, "eyJ") {
		for _, m := range jwtShape.FindAllStringIndex(s, -1) {
			spans = append(spans, span{m[0], m[1]})
		}
	}
	if strings.Contains(s, "PRIVATE KEY") {
		for _, m := range pemShape.FindAllStringIndex(s, -1) {
			spans = append(spans, span{m[0], m[1]})
		}
	}
	if strings.Contains(s, "://") && strings.IndexByte(s, '@') >= 0 {
		spans = userinfoSpans(s, spans)
	}
	if strings.IndexByte(s, '=') >= 0 || (text && strings.IndexByte(s, ':') >= 0) {
		spans = pairSpans(s, text, spans)
	}
	return prefixSpans(s, spans)
}

// isB64Token reports whether c may appear in a bearer token (RFC 6750
// b64token, with '=' padding).
func isB64Token(c byte) bool {
	return isAlnum(c) || strings.IndexByte("-._~+/=", c) >= 0
}

// weakSchemes are Authorization schemes that are ordinary words too; they
// count only when they are the whole value ("Key abc…").
var weakSchemes = []string{"key", "token", "apikey", "api-key", "api_key"}

// authSpans finds the credentials of Authorization values: "Bearer x" and
// "Basic x" (x decoding to user:password) anywhere, the weak schemes only
// as a whole value.
func authSpans(s string, spans []span) []span {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if c != 'b' || (i > 0 && isAlnum(s[i-1])) {
			continue
		}
		var n int
		switch {
		case len(s)-i >= 6 && strings.EqualFold(s[i:i+6], "bearer"):
			n = 6
		case len(s)-i >= 5 && strings.EqualFold(s[i:i+5], "basic"):
			n = 5
		default:
			continue
		}
		start, end := tokenAfter(s, i+n)
		if end-start < 8 {
			continue
		}
		if n == 5 && !basicCredential(s[start:end]) {
			continue
		}
		spans = append(spans, span{start, end})
		i = end - 1
	}
	t := strings.TrimSpace(s)
	scheme, tok, ok := strings.Cut(t, " ")
	tok = strings.TrimLeft(tok, " \t")
	if !ok || len(tok) < 8 || strings.ContainsAny(tok, " \t\r\n") {
		return spans
	}
	for _, w := range weakSchemes {
		if strings.EqualFold(scheme, w) {
			at := strings.LastIndex(s, tok)
			return append(spans, span{at, at + len(tok)})
		}
	}
	return spans
}

// tokenAfter returns the token that follows s[i:] after at least one space
// or tab.
func tokenAfter(s string, i int) (int, int) {
	j := i
	for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	if j == i {
		return i, i
	}
	k := j
	for k < len(s) && isB64Token(s[k]) {
		k++
	}
	if k < len(s) && isAlnum(s[k]) {
		return j, j
	}
	return j, k
}

// basicCredential reports whether tok is base64 of user:password.
func basicCredential(tok string) bool {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding} {
		if b, err := enc.DecodeString(tok); err == nil {
			return strings.IndexByte(string(b), ':') >= 0
		}
	}
	return false
}

// userinfoSpans finds the password of URLs scheme://user:password@host
// (and a long user part without password, which is then a token).
func userinfoSpans(s string, spans []span) []span {
	for i := 0; ; {
		j := strings.Index(s[i:], "://")
		if j < 0 {
			return spans
		}
		a := i + j + 3
		e := a
		for e < len(s) && strings.IndexByte("/?#\"'<>\\ \t\r\n", s[e]) < 0 {
			e++
		}
		if at := strings.LastIndexByte(s[a:e], '@'); at > 0 {
			if colon := strings.IndexByte(s[a:a+at], ':'); colon >= 0 {
				if colon+1 < at {
					spans = append(spans, span{a + colon + 1, a + at})
				}
			} else if at >= 20 {
				spans = append(spans, span{a, a + at})
			}
		}
		i = max(e, a)
	}
}

// isNameByte reports whether c may be part of a key name in name=value.
func isNameByte(c byte) bool { return isAlnum(c) || c == '_' || c == '-' || c == '.' }

// pairSpans finds the values of name=value pairs (and name: value ones in
// text) whose name is a secret key: password=… in a DSN, api_key=… in a
// query string, "password": "…" in JSON quoted in an error text.
func pairSpans(s string, text bool, spans []span) []span {
	for p := 0; p < len(s); p++ {
		c := s[p]
		if c != '=' && (c != ':' || !text) {
			continue
		}
		if c == ':' && strings.HasPrefix(s[p:], "://") {
			continue
		}
		// The name: back over spaces and a closing quote.
		b := p
		for b > 0 && b > p-3 && s[b-1] == ' ' {
			b--
		}
		if b > 0 && (s[b-1] == '"' || s[b-1] == '\'') {
			b--
		}
		a := b
		for a > 0 && b-a < 64 && isNameByte(s[a-1]) {
			a--
		}
		if a == b || (a > 0 && isNameByte(s[a-1])) || !SecretKey(s[a:b]) {
			continue
		}
		// The value: quoted, or up to a delimiter.
		v := p + 1
		for v < len(s) && s[v] == ' ' {
			v++
		}
		if v >= len(s) || (c == '=' && s[v] == '=') {
			continue
		}
		var end int
		quoted := s[v] == '"' || s[v] == '\''
		if q := s[v]; quoted {
			v = skipScheme(s, v+1)
			end = v
			for end < len(s) && s[end] != q {
				if s[end] == '\\' {
					end++
				}
				end++
			}
			end = min(end, len(s))
		} else {
			v = skipScheme(s, v)
			end = v
			for end < len(s) && strings.IndexByte(" \t\r\n&;,\"'<>)}]", s[end]) < 0 {
				end++
			}
		}
		val := s[v:end]
		if val == "" || val == Redacted || val[0] == '{' || val[0] == '[' ||
			(isNumber(val) && !secretNumberKey(s[a:b])) || notSecretWord(val, c == ':' && !quoted) {
			continue
		}
		spans = append(spans, span{v, end})
		p = end - 1
	}
	return spans
}

// plainWords are values that say something about a secret without being
// one.
var plainWords = map[string]bool{
	"true": true, "false": true, "null": true, "none": true, "nil": true, "undefined": true,
	"expired": true, "invalid": true, "missing": true, "required": true, "empty": true,
	"unknown": true, "revoked": true, "set": true, "unset": true, "redacted": true,
}

// notSecretWord reports whether val is a plain word rather than a
// secret; after "name:" in prose, also any word of fewer than 6 letters.
func notSecretWord(val string, prose bool) bool {
	if plainWords[strings.ToLower(val)] {
		return true
	}
	return prose && len(val) < 6
}

// skipScheme skips an Authorization scheme and its space at s[v:], so
// that "Authorization: Bearer x" keeps its scheme readable.
func skipScheme(s string, v int) int {
	for _, w := range append([]string{"bearer", "basic"}, weakSchemes...) {
		if n := len(w); len(s)-v > n && strings.EqualFold(s[v:v+n], w) && s[v+n] == ' ' {
			return v + n + 1
		}
	}
	return v
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && c != '.' && c != '-' {
			return false
		}
	}
	return true
}

// tokenPrefixes are the prefixes of well-known issued tokens, with the
// characters and least length of the rest.
var tokenPrefixes = []struct {
	prefix string
	chars  string // besides letters and digits
	min    int
}{
	{"ya29.", "_.-", 16}, // Google OAuth access token (Lightdash's Google Drive token)
	{"1//0", "_-", 20},   // Google OAuth refresh token
	{"ghp_", "", 20},     // GitHub tokens
	{"gho_", "", 20},
	{"ghu_", "", 20},
	{"ghs_", "", 20},
	{"ghr_", "", 20},
	{"github_pat_", "_", 20},
	{"glpat-", "_-", 20}, // GitLab
	{"xoxb-", "-", 10},   // Slack
	{"xoxp-", "-", 10},
	{"xoxa-", "-", 10},
	{"xoxr-", "-", 10},
	{"xoxs-", "-", 10},
	{"phx_", "", 20},     // PostHog personal API key
	{"ldpat_", "", 16},   // Lightdash personal access token
	{"sk_live_", "", 16}, // Stripe
	{"rk_live_", "", 16},
	{"sk_test_", "", 16},
	{"AIza", "_-", 30}, // Google API key
	{"npm_", "", 30},
	{"dapi", "", 32}, // Databricks
}

// prefixStarts marks the bytes a token prefix starts with.
var prefixStarts = func() (set [256]bool) {
	for _, tp := range tokenPrefixes {
		set[tp.prefix[0]] = true
	}
	return set
}()

// prefixSpans finds tokens that start with a well-known prefix, at the
// start of a word.
func prefixSpans(s string, spans []span) []span {
	for a := 0; a < len(s); a++ {
		if !prefixStarts[s[a]] || (a > 0 && isAlnum(s[a-1])) {
			continue
		}
		for _, tp := range tokenPrefixes {
			if !strings.HasPrefix(s[a:], tp.prefix) {
				continue
			}
			e := a + len(tp.prefix)
			for e < len(s) && (isAlnum(s[e]) || strings.IndexByte(tp.chars, s[e]) >= 0) {
				e++
			}
			if e-a-len(tp.prefix) >= tp.min {
				spans = append(spans, span{a, e})
				a = e - 1
				break
			}
		}
	}
	return spans
}
