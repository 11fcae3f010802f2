package redact

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// maxDepth bounds the nesting of a JSON document walked (as
// encoding/json does); a deeper one is treated as text.
const maxDepth = 10000

// class is what the key of a value says about it.
type class struct {
	str bool // a non-empty string is a secret
	num bool // a number is a secret
}

// jsonPass rewrites one JSON document: it walks the bytes once, decodes
// each string (keys included), and copies the document into out only from
// the first value it replaces. Unchanged documents cost no allocation
// beyond decoding escaped strings.
type jsonPass struct {
	e    *engine
	src  []byte
	out  []byte // nil until the first replacement
	last int    // src is copied to out up to here
	nest int    // JSON-in-a-string levels above this document
	keys map[string]keyInfo
}

// maxKeyCache bounds the distinct keys whose verdict a pass remembers:
// the keys of a list's items repeat.
const maxKeyCache = 512

// keyInfo is the verdict on one object key.
type keyInfo struct {
	cls     class
	changed bool
	renamed string // the key's new literal, when changed
}

// json redacts the JSON document src. ok is false when src is not one
// JSON value (then out is src).
func (e *engine) json(src []byte, nest int) (out []byte, changed, ok bool) {
	p := jsonPass{e: e, src: src, nest: nest}
	if !p.walk() {
		return src, false, false
	}
	if p.out == nil {
		return src, false, true
	}
	return append(p.out, src[p.last:]...), true, true
}

func (p *jsonPass) replace(start, end int, with string) {
	if p.out == nil {
		p.out = make([]byte, 0, len(p.src)+len(with))
	}
	p.out = append(append(p.out, p.src[p.last:start]...), with...)
	p.last = end
}

// frame is an open object or array.
type frame struct {
	obj bool
	cls class // an array's elements inherit the class of its key
}

// walk checks and rewrites the document; false when it is not JSON.
func (p *jsonPass) walk() bool {
	s := p.src
	var stack []frame
	var cls class
	i := skipWS(s, 0)
	for {
		// A value starts at i.
		if i >= len(s) {
			return false
		}
		switch c := s[i]; {
		case c == '{' || c == '[':
			if len(stack) >= maxDepth {
				return false
			}
			obj := c == '{'
			stack = append(stack, frame{obj: obj, cls: cls})
			i = skipWS(s, i+1)
			if i < len(s) && (s[i] == '}' && obj || s[i] == ']' && !obj) {
				stack = stack[:len(stack)-1]
				i++
				break
			}
			if obj {
				var ok bool
				if i, cls, ok = p.key(i); !ok {
					return false
				}
			}
			continue
		case c == '"':
			end, esc, ok := scanString(s, i)
			if !ok {
				return false
			}
			p.stringValue(i, end, esc, cls)
			i = end
		case c == '-' || '0' <= c && c <= '9':
			end, ok := scanNumber(s, i)
			if !ok {
				return false
			}
			p.number(i, end, cls)
			i = end
		default:
			n := literal(s[i:])
			if n == 0 {
				return false
			}
			i += n
		}
		// After a value: close containers, or move to the next value.
		for {
			i = skipWS(s, i)
			if len(stack) == 0 {
				return i == len(s)
			}
			if i >= len(s) {
				return false
			}
			top := stack[len(stack)-1]
			if s[i] == ',' {
				i = skipWS(s, i+1)
				cls = top.cls
				if top.obj {
					var ok bool
					if i, cls, ok = p.key(i); !ok {
						return false
					}
				}
				break
			}
			if s[i] == '}' && top.obj || s[i] == ']' && !top.obj {
				stack = stack[:len(stack)-1]
				i++
				continue
			}
			return false
		}
	}
}

// key reads the key at i and the colon after it; it returns where the
// value starts and the class the key gives it.
func (p *jsonPass) key(i int) (int, class, bool) {
	s := p.src
	if i >= len(s) || s[i] != '"' {
		return i, class{}, false
	}
	end, esc, ok := scanString(s, i)
	if !ok {
		return i, class{}, false
	}
	k := p.decoded(i, end, esc)
	ki, seen := p.keys[k]
	if !seen {
		if !p.e.secretsOnly {
			ki.cls = keyClass(k)
		}
		ki.renamed, ki.changed = p.e.known(k)
		if ki.changed {
			ki.renamed = quote(ki.renamed)
		}
		if len(p.keys) < maxKeyCache {
			if p.keys == nil {
				p.keys = map[string]keyInfo{}
			}
			p.keys[strings.Clone(k)] = ki
		}
	}
	if ki.changed {
		p.replace(i, end, ki.renamed)
	}
	cls := ki.cls
	i = skipWS(s, end)
	if i >= len(s) || s[i] != ':' {
		return i, class{}, false
	}
	return skipWS(s, i+1), cls, true
}

