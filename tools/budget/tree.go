package budget

import (
	"encoding/json"
	"sort"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// The answer as the shrinker sees it: a tree of nodes over the JSON text,
// built lazily. A node is a view into the document (never a copy) with its
// estimated size; its members are indexed only when the shrinker looks
// inside it, and only the first elements of a list the shrinker reads;
// its value is decoded only when it is kept. So a 10 MiB answer that must
// be cut to 100 kB costs a pass over its bytes per level the shrinker
// descends, and memory for what it reads, not a decoded copy of the whole.
//
// Sizes are those the answer's decoded value would have: an object is 2
// plus, per member, its key (stringTokens + 1) and its value; a list 2
// plus, per element, its value + 1; a string stringTokens of its decoded
// text; a number EstimateTokens of its text; true, false and null 1.

// node is one JSON value of the answer.
type node struct {
	raw string // the value's JSON text; "" for the synthetic root of a wrapped answer
	tok int
	in  *members // nil until the shrinker looks inside
	val any      // the decoded value, once decoded
}

// members are a container's contents as far as they have been read.
type members struct {
	keys []string // object: decoded keys, sorted
	kids []node   // object: values in keys order; list: the elements read so far
	n    int      // list: the number of elements
	next int      // list: offset in raw of the next unread element
}

// kind is the first byte of a JSON value: '{', '[', '"', 't', 'f', 'n',
// or a number's first character.
func (n *node) kind() byte {
	if n.raw == "" {
		return '{'
	}
	return n.raw[0]
}

func (n *node) isObject() bool { return n.kind() == '{' }
func (n *node) isArray() bool  { return n.kind() == '[' }
func (n *node) isString() bool { return n.kind() == '"' }

// newNode sizes one JSON value (valid JSON, no surrounding space).
func newNode(raw string) node {
	var s sizer
	_, tok := s.value(raw, 0)
	return node{raw: raw, tok: tok}
}

// wrapped is the synthetic root {key: raw}: how an upstream list or scalar
// becomes an object without copying it.
func wrapped(key, raw string) *node {
	kid := newNode(raw)
	return &node{tok: 2 + kid.tok + keyTokens(key), in: &members{keys: []string{key}, kids: []node{kid}, n: 1}}
}

// value is the node's decoded value: what is kept of it whole.
func (n *node) value() any {
	if n.val != nil {
		return n.val
	}
	if n.raw == "" { // the synthetic root
		m := make(map[string]any, len(n.in.keys))
		for i, k := range n.in.keys {
			m[k] = n.in.kids[i].value()
		}
		n.val = m
		return m
	}
	var v any
	dec := json.NewDecoder(strings.NewReader(n.raw))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return nil // not reached: the document was checked
	}
	if v != nil {
		n.val = v
	}
	return v
}

// str is a string node's decoded text.
func (n *node) str() string {
	if s, ok := n.value().(string); ok {
		return s
	}
	return ""
}

// count is the number of members (list elements or object keys).
func (n *node) count() int {
	m := n.open()
	if n.isArray() {
		return m.n
	}
	return len(m.keys)
}

// kid returns member i, reading a list up to it.
func (n *node) kid(i int) *node {
	m := n.open()
	for n.isArray() && len(m.kids) <= i {
		i0 := skipSpace(n.raw, m.next)
		var s sizer
		end, tok := s.value(n.raw, i0)
		m.kids = append(m.kids, node{raw: n.raw[i0:end], tok: tok})
		m.next = skipSpace(n.raw, end) + 1 // past ',' or ']'
	}
	return &m.kids[i]
}

// open indexes a container's members: an object's keys and values, a
// list's length (its elements are read by kid as needed).
func (n *node) open() *members {
	if n.in != nil {
		return n.in
	}
	m := &members{}
	n.in = m
	raw := n.raw
	switch n.kind() {
	case '[':
		i := skipSpace(raw, 1)
		m.next = i
		if raw[i] == ']' {
			return m
		}
		for {
			i = skipValue(raw, i)
			m.n++
			i = skipSpace(raw, i)
			if raw[i] == ']' {
				return m
			}
			i = skipSpace(raw, i+1)
		}
	case '{':
		type member struct {
			key string
			kid node
		}
		var list []member
		var s sizer
		i := skipSpace(raw, 1)
		for raw[i] != '}' {
			end := skipString(raw, i)
			key := s.decode(raw[i:end])
			if strings.IndexByte(raw[i:end], '\\') >= 0 {
				key = strings.Clone(key) // it is in the scratch
			}
			i = skipSpace(raw, skipSpace(raw, end)+1) // past ':'
			end, tok := s.value(raw, i)
			list = append(list, member{key: key, kid: node{raw: raw[i:end], tok: tok}})
			i = skipSpace(raw, end)
			if raw[i] == ',' {
				i = skipSpace(raw, i+1)
			}
		}
		// Sorted by key; of repeated keys the last wins, as in decoding.
		sort.SliceStable(list, func(a, b int) bool { return list[a].key < list[b].key })
		for j, it := range list {
			if j+1 < len(list) && list[j+1].key == it.key {
				continue
			}
			m.keys = append(m.keys, it.key)
			m.kids = append(m.kids, it.kid)
		}
	}
	return m
}

