// Package apps holds the MCP Apps views (the io.modelcontextprotocol/ui
// extension) of datastack-mcp: self-contained HTML pages that a host
// renders in a sandboxed iframe next to a tool's result, and that talk to
// the host over postMessage JSON-RPC. Each View says its ui:// resource
// URI, MIME type, HTML and the tools it belongs to; ToolMeta is the _meta
// a tool declares to name its view.
//
// The views are built from apps/src into apps/dist by `go generate ./apps`
// and embedded here; a test fails when dist is stale. The tools' text and
// structured answers stay complete on their own: a view is extra.
package apps

//go:generate go run ./internal/gen

import (
	_ "embed"
	"slices"
)

// MCP Apps names, as the extension's specification (2026-01-26) and SDK
// spell them.
const (
	// ExtensionID is the key of the extension under capabilities.extensions.
	ExtensionID = "io.modelcontextprotocol/ui"
	// MIMEType is the MIME type of a view's resource.
	MIMEType = "text/html;profile=mcp-app"
	// MetaKeyUI is the tool _meta key holding {"resourceUri": …}, and the
	// resource _meta key holding the view's rendering hints.
	MetaKeyUI = "ui"
	// MetaKeyResourceURI is the flat tool _meta key older hosts read.
	MetaKeyResourceURI = "ui/resourceUri"
)

// The views' resource URIs.
const (
	LineageURI = "ui://datastack/lineage.html"
	DiffURI    = "ui://datastack/diff.html"
)

// Names of the tools the views belong to (as in package tools).
const (
	lineageImpactTool = "lineage_impact"
	diffTablesTool    = "diff_tables"
	getDiffResultTool = "get_diff_result"
)

//go:embed dist/lineage.html
var lineageHTML []byte

//go:embed dist/diff.html
var diffHTML []byte

// View is one view: an MCP resource to list and read, and the tools whose
// results it shows.
type View struct {
	// URI is the resource URI (ui://…), the value of the tools' _meta.
	URI string
	// Name is the resource name; Title the human-readable one.
	Name        string
	Title       string
	Description string
	// MIMEType is MIMEType for every view.
	MIMEType string
	// HTML is the page, scripts and styles inlined; it loads nothing.
	HTML []byte
	// Tools are the names of the tools that declare this view.
	Tools []string
}

// ResourceMeta is the _meta of the view's resource (on its resources/read
// content and resources/list entry): no network access (an empty CSP
// allowlist) and a visible border.
func (v View) ResourceMeta() map[string]any {
	return map[string]any{MetaKeyUI: map[string]any{
		"csp":           map[string]any{"connectDomains": []string{}, "resourceDomains": []string{}},
		"prefersBorder": true,
	}}
}

// ToolMeta is the _meta a tool declares in tools/list to name this view:
// the nested key of the current specification and the flat key older
// hosts read.
func (v View) ToolMeta() map[string]any {
	return map[string]any{
		MetaKeyUI:          map[string]any{"resourceUri": v.URI},
		MetaKeyResourceURI: v.URI,
	}
}

// Views returns the views, lineage first. The HTML is shared: do not
// modify it.
func Views() []View {
	return []View{
		{
			URI: LineageURI, Name: "lineage", Title: "Lineage impact",
			Description: "Interactive graph of a lineage_impact answer: nodes by depth and kind, search, details, expandable nodes.",
			MIMEType:    MIMEType, HTML: lineageHTML, Tools: []string{lineageImpactTool},
		},
		{
			URI: DiffURI, Name: "diff", Title: "Data diff verdict",
			Description: "A data diff's verdict at a glance: rows only on each side, differing rows and columns, schema changes, next steps.",
			MIMEType:    MIMEType, HTML: diffHTML, Tools: []string{diffTablesTool, getDiffResultTool},
		},
	}
}

// ForTool returns the view of a tool, if it has one.
func ForTool(tool string) (View, bool) {
	for _, v := range Views() {
		if slices.Contains(v.Tools, tool) {
			return v, true
		}
	}
	return View{}, false
}

// ToolMeta returns the _meta to attach to a tool (nil when it has no view).
func ToolMeta(tool string) map[string]any {
	if v, ok := ForTool(tool); ok {
		return v.ToolMeta()
	}
	return nil
}