// decoded is the string whose literal is src[start:end]. An unescaped one
// shares src's memory: it must not outlive the pass.
func (p *jsonPass) decoded(start, end int, esc bool) string {
	raw := p.src[start+1 : end-1]
	if !esc {
		return unsafe.String(unsafe.SliceData(raw), len(raw))
	}
	return unescape(raw)
}

func (p *jsonPass) stringValue(start, end int, esc bool, cls class) {
	if cls.str && end-start > 2 {
		p.replace(start, end, `"`+Redacted+`"`)
		return
	}
	if out, changed := p.e.str(p.decoded(start, end, esc), p.nest); changed {
		p.replace(start, end, quote(out))
	}
}

func (p *jsonPass) number(start, end int, cls class) {
	raw := p.src[start:end]
	if cls.num || containsSecret(unsafe.String(unsafe.SliceData(raw), len(raw)), p.e.secrets) {
		p.replace(start, end, `"`+Redacted+`"`)
	}
}

func skipWS(s []byte, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t') {
		i++
	}
	return i
}

// scanString returns the end (past the closing quote) of the string
// literal at s[i], and whether it has escapes.
func scanString(s []byte, i int) (end int, esc, ok bool) {
	for j := i + 1; j < len(s); {
		switch c := s[j]; {
		case c == '"':
			return j + 1, esc, true
		case c == '\\':
			esc = true
			if j+1 >= len(s) {
				return 0, false, false
			}
			switch s[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j += 2
			case 'u':
				if j+6 > len(s) {
					return 0, false, false
				}
				for _, h := range s[j+2 : j+6] {
					if !isHex(h) {
						return 0, false, false
					}
				}
				j += 6
			default:
				return 0, false, false
			}
		case c < 0x20:
			return 0, false, false
		default:
			j++
		}
	}
	return 0, false, false
}

// scanNumber returns the end of the JSON number at s[i].
func scanNumber(s []byte, i int) (int, bool) {
	j := i
	if j < len(s) && s[j] == '-' {
		j++
	}
	digits := func() int {
		k := j
		for j < len(s) && '0' <= s[j] && s[j] <= '9' {
			j++
		}
		return j - k
	}
	if j < len(s) && s[j] == '0' {
		j++
	} else if digits() == 0 {
		return 0, false
	}
	if j < len(s) && s[j] == '.' {
		j++
		if digits() == 0 {
			return 0, false
		}
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		j++
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if digits() == 0 {
			return 0, false
		}
	}
	return j, true
}

// literal returns the length of true, false or null at the start of s.
func literal(s []byte) int {
	for _, l := range []string{"true", "false", "null"} {
		if len(s) >= len(l) && string(s[:len(l)]) == l {
			return len(l)
		}
	}
	return 0
}

// unescape decodes the inside of a valid JSON string literal.
func unescape(raw []byte) string {
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			b.WriteByte(c)
			i++
			continue
		}
		switch raw[i+1] {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r := hexRune(raw[i+2 : i+6])
			i += 6
			if utf16.IsSurrogate(r) {
				if i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
					if pr := utf16.DecodeRune(r, hexRune(raw[i+2:i+6])); pr != utf8.RuneError {
						b.WriteRune(pr)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			b.WriteRune(r)
			continue
		default: // " \ /
			b.WriteByte(raw[i+1])
		}
		i += 2
	}
	return b.String()
}

func hexRune(h []byte) rune {
	var r rune
	for _, c := range h {
		r = r<<4 | rune(hexVal(c))
	}
	return r
}

// quote encodes s as a JSON string literal, without HTML escaping.
func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c == '\n':
				b.WriteString(`\n`)
			case c == '\r':
				b.WriteString(`\r`)
			case c == '\t':
				b.WriteString(`\t`)
			case c < 0x20:
				b.WriteString(`\u00`)
				b.WriteByte("0123456789abcdef"[c>>4])
				b.WriteByte("0123456789abcdef"[c&0xf])
			default:
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteString(`\ufffd`)
		case r == '\u2028' || r == '\u2029':
			b.WriteString(`\u` + strconv.FormatInt(int64(r), 16))
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	b.WriteByte('"')
	return b.String()
}
