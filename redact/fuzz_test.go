package redact

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzable reports whether secret can be checked for: long enough, and
// unable to arise from the replacement marker itself.
func fuzzable(secret string) bool {
	return len(secret) >= MinSecretLen && utf8.ValidString(secret) &&
		!strings.ContainsAny(secret, "[]") && !strings.Contains(Redacted, secret)
}

// FuzzJSON: whatever the document, JSON, Value and Text never panic, and
// a known secret is gone from the output: from its text, and from every
// decoded string, key and number of it.
func FuzzJSON(f *testing.F) {
	for _, seed := range []struct{ doc, secret string }{
		{`{"note":"\u0064fkey-x1"}`, "dfkey-x1"},
		{`{"password":12345678,"a":[1,"b",{"c":null}]}`, "12345678"},
		{`{"payload":"{\"k\":\"s3cr3t\"}"}`, "s3cr3t"},
		{`["Bearer abcdefgh12345", "postgres://u:p@h/d"]`, "abcdefgh"},
		{`{"a":"x","y":1}`, `x","y`},
		{`not json s3cr3t`, "s3cr3t"},
		{`{"\ud83d\ude00":"\\\\u0073ecret"}`, "secret"},
	} {
		f.Add(seed.doc, seed.secret)
	}
	f.Fuzz(func(t *testing.T, doc, secret string) {
		r := New([]string{secret})
		out := r.JSON([]byte(doc))
		_ = r.Text(doc)
		var v any
		if json.Unmarshal([]byte(doc), &v) == nil {
			_ = r.Value(v)
		}
		if !fuzzable(secret) {
			return
		}
		if json.Valid([]byte(doc)) && !json.Valid(out) && !strings.Contains(doc, secret) {
			t.Fatalf("JSON(%q) = %q: got invalid JSON, want JSON", doc, out)
		}
		if where := leaksIn(out, secret); where != "" {
			t.Fatalf("JSON(%q) with secret %q = %q: got the secret in %s", doc, secret, out, where)
		}
	})
}

// FuzzEscapedSecret: the secret written with any mix of escapes, as a
// value, a key, inside JSON held in a string and in a sentence, never
// comes out readable.
func FuzzEscapedSecret(f *testing.F) {
	f.Add("dfkey-CANARY/4711", []byte{0x5a, 0x33, 0xf0}, uint8(0))
	f.Add("pw-s3cr3t!&=", []byte{0xff}, uint8(1))
	f.Add("tok\u00e9n-\U0001F600", []byte{0x0f}, uint8(2))
	f.Add("a\"b\\c/d", []byte{0xaa, 0x55}, uint8(3))
	f.Fuzz(func(t *testing.T, secret string, mask []byte, where uint8) {
		if !fuzzable(secret) {
			return
		}
		lit := escapeJSON(secret, mask)
		var doc string
		switch where % 4 {
		case 0:
			doc = `{"note":"` + lit + `"}`
		case 1:
			doc = `{"` + lit + `":1}`
		case 2:
			inner := `{"k":"` + lit + `"}`
			doc = `{"payload":` + quote(inner) + `}`
		case 3:
			doc = `["you sent ` + lit + `, thanks"]`
		}
		if !json.Valid([]byte(doc)) {
			t.Fatalf("test bug: %s is not JSON", doc)
		}
		out := New([]string{secret}).JSON([]byte(doc))
		if w := leaksIn(out, secret); w != "" {
			t.Fatalf("secret %q spelled %s: got %s, with the secret in %s", secret, doc, out, w)
		}
		var v any
		_ = json.Unmarshal([]byte(doc), &v)
		b, err := json.Marshal(New([]string{secret}).Value(v))
		if err != nil {
			t.Fatal(err)
		}
		if w := leaksIn(b, secret); w != "" {
			t.Fatalf("Value: secret %q in %s: got %s, with the secret in %s", secret, doc, b, w)
		}
	})
}

// escapeJSON writes s as the inside of a JSON string literal, escaping
// character i as \uXXXX (or \/ for a slash) when bit i of mask is set.
func escapeJSON(s string, mask []byte) string {
	var b strings.Builder
	i := 0
	for _, r := range s {
		bit := len(mask) > 0 && mask[(i/8)%len(mask)]&(1<<(i%8)) != 0
		i++
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '/' && bit:
			b.WriteString(`\/`)
		case r < 0x20 || bit:
			if r > 0xffff {
				r1, r2 := utf16Pair(r)
				fmt.Fprintf(&b, `\u%04x\u%04X`, r1, r2)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func utf16Pair(r rune) (rune, rune) {
	r -= 0x10000
	return 0xd800 + (r>>10)&0x3ff, 0xdc00 + r&0x3ff
}

// leaksIn says where doc shows secret: its text, or (for JSON) a decoded
// string, key or number; "" when nowhere.
func leaksIn(doc []byte, secret string) string {
	if strings.Contains(string(doc), secret) {
		return "the text"
	}
	var v any
	dec := json.NewDecoder(strings.NewReader(string(doc)))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return ""
	}
	var walk func(any) string
	walk = func(v any) string {
		switch x := v.(type) {
		case string:
			if strings.Contains(x, secret) {
				return "a string"
			}
		case json.Number:
			if strings.Contains(string(x), secret) {
				return "a number"
			}
		case map[string]any:
			for k, val := range x {
				if strings.Contains(k, secret) {
					return "a key"
				}
				if w := walk(val); w != "" {
					return w
				}
			}
		case []any:
			for _, val := range x {
				if w := walk(val); w != "" {
					return w
				}
			}
		}
		return ""
	}
	return walk(v)
}
