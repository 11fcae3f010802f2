package tools

import (
	"bytes"
	"encoding/json"

	"github.com/datastack-mcp/datastack-mcp/redact"
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
func answerRaw(body []byte, budget int, red *redact.Redactor) *Result {
	if len(body) == 0 || (body[0] != '{' && body[0] != '[') {
		return nil
	}
	// countTokens only counts exactly above 7/10 of the budget; below it
	// the estimate (which errs high) decides, and fit keeps the answer
	// whole. The margin covers the {"items": …} wrapper of an array.
	if estimateTokens(string(body)) > budget*7/10-10 {
		return nil
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
	out := red.JSON(buf.Bytes())
	return structuredResult(json.RawMessage(out), string(out))
}
