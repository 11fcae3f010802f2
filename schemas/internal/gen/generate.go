// Package gen generates the tool catalogue (operations.gen.go) from the
// four OpenAPI descriptions. It runs at `go generate` time and in the test
// that proves the checked-in catalogue is current; the server itself only
// compiles the generated file.
//
// kin-openapi loads and validates each description; the schema compaction
// works on the raw JSON so that every keyword of both OpenAPI 3.0 and 3.1 is
// seen as written.
package gen

import (
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
//
// Under a provider, the operation "*" applies to every operation of it
// (only its arguments are used).
type override struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// Keep names the optional body arguments the compact schema keeps
	// longest, most important first.
	Keep []string `json:"keep,omitempty"`
	// Budget replaces the default token budget of the tool.
	Budget int `json:"budget,omitempty"`
	// Arguments replace top-level argument descriptions; "" removes one.
	Arguments map[string]string `json:"arguments,omitempty"`
	// Projection turns the "fields" argument on (a search by POST) or off.
	Projection *bool `json:"projection,omitempty"`
}

// notATool lists operations that are plumbing of the client, not tools.
var notATool = map[string]bool{
	"pdc/authToken": true, // the PDC client's login
}

var methods = []string{"get", "post", "put", "patch", "delete"}

var validName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// Generate returns the catalogue source (operations.gen.go) for all providers.
func Generate() ([]byte, error) {
	ops, err := Operations()
	if err != nil {
		return nil, err
	}
	return Source(ops)
}

// Operations generates every operation of the four descriptions, in a
// stable order (provider, then path, then method).
func Operations() ([]schemas.Operation, error) {
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
		ops, err := operations(provider, raw, overrides[provider], propertyOrders(raw))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", provider, err)
		}
		if err := checkOverrides(provider, raw, overrides[provider]); err != nil {
			return nil, err
		}
		for _, op := range ops {
			if prev, dup := seen[op.Name]; dup {
				return nil, fmt.Errorf("tool name %s is generated for both %s and %s; add an override", op.Name, prev, op.OperationID)
			}
			seen[op.Name] = op.OperationID
		}
		all = append(all, ops...)
	}
	return all, nil
}

// checkOverrides fails when overrides.json names an operation the spec no
// longer has (it was removed or renamed upstream): its name and description
// would otherwise be silently lost, or given to nothing.
func checkOverrides(provider string, raw []byte, ovs map[string]override) error {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return err
	}
	ids := map[string]bool{}
	for _, item := range doc.Paths {
		for _, m := range methods {
			var op struct {
				OperationID string `json:"operationId"`
			}
			if item[m] != nil && json.Unmarshal(item[m], &op) == nil {
				ids[op.OperationID] = true
			}
		}
	}
	for _, id := range sortedKeys(ovs) {
		if id != "*" && !ids[id] {
			return fmt.Errorf("overrides.json: %s has no operation %q (removed or renamed upstream?); remove or move its override", provider, id)
		}
	}
	return nil
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

func operations(provider string, raw []byte, overrides map[string]override, orders map[string][]string) ([]schemas.Operation, error) {
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
			op, err := operation(doc, provider, path, method, item, opRaw, overrides[id], overrides["*"], orders)
			if err != nil {
				return nil, fmt.Errorf("%s %s (%s): %w", strings.ToUpper(method), path, id, err)
			}
			out = append(out, op)
		}
	}
	return out, nil
}

func operation(doc map[string]any, provider, path, method string, item, raw map[string]any, ov, all override, orders map[string][]string) (schemas.Operation, error) {
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
	op.Toolset = toolset(provider, raw["tags"])

	var cut bool
	var schema map[string]any
	var oneOf []string // body arguments of which the API needs one (anyone.go)
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
		schema, cut, oneOf, err = inputSchema(doc, item, raw, st.depth, st.collapse, &op)
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
	full, err := fullSchema(schema, op.Name, ov, all)
	if err != nil {
		return op, err
	}
	if example, ok := projection(doc, raw, method, ov.Projection); ok {
		props := asMap(full["properties"])
		if _, clash := props[ProjectionArg]; !clash {
			props[ProjectionArg] = map[string]any{
				"type":        "array",
				"items":       map[string]any{"type": "string"},
				"description": "Return only these gjson paths, e.g. " + example + ".",
			}
			op.Params = append(op.Params, schemas.Param{Arg: ProjectionArg, In: schemas.InProjection})
			op.Projection = true
		}
	}
	if cut {
		full["description"] = "Deeper fields are summarised as objects; their full shape is in the API reference of operation " + id + "."
	}
	in := shrinkInput{
		name:      op.Name,
		text:      describe(raw, ov),
		fullCut:   cut,
		full:      full,
		droppable: droppable(&op, full, ov.Keep, bodyOrder(doc, orders, path, method, raw)),
		keep:      map[string]bool{},
		budget:    Budget,
	}
	if ov.Budget > 0 {
		in.budget = ov.Budget
	}
	for _, k := range ov.Keep {
		if _, ok := asMap(full["properties"])[k]; !ok {
			return op, fmt.Errorf("overrides.json keeps %q, which is not an argument", k)
		}
		in.keep[k] = true
	}
	for _, k := range oneOf {
		in.keep[k] = true // the compact schema must offer what the API needs
	}
	compact, desc := shrink(in)
	op.Description = desc
	requireOne(full, oneOf) // after shrink: the rule is for validation (anyone.go)
	if op.InputSchema, err = json.Marshal(compact); err != nil {
		return op, err
	}
	if canonical(compact) != canonical(full) {
		if op.FullInputSchema, err = json.Marshal(full); err != nil {
			return op, err
		}
	}
	if out := outputSchema(doc, raw); out != nil {
		if op.OutputSchema, err = json.Marshal(out); err != nil {
			return op, err
		}
	}
	return op, nil
}

