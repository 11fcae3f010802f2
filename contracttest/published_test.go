package contracttest

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// publishedAnswers maps each answer the providers published
// (testdata/upstream) to the tool whose operation gave it. PDC's login
// example (pdc_auth.docs.json) answers every PDC login of these tests
// (newEnv) rather than a tool.
var publishedAnswers = map[string]struct {
	tool string
	args map[string]any
}{
	"datafold_create_data_diff.docs-2022.json": {"datafold_create_data_diff", map[string]any{
		"data_source1_id": 7, "data_source2_id": 8, "table1": []any{"DATABASE", "SCHEMA", "TABLE_1"},
		"table2": []any{"DATABASE", "SCHEMA", "TABLE_2"}, "pk_columns": []any{"PRIMARY_KEY"}}},
	"datafold_summary_results_success.docs-2022.json": {"datafold_get_data_diff_summary_results", map[string]any{"datadiff_id": 544266}},
	"datafold_summary_results_failed.docs-2022.json":  {"datafold_get_data_diff_summary_results", map[string]any{"datadiff_id": 544266}},
}

// knownDeviations are the ways the published answers break their
// operation's response schema: fields the spec requires that real answers
// lack. They are the spec's faults, not the answer's; a change to this
// list (a new deviation, or one gone) fails the test so it is noticed.
var knownDeviations = map[string][]string{
	"datafold_create_data_diff.docs-2022.json": {
		// DataDiffStats requires a version; the 2022 answer has none.
		"/diff_stats: missing required version",
	},
	"datafold_summary_results_success.docs-2022.json": {
		// Datafold's ApiDataDiffSummaryForDone requires per-column
		// values_different; the docs' answer has only column_name and match.
		"/values/columns_diff_stats/*: missing required values_different",
	},
	"datafold_summary_results_failed.docs-2022.json": nil,
}

// TestPublishedAnswers serves each answer a provider published to the tool
// that calls its operation: the call must succeed and its structured
// result match the tool's output schema. How the answer deviates from
// the spec is checked against knownDeviations.
func TestPublishedAnswers(t *testing.T) {
	tools := byName(t)
	e := newEnv(t)
	for _, path := range files(t, "testdata/upstream") {
		name := filepath.Base(path)
		if name == "pdc_auth.docs.json" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			use, ok := publishedAnswers[name]
			require.True(t, ok, "%s is not mapped to a tool in publishedAnswers", name)
			tool := tools[use.tool]
			require.NotNil(t, tool, use.tool)
			answer, source := fixture(t, path)
			t.Logf("%s (%s)", name, source)
			status, sch := success(operation(t, tool))
			require.NotNil(t, sch, "%s has no JSON answer in the spec", tool.Name)
			assert.Equal(t, knownDeviations[name], deviations(t, tool.Provider, sch, answer), "%s against the spec", name)

			e.up.serve(tool.Method, tool.Path, status, answer)
			for _, budget := range []int{0, 500} {
				res := e.call(tool, args(t, tool, use.args), budget)
				require.False(t, res.IsError, "budget %d: got an error result, want the answer: %s", budget, res.Text)
				assert.NoError(t, outputError(t, tool, res), "budget %d: structured content does not match the output schema", budget)
			}
		})
	}
}

// TestPublishedPDCLogin: PDC's published login answer (an access token and
// no expiry) lets the PDC tools work.
func TestPublishedPDCLogin(t *testing.T) {
	tool := byName(t)["pdc_get_data_source_by_id"]
	require.NotNil(t, tool)
	e := newEnv(t)
	status, sch := success(operation(t, tool))
	body, err := jsonMarshal((&deriver{v: variants[0]}).value(sch, "", 0))
	require.NoError(t, err)
	e.up.serve(tool.Method, tool.Path, status, body)
	res := e.call(tool, args(t, tool, nil), 0)
	require.False(t, res.IsError, res.Text)
	assert.NoError(t, outputError(t, tool, res))
}

// deviations lists how answer departs from sch, one line per location
// (array items as "*"), sorted: required fields it lacks, values of another
// type, values outside an enum. For a union the closest branch counts. Nil
// when the answer matches.
func deviations(t *testing.T, provider string, sch *openapi3.SchemaRef, answer []byte) []string {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(answer, &v))
	set := map[string]bool{}
	for _, d := range deviate(sch, v, "") {
		set[d] = true
	}
	var out []string
	for d := range set {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

func deviate(ref *openapi3.SchemaRef, v any, path string) []string {
	if ref == nil || ref.Value == nil {
		return nil
	}
	s := ref.Value
	at := path
	if at == "" {
		at = "/"
	}
	if v == nil && (s.Nullable || s.Type.Includes("null")) {
		return nil
	}
	var out []string
	for _, part := range s.AllOf {
		out = append(out, deviate(part, v, path)...)
	}
	for _, alts := range []openapi3.SchemaRefs{s.AnyOf, s.OneOf} {
		if len(alts) == 0 {
			continue
		}
		var best []string
		first := true
		for _, a := range alts {
			if v != nil && a.Value != nil && a.Value.Type.Is("null") {
				continue // the null branch of a nullable value that is not null
			}
			d := dedupe(deviate(a, v, path))
			if first || len(d) < len(best) {
				best, first = d, false
			}
		}
		out = append(out, best...)
	}
	if kind := jsonKind(v); s.Type != nil && !s.Type.IsEmpty() && !s.Type.Includes(kind) &&
		!(kind == "number" && s.Type.Includes("integer") && isWhole(v)) && !(kind == "integer" && s.Type.Includes("number")) {
		return append(out, fmt.Sprintf("%s: got %s, want %s", at, kind, strings.Join(s.Type.Slice(), " or ")))
	}
	if len(s.Enum) > 0 && !slices.ContainsFunc(s.Enum, func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(v) }) {
		out = append(out, fmt.Sprintf("%s: %v is not one of %v", at, v, s.Enum))
	}
	switch x := v.(type) {
	case map[string]any:
		var missing []string
		for _, r := range s.Required {
			if p := s.Properties[r]; p != nil && p.Value != nil && p.Value.WriteOnly {
				continue
			}
			if _, ok := x[r]; !ok {
				missing = append(missing, r)
			}
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			out = append(out, fmt.Sprintf("%s: missing required %s", at, strings.Join(missing, ", ")))
		}
		for k, val := range x {
			if p := s.Properties[k]; p != nil {
				out = append(out, deviate(p, val, path+"/"+k)...)
			} else if s.AdditionalProperties.Schema != nil {
				out = append(out, deviate(s.AdditionalProperties.Schema, val, path+"/"+k)...)
			}
		}
	case []any:
		for _, item := range x {
			out = append(out, deviate(s.Items, item, path+"/*")...)
		}
	}
	return out
}

func dedupe(lines []string) []string {
	slices.Sort(lines)
	return slices.Compact(lines)
}

func jsonKind(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		if isWhole(x) {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	}
	return "object"
}

func isWhole(v any) bool {
	f, ok := v.(float64)
	return ok && f == float64(int64(f))
}
