package contracttest

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDerivedAnswers serves the answers derived by hand from the specs
// (testdata/derived, named <tool>.<case>.json) to their tools. Each must
// match its operation's response schema exactly (it is derived from it),
// and each structured result the tool's output schema, whole and cut to
// the smallest result budget.
func TestDerivedAnswers(t *testing.T) {
	tools := byName(t)
	e := newEnv(t)
	for _, path := range files(t, "testdata/derived") {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			toolName, _, _ := strings.Cut(name, ".")
			tool := tools[toolName]
			require.NotNil(t, tool, "%s: no tool %s", name, toolName)
			answer, _ := fixture(t, path)
			status, sch := success(operation(t, tool))
			require.NotNil(t, sch, "%s has no JSON answer in the spec", tool.Name)
			require.Empty(t, deviations(t, tool.Provider, sch, answer), "%s against the spec", name)
			require.NoError(t, specError(t, tool.Provider, sch, answer), "%s against the spec (kin-openapi)", name)

			e.up.serve(tool.Method, tool.Path, status, answer)
			for _, budget := range []int{0, 500} {
				res := e.call(tool, args(t, tool, nil), budget)
				require.False(t, res.IsError, "budget %d: got an error result, want the answer: %s", budget, res.Text)
				assert.NoError(t, outputError(t, tool, res), "budget %d: structured content does not match the output schema", budget)
			}
		})
	}
}
