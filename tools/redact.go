package tools

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/client"
)

// Redacted replaces secret values in results.
const Redacted = "[REDACTED]"

var keyNormalizer = strings.NewReplacer("_", "", "-", "", " ", "")

// secretKey reports whether a JSON key names a credential. Keys are
// compared without case, '_' or '-'; only string values are replaced, so
// flags like "has_password": true survive.
func secretKey(k string) bool {
	n := keyNormalizer.Replace(strings.ToLower(k))
	for _, s := range []string{"password", "passwd", "secret", "privatekey", "apikey", "accesskey", "secretkey", "credential", "keyfile", "keyjson", "serviceaccountjson", "connectionstring", "dsn"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return strings.HasSuffix(n, "token") || n == "jwt" || n == "authorization" || n == "cookie"
}

// redact returns v with every string stored under a secret-looking key
// replaced. Objects under such keys (a "credentials" block, a schema's
// "password" property) are walked, not blanked, so their innocent fields
// (type, user, title) stay readable while their secret ones are replaced.
// It builds new containers; v is not modified.
func redact(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			if s, ok := val.(string); ok && s != "" && secretKey(k) {
				out[k] = Redacted
				continue
			}
			out[k] = redact(val)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = redact(val)
		}
		return out
	default:
		return v
	}
}

// scrubResult removes configured secret values from a result's text and
// structured content: a last line of defence when an upstream echoes a
// credential under an innocent key.
func scrubResult(res *Result, secrets []string) *Result {
	if len(secrets) == 0 {
		return res
	}
	if s := scrub(res.Text, secrets); s != res.Text {
		res.Text = s
		if res.Structured != nil {
			res.Structured = scrubValue(res.Structured, secrets)
		}
	}
	return res
}

func scrub(s string, secrets []string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 && strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, Redacted)
		}
	}
	return s
}

func scrubValue(v any, secrets []string) any {
	switch x := v.(type) {
	case string:
		return scrub(x, secrets)
	case json.RawMessage: // answerRaw's structuredContent
		return json.RawMessage(scrub(string(x), secrets))
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			out[k] = scrubValue(val, secrets)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = scrubValue(val, secrets)
		}
		return out
	default:
		return v
	}
}

// secretsFor is every secret to scrub from this call's result: the
// server's configured credentials and those the request brought (team mode).
func (d *Deps) secretsFor(ctx context.Context) []string {
	extra := client.RequestSecrets(ctx)
	if len(extra) == 0 {
		return d.Secrets
	}
	return append(append([]string(nil), d.Secrets...), extra...)
}
