package resources

import (
	"context"
	"fmt"

	"github.com/datastack-mcp/datastack-mcp/tools"
)

// Read returns the content of the resource at uri: the JSON answer of the
// generated tool behind its route, called on the URI's connection exactly
// as a direct tool call would be (same arguments, policy, errors and
// redaction). resources/read and the read_resource tool both use it.
func (c *Catalog) Read(ctx context.Context, uri string) (string, error) {
	p, err := parse(uri)
	if err != nil {
		return "", err
	}
	served := false
	for _, r := range c.served {
		served = served || r == p.route
	}
	if !served {
		return "", fmt.Errorf("%s at %q: %s resources are not served here (no %s connection allows them)", errUnknown, uri, p.route.name, tools.ProviderName(p.route.provider))
	}
	if p.route.read != nil {
		return c.readEngine(ctx, uri, p)
	}
	name, args, err := p.route.tool(p.vars)
	if err != nil {
		return "", fmt.Errorf("%q: %v", uri, err)
	}
	_, text, err := c.call(ctx, p.route.provider, p.vars["connection"], name, args)
	if err != nil {
		return "", fmt.Errorf("reading %s: %v", uri, err)
	}
	return text, nil
}

// ReadContents serves resources/read for every template.
func (c *Catalog) ReadContents(ctx context.Context, uri string) ([]tools.ResourceContents, error) {
	text, err := c.Read(ctx, uri)
	if err != nil {
		return nil, err
	}
	return []tools.ResourceContents{{URI: uri, MIMEType: MIMEType, Text: text}}, nil
}
