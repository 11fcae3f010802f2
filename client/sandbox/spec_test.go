package sandbox

import (
	"context"
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/schemas"
)

// testSpec is provider's spec, loaded if need be.
func testSpec(provider string) *spec {
	sp, err := getSpec(provider)
	if err != nil {
		panic(err)
	}
	return sp
}

// The sandbox does not validate its specs at run time (it loads them lazily
// and as they are); this test does, as published.
func TestSpecsAreValid(t *testing.T) {
	t.Parallel()
	for _, name := range schemas.Providers {
		raw, err := schemas.Spec(name)
		require.NoError(t, err)
		doc, err := openapi3.NewLoader().LoadFromData(raw)
		require.NoError(t, err)
		require.NoError(t, doc.Validate(context.Background()), name)
	}
}

// A provider whose spec cannot be loaded answers 500 (every time) rather
// than failing New.
func TestSpecLoadErrorIs500(t *testing.T) {
	s := newTestSandbox(t)
	p := &provider{name: "nope", s: s}
	for range 2 {
		w := &captureWriter{h: http.Header{}}
		req, _ := http.NewRequest("GET", "http://x/api/v1/anything", nil)
		p.ServeHTTP(w, req)
		require.Equal(t, http.StatusInternalServerError, w.status)
	}
}
