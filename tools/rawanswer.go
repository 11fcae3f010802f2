package tools

import (
	"bytes"
	"encoding/json"

	"github.com/tidwall/gjson"
)

// answerRaw is answer's common case, done on the answer's bytes: a JSON
// object or array, no projection asked for, comfortably inside the budget,
// with no configured secret in it. Strings under secret-looking keys are
// replaced in place, as redact does.
// The answer is then passed on as it came, compacted, as text and as
// structuredContent (a json.RawMessage), without being decoded into maps
// and encoded again (twice: to fit it and to write it), which was most of
// the server's own time per call. answerRaw returns nil when the answer
// needs the full path: something to redact, cut or project, or JSON that
// does not parse (which the full path reports).
//
// The result says the same as the full path's, except that keys keep the
// upstream's order and strings keep its escapes.
func answerRaw(body []byte, budget int, secrets []string) *Result {
	if len(body) == 0 || (body[0] != '{' && body[0] != '[') {
		return nil
	}
	// countTokens only counts exactly above 7/10 of the budget; below it
	// the estimate (which errs high) decides, and fit keeps the answer
	// whole. The margin covers the {"items": …} wrapper of an array.
	if estimateTokens(string(body)) > budget*7/10-10 {
		return nil
	}
	for _, s := range secrets {
		if len(s) >= 4 && bytes.Contains(body, []byte(s)) {
			return nil
		}
	}
	var buf bytes.Buffer
	buf.Grow(len(body) + 10)
	if body[0] == '[' {
		buf.WriteString(`{"items":`)
	}
	if err := json.Compact(&buf, body); err != nil {
		return nil
	}
	if body[0] == '[' {
		buf.WriteByte('}')
	}
	out, ok := redactRaw(buf.Bytes())
	if !ok {
		return nil
	}
	return structuredResult(json.RawMessage(out), string(out))
}

// span is where a JSON value lies in a document.
type span struct{ at, len int }

// redactRaw replaces every non-empty string under a secret-looking key
// (secretKey), at any depth, with "[REDACTED]", in the JSON text itself.
// ok is false if a value's position cannot be trusted.
func redactRaw(doc []byte) (out []byte, ok bool) {
	var spans []span
	secretSpans(gjson.ParseBytes(doc), &spans)
	if len(spans) == 0 {
		return doc, true
	}
	const quoted = `"` + Redacted + `"`
	out = make([]byte, 0, len(doc))
	last := 0
	for _, s := range spans {
		if s.at < last || s.at+s.len > len(doc) || doc[s.at] != '"' || doc[s.at+s.len-1] != '"' {
			return nil, false
		}
		out = append(append(out, doc[last:s.at]...), quoted...)
		last = s.at + s.len
	}
	return append(out, doc[last:]...), true
}

// secretSpans appends, in document order, the spans of the non-empty
// strings under secret-looking keys in v. gjson gives each value its
// offset in the parsed document.
func secretSpans(v gjson.Result, spans *[]span) {
	v.ForEach(func(k, val gjson.Result) bool {
		switch {
		case val.Type == gjson.String:
			if k.Type == gjson.String && val.Str != "" && secretKey(k.Str) {
				*spans = append(*spans, span{val.Index, len(val.Raw)})
			}
		case val.IsObject() || val.IsArray():
			secretSpans(val, spans)
		}
		return true
	})
}
