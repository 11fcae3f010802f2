package redact

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func decode(t *testing.T, doc string) any {
	t.Helper()
	var v any
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&v), "decoding %s", doc)
	return v
}

// TestValueAgreesWithJSON: the decoded-value path and the bytes path give
// the same answer.
func TestValueAgreesWithJSON(t *testing.T) {
	r := New([]string{canary, "31415926"})
	r.Learn("pdc-issued-tok-0042")
	for _, doc := range []string{
		`{"id":1,"name":"orders","tags":["a","b"],"owner":{"id":7,"email":"x@example.com"},"n":1.50}`,
		`[{"id":1,"token_count":3},{"id":2,"secret_santa":false}]`,
		`{"options":{"private_key":"-----BEGIN-----","user":"DATAFOLD","token":""},"items":[{"Password":"p"},{"client-secret":"s"}]}`,
		`{"note":"\u0064fkey-CANARY\/4711","pin":31415926,"password":12345,"password_min_length":8}`,
		`{"auth":"Basic dXNlcjpodW50ZXIy","url":"postgres://bob:hunter2@db/x","g":"ya29.a0AfH6SMBx-sandbox_not_real"}`,
		`{"payload":"{\"token\":\"abc\",\"k\":\"dfkey-CANARY/4711\"}","echo":"pdc-issued-tok-0042"}`,
		`{"api_keys":["k1",{"id":3},["k2"]],"dfkey-CANARY/4711":true}`,
	} {
		t.Run(doc, func(t *testing.T) {
			fromBytes := decode(t, string(r.JSON([]byte(doc))))
			fromValue := r.Value(decode(t, doc))
			assert.Equal(t, fromBytes, fromValue, "Value got %v, want the same as JSON's %v", fromValue, fromBytes)
		})
	}
}

// TestValueFloat: numbers decoded as float64 (json.Unmarshal without
// UseNumber) are checked too.
func TestValueFloat(t *testing.T) {
	r := New([]string{"31415926"})
	var v any
	require.NoError(t, json.Unmarshal([]byte(`{"pin":31415926,"password":42,"n":1}`), &v))
	got := r.Value(v)
	want := map[string]any{"pin": Redacted, "password": Redacted, "n": 1.0}
	assert.Equal(t, want, got, "got %v, want %v", got, want)
}

// TestValueCopyOnWrite: the input is never modified; containers without
// a replacement are shared, not copied.
func TestValueCopyOnWrite(t *testing.T) {
	in := decode(t, `{"clean":{"a":[1,2,{"b":"c"}]},"dirty":{"password":"p","keep":"k"}}`)
	before := fmt.Sprint(in)
	out := New(nil).Value(in).(map[string]any)
	assert.Equal(t, before, fmt.Sprint(in), "got the input changed to %v, want it as it was", in)
	assert.Equal(t, Redacted, out["dirty"].(map[string]any)["password"], "got %v, want the password replaced", out["dirty"])
	inClean, outClean := in.(map[string]any)["clean"], out["clean"]
	assert.Equal(t, fmt.Sprintf("%p", inClean), fmt.Sprintf("%p", outClean), "got a copy of the unchanged object, want it shared")
	same := New(nil).Value(inClean)
	assert.Equal(t, fmt.Sprintf("%p", inClean), fmt.Sprintf("%p", same), "got a copy of an unchanged value, want it returned as is")
}

func TestValueRawMessage(t *testing.T) {
	got := New([]string{canary}).Value(json.RawMessage(`{"k":"dfkey-CANARY\/4711"}`))
	want := json.RawMessage(`{"k":"[REDACTED]"}`)
	assert.Equal(t, want, got, "got %s, want %s", got, want)
}

func TestValueRenamedKeyDoesNotOverwrite(t *testing.T) {
	got := New([]string{canary}).Value(map[string]any{canary: 1, Redacted: 2}).(map[string]any)
	assert.Len(t, got, 2, "got %v, want both entries kept", got)
	assert.Equal(t, 2, got[Redacted], "got %v, want the existing key kept", got)
}

func TestNilAndZeroRedactor(t *testing.T) {
	for name, r := range map[string]*Redactor{"nil": nil, "zero": {}} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, `{"password":"[REDACTED]"}`, string(r.JSON([]byte(`{"password":"x"}`))))
			assert.Equal(t, map[string]any{"token": Redacted}, r.Value(map[string]any{"token": "t"}))
			assert.Equal(t, "password=[REDACTED]", r.Text("password=x"))
			r.Learn("ignored-secret")
			r.Add("ignored-too")
			assert.Equal(t, `{"k":"[REDACTED]"}`, string(r.With("with-secret").JSON([]byte(`{"k":"with-secret"}`))))
		})
	}
}
