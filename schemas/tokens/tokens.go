// Package tokens counts o200k_base tokens offline: what a tool listing or a
// tool result costs a model. The generator uses it for its per-tool schema
// budget and tools/ for result budgets and `mcp-server tools --tokens`.
// o200k_base (the tokenizer of current OpenAI models) is a close stand-in
// for what any model pays; the BPE ranks are the file embedded by
// tiktoken-go-loader, so counting needs no network.
//
// Counting needs less than encoding: no decoder, no token IDs kept, no
// special tokens (text is counted as ordinary text, as tiktoken-go's
// Encode(s, nil, nil) does). The ranks are held compactly (ranks.go), a
// few MB for the life of the process instead of the ~23 MB of tiktoken-go's
// maps; counts are those of tiktoken-go (tokens_test.go compares them).
package tokens

import (
	"bytes"
	"encoding/json"
	"sync"
	"unicode/utf8"

	"github.com/dlclark/regexp2"
)

// pattern is o200k_base's pre-tokenization pattern, as tiktoken-go v0.1.8
// spells it.
const pattern = `[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?` +
	`|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?` +
	`|\p{N}{1,3}` +
	`| ?[^\s\p{L}\p{N}]+[\r\n/]*` +
	`|\s*[\r\n]+` +
	`|\s+(?!\S)` +
	`|\s+`

// encoder is what counting needs: the pattern and the ranks.
type encoder struct {
	re    *regexp2.Regexp
	ranks *rankTable
}

var load = sync.OnceValues(func() (*encoder, error) {
	re, err := regexp2.Compile(pattern, regexp2.None)
	if err != nil {
		return nil, err
	}
	ranks, err := loadRanks()
	if err != nil {
		return nil, err
	}
	return &encoder{re: re, ranks: ranks}, nil
})

// Count returns the number of o200k_base tokens of s. The ranks are loaded
// once, on first use; Count is safe for concurrent use. It panics only if
// the embedded ranks cannot be loaded, which is a build defect.
func Count(s string) int {
	e, err := load()
	if err != nil {
		panic("tokens: o200k_base: " + err.Error())
	}
	return e.count(s)
}

// count splits s with the pattern and counts each piece's BPE tokens.
// Invalid UTF-8 counts as U+FFFD, as in tiktoken-go.
func (e *encoder) count(s string) int {
	runes := []rune(s)
	var buf []byte
	n := 0
	m, _ := e.re.FindRunesMatch(runes)
	for m != nil {
		buf = appendRunes(buf[:0], runes[m.Index:m.Index+m.Length])
		n += e.ranks.pieceTokens(buf)
		m, _ = e.re.FindNextMatch(m)
	}
	return n
}

func appendRunes(b []byte, rs []rune) []byte {
	for _, r := range rs {
		b = utf8.AppendRune(b, r)
	}
	return b
}

// View is what a model reads of a tool in tools/list: its name,
// description and input schema, as compact JSON.
func View(name, description string, inputSchema []byte) string {
	var schema bytes.Buffer
	if err := json.Compact(&schema, inputSchema); err != nil {
		schema.Reset()
		schema.Write(inputSchema)
	}
	b, _ := json.Marshal(struct {
		Name        string          `json:"name"`
		Description string          `json:"description"`
		InputSchema json.RawMessage `json:"inputSchema"`
	}{name, description, schema.Bytes()})
	return string(b)
}
