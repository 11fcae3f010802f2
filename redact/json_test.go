package redact

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const canary = "dfkey-CANARY/4711"

// leaks reports where a decoded JSON document still holds secret: in a
// string, a key or a number, or in the text itself.
func leaks(t *testing.T, doc []byte, secret string) []string {
	t.Helper()
	var where []string
	if strings.Contains(string(doc), secret) {
		where = append(where, "text")
	}
	var v any
	dec := json.NewDecoder(strings.NewReader(string(doc)))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return where
	}
	var walk func(any, string)
	walk = func(v any, path string) {
		switch x := v.(type) {
		case string:
			if strings.Contains(x, secret) {
				where = append(where, path)
			}
		case json.Number:
			if strings.Contains(string(x), secret) {
				where = append(where, path)
			}
		case map[string]any:
			for k, val := range x {
				if strings.Contains(k, secret) {
					where = append(where, path+" key")
				}
				walk(val, path+"."+k)
			}
		case []any:
			for _, val := range x {
				walk(val, path+"[]")
			}
		}
	}
	walk(v, "$")
	return where
}

// TestJSONKnownSecretAnySpelling: the configured key comes back from an
// upstream, escaped in ways a byte comparison misses. Each must be found
// on the decoded value.
func TestJSONKnownSecretAnySpelling(t *testing.T) {
	r := New([]string{canary})
	for _, tc := range []struct {
		name string
		doc  string
		want string // "" to check only that nothing leaks
	}{
		{"as written", `{"note":"dfkey-CANARY/4711"}`, `{"note":"[REDACTED]"}`},
		{"first letter escaped as u0064", `{"note":"\u0064fkey-CANARY/4711"}`, `{"note":"[REDACTED]"}`},
		{"solidus escaped", `{"note":"dfkey-CANARY\/4711"}`, `{"note":"[REDACTED]"}`},
		{"hyphen escaped", `{"note":"dfkey\u002dCANARY/4711"}`, `{"note":"[REDACTED]"}`},
		{"upper-case hex", `{"note":"dfkey\u002DCANARY\u002F4711"}`, `{"note":"[REDACTED]"}`},
		{"inside a sentence", `{"note":"you sent dfkey\u002dCANARY/4711, thanks"}`, `{"note":"you sent [REDACTED], thanks"}`},
		{"percent-encoded in a URL", `{"next":"https://x.example/?k=dfkey%2DCANARY%2F4711&p=2"}`, `{"next":"https://x.example/?k=[REDACTED]&p=2"}`},
		{"HTML character references", `{"html":"<b>dfkey&#x2d;CANARY&#47;4711</b>"}`, `{"html":"<b>[REDACTED]</b>"}`},
		{"as a key", `{"dfkey-CANARY/4711":{"id":1}}`, `{"[REDACTED]":{"id":1}}`},
		{"escaped key", `{"\u0064fkey-CANARY/4711":1}`, `{"[REDACTED]":1}`},
		{"in an array", `["a","dfkey-CANARY\/4711"]`, `["a","[REDACTED]"]`},
		{"in JSON held in a string", `{"payload":"{\"k\":\"dfkey\\u002dCANARY/4711\"}"}`, `{"payload":"{\"k\":\"[REDACTED]\"}"}`},
		{"double-escaped text", `{"log":"sent \\u0064fkey-CANARY\\/4711"}`, ""},
		{"base64", `{"b":"ZGZrZXktQ0FOQVJZLzQ3MTE="}`, `{"b":"[REDACTED]"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := r.JSON([]byte(tc.doc))
			require.True(t, json.Valid(out), "got invalid JSON %s, want JSON", out)
			assert.Empty(t, leaks(t, out, canary), "got %s, want no %q in any decoded value", out, canary)
			if tc.want != "" {
				assert.Equal(t, tc.want, string(out), "got %s, want %s", out, tc.want)
			}
		})
	}
}

func TestJSONNumericSecret(t *testing.T) {
	r := New([]string{"31415926"})
	got := string(r.JSON([]byte(`{"pin":31415926,"n":2}`)))
	want := `{"pin":"[REDACTED]","n":2}`
	assert.Equal(t, want, got, "got %s, want %s", got, want)
}

// TestJSONKeyNames: values under keys that name a credential.
func TestJSONKeyNames(t *testing.T) {
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"password2", `{"password2":"hunter2"}`, `{"password2":"[REDACTED]"}`},
		{"numeric password", `{"password":12345678}`, `{"password":"[REDACTED]"}`},
		{"numeric password, float", `{"db":{"password":1.5e3}}`, `{"db":{"password":"[REDACTED]"}}`},
		{"passphrase", `{"passphrase":"open sesame"}`, `{"passphrase":"[REDACTED]"}`},
		{"ssh_key", `{"ssh_key":"AAAAB3NzaC1yc2E"}`, `{"ssh_key":"[REDACTED]"}`},
		{"api keys in an array", `{"api_keys":["k1","k2",{"id":3}]}`, `{"api_keys":["[REDACTED]","[REDACTED]",{"id":3}]}`},
		{"OAuth tokens", `{"access_token":"a1","accessToken":"a2","id_token":"a3","refresh_token":"a4","token_type":"Bearer","expires_in":3600}`,
			`{"access_token":"[REDACTED]","accessToken":"[REDACTED]","id_token":"[REDACTED]","refresh_token":"[REDACTED]","token_type":"Bearer","expires_in":3600}`},
		{"credentials block walked", `{"credentials":{"type":"snowflake","user":"u","password":"p"}}`,
			`{"credentials":{"type":"snowflake","user":"u","password":"[REDACTED]"}}`},
		{"flags and counts kept", `{"has_password":true,"password_min_length":8,"token_count":3,"password":null}`,
			`{"has_password":true,"password_min_length":8,"token_count":3,"password":null}`},
		{"empty kept", `{"password":""}`, `{"password":""}`},
		{"escaped key", `{"pass\u0077ord":"x"}`, `{"pass\u0077ord":"[REDACTED]"}`},
		{"deep", `{"items":[{"conn":{"password":"hunter22","user":"u"}},{"api_key":"k\"1"}]}`,
			`{"items":[{"conn":{"password":"[REDACTED]","user":"u"}},{"api_key":"[REDACTED]"}]}`},
		{"schema property walked", `{"properties":{"password":{"type":"string","title":"Password"}}}`,
			`{"properties":{"password":{"type":"string","title":"Password"}}}`},
		{"whitespace kept", "{\n  \"id\": 1,\n  \"secret\": \"s\"\n}", "{\n  \"id\": 1,\n  \"secret\": \"[REDACTED]\"\n}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := string(New(nil).JSON([]byte(tc.doc)))
			assert.Equal(t, tc.want, got, "got %s, want %s", got, tc.want)
		})
	}
}

// TestJSONShapes: values that look like credentials, under any key.
func TestJSONShapes(t *testing.T) {
	const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl"
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"Basic", `{"auth":"Basic dXNlcjpodW50ZXIy"}`, `{"auth":"Basic [REDACTED]"}`},
		{"Bearer", `{"h":"Bearer abcdefgh12345"}`, `{"h":"Bearer [REDACTED]"}`},
		{"Key as a whole value", `{"h":"Key dfk_0123456789abcdef"}`, `{"h":"Key [REDACTED]"}`},
		{"JWT", `{"note":"` + jwt + `"}`, `{"note":"[REDACTED]"}`},
		{"PEM private key", `{"k":"-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n"}`, `{"k":"[REDACTED]\n"}`},
		{"PEM without END", `{"k":"x -----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl"}`, `{"k":"x [REDACTED]"}`},
		{"URL password", `{"url":"postgres://bob:hunter2@db.example:5432/app"}`, `{"url":"postgres://bob:[REDACTED]@db.example:5432/app"}`},
		{"URL token as user", `{"url":"https://ghx_0123456789abcdefghij@git.example/r"}`, `{"url":"https://[REDACTED]@git.example/r"}`},
		{"DSN pair", `{"conn_info":"host=db user=u password=hunter2 dbname=x"}`, `{"conn_info":"host=db user=u password=[REDACTED] dbname=x"}`},
		{"query pair", `{"next":"https://x/?api_key=abc123&page=2"}`, `{"next":"https://x/?api_key=[REDACTED]&page=2"}`},
		{"Google access token", `{"status":"ok","results":"ya29.a0AfH6SMBx-sandbox_not_real"}`, `{"status":"ok","results":"[REDACTED]"}`},
		{"secrets in JSON held in a string", `{"config":"{\"password\":\"p\",\"host\":\"h\"}"}`, `{"config":"{\"password\":\"[REDACTED]\",\"host\":\"h\"}"}`},
		{"ordinary words kept", `{"d":"Basically a Bearer of news; key figures; token: none; ssh://git@host/r"}`,
			`{"d":"Basically a Bearer of news; key figures; token: none; ssh://git@host/r"}`},
		{"base64 that is not user:pass", `{"d":"Basic aGVsbG8gd29ybGQ="}`, `{"d":"Basic aGVsbG8gd29ybGQ="}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := string(New(nil).JSON([]byte(tc.doc)))
			assert.Equal(t, tc.want, got, "got %s, want %s", got, tc.want)
		})
	}
}

