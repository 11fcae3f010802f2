package sandbox

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"
)

// encodeBufs are scratch buffers for encodeJSON: an answer is encoded into
// one and copied out at its size, rather than grown by doubling each time.
var encodeBufs = sync.Pool{New: func() any { return new([]byte) }}

// encodeJSON is json.Marshal(v) for an answer (see appendJSON).
func encodeJSON(v any) []byte {
	bp := encodeBufs.Get().(*[]byte)
	b := appendJSON((*bp)[:0], v)
	out := bytes.Clone(b)
	if cap(b) <= 1<<20 { // do not keep the buffers of huge answers
		*bp = b
		encodeBufs.Put(bp)
	}
	return out
}

// appendJSON appends the encoding of v to dst, byte for byte what
// json.Marshal(v) gives: object keys sorted, HTML characters, U+2028 and
// U+2029 escaped, invalid UTF-8 replaced, floats formatted like
// encoding/json. Answers are trees of map[string]any, []any, strings, float64
// and bool (jsonValue) with a few int64 and spec values from the
// synthesizer; encoding/json spends most of its time on reflection and on
// sorting keys through reflect.Value for those. Other types are handed to
// json.Marshal, and so are the errors it would report (they panic, as serve
// does on a json.Marshal error).
func appendJSON(dst []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...)
	case string:
		return appendJSONString(dst, x)
	case bool:
		return strconv.AppendBool(dst, x)
	case float64:
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			return appendJSONFloat(dst, x)
		}
	case int64:
		return strconv.AppendInt(dst, x, 10)
	case int:
		return strconv.AppendInt(dst, int64(x), 10)
	case map[string]any:
		if x == nil {
			return append(dst, "null"...)
		}
		var buf [32]string
		keys := buf[:0]
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		dst = append(dst, '{')
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, k)
			dst = append(dst, ':')
			dst = appendJSON(dst, x[k])
		}
		return append(dst, '}')
	case []any:
		if x == nil {
			return append(dst, "null"...)
		}
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSON(dst, e)
		}
		return append(dst, ']')
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return append(dst, b...)
}

// appendJSONFloat is encoding/json's float64 encoding: like %g, with
// exponents only below 1e-6 and from 1e21, and not padded to two digits.
func appendJSONFloat(dst []byte, f float64) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		n := len(dst)
		if n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}

const hexDigits = "0123456789abcdef"

// jsonSafe tells the ASCII bytes encoding/json writes as they are (with
// HTML escaping on): printable ones but for ", \, <, > and &.
var jsonSafe = func() (t [256]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\' && b != '<' && b != '>' && b != '&'
	}
	return t
}()

// appendJSONString is encoding/json's string encoding with HTML escaping
// (the default of json.Marshal).
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	i := 0
	for i < len(s) && jsonSafe[s[i]] {
		i++
	}
	if i == len(s) { // the common case: nothing to escape
		dst = append(dst, s...)
		return append(dst, '"')
	}
	start := 0
	for i < len(s) {
		if b := s[i]; b < utf8.RuneSelf {
			if jsonSafe[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
