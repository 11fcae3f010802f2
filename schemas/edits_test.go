package schemas

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLocate(t *testing.T) {
	doc := []byte(`{"a": {"b/c": [1, {"z": 2}], "d": "x"}, "e~f": 3}`)
	for _, tc := range []struct{ ptr, want string }{
		{"/a/b~1c", `[1, {"z": 2}]`},
		{"/a/b~1c/1/z", `2`},
		{"/a/b~1c/0", `1`},
		{"/a/d", `"x"`},
		{"/e~0f", `3`},
		{"/a", `{"b/c": [1, {"z": 2}], "d": "x"}`},
	} {
		start, end, err := locate(doc, tc.ptr)
		require.NoError(t, err, tc.ptr)
		assert.Equal(t, tc.want, string(doc[start:end]), "value at %s", tc.ptr)
	}
	for _, bad := range []string{"/nope", "/a/d/x", "a", "/a/b~1c/2", "/a/b~1c/x"} {
		_, _, err := locate(doc, bad)
		assert.Error(t, err, "pointer %s got no error, want one", bad)
	}
}

func TestApplyEdits(t *testing.T) {
	doc := []byte("{\n  \"z\": 1,\n  \"body\": {\"x\": 1},\n  \"a\": 2\n}\n")
	edits := []Edit{{Why: "test", Pointers: []string{"/body"}, Was: json.RawMessage(`{"x": 1}`), Value: json.RawMessage(`{"y": 2, "b": 1}`)}}
	got, err := applyEdits(doc, edits)
	require.NoError(t, err)
	assert.Equal(t, "{\n  \"z\": 1,\n  \"body\": {\"y\":2,\"b\":1},\n  \"a\": 2\n}\n", string(got))

	edits[0].Was = json.RawMessage(`{"x": 2}`)
	_, err = applyEdits(doc, edits)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no longer applies")
}

// TestEditsApply: every local edit still finds the published value it
// replaces, and the edited documents are valid JSON.
func TestEditsApply(t *testing.T) {
	edits, err := Edits()
	require.NoError(t, err)
	for _, p := range Providers {
		b, err := Spec(p)
		require.NoError(t, err, p)
		require.True(t, json.Valid(b), "%s: edited spec is not valid JSON", p)
		if len(edits[p]) == 0 {
			pub, err := Published(p)
			require.NoError(t, err)
			assert.Equal(t, len(pub), len(b), "%s has no edits: Spec got %d bytes, want the published %d", p, len(b), len(pub))
		}
	}
}
