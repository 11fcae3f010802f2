package redact

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestText: error messages and other plain text.
func TestText(t *testing.T) {
	r := New([]string{canary, "pw-CANARY-s3cr3t!&="})
	for _, tc := range []struct {
		name, in, want string
	}{
		{"known key", "rejected key dfkey-CANARY/4711", "rejected key [REDACTED]"},
		{"known key, JSON-escaped", `{"detail":"bad key dfkey\u002dCANARY\/4711"}`, `{"detail":"bad key [REDACTED]"}`},
		{"known password, form-encoded", "body username=a&password=pw-CANARY-s3cr3t%21%26%3D", "body username=a&password=[REDACTED]"},
		{"Authorization header", "Authorization: Bearer abcdefgh12345", "Authorization: Bearer [REDACTED]"},
		{"Basic", "sent Basic dXNlcjpodW50ZXIy to the proxy", "sent Basic [REDACTED] to the proxy"},
		{"password: value", "Password: hunter2 rejected", "Password: [REDACTED] rejected"},
		{"JSON fragment", `upstream said {"password":"x","user":"u"}`, `upstream said {"password":"[REDACTED]","user":"u"}`},
		{"URL password", "cannot reach mysql://root:toor@db:3306/x", "cannot reach mysql://root:[REDACTED]@db:3306/x"},
		{"JWT", "token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln expired", "token [REDACTED] expired"},
		{"ordinary text", "GET /api/v1/x: 404 Not Found: key figures missing; token: none", "GET /api/v1/x: 404 Not Found: key figures missing; token: none"},
		{"count kept", "password_min_length: 8", "password_min_length: 8"},
		{"whole text is JSON", `{"token":"t","n":1}`, `{"token":"[REDACTED]","n":1}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := r.Text(tc.in)
			assert.Equal(t, tc.want, got, "got %q, want %q", got, tc.want)
		})
	}
}

func TestView(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`a\u0062c`, "abc"},
		{`a\\u0062c`, "abc"},
		{`\ud83d\ude00`, "\U0001F600"},
		{`\\ud83d\\ude00`, "\U0001F600"},
		{`\ud83d`, "\uFFFD"},
		{`a\/b\-c\x41`, "a/b-cA"},
		{`C:\temp\file`, "C:\temp\\file"},
		{`%41%zz%4`, "A%zz%4"},
		{`&amp;&#65;&#x42;&bogus;&#;`, "&AB&bogus;&#;"},
		{`trailing\`, `trailing\`},
	} {
		got := view(tc.in)
		assert.Equal(t, tc.want, got, "view(%q): got %q, want %q", tc.in, got, tc.want)
	}
}

// TestToSource: a match in the decoded view maps back to the escapes that
// spell it.
func TestToSource(t *testing.T) {
	s := `x\u0041%42&#67;y`
	v := view(s)
	assert.Equal(t, "xABCy", v)
	got := toSource(s, []span{{1, 4}, {2, 3}, {0, 5}})
	want := []span{{1, 15}, {7, 10}, {0, 16}}
	assert.Equal(t, want, got, "got %v, want %v", got, want)
}

// TestLinearTime: inputs built to make a careless scanner quadratic are
// handled in one pass (a quadratic one would take minutes here).
func TestLinearTime(t *testing.T) {
	r := New([]string{canary})
	for name, s := range map[string]string{
		"backslashes":    strings.Repeat(`\`, 1<<20),
		"percents":       strings.Repeat("%", 1<<20),
		"ampersands":     strings.Repeat("&#", 1<<19),
		"pairs":          strings.Repeat("password=x=", 1<<16),
		"schemes":        "basic " + strings.Repeat("b", 1<<20),
		"urls":           strings.Repeat("a://b@", 1<<17),
		"prefixes":       strings.Repeat("ya29.", 1<<17),
		"nested objects": strings.Repeat(`{"a":`, 1<<16),
	} {
		t.Run(name, func(t *testing.T) {
			_ = r.Text(s)
			_ = r.JSON([]byte(s))
			_ = r.Value(s)
		})
	}
}
