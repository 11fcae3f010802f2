package sandbox

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestPostHogProjects: one demo project, listed with the id the other
// operations take, which "@current" also names.
func TestPostHogProjects(t *testing.T) {
	s := newTestSandbox(t)
	list := do(t, s, "posthog", "GET", "/api/projects/", nil)
	validateResponse(t, "posthog", list)
	assert.Equal(t, 1.0, list.get("count"))
	assert.Equal(t, "Jaffle Shop", list.get("results.0.name"))
	id := list.get("results.0.id").(float64)
	assert.Equal(t, 0, len(do(t, s, "posthog", "GET", "/api/projects/?search=nope", nil).get("results").([]any)))

	byID := do(t, s, "posthog", "GET", "/api/projects/"+itoa(int(id))+"/external_data_sources/", nil)
	current := do(t, s, "posthog", "GET", "/api/projects/@current/external_data_sources/", nil)
	validateResponse(t, "posthog", current)
	assert.Equal(t, byID.JSON, current.JSON, "@current names the demo project")
	assert.Equal(t, 200, do(t, s, "posthog", "GET", "/api/projects/@current/external_data_schemas/"+phStripeID+"/", nil).Status)
	assert.Equal(t, 404, do(t, s, "posthog", "GET", "/api/projects/2/external_data_sources/", nil).Status)
}
