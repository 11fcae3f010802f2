// Package resources owns the MCP resources of datastack-mcp: the lineage
// and catalog entries of the four providers, and the catalogs of the
// user's own warehouse connections and dbt projects (engines.go), as
// browsable, URI-addressed resources. It owns the URI scheme (uri.go, the only place URIs are
// defined and parsed), the resource templates, resources/list with its
// paging and cache hints, resources/read, completion/complete for template
// and prompt arguments (with a short cache), the investigate_lineage
// prompt, and the list_resources and read_resource tools that give the
// same content to clients that never read resources. README.md documents
// the scheme.
//
// Providers' content comes from the generated tools of package tools,
// called on the connection the URI names, so authentication, connection
// policies, errors and redaction are those of direct tool calls. Engine
// content is read, read only, from the warehouse registry and the dbt
// projects' current snapshots. The lineage_impact
// tool lives in package tools (impact.go); a Catalog offers it with the
// other tools it adds.
//
// It knows nothing of the MCP library: a [Catalog] gives the composition
// root its Tools, Prompts and, through the adapter (internal/mcpgo), its
// templates, listing, reading and completions.
package resources
