package contracttest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/client"
	"github.com/datastack-mcp/datastack-mcp/schemas"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

// env is a fake upstream for the four providers and the tool dependencies
// whose clients reach it.
type env struct {
	up *upstream
	// clients by provider
	callers map[string]tools.Caller
}

// newEnv makes an env. PDC's login answers with the login example PDC
// publishes, so every PDC call goes through a real-shaped login.
func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{up: &upstream{}, callers: map[string]tools.Caller{}}
	login, _ := fixture(t, "testdata/upstream/pdc_auth.docs.json")
	e.up.serve("POST", "/api/public/v1/auth", 200, login)
	for _, p := range schemas.Providers {
		cfg := client.Config{Provider: p, BaseURL: "https://" + p + ".contract.invalid", Transport: e.up, MaxRetries: -1}
		if p == schemas.PDC {
			cfg.Username, cfg.Password = "contract", "contract-password"
		} else {
			cfg.APIKey = "contract-key"
		}
		c, err := client.New(cfg)
		require.NoError(t, err, p)
		e.callers[p] = c
	}
	return e
}

// call runs tool with args against the fake upstream, with a result
// budget in tokens (0: the default).
func (e *env) call(tool *tools.Tool, args map[string]any, budget int) *tools.Result {
	d := &tools.Deps{Callers: e.callers, MaxResultTokens: budget}
	return tool.Call(context.Background(), d, args)
}

// fixture reads an answer file: its answer without "_source" (or its
// "_answer" member when the answer is not an object), and its source.
func fixture(t *testing.T, path string) ([]byte, string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &m), path)
	var source string
	require.NoError(t, json.Unmarshal(m["_source"], &source), "%s: _source", path)
	require.NotEmpty(t, source, "%s: _source", path)
	if a, ok := m["_answer"]; ok {
		return a, source
	}
	delete(m, "_source")
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return b, source
}

// files lists the JSON files of a testdata folder.
func files(t *testing.T, dir string) []string {
	t.Helper()
	out, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	sort.Strings(out)
	return out
}

var (
	specsOnce sync.Once
	specDocs  map[string]*openapi3.T
	specsErr  error
)

// spec returns a provider's OpenAPI document (with this project's local
// edits), loaded with kin-openapi.
func spec(t *testing.T, provider string) *openapi3.T {
	t.Helper()
	specsOnce.Do(func() {
		specDocs = map[string]*openapi3.T{}
		for _, p := range schemas.Providers {
			raw, err := schemas.Spec(p)
			if err != nil {
				specsErr = err
				return
			}
			doc, err := openapi3.NewLoader().LoadFromData(raw)
			if err != nil {
				specsErr = fmt.Errorf("%s: %w", p, err)
				return
			}
			relaxDiscriminators(doc)
			specDocs[p] = doc
		}
	})
	require.NoError(t, specsErr)
	return specDocs[provider]
}

// relaxDiscriminators turns oneOf unions with a discriminator into anyOf:
// under JSON Schema a discriminator is an annotation, and Datafold's
// discriminated unions have alternatives a value matches several of, so
// oneOf would reject every value (the sandbox does the same, see its doc).
func relaxDiscriminators(doc *openapi3.T) {
	for _, s := range doc.Components.Schemas {
		relaxSchema(s, map[*openapi3.Schema]bool{})
	}
}

func relaxSchema(ref *openapi3.SchemaRef, seen map[*openapi3.Schema]bool) {
	if ref == nil || ref.Value == nil || seen[ref.Value] {
		return
	}
	s := ref.Value
	seen[s] = true
	if s.Discriminator != nil && len(s.OneOf) > 0 {
		s.AnyOf, s.OneOf = append(s.AnyOf, s.OneOf...), nil
	}
	for _, group := range []openapi3.SchemaRefs{s.AnyOf, s.OneOf, s.AllOf} {
		for _, r := range group {
			relaxSchema(r, seen)
		}
	}
	for _, p := range s.Properties {
		relaxSchema(p, seen)
	}
	relaxSchema(s.Items, seen)
	relaxSchema(s.AdditionalProperties.Schema, seen)
}

// success returns an operation's lowest 2xx status and its JSON body
// schema (nil when it has none).
func success(op *openapi3.Operation) (int, *openapi3.SchemaRef) {
	best := 0
	for code := range op.Responses.Map() {
		if n, err := strconv.Atoi(code); err == nil && n >= 200 && n < 300 && (best == 0 || n < best) {
			best = n
		}
	}
	if best == 0 {
		return 200, nil
	}
	r := op.Responses.Status(best)
	if r == nil || r.Value == nil || r.Value.Content.Get("application/json") == nil {
		return best, nil
	}
	return best, r.Value.Content.Get("application/json").Schema
}

// operation returns the spec operation a tool calls.
func operation(t *testing.T, tool *tools.Tool) *openapi3.Operation {
	t.Helper()
	item := spec(t, tool.Provider).Paths.Value(tool.Path)
	require.NotNil(t, item, "%s: no path %s in the spec", tool.Name, tool.Path)
	op := item.GetOperation(tool.Method)
	require.NotNil(t, op, "%s: no %s %s in the spec", tool.Name, tool.Method, tool.Path)
	return op
}

