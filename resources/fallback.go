package resources

import (
	"context"
	"encoding/json"

	"github.com/datastack-mcp/datastack-mcp/tools"
)

// Tool fallback for clients that never read resources (or never list
// templates): list_resources gives what resources/list gives, page by
// page with the same cursors, plus the templates on the first page;
// read_resource gives what resources/read gives for a URI, as the same
// text.

// Names of the fallback tools.
const (
	ListResourcesName = "list_resources"
	ReadResourceName  = "read_resource"
)

type listArgs struct {
	Cursor string `json:"cursor,omitempty" jsonschema_description:"The nextCursor of the previous page; leave out for the first page."`
}

type readArgs struct {
	URI string `json:"uri" jsonschema_description:"The resource URI, from list_resources or built from one of its resourceTemplates, e.g. datafold://sandbox/lineage/1/columns/ANALYTICS.MARTS.fct_orders.amount/downstream."`
}

// ListResult is the answer of list_resources.
type ListResult struct {
	Resources  []tools.Resource `json:"resources"`
	NextCursor string           `json:"nextCursor,omitempty"`
	// ResourceTemplates are on the first page only.
	ResourceTemplates []tools.ResourceTemplate `json:"resourceTemplates,omitempty"`
}

func (c *Catalog) fallbackTools() ([]*tools.Tool, error) {
	ann := tools.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true}
	list, err := tools.New(tools.Spec{Name: ListResourcesName, Provider: tools.DiscoveryProvider, Toolset: "resources", Title: "List resources",
		Description: "List the browsable lineage and catalog resources (Datafold data sources and lineage, Lightdash catalogs and usage, PostHog sources, PDC data sources, your own warehouse tables and dbt models) " +
			"and, on the first page, the URI templates to build others from; read one with read_resource. Same content as MCP resources/list.",
		Annotations: ann}, func(ctx context.Context, d *tools.Deps, a listArgs) *tools.Result {
		page, next, err := c.Page(ctx, a.Cursor)
		if err != nil {
			return tools.ErrorResult("%s: %v.", ListResourcesName, err)
		}
		out := ListResult{Resources: page, NextCursor: next}
		if a.Cursor == "" {
			out.ResourceTemplates = c.Templates()
		}
		return tools.JSONResult(out)
	})
	if err != nil {
		return nil, err
	}
	read, err := tools.New(tools.Spec{Name: ReadResourceName, Provider: tools.DiscoveryProvider, Toolset: "resources", Title: "Read a resource",
		Description: "Read a lineage or catalog resource by URI (from list_resources, or built from a template such as " +
			"datafold://{connection}/lineage/{data_source_id}/columns/{column_path}/{direction}); returns its JSON, the same as MCP resources/read.",
		Annotations: ann}, func(ctx context.Context, d *tools.Deps, a readArgs) *tools.Result {
		text, err := c.Read(ctx, a.URI)
		if err != nil {
			return tools.ErrorResult("%s: %v. list_resources shows the resources and URI templates.", ReadResourceName, err)
		}
		var v map[string]any
		if json.Unmarshal([]byte(text), &v) != nil || v == nil {
			return &tools.Result{Text: text}
		}
		return &tools.Result{Structured: v, Text: text}
	})
	if err != nil {
		return nil, err
	}
	return []*tools.Tool{list, read}, nil
}
