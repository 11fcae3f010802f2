package resources

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/tools"
	"github.com/datastack-mcp/datastack-mcp/tools/databases"
)

// Engine routes: the user's own warehouse connections (warehouse.go) and
// dbt projects (dbt.go) as resources. Their content is not a generated
// tool's answer: each route reads its engine directly (route.read), read
// only, and the request policy of the tools that serve the same engine
// (route.backing) decides whether a request may see them. Their
// "connections" are the engine's: the warehouse connections (opened on
// the first read, never by listing or templates) and the dbt projects
// (loaded, and reloaded when their files change, on the first read).

// Bounds of engine content: lists longer than these are cut, and the
// answer says so (truncated, with the total).
const (
	maxEngineItems = 500 // tables of a listing, nodes of a kind, columns
	maxNeighbours  = 200 // a node's parents, children and tests
	maxLineage     = 200 // nodes or columns of a lineage walk
)

// engineNames are the connections (projects) of an engine.
func (c *Catalog) engineNames(provider string) []string {
	switch provider {
	case databases.Provider:
		return c.opts.Warehouses.Names()
	case dbtScheme:
		if set := c.opts.Impact.DBT; set != nil {
			return set.Names()
		}
	}
	return nil
}

// readEngine reads an engine route. A URI whose table, model or column
// does not exist is a *tools.ArgumentError (resource not found), saying
// what comes closest; anything else that fails is a read error.
func (c *Catalog) readEngine(ctx context.Context, uri string, p *parsed) (string, error) {
	r := p.route
	if !c.allowedIn(ctx, r) {
		return "", fmt.Errorf("this request's tool policy (X-MCP-* headers) does not allow %s, which serve this resource", strings.Join(r.backing, " or "))
	}
	v, err := r.read(ctx, c, p.vars)
	if err != nil {
		msg := err.Error()
		if red := c.deps.Redactor; red != nil {
			msg = red.Text(msg)
		}
		var arg *tools.ArgumentError
		if errors.As(err, &arg) {
			return "", withForms(fmt.Sprintf("%s at %q: %s", errUnknown, uri, msg))
		}
		return "", fmt.Errorf("reading %s: %s", uri, msg)
	}
	return tools.EncodeJSON(v)
}

// notFound is the error of an engine URI naming something that does not
// exist.
func notFound(format string, a ...any) error {
	return &tools.ArgumentError{Message: fmt.Sprintf(format, a...)}
}

// engineURI builds a URI of an engine's route from its parts (each
// percent-encoded as a segment).
func engineURI(scheme, authority string, parts ...string) string {
	var b strings.Builder
	b.WriteString(scheme + "://" + escapeSegment(authority))
	for _, p := range parts {
		b.WriteString("/" + escapeSegment(p))
	}
	return b.String()
}

// clipped returns at most n of list and whether it cut any.
func clipped[T any](list []T, n int) ([]T, bool) {
	if len(list) > n {
		return list[:n], true
	}
	return list, false
}
