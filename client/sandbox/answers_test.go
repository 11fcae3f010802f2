package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/schemas"
)

// The answer pipeline (jsonValue, fillSchema with cached schema facts and
// synthesized values, encodeJSON), the validation memo and the route cache
// are optimizations: these tests check that they answer exactly what the
// plain pipeline answered.

// referenceAnswer is the answer pipeline as it was before caching, kept as
// the oracle: a JSON round trip, the fill below (every alternative's
// properties collected again, every missing field synthesized again), then
// json.Marshal.
func referenceAnswer(sch *openapi3.SchemaRef, answer any, is31 bool) []byte {
	v := jsonClone(answer)
	if sch != nil {
		v = (&refFiller{g: newResponseSynth(is31, "fill")}).fill(sch, v, 0)
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

type refFiller struct{ g *synth }

func (f *refFiller) fill(ref *openapi3.SchemaRef, v any, depth int) any {
	if ref == nil || ref.Value == nil || v == nil || depth > 64 {
		return v
	}
	s := ref.Value
	for _, part := range s.AllOf {
		v = f.fill(part, v, depth+1)
	}
	if alts := s.OneOf; len(alts) > 0 || len(s.AnyOf) > 0 {
		if len(alts) == 0 {
			alts = s.AnyOf
		}
		if alt := refChooseAlt(alts, v); alt != nil {
			v = f.fill(alt, v, depth+1)
		}
	}
	switch x := v.(type) {
	case map[string]any:
		for _, name := range s.Required {
			if _, ok := x[name]; !ok && !f.g.skip(s.Properties[name]) {
				// A copy: the synthesizer may hand out the spec's own
				// defaults, which this fill would then complete in place.
				x[name] = deepCopy(f.g.gen(s.Properties[name], name, depth+1))
			}
		}
		for k, val := range x {
			if p := s.Properties[k]; p != nil {
				x[k] = f.fill(p, val, depth+1)
			} else if ap := s.AdditionalProperties.Schema; ap != nil {
				x[k] = f.fill(ap, val, depth+1)
			}
		}
	case []any:
		for i, val := range x {
			if i < len(s.PrefixItems) {
				x[i] = f.fill(s.PrefixItems[i], val, depth+1)
			} else if s.Items != nil {
				x[i] = f.fill(s.Items, val, depth+1)
			}
		}
	}
	return v
}

func refChooseAlt(alts openapi3.SchemaRefs, v any) *openapi3.SchemaRef {
	kind := jsonKind(v)
	var best *openapi3.SchemaRef
	bestScore := math.MinInt
	for _, alt := range alts {
		if alt == nil || alt.Value == nil {
			continue
		}
		kinds := schemaKinds(alt.Value)
		if len(kinds) > 0 && !slices.Contains(kinds, kind) && !(kind == "integer" && slices.Contains(kinds, "number")) {
			continue
		}
		score := 0
		if m, ok := v.(map[string]any); ok {
			props := collectProps(alt.Value, 0)
			mismatch := false
			for name, p := range props {
				want, isDisc := discriminatorValue(p)
				got, present := m[name]
				if isDisc && present {
					if fmt.Sprint(got) != fmt.Sprint(want) {
						mismatch = true
						break
					}
					score += 100
				}
			}
			if mismatch {
				continue
			}
			for k := range m {
				if _, ok := props[k]; ok {
					score++
				} else {
					score -= 2
				}
			}
		}
		if score > bestScore {
			best, bestScore = alt, score
		}
	}
	return best
}

// TestAnswersMatchReferencePipeline runs every operation (on fresh sandboxes,
// then all of them twice on one sandbox, so answers cover created, changed
// and deleted objects) and checks that every curated answer encodes to the
// same bytes through both pipelines.
func TestAnswersMatchReferencePipeline(t *testing.T) {
	t.Parallel()
	sp, err := loadSpecs()
	require.NoError(t, err)
	checked := 0
	wrap := func(s *Sandbox) {
		for _, p := range s.providers {
			for id, h := range p.handlers {
				p.handlers[id] = func(c *call) (int, any) {
					status, body := h(c)
					if _, isErr := body.(*apiError); isErr || body == nil {
						return status, body
					}
					sch := responseSchema(c.op.Op, status)
					is31 := c.p.spec().is31()
					want := referenceAnswer(sch, body, is31)
					got := encodeAnswer(sch, jsonValue(body), is31)
					if !bytes.Equal(want, got) {
						t.Errorf("%s %s -> %d: answers differ\nreference: %.2000s\ncached:    %.2000s", c.p.name, c.op.ID, status, want, got)
					}
					checked++
					return status, body
				}
			}
		}
	}
	shared := newTestSandbox(t)
	clock := useTestClock(shared)
	wrap(shared)
	for pass := range 3 {
		for _, prov := range schemas.Providers {
			for _, id := range sortedKeys(sp[prov].ops) {
				s := shared
				if pass == 0 {
					s = newTestSandbox(t)
					wrap(s)
				}
				send(t, s, buildRequest(t, s, prov, sp[prov].ops[id]))
			}
		}
	}
	// Lists with paging and filters, and finished diffs.
	clock.advance(2 * (shared.DiffQueued + shared.DiffRunning))
	for _, q := range []struct{ prov, path string }{
		{"datafold", "/api/v1/datadiffs?limit=3&offset=1"},
		{"datafold", "/api/v1/monitors?page_size=2&page=2&order_by=name&sort_order=desc"},
		{"datafold", "/api/v1/datadiffs/101/summary_results"},
		{"posthog", "/api/projects/1/external_data_sources/?limit=1&offset=1"},
		{"lightdash", "/api/v1/projects/" + ldProject + "/spaces"},
	} {
		do(t, shared, q.prov, "GET", q.path, nil)
	}
	require.True(t, checked > 300, "only %d answers checked", checked)
}

// jsonValue is jsonClone without the round trip, for every kind of value.
func TestJSONValueMatchesJSONClone(t *testing.T) {
	type named string
	type rec struct {
		A int    `json:"a"`
		B string `json:"b,omitempty"`
	}
	values := []any{
		nil, true, false, "", "plain", "<b>&amp;</b> \u2028 é", "bad \xff\xfe utf-8", 0, -0.0, 1.5, 3, int64(1) << 60,
		int32(-7), uint(7), uint64(math.MaxUint64), uint32(9), float32(0.1), 1e21, 1e-7, named("x"),
		[]any{1, "a", nil, []any{}}, []any(nil), []string{"a", "b"}, []string(nil), []string{},
		map[string]any{"a": 1, "b": map[string]any{"c": []any{1.25}}, "bad\xff": 1}, map[string]any(nil), map[string]any{},
		map[string]string{"k": "v"}, map[string]string(nil), []map[string]any{{"x": 1}}, []map[string]any(nil),
		map[string]any{"t": time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC), "r": rec{A: 1}, "p": &rec{B: "b"}, "raw": json.RawMessage(`{"z":1}`)},
		map[int]string{2: "b", 1: "a"}, []byte("bytes"), json.Number("12.50"),
	}
	for _, v := range values {
		require.True(t, reflect.DeepEqual(jsonClone(v), jsonValue(v)), "%#v: %#v != %#v", v, jsonValue(v), jsonClone(v))
	}
}

// encodeJSON is json.Marshal for answers, byte for byte.
func TestEncodeJSONMatchesMarshal(t *testing.T) {
	var ascii strings.Builder
	for b := 0; b < 0x80; b++ {
		ascii.WriteByte(byte(b))
	}
	values := []any{
		nil, true, false, "", ascii.String(), "é \u2028 \u2029 \U0001F600 \xff \xed\xa0\x80 end", "<script>&</script>",
		0.0, math.Copysign(0, -1), 1.0, -1.5, 0.1, 1e-6, 1e-7, 123456789.125, 1e20, 1e21, 1.5e300, 5e-324, math.MaxFloat64,
		int64(-1) << 62, int64(42), 7, float32(0.1), uint8(3),
		map[string]any{"b": 1.0, "a": []any{"x", nil, map[string]any{}}, "é": "\n", "<": ">"},
		map[string]any(nil), []any(nil), []any{}, map[string]any{},
		map[string]any{"t": time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC), "raw": json.RawMessage(`{"z": 1}`), "n": json.Number("2")},
	}
	many := map[string]any{}
	for i := range 100 {
		many[fmt.Sprintf("k%03d", 99-i)] = float64(i) / 3
	}
	values = append(values, many)
	for _, v := range values {
		want, err := json.Marshal(v)
		require.NoError(t, err)
		require.Equal(t, string(want), string(encodeJSON(v)))
	}
}