// TestJSONLearnedSecret: a token learned at run time (PDC's access token)
// is a secret in every later answer, of any provider, and for Redactors
// derived before it was learned.
func TestJSONLearnedSecret(t *testing.T) {
	const token = "pdc-issued-tok-0042"
	r := New([]string{canary})
	perRequest := r.With("team-key-abcdef")
	r.Learn(token)
	doc := `{"echo":"` + token + `","k":"team-key-abcdef","c":"` + canary + `"}`
	want := `{"echo":"[REDACTED]","k":"[REDACTED]","c":"[REDACTED]"}`
	got := string(perRequest.JSON([]byte(doc)))
	assert.Equal(t, want, got, "derived: got %s, want %s", got, want)
	got = string(r.JSON([]byte(doc)))
	want = `{"echo":"[REDACTED]","k":"team-key-abcdef","c":"[REDACTED]"}`
	assert.Equal(t, want, got, "base: got %s, want the request's key kept (%s)", got, want)
}

func TestLearnIsBounded(t *testing.T) {
	r := New(nil)
	for i := range 3 * maxLearned {
		r.Learn("learned-token-" + strings.Repeat("x", i%5) + string(rune('A'+i%26)) + string(rune('a'+i/26)))
	}
	assert.LessOrEqual(t, len(r.set.learned), maxLearned, "got %d learned secrets, want at most %d", len(r.set.learned), maxLearned)
}

