package schemas

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/providers"
)

// Local edits. The *.openapi.json files are the providers' descriptions
// exactly as published (so refreshing one is a copy, see README.md); the
// few places where this project must differ from them are listed in
// edits.json and applied in memory by Spec. An edit names the JSON pointers
// it replaces, the value it expects to find there ("was") and the value it
// puts instead: when a refreshed spec no longer holds the expected value,
// Spec fails and says which edit to review, rather than silently
// overwriting what upstream changed.

//go:embed edits.json
var editsJSON []byte

// Edit replaces the values at Pointers, which must equal Was, by Value.
type Edit struct {
	Why      string          `json:"why"`
	Pointers []string        `json:"pointers"`
	Was      json.RawMessage `json:"was"`
	Value    json.RawMessage `json:"value"`
}

// Edits returns the local edits of every provider, by provider.
func Edits() (map[string][]Edit, error) {
	var out map[string][]Edit
	if err := json.Unmarshal(editsJSON, &out); err != nil {
		return nil, fmt.Errorf("schemas: edits.json: %w", err)
	}
	for p := range out {
		if !isProvider(p) {
			return nil, fmt.Errorf("schemas: edits.json names unknown provider %q", p)
		}
	}
	return out, nil
}

func isProvider(p string) bool {
	for _, x := range Providers {
		if x == p {
			return true
		}
	}
	return false
}

// Published returns a provider's OpenAPI document as published, without
// the local edits.
func Published(provider string) ([]byte, error) {
	p, ok := providers.Get(provider)
	if !ok {
		return nil, fmt.Errorf("schemas: no provider %q", provider)
	}
	b, err := specFS.ReadFile(p.SpecFile)
	if err != nil {
		return nil, fmt.Errorf("schemas: no OpenAPI description for provider %q", provider)
	}
	return b, nil
}

// applyEdits returns raw with edits applied. Values are spliced into the
// document's text, so everything else, key order included, stays as
// published.
func applyEdits(raw []byte, edits []Edit) ([]byte, error) {
	for _, e := range edits {
		var was, value any
		if err := json.Unmarshal(e.Was, &was); err != nil {
			return nil, fmt.Errorf("edit %q: was: %w", e.Why, err)
		}
		if err := json.Unmarshal(e.Value, &value); err != nil {
			return nil, fmt.Errorf("edit %q: value: %w", e.Why, err)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, e.Value); err != nil {
			return nil, err
		}
		for _, ptr := range e.Pointers {
			start, end, err := locate(raw, ptr)
			if err != nil {
				return nil, fmt.Errorf("edit at %s: %w", ptr, err)
			}
			var got any
			if err := json.Unmarshal(raw[start:end], &got); err != nil {
				return nil, fmt.Errorf("edit at %s: %w", ptr, err)
			}
			if !reflect.DeepEqual(got, was) {
				return nil, fmt.Errorf("edit at %s no longer applies: the published value changed (got %s, want %s); review edits.json (%s)",
					ptr, shorten(raw[start:end]), shorten(e.Was), e.Why)
			}
			out := make([]byte, 0, len(raw)-(end-start)+compact.Len())
			out = append(append(append(out, raw[:start]...), compact.Bytes()...), raw[end:]...)
			raw = out
		}
	}
	return raw, nil
}

func shorten(b []byte) string {
	var c bytes.Buffer
	if json.Compact(&c, b) != nil {
		c.Reset()
		c.Write(b)
	}
	if c.Len() > 200 {
		return c.String()[:200] + "…"
	}
	return c.String()
}

func skipValue(dec *json.Decoder) error {
	var skip json.RawMessage
	return dec.Decode(&skip)
}

// locate returns the byte range of the value at the JSON pointer ptr
// (RFC 6901) in doc.
func locate(doc []byte, ptr string) (start, end int, err error) {
	if ptr == "" {
		return 0, len(doc), nil
	}
	if !strings.HasPrefix(ptr, "/") {
		return 0, 0, fmt.Errorf("pointer %q does not start with /", ptr)
	}
	segments := strings.Split(ptr[1:], "/")
	dec := json.NewDecoder(bytes.NewReader(doc))
	for depth, seg := range segments {
		key := strings.ReplaceAll(strings.ReplaceAll(seg, "~1", "/"), "~0", "~")
		at := "/" + strings.Join(segments[:depth+1], "/")
		tok, err := dec.Token()
		if err != nil {
			return 0, 0, err
		}
		found := false
		switch tok {
		case json.Delim('{'):
			for !found && dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return 0, 0, err
				}
				if found = kt == key; !found {
					if err := skipValue(dec); err != nil {
						return 0, 0, err
					}
				}
			}
		case json.Delim('['):
			n, err := strconv.Atoi(key)
			if err != nil || n < 0 {
				return 0, 0, fmt.Errorf("%q: %q is not an array index", at, key)
			}
			for i := 0; !found && dec.More(); i++ {
				if found = i == n; !found {
					if err := skipValue(dec); err != nil {
						return 0, 0, err
					}
				}
			}
		default:
			return 0, 0, fmt.Errorf("%q is not inside an object or array", at)
		}
		if !found {
			return 0, 0, fmt.Errorf("the document has nothing at %s", at)
		}
	}
	var v json.RawMessage
	if err := dec.Decode(&v); err != nil && err != io.EOF {
		return 0, 0, err
	}
	end = int(dec.InputOffset())
	return end - len(v), end, nil
}
