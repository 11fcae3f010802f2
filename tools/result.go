package tools

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/datastack-mcp/datastack-mcp/client"
	"github.com/datastack-mcp/datastack-mcp/providers"
	"github.com/datastack-mcp/datastack-mcp/redact"
	"github.com/datastack-mcp/datastack-mcp/tools/budget"
)

// maxTextAnswer bounds a non-JSON upstream answer quoted in a result.
const maxTextAnswer = 4000

// errorResult is a failure a model can act on. Whatever it quotes is
// bounded here, centrally: a %q operand (by convention a name or value the
// caller sent) to maxEcho bytes, any other text operand to maxErrorOperand,
// and the whole text to maxErrorText, each cut marked with "…".
func errorResult(format string, a ...any) *Result {
	return &Result{Text: clipText(fmt.Sprintf(format, clipOperands(format, a)...), maxErrorText), IsError: true}
}

// Bounds of an error text (errorResult).
const (
	maxErrorOperand = 4000
	maxErrorText    = 16000
)

// clipOperands bounds the text operands of an error's format.
func clipOperands(format string, a []any) []any {
	verbs := formatVerbs(format)
	out := make([]any, len(a))
	for i, v := range a {
		limit := maxErrorOperand
		if i < len(verbs) && verbs[i] == 'q' {
			limit = maxEcho
		}
		switch x := v.(type) {
		case string:
			out[i] = clipText(x, limit)
		case error:
			if text := x.Error(); len(text) > limit {
				out[i] = clipText(text, limit)
			} else {
				out[i] = v
			}
		default:
			out[i] = v
		}
	}
	return out
}

// formatVerbs lists the verb of each operand of a Printf format, or nil
// when the format reorders or takes widths from operands (then only the
// general bound applies).
func formatVerbs(format string) []byte {
	var verbs []byte
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		for i++; i < len(format) && strings.IndexByte("+-# 0123456789.", format[i]) >= 0; i++ {
		}
		switch {
		case i >= len(format):
			return verbs
		case format[i] == '%':
		case format[i] == '*' || format[i] == '[':
			return nil
		default:
			verbs = append(verbs, format[i])
		}
	}
	return verbs
}

// clipText is s cut to at most n bytes, marked with "…" when cut.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return Clip(s, n) + "…"
}

// structuredResult is a successful answer with structured content and the
// text a model reads.
func structuredResult(v any, text string) *Result { return &Result{Text: text, Structured: v} }

// textResult is a successful answer of text only.
func textResult(text string) *Result { return &Result{Text: text} }

// DefaultMaxResultTokens is the result budget when Deps.MaxResultTokens is 0.
const DefaultMaxResultTokens = budget.Default

// MinResultTokens is the smallest budget honoured; a smaller setting is
// raised to it, since the explanation of a cut needs room.
const MinResultTokens = budget.Min

// pager is what a generated tool knows of its paging arguments (package
// budget), read from its input schema when an answer is first cut.
type pager = budget.Pager

func newPager(props map[string]map[string]any, fields string) *pager {
	return budget.NewPager(props, fields)
}

// answer turns a successful upstream response into a tool result: the JSON
// (secrets redacted) as structuredContent and as text. structuredContent
// must be an object, so arrays come as {"items": [...]} and other values
// as {"result": value}. The JSON is scrubbed of configured secrets,
// reduced to the requested fields (projection.go) and fitted to the result
// budget (package budget), all on its bytes: a big answer is never decoded
// whole, only what is kept of it. The text is the same JSON, after one
// leading sentence when the answer was cut or a requested field was not
// found.
func answer(d *Deps, sh *shaping, resp *client.Response, args map[string]any, fields []string, red *redact.Redactor) *Result {
	defer holdAnswer(len(resp.Body))() // memory.go
	doc, plain := answerDoc(sh.tool, sh.provider, resp, d.resultBudget())
	if plain != nil {
		return plain
	}
	opts := budget.Options{Budget: d.resultBudget(), Pager: sh.pager, Args: args, Projected: fields != nil}
	if budget.PassesOn(doc, opts) {
		// Whole, as Fit would pass it on (no fields asked for, so nothing
		// to project), without estimating it twice; redacted once, by
		// scrubResult, as it is sent.
		f, err := budget.PassOn(doc)
		if err != nil {
			return errorResult("%s answered with JSON the server could not re-encode: %v", ProviderName(sh.provider), err)
		}
		return structuredResult(f.Value, f.Text)
	}
	// Secrets go before anything is cut, so no part of one survives a cut.
	// The bytes are copied only when something is replaced.
	doc.JSON = red.JSON(doc.JSON)
	if fields != nil {
		answer, ok := decodeDoc(doc)
		if !ok {
			return errorResult("%s answered with JSON the server could not read again", ProviderName(sh.provider))
		}
		projected, missing := project(answer, fields)
		if len(missing) > 0 {
			opts.Lead = missingSentence(missing, answer)
		}
		text, err := EncodeJSON(projected)
		if err != nil {
			return errorResult("%s answered with JSON the server could not re-encode: %v", ProviderName(sh.provider), err)
		}
		doc = budget.Doc{JSON: []byte(text)}
	}
	f, err := budget.Fit(doc, opts)
	if err != nil {
		return errorResult("%s answered with JSON the server could not re-encode: %v", ProviderName(sh.provider), err)
	}
	return structuredResult(f.Value, f.Text)
}