// The validation memo only ever answers for a request identical, in every
// part validation reads, to one that was accepted: requests that differ in
// one part only (path, query, header, body, content type) still get their
// own verdict, and the same answer every time.
func TestValidationMemoIsExact(t *testing.T) {
	s := newTestSandbox(t)
	sp := testSpec(schemas.Datafold)
	const js = "application/json"
	valid := `{"query":"select 1"}`
	variants := []struct{ path, ct, hdr, body string }{
		{"/api/v1/data_sources/1/query", js, "", valid},
		{"/api/v1/data_sources/x/query", js, "", valid},
		{"/api/v1/data_sources/1/query?stream=maybe", js, "", valid},
		{"/api/v1/data_sources/1/query?stream=true", js, "", valid},
		{"/api/v1/data_sources/1/query", js, "yes", valid},
		{"/api/v1/data_sources/1/query", js, "", `{"query":5}`},
		{"/api/v1/data_sources/1/query", js, "", `{}`},
		{"/api/v1/data_sources/1/query", js, "", ``},
		{"/api/v1/data_sources/1/query", "text/plain", "", valid},
		{"/api/v1/data_sources/2/query", js, "", valid},
	}
	newReq := func(path, ct, hdr, body string) *http.Request {
		req, err := http.NewRequest("POST", BaseURL(schemas.Datafold)+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", testCreds[schemas.Datafold])
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		if hdr != "" {
			req.Header.Set("X-Stream-Response", hdr)
		}
		return req
	}
	first := map[int]*result{}
	statuses := map[int]int{}
	for round := range 3 {
		for i, v := range variants {
			res := send(t, s, newReq(v.path, v.ct, v.hdr, v.body))
			// What openapi3filter says of the same request, without the memo.
			req := newReq(v.path, v.ct, v.hdr, v.body)
			route, params, err := sp.findRoute(req)
			require.NoError(t, err)
			verr := openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{
				Request: req, PathParams: params, Route: route, Options: requestValidationOptions})
			require.Equal(t, verr != nil, res.Status == 422, "round %d, %+v: status %d, validation error %v", round, v, res.Status, verr)
			if round == 0 {
				first[i] = res
				statuses[res.Status]++
				continue
			}
			require.Equal(t, first[i].Status, res.Status, "%+v", v)
			require.Equal(t, string(first[i].Body), string(res.Body), "%+v", v)
		}
	}
	require.True(t, statuses[200] >= 4 && statuses[422] >= 4, "%v", statuses)
}

