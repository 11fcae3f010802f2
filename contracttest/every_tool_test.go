package contracttest

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/datastack-mcp/datastack-mcp/tools"
)

// TestEveryToolOnAnswersFromItsSpec serves every tool answers derived from
// its operation's response schema (every variant the spec admits that the
// deriver could build) and checks each structured result against the
// tool's output schema: whole, cut to the smallest result budget, and
// projected to the tool's example fields.
// givenArgs are arguments a schema's minimal value cannot derive (a rule
// across properties).
var givenArgs = map[string]map[string]any{
	"pdc_filter_data_sources": {"resourceNames": []any{"*"}, "databaseTypes": []any{}},
}

func TestEveryToolOnAnswersFromItsSpec(t *testing.T) {
	e := newEnv(t)
	served, checked := 0, 0
	for name, tool := range byName(t) {
		t.Run(name, func(t *testing.T) {
			status, sch := success(operation(t, tool))
			a := args(t, tool, givenArgs[name])
			fields := fieldsExample(t, tool)
			mine := 0
			defer func() {
				if sch != nil {
					assert.Positive(t, mine, "no derived answer of %s validates against its spec; teach the deriver", tool.Name)
				}
			}()
			for _, v := range variants {
				var body []byte
				if sch != nil {
					b, err := json.Marshal((&deriver{v: v}).value(sch, "", 0))
					if err != nil || specError(t, tool.Provider, sch, b) != nil {
						continue // the deriver could not build this variant validly
					}
					body = b
				}
				e.up.serve(tool.Method, tool.Path, status, body)
				served++
				mine++
				for _, c := range []struct {
					what   string
					budget int
					args   map[string]any
				}{
					{"whole", 0, a},
					{"cut to 500 tokens", 500, a},
					{"projected to " + fields, 0, withFields(a, fields)},
				} {
					if c.args == nil {
						continue
					}
					res := e.call(tool, c.args, c.budget)
					if !assert.False(t, res.IsError, "%s (%s): got an error result, want an answer: %s", v.name, c.what, res.Text) {
						continue
					}
					checked++
					assert.NoError(t, outputError(t, tool, res), "%s (%s): structured content does not match the output schema; answer %s",
						v.name, c.what, body)
				}
			}
		})
	}
	assert.Empty(t, e.up.missed, "requests no answer was registered for")
	t.Logf("%d derived answers served, %d results checked", served, checked)
	assert.Greater(t, served, 300, "derived answers served")
}

// withFields adds the projection argument, or returns nil when the tool
// has none.
func withFields(a map[string]any, path string) map[string]any {
	if path == "" {
		return nil
	}
	out := map[string]any{"fields": []any{path}}
	for k, v := range a {
		out[k] = v
	}
	return out
}

// TestOutputErrorCatchesViolations: the check itself rejects structured
// content that breaks an output schema.
func TestOutputErrorCatchesViolations(t *testing.T) {
	tool := &tools.Tool{Name: "x_self_test", OutputSchema: json.RawMessage(`{"type":"object","properties":{"results":{"type":"array"}}}`)}
	assert.NoError(t, outputError(t, tool, &tools.Result{Structured: map[string]any{"results": []any{}, "other": 1}}))
	assert.Error(t, outputError(t, tool, &tools.Result{Structured: map[string]any{"results": "no"}}))
	assert.Error(t, outputError(t, tool, &tools.Result{Structured: json.RawMessage(`{"results":{}}`)}))
	assert.Error(t, outputError(t, tool, &tools.Result{Text: "no structure"}))
}