// TestJSONNotJSON: a body that is not JSON is redacted as text.
func TestJSONNotJSON(t *testing.T) {
	r := New([]string{canary})
	got := string(r.JSON([]byte(`{"a":"` + canary + `"`)))
	want := `{"a":"[REDACTED]"`
	assert.Equal(t, want, got, "got %s, want %s", got, want)
}

// TestJSONSecretAcrossSyntax: a password holding JSON syntax is still not
// passed on.
func TestJSONSecretAcrossSyntax(t *testing.T) {
	r := New([]string{`x","y`})
	out := r.JSON([]byte(`{"p":"x","y":1}`))
	assert.NotContains(t, string(out), `x","y`, "got %s, want the secret gone", out)
}

// TestJSONUnchangedIsNotCopied: the common case costs no copy of the
// document, and allocations that do not grow with its size.
func TestJSONUnchangedIsNotCopied(t *testing.T) {
	item := `{"id":12345,"name":"orders_by_customer","tags":["a","b"],"ok":true,"n":null,"url":"https://x.example/a?b=c"},`
	doc := func(n int) []byte { return []byte(`{"items":[` + strings.Repeat(item, n) + `{"id":1}]}`) }
	r := New([]string{canary, "another-secret"})
	small, big := doc(10), doc(1000)
	out := r.JSON(big)
	require.Equal(t, string(big), string(out), "got a changed document, want it unchanged")
	assert.Same(t, &big[0], &out[0], "got a copy, want the same bytes")
	smallAllocs := testing.AllocsPerRun(10, func() { r.JSON(small) })
	bigAllocs := testing.AllocsPerRun(10, func() { r.JSON(big) })
	assert.LessOrEqual(t, bigAllocs, smallAllocs, "got %v allocations for 1000 items and %v for 10, want no more for more items", bigAllocs, smallAllocs)
	assert.LessOrEqual(t, bigAllocs, 16.0, "got %v allocations per call, want a handful", bigAllocs)
}

func TestJSONDepthBounded(t *testing.T) {
	doc := []byte(strings.Repeat("[", maxDepth+5) + strings.Repeat("]", maxDepth+5))
	out := New([]string{canary}).JSON(doc)
	assert.Equal(t, string(doc), string(out), "got a changed document, want the too-deep document as it was (nothing to redact)")
}

func TestQuoteRoundTrip(t *testing.T) {
	for _, s := range []string{"", "plain", "q\"b\\s/", "ctl\x00\x1f\n\t\r", "caf\u00e9 \u2028 \U0001F600", "bad\xffutf8", "<&>"} {
		var back string
		require.NoError(t, json.Unmarshal([]byte(quote(s)), &back), "quote(%q) = %s: got invalid JSON", s, quote(s))
		want := strings.ToValidUTF8(s, "\uFFFD")
		assert.Equal(t, want, back, "quote(%q) decodes to %q, want %q", s, back, want)
	}
}

func TestUnescapeMatchesEncodingJSON(t *testing.T) {
	for _, lit := range []string{`"a\u0064b"`, `"\ud83d\ude00"`, `"\ud83dx"`, `"\/\"\\\b\f\n\r\t"`, `"\u00e9"`} {
		var want string
		require.NoError(t, json.Unmarshal([]byte(lit), &want))
		got := unescape([]byte(lit[1 : len(lit)-1]))
		assert.Equal(t, want, got, "unescape(%s): got %q, want %q", lit, got, want)
	}
}