// Cached routes carry the parameters of their own path, and methods still
// select their operation.
func TestRouteCache(t *testing.T) {
	s := newTestSandbox(t)
	for range 2 {
		for _, id := range []string{"1", "2", "3", "99"} {
			r := do(t, s, "datafold", "GET", "/api/v1/data_sources/"+id, nil)
			if id == "99" {
				require.Equal(t, 404, r.Status)
				continue
			}
			require.Equal(t, 200, r.Status)
			require.Equal(t, id, fmt.Sprint(r.get("id")))
		}
		r := do(t, s, "datafold", "DELETE", "/api/v1/data_sources/1", nil)
		require.Equal(t, 405, r.Status)
		require.Equal(t, "GET", r.Header.Get("Allow"))
	}
}

// chooseAlt (bitsets over cached facts) picks what the plain scoring picks,
// for values shaped like every alternative of every union in the specs, with
// a key added or removed.
func TestChooseAltMatchesReference(t *testing.T) {
	t.Parallel()
	sp, err := loadSpecs()
	require.NoError(t, err)
	compared := 0
	for _, prov := range schemas.Providers {
		is31 := sp[prov].is31()
		seen := map[*openapi3.Schema]bool{}
		var visit func(ref *openapi3.SchemaRef, depth int)
		visit = func(ref *openapi3.SchemaRef, depth int) {
			if ref == nil || ref.Value == nil || seen[ref.Value] || depth > 6 {
				return
			}
			s := ref.Value
			seen[s] = true
			alts := s.OneOf
			if len(alts) == 0 {
				alts = s.AnyOf
			}
			for i, alt := range alts {
				g := newResponseSynth(is31, "t")
				v := jsonClone(g.gen(alt, "", 0))
				vals := []any{v}
				if m, ok := v.(map[string]any); ok {
					// With every property the alternative declares.
					full := copyMap(m)
					props := collectProps(alt.Value, 0)
					for _, name := range sortedKeys(props) {
						if _, ok := full[name]; !ok {
							full[name] = jsonClone(g.gen(props[name], name, synthMaxDepth-2))
						}
					}
					vals = append(vals, full)
					extra := copyMap(m)
					extra["zz_extra"] = float64(i)
					vals = append(vals, extra)
					if keys := sortedKeys(m); len(keys) > 0 {
						fewer := copyMap(m)
						delete(fewer, keys[0])
						vals = append(vals, fewer)
					}
					// Shaped like this alternative, with the discriminators
					// of each other one.
					for _, other := range alts {
						if other == alt || other == nil || other.Value == nil {
							continue
						}
						props := collectProps(other.Value, 0)
						mixed := copyMap(m)
						for _, name := range sortedKeys(props) {
							if want, ok := discriminatorValue(props[name]); ok {
								mixed[name] = jsonClone(want)
							}
						}
						vals = append(vals, mixed)
					}
				}
				for _, v := range vals {
					want, got := refChooseAlt(alts, v), facts(s).chooseAlt(v)
					if want != got {
						t.Errorf("%s: union %p, value %v: chose %p, want %p", prov, s, v, got, want)
					}
					compared++
				}
			}
			for _, group := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf, s.AllOf} {
				for _, r := range group {
					visit(r, depth+1)
				}
			}
			for _, name := range sortedKeys(s.Properties) {
				visit(s.Properties[name], depth+1)
			}
			visit(s.Items, depth+1)
		}
		for _, name := range sortedKeys(sp[prov].src.components["schemas"]) {
			visit(sp[prov].schema(name), 0)
		}
		for _, id := range sortedKeys(sp[prov].ops) {
			op := sp[prov].ops[id].Op
			visit(responseSchema(op, successStatus(op)), 0)
		}
	}
	require.True(t, compared > 100, "only %d values compared", compared)
}

