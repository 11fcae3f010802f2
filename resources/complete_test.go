package resources

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/datastack-mcp/datastack-mcp/client/sandbox"
	"github.com/datastack-mcp/datastack-mcp/schemas"
)

// TestCompletePostHogProject: project_id completes to the connection's
// default, the projects posthog_list_projects lists (by id or name) and
// @current; a source completes in the default project, or @current.
func TestCompletePostHogProject(t *testing.T) {
	sourcesTpl := "posthog://{connection}/projects/{project_id}/sources{?search}"
	sourceTpl := "posthog://{connection}/projects/{project_id}/sources/{source_id}"
	stripe := sandbox.Examples()[schemas.PostHog]["id"]
	withDefault := []connSpec{{provider: schemas.PostHog, name: "sandbox", defaults: map[string]any{"project_id": "1"}}}
	cases := []struct {
		name     string
		conns    []connSpec
		ref, arg string
		value    string
		context  map[string]string
		want     []string
	}{
		{"every project, then @current", sandboxConns(), sourcesTpl, "project_id", "", nil, []string{"1", CurrentProject}},
		{"a project by name", sandboxConns(), sourcesTpl, "project_id", "jaffle", nil, []string{"1"}},
		{"@current by its start", sandboxConns(), sourcesTpl, "project_id", "@", nil, []string{CurrentProject}},
		{"the connection's default once", withDefault, sourcesTpl, "project_id", "", nil, []string{"1", CurrentProject}},
		{"a source of @current", sandboxConns(), sourceTpl, "source_id", "stripe", nil, []string{stripe}},
		{"a source of the chosen project", sandboxConns(), sourceTpl, "source_id", "stripe", map[string]string{"project_id": "1"}, []string{stripe}},
		{"a source of a project that does not exist", sandboxConns(), sourceTpl, "source_id", "", map[string]string{"project_id": "2"}, []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := newStack(t, tc.conns, Options{})
			got := st.cat.CompleteResource(context.Background(), tc.ref, tc.arg, tc.value, tc.context)
			assert.Equal(t, tc.want, got.Values, "completions of %s %q", tc.arg, tc.value)
			assert.Equal(t, len(tc.want), got.Total, "total")
		})
	}
}
