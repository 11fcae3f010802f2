package tools

import (
	"context"
	"encoding/json"

	"github.com/datastack-mcp/datastack-mcp/client"
	"github.com/datastack-mcp/datastack-mcp/redact"
)

// Redacted replaces secret values in results.
const Redacted = redact.Redacted

// redactor is what scrubs this call's result (package redact): the
// server's Redactor (its configured credentials, the tokens it learned at
// run time), plus the credentials the request brought (team mode). A
// secret is matched on what a string means, however the upstream escaped
// it; credential-looking keys and values are replaced too.
func (d *Deps) redactor(ctx context.Context) *redact.Redactor {
	var base *redact.Redactor
	if d != nil {
		base = d.Redactor
		if base == nil && len(d.Secrets) > 0 {
			base = redact.New(d.Secrets)
		}
	}
	if base == nil {
		base = redact.New(nil)
	}
	if extra := client.RequestSecrets(ctx); len(extra) > 0 {
		return base.With(extra...)
	}
	return base
}

// scrubResult removes secrets from a result's text and structured content:
// the last line of defence when an upstream echoes a credential.
func scrubResult(res *Result, r *redact.Redactor) *Result {
	if res == nil {
		return res
	}
	res.Text = r.Text(res.Text)
	switch v := res.Structured.(type) {
	case nil:
	case json.RawMessage:
		res.Structured = json.RawMessage(r.JSON(v))
	default:
		res.Structured = r.Value(v)
	}
	return res
}