// Synthesized fields are cached per schema, property and depth, but never
// when they draw uuids (those depend on how many were drawn before), and
// never shared: completing a cached value must not change the cache or the
// spec's own defaults.
func TestFillGenCache(t *testing.T) {
	def := map[string]any{"kind": "default"}
	inner := &openapi3.Schema{Type: &openapi3.Types{"object"}, Required: []string{"id", "n"},
		Properties: openapi3.Schemas{
			"id": {Value: &openapi3.Schema{Type: &openapi3.Types{"string"}, Format: "uuid"}},
			"n":  {Value: &openapi3.Schema{Type: &openapi3.Types{"integer"}, Min: new(3.0)}},
		}}
	withDefault := &openapi3.Schema{Type: &openapi3.Types{"object"}, Default: def, Required: []string{"extra"},
		Properties: openapi3.Schemas{"kind": {Value: &openapi3.Schema{Type: &openapi3.Types{"string"}}},
			"extra": {Value: &openapi3.Schema{Type: &openapi3.Types{"boolean"}}}}}
	root := &openapi3.SchemaRef{Value: &openapi3.Schema{Type: &openapi3.Types{"object"}, Required: []string{"a", "b", "c", "d", "e"},
		Properties: openapi3.Schemas{
			"a": {Value: inner},
			"e": {Value: inner}, // draws the second uuid, or the first when a is given
			"b": {Value: &openapi3.Schema{Type: &openapi3.Types{"string"}, Format: "date-time"}},
			"c": {Value: withDefault},
			"d": {Value: &openapi3.Schema{Type: &openapi3.Types{"array"}, MinItems: 1, Items: &openapi3.SchemaRef{Value: withDefault}}},
		}}}
	for range 3 {
		for _, is31 := range []bool{false, true} {
			for _, v := range []map[string]any{{}, {"a": map[string]any{"id": "given", "n": 5.0}}, {"a": map[string]any{"n": 1.0}}, {"c": map[string]any{}}} {
				want := referenceAnswer(root, v, is31)
				require.Equal(t, string(want), string(encodeAnswer(root, jsonValue(v), is31)))
			}
		}
	}
	require.Equal(t, map[string]any{"kind": "default"}, def)
	// Answers are completed concurrently (run with -race).
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 50 {
				encodeAnswer(root, map[string]any{}, true)
			}
		}()
	}
	for range 4 {
		<-done
	}
}