// answerDoc checks a successful answer's body and returns it as a
// structured-content object to be (budget.Doc, its bytes not copied), or,
// for an empty, non-JSON or malformed JSON body, the finished result of
// tool.
func answerDoc(tool, provider string, resp *client.Response, maxTokens int) (budget.Doc, *Result) {
	body := bytes.TrimSpace(resp.Body)
	if len(body) == 0 {
		structured := map[string]any{"ok": true, "status": resp.Status}
		return budget.Doc{}, structuredResult(structured,
			fmt.Sprintf("Done: %s answered %d %s with no content.", ProviderName(provider), resp.Status, http.StatusText(resp.Status)))
	}
	if !json.Valid(body) {
		// Like a decoder, take the first JSON value of a body that holds
		// more after it.
		var first json.RawMessage
		dec := json.NewDecoder(bytes.NewReader(body))
		if err := dec.Decode(&first); err != nil {
			if (body[0] == '{' || body[0] == '[') && !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/") {
				// JSON that does not parse is a broken answer (cut short by a
				// proxy, or garbled), not text: passing it on as a success would
				// let a partial list pass for the whole.
				return budget.Doc{}, errorResult("%s failed: %s answered %d with malformed JSON (%v); the answer was probably cut short on the way. Call again; if it persists, ask for less (a smaller page or limit).",
					tool, ProviderName(provider), resp.Status, err)
			}
			// A character is at most about a token, so this also keeps
			// small budgets; the body is clipped before it is copied.
			text := body
			if limit := max(min(maxTextAnswer, maxTokens-100), 0); len(text) > limit {
				text = append([]byte(Clip(string(text[:min(len(text), limit+utf8.UTFMax)]), limit)), "…"...)
			}
			return budget.Doc{}, textResult(fmt.Sprintf("%s answered %d with non-JSON content:\n%s", ProviderName(provider), resp.Status, text))
		}
		body = bytes.TrimSpace(first)
	}
	switch body[0] {
	case '{':
		return budget.Doc{JSON: body}, nil
	case '[':
		return budget.Doc{JSON: body, Wrap: "items"}, nil
	default:
		return budget.Doc{JSON: body, Wrap: "result"}, nil
	}
}

// decodeDoc is doc decoded into the object structured content carries.
func decodeDoc(doc budget.Doc) (map[string]any, bool) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(doc.JSON))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return nil, false
	}
	if doc.Wrap != "" {
		return map[string]any{doc.Wrap: v}, true
	}
	m, ok := v.(map[string]any)
	return m, ok
}

// decodeAnswer returns the answer as an object, or, for an empty,
// non-JSON or malformed JSON body, the finished result of tool: the whole
// answer, for Fetch.
func decodeAnswer(tool, provider string, resp *client.Response, maxTokens int) (map[string]any, *Result) {
	doc, plain := answerDoc(tool, provider, resp, maxTokens)
	if plain != nil {
		return nil, plain
	}
	m, ok := decodeDoc(doc)
	if !ok {
		return nil, errorResult("%s failed: %s answered %d with JSON the server could not read", tool, ProviderName(provider), resp.Status)
	}
	return m, nil
}

func joinSentences(a, b string) string { return budget.JoinSentences(a, b) }

// EncodeJSON is v as compact JSON text without HTML escaping: the text of
// an answer.
func EncodeJSON(v any) (string, error) { return budget.EncodeJSON(v) }