// specError says how an answer (JSON) breaks the operation's response
// schema, or nil when it matches.
func specError(t *testing.T, provider string, sch *openapi3.SchemaRef, answer []byte) error {
	t.Helper()
	var v any
	if err := json.Unmarshal(answer, &v); err != nil {
		return err
	}
	var opts []openapi3.SchemaValidationOption
	if spec(t, provider).IsOpenAPI31OrLater() {
		opts = append(opts, openapi3.EnableJSONSchema2020())
	}
	opts = append(opts, openapi3.MultiErrors(), openapi3.VisitAsResponse())
	return sch.Value.VisitJSON(v, opts...)
}

var (
	outputsMu sync.Mutex
	outputs   = map[string]*jsonschema.Schema{}
)

// outputError says how a result's structured content breaks the tool's
// declared output schema, or nil (also when it declares none).
func outputError(t *testing.T, tool *tools.Tool, res *tools.Result) error {
	t.Helper()
	if len(tool.OutputSchema) == 0 {
		return nil
	}
	outputsMu.Lock()
	sch, ok := outputs[tool.Name]
	if !ok {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(tool.OutputSchema))
		require.NoError(t, err, "%s: output schema", tool.Name)
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft2020)
		url := "mem://output/" + tool.Name + ".json"
		require.NoError(t, c.AddResource(url, doc))
		sch, err = c.Compile(url)
		require.NoError(t, err, "%s: output schema", tool.Name)
		outputs[tool.Name] = sch
	}
	outputsMu.Unlock()
	if res.Structured == nil {
		return fmt.Errorf("no structured content (text: %.200s)", res.Text)
	}
	b, err := json.Marshal(res.Structured)
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return err
	}
	return sch.Validate(v)
}

// args returns arguments that pass a tool's input validation: its
// required arguments, derived from its full input schema, over defaults
// (given), and "confirm": true for tools that ask for confirmation.
func args(t *testing.T, tool *tools.Tool, given map[string]any) map[string]any {
	t.Helper()
	var s map[string]any
	require.NoError(t, json.Unmarshal(tool.FullSchema(), &s), tool.Name)
	out := map[string]any{}
	if m, ok := jsonValue(s).(map[string]any); ok {
		out = m
	}
	if props, _ := s["properties"].(map[string]any); props[tools.ConfirmArg] != nil {
		out[tools.ConfirmArg] = true
	}
	for k, v := range given {
		out[k] = v
	}
	return out
}

// jsonValue is a minimal value of a JSON Schema: required properties only.
func jsonValue(s map[string]any) any {
	if e, ok := s["enum"].([]any); ok && len(e) > 0 {
		return e[0]
	}
	if c, ok := s["const"]; ok {
		return c
	}
	if branches, ok := s["anyOf"].([]any); ok && len(branches) > 0 {
		b, _ := branches[0].(map[string]any)
		return jsonValue(b)
	}
	typ, _ := s["type"].(string)
	if l, ok := s["type"].([]any); ok && len(l) > 0 {
		typ, _ = l[0].(string)
	}
	switch typ {
	case "object", "":
		out := map[string]any{}
		props, _ := s["properties"].(map[string]any)
		req, _ := s["required"].([]any)
		for _, r := range req {
			name, _ := r.(string)
			p, _ := props[name].(map[string]any)
			out[name] = jsonValue(p)
		}
		return out
	case "array":
		n, _ := s["minItems"].(float64)
		items, _ := s["items"].(map[string]any)
		out := []any{}
		for range int(n) {
			out = append(out, jsonValue(items))
		}
		return out
	case "integer", "number":
		if m, ok := s["minimum"].(float64); ok && m > 1 {
			return m
		}
		return 1
	case "boolean":
		return true
	}
	if s["format"] == "uuid" {
		return "3f1c2a9e-5b7d-4e8f-9a0b-1c2d3e4f5a6b"
	}
	return "1"
}

var examplePath = regexp.MustCompile(`e\.g\. ([^ ]+?)\.?$`)

// fieldsExample returns the example projection path the generator put in
// a tool's "fields" argument, or "" when the tool has none.
func fieldsExample(t *testing.T, tool *tools.Tool) string {
	var s struct {
		Properties map[string]struct {
			Description string `json:"description"`
		} `json:"properties"`
	}
	require.NoError(t, json.Unmarshal(tool.FullSchema(), &s))
	f, ok := s.Properties["fields"]
	if !ok {
		return ""
	}
	if m := examplePath.FindStringSubmatch(f.Description); m != nil {
		return m[1]
	}
	return ""
}

// byName returns the generated tools by name.
func byName(t *testing.T) map[string]*tools.Tool {
	t.Helper()
	all, err := tools.All()
	require.NoError(t, err)
	out := map[string]*tools.Tool{}
	for _, tool := range all {
		if tool.Operation != "" {
			out[tool.Name] = tool
		}
	}
	return out
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