// fullSchema is the full input schema of a tool: the deepest rendering
// that fits MaxSchemaChars, with the overrides' argument descriptions and
// without what informs nobody (see tidy).
func fullSchema(schema map[string]any, name string, ov, all override) (map[string]any, error) {
	full := clone(schema)
	props := asMap(full["properties"])
	for i, o := range []override{all, ov} {
		for _, arg := range sortedKeys(o.Arguments) {
			p, ok := props[arg].(map[string]any)
			switch {
			case !ok && i == 1:
				return nil, fmt.Errorf("overrides.json describes argument %q, which %s does not have", arg, name)
			case !ok:
			case o.Arguments[arg] == "":
				delete(p, "description")
			default:
				p["description"] = o.Arguments[arg]
			}
		}
	}
	context := map[string]bool{}
	for _, w := range words(name) {
		context[w] = true
	}
	tidy(full, 0, "", context)
	return full, nil
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

func describe(raw map[string]any, ov override) string {
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
	return text
}

// bodyOrder returns the request body's field names in spec order.
func bodyOrder(doc map[string]any, orders map[string][]string, path, method string, raw map[string]any) []string {
	c := &compactor{doc: doc}
	ptr := "/paths/" + escapePointer(path) + "/" + method + "/requestBody"
	rb, ok := raw["requestBody"].(map[string]any)
	if !ok {
		return nil
	}
	if ref, ok := rb["$ref"].(string); ok {
		ptr = strings.TrimPrefix(ref, "#")
		if rb, _ = c.resolve(ref); rb == nil {
			return nil
		}
	}
	media := asMap(asMap(rb["content"])["application/json"])
	return schemaOrder(c, orders, media["schema"], ptr+"/content/application~1json/schema", map[string]bool{})
}

// droppable lists the optional body arguments of a tool, least important
// first: most important are those the overrides keep, then those with an
// enum (a model cannot guess them), then the rest in spec order.
func droppable(op *schemas.Operation, full map[string]any, keep, order []string) []string {
	props := asMap(full["properties"])
	required := stringSet(full["required"])
	rank := map[string]int{}
	for i, name := range order {
		if _, dup := rank[name]; !dup {
			rank[name] = i
		}
	}
	keepRank := map[string]int{}
	for i, k := range keep {
		keepRank[k] = i
	}
	var args []string
	for _, p := range op.Params {
		if p.In == schemas.InBody && !required[p.Arg] {
			args = append(args, p.Arg)
		}
	}
	key := func(arg string) (int, int) {
		if i, ok := keepRank[arg]; ok {
			return 0, i
		}
		wire := arg
		for _, p := range op.Params {
			if p.Arg == arg {
				wire = p.Name
			}
		}
		pos, ok := rank[wire]
		if !ok {
			pos = len(order)
		}
		if hasEnum(asMap(props[arg])) {
			return 1, pos
		}
		return 2, pos
	}
	sort.SliceStable(args, func(i, j int) bool {
		ci, pi := key(args[i])
		cj, pj := key(args[j])
		if ci != cj {
			return ci > cj
		}
		return pi > pj
	})
	return args
}

// hasEnum reports whether an argument's own values are an enumeration.
func hasEnum(s map[string]any) bool {
	if s["enum"] != nil || s["const"] != nil {
		return true
	}
	if items, ok := s["items"].(map[string]any); ok && hasEnum(items) {
		return true
	}
	for _, b := range asAnyList(s["anyOf"]) {
		if hasEnum(asMap(b)) {
			return true
		}
	}
	return false
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
func inputSchema(doc, item, raw map[string]any, depth int, collapse bool, op *schemas.Operation) (map[string]any, bool, []string, error) {
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
	textual := map[string]bool{}
	for _, p := range op.Params {
		if p.In == schemas.InPath || p.In == schemas.InQuery {
			textual[p.Arg] = true
		}
	}
	typeBare(out, textual) // bare.go
	var oneOf []string
	switch {
	case bodyMin != nil && len(props) == bodyArgs:
		// The body is the whole input, so its "at least N fields" rule is the tool's.
		out["minProperties"] = bodyMin
	case bodyMin == 1.0:
		oneOf = bodyArgNames(op) // stated by requireOne (anyone.go)
	}
	return out, c.cut, oneOf, nil
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

// crossCuttingTags group operations by concern rather than by subject
// (Lightdash tags space sharing "Roles & Permissions" as well as "Spaces";
// every PostHog operation is "data_warehouse"). A toolset is named after the
// first tag that is not one of these.
var crossCuttingTags = map[string]bool{
	"Roles & Permissions": true,
	"Exploring":           true,
	"data_warehouse":      true,
	"v2":                  true, // Lightdash's API version, not a subject
}

func toolset(provider string, tags any) string {
	list, _ := tags.([]any)
	for _, t := range list {
		if tag := fmt.Sprint(t); !crossCuttingTags[tag] {
			return provider + "-" + slug(tag)
		}
	}
	if len(list) > 0 {
		return provider + "-" + slug(fmt.Sprint(list[0]))
	}
	return provider
}