// upstreamError explains a failed upstream call: what failed, the status or
// cause, and what to do next.
func upstreamError(t *Tool, err error, d *Deps) *Result {
	name := ProviderName(t.Provider)
	if errors.Is(err, client.ErrInvalidRequest) {
		// Nothing was sent: an argument cannot be placed in the request
		// (a path argument of "." or "..", say).
		return errorResult("%s: invalid arguments: %v. Fix the arguments and call again.", t.Name, err)
	}
	var ce *client.Error
	if !errors.As(err, &ce) {
		return errorResult("%s failed: could not call %s: %v. Check the server's network and %s configuration, then call again.", t.Name, name, err, name)
	}
	if ce.Status == 0 {
		switch {
		case ce.Timeout:
			return errorResult("%s failed: %s did not answer in time (%d attempts). Call again later, or ask for less (a smaller page, limit or date range).", t.Name, name, ce.Attempts)
		case dialFailed(ce):
			return errorResult("%s failed: could not reach %s: %s. Check the network and the configured %s address, then call again.", t.Name, name, ce.Message, name)
		default:
			// Connected, but the exchange broke off (reset, body cut short).
			return errorResult("%s failed: the connection to %s broke off before a complete answer: %s. Call again; if it persists, check the network and %s's status.", t.Name, name, ce.Message, name)
		}
	}
	head := fmt.Sprintf("%s failed: %s answered %d %s", t.Name, name, ce.Status, http.StatusText(ce.Status))
	if ce.Message != "" && ce.Message != http.StatusText(ce.Status) {
		head += ": " + strings.TrimSuffix(ce.Message, ".")
	}
	return errorResult("%s. %s", head, advice(t, ce, d))
}

// dialFailed reports whether the upstream was never reached (connection
// refused, unknown host), as opposed to a connection that broke off.
func dialFailed(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

func advice(t *Tool, ce *client.Error, d *Deps) string {
	name := ProviderName(t.Provider)
	switch {
	case ce.TooLarge:
		return "The answer is larger than this server accepts; ask for less with page/limit arguments or filters."
	case errors.Is(ce, client.ErrRedirect):
		p, _ := providers.Get(t.Provider)
		return fmt.Sprintf("%s answered with a redirect to %s, which this server does not follow (credentials go only to the configured host); if %s moved, set %s to its new base URL.",
			name, ce.Location, name, p.BaseURLEnv)
	case errors.Is(ce, client.ErrNoCredentials):
		return fmt.Sprintf("No %s credentials came with this request and the server has none; %s.", name, d.ConfigHint[t.Provider])
	case ce.Status == http.StatusUnauthorized:
		return fmt.Sprintf("The %s credentials were rejected; check %s in the server configuration.", name, d.ConfigHint[t.Provider])
	case ce.Status == http.StatusForbidden:
		return fmt.Sprintf("The configured %s credentials lack permission for this; use a key with access or another resource.", name)
	case ce.Status == http.StatusNotFound:
		if ids := pathArgs(t); ids != "" {
			return "Nothing was found there; check " + ids + " (list tools show valid ids)."
		}
		return "Nothing was found there; check the arguments."
	case ce.Status == http.StatusConflict:
		return "The request conflicts with the current state; read the resource again, then retry."
	case ce.Status == http.StatusTooManyRequests:
		if ce.RetryAfter > 0 {
			return fmt.Sprintf("%s is rate-limiting this server; wait %s and call again.", name, ce.RetryAfter)
		}
		return fmt.Sprintf("%s is rate-limiting this server; wait a minute and call again.", name)
	case ce.Status >= 500:
		return fmt.Sprintf("%s failed on its side; call again later, and if it persists check %s's status.", name, name)
	case ce.Status >= 400:
		return "Correct the arguments named above and call again."
	default:
		return "Call again later."
	}
}

// pathArgs names the arguments that address what a 404 did not find:
// those placed in the request path ({datadiff_id}), not body or query
// fields.
func pathArgs(t *Tool) string {
	var ids []string
	rest := t.Path
	for {
		i := strings.IndexByte(rest, '{')
		j := strings.IndexByte(rest[max(i, 0):], '}')
		if i < 0 || j < 0 {
			break
		}
		ids = append(ids, rest[i+1:i+j])
		rest = rest[i+j+1:]
	}
	return strings.Join(ids, ", ")
}

// Clip cuts s to at most n bytes without splitting a UTF-8 character; s
// itself when it is no longer.
func Clip(s string, n int) string {
	if n >= len(s) {
		return s
	}
	n = max(n, 0)
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Text joins the text content of a result; tests and evals read answers with it.
func Text(res *Result) string {
	if res == nil {
		return ""
	}
	return res.Text
}