// sizer sizes JSON text; scratch holds decoded strings.
type sizer struct{ scratch []byte }

// value sizes the value at raw[i:] and returns where it ends.
func (s *sizer) value(raw string, i int) (end, tok int) {
	switch raw[i] {
	case '{':
		tok = 2
		i = skipSpace(raw, i+1)
		for raw[i] != '}' {
			end := skipString(raw, i)
			tok += keyTokens(s.decode(raw[i:end]))
			i = skipSpace(raw, skipSpace(raw, end)+1)
			var t int
			i, t = s.value(raw, i)
			tok += t
			i = skipSpace(raw, i)
			if raw[i] == ',' {
				i = skipSpace(raw, i+1)
			}
		}
		return i + 1, tok
	case '[':
		tok = 2
		i = skipSpace(raw, i+1)
		for raw[i] != ']' {
			var t int
			i, t = s.value(raw, i)
			tok += t + 1
			i = skipSpace(raw, i)
			if raw[i] == ',' {
				i = skipSpace(raw, i+1)
			}
		}
		return i + 1, tok
	case '"':
		end = skipString(raw, i)
		return end, stringTokens(s.decode(raw[i:end]))
	case 't', 'n':
		return i + 4, 1
	case 'f':
		return i + 5, 1
	default:
		end = skipNumber(raw, i)
		return end, EstimateTokens(raw[i:end])
	}
}

// decode returns the text of a JSON string literal; it shares memory with
// raw or with the sizer's scratch (then valid until the next decode).
// Invalid UTF-8 is kept as it is: it sizes the same as the U+FFFD
// decoding gives it.
func (s *sizer) decode(lit string) string {
	body := lit[1 : len(lit)-1]
	if strings.IndexByte(body, '\\') < 0 {
		return body
	}
	b := s.scratch[:0]
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' {
			b = append(b, c)
			continue
		}
		i++
		switch body[i] {
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r := hex4(body[i+1 : i+5])
			i += 4
			if utf16.IsSurrogate(r) {
				// A pair is two escapes; anything else is one U+FFFD, as in decoding.
				dec := utf8.RuneError
				if i+6 < len(body) && body[i+1] == '\\' && body[i+2] == 'u' {
					if d := utf16.DecodeRune(r, hex4(body[i+3:i+7])); d != utf8.RuneError {
						dec = d
						i += 6
					}
				}
				r = dec
			}
			b = utf8.AppendRune(b, r)
		default: // '"', '\\', '/'
			b = append(b, body[i])
		}
	}
	s.scratch = b
	return unsafe.String(unsafe.SliceData(b), len(b))
}

func hex4(s string) rune {
	var r rune
	for i := 0; i < 4 && i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

func skipSpace(raw string, i int) int {
	for i < len(raw) && (raw[i] == ' ' || raw[i] == '\n' || raw[i] == '\t' || raw[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the end of the string literal at raw[i].
func skipString(raw string, i int) int {
	for i++; i < len(raw); i++ {
		switch raw[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(raw)
}

func skipNumber(raw string, i int) int {
	for i < len(raw) && strings.IndexByte("+-.0123456789eE", raw[i]) >= 0 {
		i++
	}
	return i
}

// skipValue returns the end of the value at raw[i], without sizing it.
func skipValue(raw string, i int) int {
	switch raw[i] {
	case '"':
		return skipString(raw, i)
	case '{', '[':
		depth := 0
		for ; i < len(raw); i++ {
			switch raw[i] {
			case '"':
				i = skipString(raw, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return len(raw)
	case 't', 'n':
		return i + 4
	case 'f':
		return i + 5
	default:
		return skipNumber(raw, i)
	}
}
