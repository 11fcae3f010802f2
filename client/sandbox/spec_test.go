package sandbox

import (
	"context"
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/schemas"
)

// testSpec is provider's spec, loaded if need be.
func testSpec(provider string) *spec {
	sp, err := getSpec(provider)
	if err == nil {
		err = sp.loadOps()
	}
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

// An operation's document holds the operation, its path item's shared
// members, the security schemes and the components it reaches, no more.
func TestSubDocument(t *testing.T) {
	src, err := newSpecSource([]byte(`{
	  "openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "servers": [{"url": "https://x"}],
	  "paths": {"/a/{id}": {
	    "parameters": [{"$ref": "#/components/parameters/Id"}],
	    "get": {"operationId": "getA", "responses": {"200": {"description": "ok",
	      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/A.B"}}}}}},
	    "post": {"operationId": "postA", "responses": {"200": {"description": "ok",
	      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Unused"}}}}}}}},
	  "components": {
	    "parameters": {"Id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}},
	    "schemas": {"A.B": {"type": "object", "properties": {"c": {"$ref": "#/components/schemas/C"}}},
	      "C": {"type": "string"}, "Unused": {"type": "integer"}},
	    "securitySchemes": {"k": {"type": "apiKey", "in": "header", "name": "K"}}}}`))
	require.NoError(t, err)
	raw, err := src.subDocument("/a/{id}", src.operationMembers("/a/{id}", "get"))
	require.NoError(t, err)
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()))
	assert.Equal(t, []string{"A.B", "C"}, sortedKeys(doc.Components.Schemas))
	assert.Equal(t, []string{"Id"}, sortedKeys(doc.Components.Parameters))
	assert.Equal(t, []string{"k"}, sortedKeys(doc.Components.SecuritySchemes))
	item := doc.Paths.Value("/a/{id}")
	require.NotNil(t, item)
	assert.NotNil(t, item.Get)
	assert.Nil(t, item.Post)
	assert.Empty(t, doc.Servers)

	got, err := refs(`{"$ref":"#/components/schemas/a~1b~0c"}`)
	require.NoError(t, err)
	assert.Equal(t, []componentRef{{"schemas", "a/b~c"}}, got)

	for _, bad := range []string{
		`{"openapi": "3.0.3", "paths": {"/x": {"get": {"$ref": "other.json#/x"}}}}`,
		`{"openapi": "3.0.3", "paths": {"/x": {"get": {"schema": {"$ref": "#/components/schemas/Missing"}}}}}`,
	} {
		src, err := newSpecSource([]byte(bad))
		require.NoError(t, err)
		_, err = src.subDocument("/x", src.operationMembers("/x", "get"))
		assert.Error(t, err, bad)
	}
}

// A component schema is decoded with what it refers to.
func TestSpecSchema(t *testing.T) {
	sp := testSpec(schemas.Datafold)
	form := sp.schema("ApiDataSourceForm")
	require.NotNil(t, form)
	require.NotNil(t, form.Value)
	assert.NotEmpty(t, append(form.Value.OneOf, form.Value.AnyOf...))
	assert.Nil(t, sp.schema("NoSuchSchema"))
}
