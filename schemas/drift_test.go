package schemas_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/schemas"
	"github.com/datastack-mcp/datastack-mcp/schemas/internal/gen"
)

// TestSpecDrift compares, provider by provider, every tool the compiled
// catalogue holds with what the generator makes of the provider's spec now
// (its documented shrinking of input schemas and rendering of response
// schemas as output schemas, schemas/internal/gen), and fails with a
// readable diff per tool: which output or argument locations were added,
// removed or changed. After an intended spec change run
// `go generate ./schemas/...` (or scripts/refresh-spec.sh).
func TestSpecDrift(t *testing.T) {
	fresh, err := gen.Operations()
	require.NoError(t, err)
	for _, provider := range schemas.Providers {
		t.Run(provider, func(t *testing.T) {
			var before, after []schemas.Operation
			for _, op := range schemas.Catalog() {
				if op.Provider == provider {
					before = append(before, op)
				}
			}
			for _, op := range fresh {
				if op.Provider == provider {
					after = append(after, op)
				}
			}
			if changes := gen.CatalogChanges(before, after); changes != "" {
				t.Errorf("the %s tools no longer match %s.openapi.json; run `go generate ./schemas/...` if the change is intended:\n%s",
					provider, provider, indent(changes))
			}
		})
	}
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ")
}
