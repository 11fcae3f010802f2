package client

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ErrInvalidRequest is wrapped by errors Do returns before sending anything
// because the Request itself is unusable (bad template, missing parameter).
var ErrInvalidRequest = errors.New("invalid request")

// expandPath replaces every {name} in template by params[name], escaped as
// one path segment, and returns the escaped path. The literal parts of the
// template are kept as written.
func expandPath(template string, params map[string]string) (string, error) {
	if template == "" {
		return "", fmt.Errorf("%w: empty path", ErrInvalidRequest)
	}
	if strings.ContainsAny(template, "?#") {
		return "", fmt.Errorf("%w: path %q must not contain a query or fragment; use Request.Query", ErrInvalidRequest, template)
	}
	if !strings.HasPrefix(template, "/") {
		template = "/" + template
	}
	var b strings.Builder
	rest := template
	for {
		open := strings.IndexByte(rest, '{')
		close := strings.IndexByte(rest, '}')
		if open < 0 {
			if close >= 0 {
				return "", fmt.Errorf("%w: unbalanced '}' in path %q", ErrInvalidRequest, template)
			}
			b.WriteString(rest)
			return b.String(), nil
		}
		if close < open {
			return "", fmt.Errorf("%w: unbalanced braces in path %q", ErrInvalidRequest, template)
		}
		name := rest[open+1 : close]
		if name == "" || strings.ContainsAny(name, "{/") {
			return "", fmt.Errorf("%w: bad placeholder %q in path %q", ErrInvalidRequest, rest[open:close+1], template)
		}
		value, ok := params[name]
		if !ok {
			return "", fmt.Errorf("%w: missing path parameter %q", ErrInvalidRequest, name)
		}
		switch value {
		case "":
			return "", fmt.Errorf("%w: path parameter %q is empty", ErrInvalidRequest, name)
		case ".", "..":
			// Would be removed by dot-segment normalisation on the way
			// and address a different resource.
			return "", fmt.Errorf("%w: path parameter %q must not be %q", ErrInvalidRequest, name, value)
		}
		b.WriteString(rest[:open])
		b.WriteString(url.PathEscape(value))
		rest = rest[close+1:]
	}
}

// buildURL joins the base URL, its path prefix, the escaped path and the
// query. Path and RawPath are both set so that net/url sends the escaped form
// exactly as built (a %2F inside a segment stays %2F).
func (c *Client) buildURL(escapedPath string, query url.Values) (*url.URL, error) {
	raw := c.prefix + escapedPath
	decoded, err := url.PathUnescape(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: path %q: %v", ErrInvalidRequest, raw, err)
	}
	u := *c.base
	u.Path = decoded
	u.RawPath = raw
	if got := u.EscapedPath(); got != raw {
		return nil, fmt.Errorf("%w: path %q cannot be sent as written (would become %q)", ErrInvalidRequest, raw, got)
	}
	if len(query) > 0 {
		u.RawQuery = query.Encode()
	}
	return &u, nil
}
