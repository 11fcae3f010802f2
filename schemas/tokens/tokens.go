// Package tokens counts o200k_base tokens offline: what a tool listing or a
// tool result costs a model. The generator uses it for its per-tool schema
// budget and tools/ for result budgets and `mcp-server tools --tokens`.
// o200k_base (the tokenizer of current OpenAI models) is a close stand-in
// for what any model pays; the BPE ranks are embedded by
// tiktoken-go-loader, so counting needs no network.
package tokens

import (
	"bytes"
	"encoding/json"
	"sync"

	"github.com/pkoukk/tiktoken-go"
	loader "github.com/pkoukk/tiktoken-go-loader"
)

var (
	once sync.Once
	enc  *tiktoken.Tiktoken
	err  error
)

// Count returns the number of o200k_base tokens of s. The encoder is built
// once, on first use; Count is safe for concurrent use. It panics only if
// the embedded ranks cannot be loaded, which is a build defect.
func Count(s string) int {
	once.Do(func() {
		tiktoken.SetBpeLoader(loader.NewOfflineLoader())
		enc, err = tiktoken.GetEncoding("o200k_base")
	})
	if err != nil {
		panic("tokens: o200k_base: " + err.Error())
	}
	return len(enc.Encode(s, nil, nil))
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
