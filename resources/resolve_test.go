package resources

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/schemas"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

// TestResolve: a URI that names no resource this catalog serves is a
// *tools.ArgumentError (the adapter answers "resource not found") saying
// why and pointing at resources/templates/list; nothing is read.
func TestResolve(t *testing.T) {
	st := newStack(t, []connSpec{{provider: schemas.Datafold, name: "sandbox"}}, Options{})
	cases := []struct {
		name, uri string
		want      string // "" for a resource
	}{
		{"a lineage resource", "datafold://sandbox/lineage/1/tables/ANALYTICS.MARTS.fct_orders/downstream?max_depth=2", ""},
		{"a listed resource", "datafold://sandbox/data-sources", ""},
		{"no such route", "datafold://sandbox/monitors", `no resource at "datafold://sandbox/monitors"`},
		{"unknown connection", "datafold://nope/data-sources", `Datafold has no connection "nope"; its connections are sandbox`},
		{"bad direction", "datafold://sandbox/lineage/1/tables/X/sideways", "direction must be downstream or upstream"},
		{"bad data source id", "datafold://sandbox/data-sources/first", "data_source_id must be a positive whole number"},
		{"bad max_depth", "datafold://sandbox/lineage/1/tables/X/upstream?max_depth=100", "max_depth must be a whole number from 1 to 99"},
		{"unknown query argument", "datafold://sandbox/data-sources?x=1", `unknown query argument "x"`},
		{"provider not configured", "posthog://sandbox/projects/1/sources", "posthog-sources resources are not served here"},
		{"not a resource URI", "https://example.com/x", `no resource at "https://example.com/x"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := st.cat.Resolve(tc.uri)
			if tc.want == "" {
				assert.NoError(t, err)
				return
			}
			var arg *tools.ArgumentError
			require.True(t, errors.As(err, &arg), "got %v (%T), want a *tools.ArgumentError", err, err)
			assert.Contains(t, arg.Message, tc.want)
			assert.Contains(t, arg.Message, "resources/templates/list", "where the URI forms are")
		})
	}
}
