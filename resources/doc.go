// Package resources owns the MCP resources of datastack-mcp: lineage and
// catalog entries of the four providers as browsable, URI-addressed
// resources, their templates and completions.
//
// It is, with tools/ and cmd/, one of the three packages that import
// mcp-go. The URI scheme and the resources themselves arrive with the
// lineage-and-catalog work; until then the server offers tools only.
package resources
