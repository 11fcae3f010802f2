package sandbox

import (
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"
)

// The generator makes valid values for every success response and every
// request body of the four specs (it completes curated answers, and the
// tests use it for request bodies).
func TestSynthIsValid(t *testing.T) {
	t.Parallel()
	sp, err := loadSpecs()
	require.NoError(t, err)
	seen := map[*openapi3.Schema]bool{} // shared schemas are checked once
	for _, prov := range sortedKeys(sp) {
		is31 := sp[prov].is31()
		opts := []openapi3.SchemaValidationOption{openapi3.VisitAsResponse()}
		if is31 {
			opts = append(opts, openapi3.EnableJSONSchema2020())
		}
		for _, id := range sortedKeys(sp[prov].ops) {
			op := sp[prov].ops[id].Op
			st := successStatus(op)
			if sch := responseSchema(op, st); sch != nil && !seen[sch.Value] {
				seen[sch.Value] = true
				v := jsonClone(newResponseSynth(is31, id).gen(sch, "", 0))
				if err := sch.Value.VisitJSON(v, opts...); err != nil {
					t.Errorf("%s %s response: %v", prov, id, trimErr(err))
				}
			}
			if rb := op.RequestBody; rb != nil && rb.Value != nil {
				if mt := rb.Value.Content.Get("application/json"); mt != nil && !seen[mt.Schema.Value] {
					seen[mt.Schema.Value] = true
					ropts := []openapi3.SchemaValidationOption{openapi3.VisitAsRequest()}
					if is31 {
						ropts = append(ropts, openapi3.EnableJSONSchema2020())
					}
					v := jsonClone(newSynth(is31, id).gen(mt.Schema, "", 0))
					if err := mt.Schema.Value.VisitJSON(v, ropts...); err != nil {
						t.Errorf("%s %s request: %v", prov, id, trimErr(err))
					}
				}
			}
		}
	}
}

func TestFillCompletesCuratedValues(t *testing.T) {
	sp, err := loadSpecs()
	require.NoError(t, err)
	op := sp["lightdash"].ops["GetOrganizationMemberByUuid"].Op
	sch := responseSchema(op, 200)
	v := fillSchema(sch, map[string]any{"status": "ok", "results": map[string]any{"email": "x@y.z"}}, false)
	res := v.(map[string]any)["results"].(map[string]any)
	require.Equal(t, "x@y.z", res["email"])
	for _, k := range []string{"userUuid", "firstName", "role", "isActive", "organizationUuid"} {
		require.True(t, res[k] != nil, k)
	}
	require.NoError(t, sch.Value.VisitJSON(v, openapi3.VisitAsResponse()))
}
