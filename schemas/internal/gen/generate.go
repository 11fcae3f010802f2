// Package gen generates the tool catalogue (operations.gen.json) from the
// four OpenAPI descriptions. It runs at `go generate` time and in the test
// that proves the checked-in catalogue is current; the server itself only
// reads the generated file.
//
// kin-openapi loads and validates each description; the schema compaction
// works on the raw JSON so that every keyword of both OpenAPI 3.0 and 3.1 is
// seen as written.
package gen

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/datastack-mcp/datastack-mcp/schemas"
)

// MaxSchemaChars bounds an input schema's JSON size. Claude drops tools whose
// schema reaches 16,384 characters; bodies are flattened less deeply until
// the schema fits under this lower mark.
const MaxSchemaChars = 12000

// startDepth is how many object levels below the top-level arguments a
// request body keeps before deeper shapes are summarised as "object".
const startDepth = 3

//go:embed overrides.json
var overridesJSON []byte

// override replaces a generated name or description where the operationId
// or the upstream summary would mislead a model. It is data, not code, so
// adding an operation never needs Go.
type override struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// notATool lists operations that are plumbing of the client, not tools.
var notATool = map[string]bool{
	"pdc/authToken": true, // the PDC client's login
}

var methods = []string{"get", "post", "put", "patch", "delete"}

var validName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// Generate returns the catalogue JSON for all providers.
func Generate() ([]byte, error) {
	var overrides map[string]map[string]override
	if err := json.Unmarshal(overridesJSON, &overrides); err != nil {
		return nil, fmt.Errorf("overrides.json: %w", err)
	}
	var all []schemas.Operation
	seen := map[string]string{}
	for _, provider := range schemas.Providers {
		raw, err := schemas.Spec(provider)
		if err != nil {
			return nil, err
		}
		if err := validate(raw); err != nil {
			return nil, fmt.Errorf("%s: %w", provider, err)
		}
		ops, err := operations(provider, raw, overrides[provider])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", provider, err)
		}
		for _, op := range ops {
			if prev, dup := seen[op.Name]; dup {
				return nil, fmt.Errorf("tool name %s is generated for both %s and %s; add an override", op.Name, prev, op.OperationID)
			}
			seen[op.Name] = op.OperationID
		}
		all = append(all, ops...)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(all); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func validate(raw []byte) error {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return fmt.Errorf("validate: %w", err)
	}
	return nil
}

func operations(provider string, raw []byte, overrides map[string]override) ([]schemas.Operation, error) {
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	paths, _ := doc["paths"].(map[string]any)
	var out []schemas.Operation
	for _, path := range sortedKeys(paths) {
		item, _ := paths[path].(map[string]any)
		for _, method := range methods {
			opRaw, ok := item[method].(map[string]any)
			if !ok {
				continue
			}
			id, _ := opRaw["operationId"].(string)
			if notATool[provider+"/"+id] {
				continue
			}
			op, err := operation(doc, provider, path, method, item, opRaw, overrides[id])
			if err != nil {
				return nil, fmt.Errorf("%s %s (%s): %w", strings.ToUpper(method), path, id, err)
			}
			out = append(out, op)
		}
	}
	return out, nil
}

