package redact

import (
	"encoding/json"
	"maps"
	"strconv"
)

// Value returns v, a decoded JSON value (map[string]any, []any, string,
// json.Number, float64, bool, nil, json.RawMessage), with secrets
// replaced:
//
//   - a non-empty string, or a number under a password-like key, under a
//     key that names a credential (SecretKey), and the strings of an array
//     under such a key;
//   - known secret values however escaped, in strings, numbers and keys;
//   - credential-looking values (Authorization values, JWTs, private keys,
//     URL passwords, password=… pairs, well-known token prefixes);
//   - the same inside JSON held in a string.
//
// Objects under a credential key are walked, not blanked, so that their
// innocent fields stay readable. v is not modified: containers on the
// way to a replacement are copied, others are shared with v.
func (r *Redactor) Value(v any) any {
	out, _ := r.engine().value(v, class{}, 0)
	return out
}

func (e *engine) value(v any, cls class, depth int) (any, bool) {
	if depth > maxDepth {
		return Redacted, true
	}
	switch x := v.(type) {
	case string:
		if cls.str && x != "" {
			return Redacted, true
		}
		return e.str(x, 0)
	case json.Number:
		return e.number(v, string(x), cls)
	case float64:
		if cls.num {
			return Redacted, true
		}
		if len(e.secrets) > 0 && (containsSecret(strconv.FormatFloat(x, 'f', -1, 64), e.secrets) ||
			containsSecret(strconv.FormatFloat(x, 'g', -1, 64), e.secrets)) {
			return Redacted, true
		}
		return v, false
	case int:
		return e.number(v, strconv.Itoa(x), cls)
	case int64:
		return e.number(v, strconv.FormatInt(x, 10), cls)
	case json.RawMessage:
		out, changed, ok := e.json(x, 0)
		if !ok {
			s, ch := e.plain(string(x), true)
			return json.RawMessage(s), ch
		}
		return json.RawMessage(out), changed
	case map[string]any:
		return e.object(x, depth)
	case []any:
		var out []any
		for i, item := range x {
			nv, changed := e.value(item, cls, depth+1)
			if changed {
				if out == nil {
					out = append([]any(nil), x...)
				}
				out[i] = nv
			}
		}
		if out == nil {
			return v, false
		}
		return out, true
	}
	return v, false
}

func (e *engine) number(v any, text string, cls class) (any, bool) {
	if cls.num || containsSecret(text, e.secrets) {
		return Redacted, true
	}
	return v, false
}

func (e *engine) object(x map[string]any, depth int) (any, bool) {
	var out map[string]any
	for k, val := range x {
		var cls class
		if !e.secretsOnly {
			cls = keyClass(k)
		}
		nk, renamed := e.known(k)
		nv, changed := e.value(val, cls, depth+1)
		if !changed && !renamed {
			continue
		}
		if out == nil {
			out = maps.Clone(x)
		}
		if renamed {
			delete(out, k)
			nk = freeKey(out, x, nk)
		}
		out[nk] = nv
	}
	if out == nil {
		return x, false
	}
	return out, true
}

// freeKey returns k, or k with a number appended, so that it names no
// other key of out or of the original object.
func freeKey(out, orig map[string]any, k string) string {
	taken := func(c string) bool {
		_, a := out[c]
		_, b := orig[c]
		return a || b
	}
	if !taken(k) {
		return k
	}
	for n := 2; ; n++ {
		if c := k + " " + strconv.Itoa(n); !taken(c) {
			return c
		}
	}
}
