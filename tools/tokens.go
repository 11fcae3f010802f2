package tools

import (
	"bytes"
	"encoding/json"
	"sync"

	"github.com/pkoukk/tiktoken-go"
	loader "github.com/pkoukk/tiktoken-go-loader"
)

// Token counting uses the o200k_base encoding (the tokenizer of current
// OpenAI models, a close stand-in for what any model pays to read a tool
// list) with its ranks embedded by tiktoken-go-loader, so it works offline.
var (
	tokenizerOnce sync.Once
	tokenizer     *tiktoken.Tiktoken
	tokenizerErr  error
)

// CountTokens returns the number of o200k_base tokens of s. The encoder is
// built on first use (it takes a moment) and shared; CountTokens is safe for
// concurrent use. It panics only if the embedded ranks do not load, which
// would be a build defect.
func CountTokens(s string) int {
	tokenizerOnce.Do(func() {
		tiktoken.SetBpeLoader(loader.NewOfflineLoader())
		tokenizer, tokenizerErr = tiktoken.GetEncoding("o200k_base")
	})
	if tokenizerErr != nil {
		panic("tools: o200k_base tokenizer: " + tokenizerErr.Error())
	}
	return len(tokenizer.Encode(s, nil, nil))
}

// ModelView is what a model reads of a tool in tools/list: the compact JSON
// of its name, description and (compact) input schema. Its token count is
// the tool's cost in every conversation that lists it.
func ModelView(t *Tool) string {
	var schema bytes.Buffer
	if err := json.Compact(&schema, t.InputSchema); err != nil {
		schema.Reset()
		schema.WriteString(`{}`)
	}
	b, _ := json.Marshal(struct {
		Name        string          `json:"name"`
		Description string          `json:"description"`
		InputSchema json.RawMessage `json:"inputSchema"`
	}{t.Name, t.Description, schema.Bytes()})
	return string(b)
}