func operation(doc map[string]any, provider, path, method string, item, raw map[string]any, ov override) (schemas.Operation, error) {
	id, _ := raw["operationId"].(string)
	op := schemas.Operation{
		Provider:    provider,
		OperationID: id,
		Method:      strings.ToUpper(method),
		Path:        path,
		Title:       strings.TrimSuffix(strings.TrimSpace(fmt.Sprint(raw["summary"])), "."),
	}
	op.Name = provider + "_" + toolName(id)
	if ov.Name != "" {
		op.Name = provider + "_" + ov.Name
	}
	if !validName.MatchString(op.Name) {
		return op, fmt.Errorf("generated tool name %q is not snake_case within 64 characters; add an override", op.Name)
	}
	if tags, ok := raw["tags"].([]any); ok && len(tags) > 0 {
		op.Toolset = provider + "-" + slug(fmt.Sprint(tags[0]))
	} else {
		op.Toolset = provider
	}

	var cut bool
	var schema map[string]any
	// Each stage is shallower or coarser than the one before; the first
	// that fits wins.
	type stage struct {
		depth    int
		collapse bool
	}
	var stages []stage
	for _, collapse := range []bool{false, true} {
		for depth := startDepth; depth >= 0; depth-- {
			stages = append(stages, stage{depth, collapse})
		}
	}
	for _, st := range stages {
		var err error
		schema, cut, err = inputSchema(doc, item, raw, st.depth, st.collapse, &op)
		if err != nil {
			return op, err
		}
		if len(canonical(schema)) <= MaxSchemaChars {
			break
		}
	}
	if n := len(canonical(schema)); n > MaxSchemaChars {
		return op, fmt.Errorf("input schema is %d characters even at the shallowest body; exceeds %d", n, MaxSchemaChars)
	}
	op.Description = describe(raw, ov, cut, id)
	var err error
	if op.InputSchema, err = json.Marshal(schema); err != nil {
		return op, err
	}
	if out := outputSchema(doc, raw); out != nil {
		if op.OutputSchema, err = json.Marshal(out); err != nil {
			return op, err
		}
	}
	return op, nil
}

// toolName derives a readable snake_case name from an operationId:
// FastAPI ids lose their route suffix ("list_data_sources_api_v1_data_sources_get"),
// camelCase ids become snake_case ("getDataSourceById" -> "get_data_source_by_id").
func toolName(id string) string {
	if i := strings.Index(id, "_api_"); i > 0 {
		id = id[:i]
	}
	return snake(id)
}

func describe(raw map[string]any, ov override, cut bool, id string) string {
	text := ov.Description
	if text == "" {
		summary := strings.TrimSuffix(strings.TrimSpace(fmt.Sprint(raw["summary"])), ".")
		text = summary + "."
		desc, _ := raw["description"].(string)
		first := firstSentences(desc, 1, 200)
		if first != "" && !similar(first, summary) {
			text += " " + first
		}
	}
	if cut {
		// Two sentences at most: the first of the text, then where the full shape is.
		text = firstSentences(text, 1, 400) + " Nested body fields are summarised as plain objects; their full shape is in the API reference of operation " + id + "."
	}
	return text
}

// similar reports whether a description sentence merely repeats the summary.
func similar(a, b string) bool {
	norm := func(s string) string {
		return strings.Trim(strings.ToLower(spaces.ReplaceAllString(s, " ")), " .")
	}
	na, nb := norm(a), norm(b)
	return na == nb || strings.HasPrefix(na, nb) || strings.HasPrefix(nb, na)
}

var argName = regexp.MustCompile(`[^A-Za-z0-9_.-]`)

// inputSchema flattens path, query and body parameters into one object.
func inputSchema(doc, item, raw map[string]any, depth int, collapse bool, op *schemas.Operation) (map[string]any, bool, error) {
	c := &compactor{doc: doc, mode: request, maxDepth: depth + 1, collapse: collapse}
	props := map[string]any{}
	var required []string
	op.Params = nil
	op.BodyRequired = false
	add := func(arg string, p schemas.Param, schema map[string]any, req bool) {
		p.Arg = arg
		op.Params = append(op.Params, p)
		props[arg] = schema
		if req {
			required = append(required, arg)
		}
	}

	params := append(asList(item["parameters"]), asList(raw["parameters"])...)
	for _, pv := range params {
		p, _, ok := c.deref(pv, nil)
		if !ok {
			continue
		}
		in, _ := p["in"].(string)
		if in != schemas.InPath && in != schemas.InQuery {
			continue // header and cookie parameters are transport details, not tool arguments
		}
		name, _ := p["name"].(string)
		schema := c.convert(p["schema"], 1, nil)
		if d := shortDescription(p["description"]); d != "" {
			schema["description"] = d
		}
		req, _ := p["required"].(bool)
		add(argName.ReplaceAllString(name, "_"), schemas.Param{In: in, Name: name}, schema, req || in == schemas.InPath)
	}

	var bodyMin any
	bodyArgs := -1
	body, bodyRequired := requestBody(c, raw)
	if body != nil {
		c.maxDepth = depth + 1
		schema := c.convert(body, 0, nil)
		bodyProps, isObject := schema["properties"].(map[string]any)
		switch {
		case isObject && len(bodyProps) > 0:
			op.BodyRequired = bodyRequired
			bodyMin, bodyArgs = schema["minProperties"], len(bodyProps)
			req := stringSet(schema["required"])
			for _, name := range sortedKeys(bodyProps) {
				arg := argName.ReplaceAllString(name, "_")
				if _, clash := props[arg]; clash {
					arg = "body_" + arg
				}
				add(arg, schemas.Param{In: schemas.InBody, Name: name}, bodyProps[name].(map[string]any), bodyRequired && req[name])
			}
		case !bodyRequired && isFreeForm(schema):
			// An optional body with nothing described: the operation takes no input there.
		default:
			if _, ok := schema["description"]; !ok {
				schema["description"] = "Request body."
			}
			add("body", schemas.Param{In: schemas.InBodyWhole}, schema, bodyRequired)
		}
	}
	out := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		out["required"] = required
	}
	if bodyMin != nil && len(props) == bodyArgs {
		// The body is the whole input, so its "at least N fields" rule is the tool's.
		out["minProperties"] = bodyMin
	}
	return out, c.cut, nil
}

func isFreeForm(s map[string]any) bool {
	for k := range s {
		if k != "type" && k != "description" && k != "additionalProperties" {
			return false
		}
	}
	return true
}

func requestBody(c *compactor, raw map[string]any) (any, bool) {
	rb, ok := raw["requestBody"].(map[string]any)
	if !ok {
		return nil, false
	}
	rb, _, _ = c.deref(rb, nil)
	content, _ := rb["content"].(map[string]any)
	media, ok := content["application/json"].(map[string]any)
	if !ok {
		return nil, false
	}
	req, _ := rb["required"].(bool)
	return media["schema"], req
}

func asList(v any) []map[string]any {
	list, _ := v.([]any)
	out := make([]map[string]any, 0, len(list))
	for _, x := range list {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// outputSchema states the top-level fields of an object success response.
// Types are given only where the spec promises a present, non-null value,
// so that a real answer is never rejected by a client that validates
// structuredContent against it.
func outputSchema(doc, raw map[string]any) map[string]any {
	responses, _ := raw["responses"].(map[string]any)
	codes := sortedKeys(responses)
	c := &compactor{doc: doc, mode: response, maxDepth: 1}
	for _, code := range codes {
		if !strings.HasPrefix(code, "2") {
			continue
		}
		resp, _, _ := c.deref(responses[code].(map[string]any), nil)
		content, _ := resp["content"].(map[string]any)
		media, _ := content["application/json"].(map[string]any)
		if media == nil {
			return nil
		}
		s, stack, ok := c.deref(asMap(media["schema"]), nil)
		if !ok {
			return nil
		}
		props, _ := s["properties"].(map[string]any)
		if t, _ := s["type"].(string); t != "object" || len(props) == 0 || s["anyOf"] != nil || s["oneOf"] != nil {
			return nil
		}
		required := stringSet(s["required"])
		out := map[string]any{}
		for _, name := range sortedKeys(props) {
			p, _, ok := c.deref(asMap(props[name]), stack)
			if !ok || p["writeOnly"] == true {
				continue
			}
			field := map[string]any{}
			if d := shortDescription(p["description"]); d != "" {
				field["description"] = d
			}
			if t, ok := p["type"].(string); ok && required[name] && p["nullable"] != true && t != "null" {
				field["type"] = t
			}
			out[name] = field
		}
		return map[string]any{"type": "object", "properties": out}
	}
	return nil
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	if m == nil {
		return map[string]any{}
	}
	return m
}

// Names returns the generated tool names, sorted; used by tests.
func Names(ops []schemas.Operation) []string {
	out := make([]string, len(ops))
	for i, op := range ops {
		out[i] = op.Name
	}
	sort.Strings(out)
	return out
}
