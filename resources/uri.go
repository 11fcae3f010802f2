package resources

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/schemas"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

// The URI scheme, in one place. A resource URI is
//
//	<provider>://<connection>/<path>[?<query>]
//
// The scheme is the provider (datafold, lightdash, posthog, pdc) or the
// engine (warehouse, dbt); the authority is the name of one of its
// configured connections ("sandbox" under --sandbox; a dbt URI's is the
// project); the path names the resource, one route below per
// kind; the query carries the optional arguments of the tool behind it.
// Path variables are single segments, percent-encoded when they hold a
// reserved character (a column path's quotes become %22). README.md in
// this directory documents every route; routes is the only definition.

// route is one kind of resource.
type route struct {
	provider string
	// path is the path below the connection, with {variables} as whole
	// segments.
	path string
	// query are the optional query arguments, passed to the tool as they
	// are named.
	query []string
	// name and description describe the resource (template).
	name, title, description string
	// tool returns the generated tool to call and its arguments.
	tool func(v map[string]string) (string, map[string]any, error)
	// listed routes without variables (other than the connection) appear in
	// resources/list for every connection.
	listed bool
	// authority names the variable of the URI's authority: "connection"
	// when empty; engine routes name theirs (a dbt URI's is the project).
	authority string
	// read serves an engine route (warehouse, dbt; tool is nil): it reads
	// the engine directly and returns the content to encode as JSON.
	read func(ctx context.Context, c *Catalog, v map[string]string) (any, error)
	// backing names the tools whose request policy (X-MCP-* headers)
	// governs an engine route.
	backing []string
}

// auth is the name of the route's authority variable.
func (r *route) auth() string {
	if r.authority != "" {
		return r.authority
	}
	return "connection"
}

// routes are all resource kinds, by provider; the engines' (warehouse,
// dbt) are added by their files.
var routes = []*route{
	{provider: schemas.Datafold, path: "data-sources", listed: true,
		name: "datafold-data-sources", title: "Datafold data sources",
		description: "The Datafold data sources (warehouse connections): id, name, type and settings. Their ids are the data_source_id of the lineage and summary resources.",
		tool:        fixed("datafold_list_data_sources", nil)},
	{provider: schemas.Datafold, path: "data-sources/{data_source_id}",
		name: "datafold-data-source", title: "Datafold data source",
		description: "One Datafold data source (warehouse connection) with its settings.",
		tool:        withInts("datafold_get_data_source", "data_source_id")},
	{provider: schemas.Datafold, path: "data-sources/{data_source_id}/summary",
		name: "datafold-data-source-summary", title: "Datafold data source summary",
		description: "The summary of one Datafold data source.",
		tool:        withInts("datafold_get_data_source_summary", "data_source_id")},
	{provider: schemas.Datafold, path: "lineage/{data_source_id}/tables/{table_path}/{direction}", query: []string{"max_depth"},
		name: "datafold-table-lineage", title: "Datafold table lineage",
		description: "Table-level lineage of a table (DATABASE.SCHEMA.TABLE) in a Datafold data source: direction downstream (what depends on it) or upstream (what it is built from); max_depth 1-99 (default 10). The same answer as datafold_get_table_downstreams / datafold_get_table_upstreams.",
		tool:        lineageTool("table")},
	{provider: schemas.Datafold, path: "lineage/{data_source_id}/columns/{column_path}/{direction}", query: []string{"max_depth", "include_tabular_nodes"},
		name: "datafold-column-lineage", title: "Datafold column lineage",
		description: "Column-level lineage of a column (DATABASE.SCHEMA.TABLE.COLUMN) in a Datafold data source: direction downstream (what breaks if it changes) or upstream (where it comes from); max_depth 1-99 (default 10); include_tabular_nodes true/false. The same answer as datafold_get_column_downstreams / datafold_get_column_upstreams.",
		tool:        lineageTool("column")},
	{provider: schemas.Datafold, path: "bi-integrations", listed: true,
		name: "datafold-bi-integrations", title: "Datafold BI integrations",
		description: "The BI integrations Datafold indexes (dbt, Looker, Tableau, …) and the data sources they are bound to.",
		tool:        fixed("datafold_list_bi_integrations", nil)},

	{provider: schemas.Lightdash, path: "projects", listed: true,
		name: "lightdash-projects", title: "Lightdash projects",
		description: "The Lightdash projects of the organization: uuid, name, type (DEFAULT or PREVIEW).",
		tool:        fixed("lightdash_list_organization_projects", nil)},
	{provider: schemas.Lightdash, path: "projects/{projectUuid}/catalog", query: []string{"search"},
		name: "lightdash-catalog", title: "Lightdash catalog",
		description: "A Lightdash project's data catalog: its tables and their dimensions and metrics; search narrows it.",
		tool:        withStrings("lightdash_get_catalog", "projectUuid")},
	{provider: schemas.Lightdash, path: "projects/{projectUuid}/tables/{table}",
		name: "lightdash-table", title: "Lightdash table metadata",
		description: "The catalog metadata of one Lightdash table: label, description, source model, fields and joined tables.",
		tool:        withStrings("lightdash_get_metadata", "projectUuid", "table")},
	{provider: schemas.Lightdash, path: "projects/{projectUuid}/tables/{table}/usage",
		name: "lightdash-table-usage", title: "Lightdash table usage",
		description: "The charts (with their space and dashboard) that use a Lightdash table: catalog analytics of the table.",
		tool:        withStrings("lightdash_get_analytics", "projectUuid", "table")},
	{provider: schemas.Lightdash, path: "projects/{projectUuid}/tables/{table}/fields/{field}/usage",
		name: "lightdash-field-usage", title: "Lightdash field usage",
		description: "The charts (with their space and dashboard) that use one field (dimension or metric) of a Lightdash table: catalog analytics of the field.",
		tool:        withStrings("lightdash_get_analytics_field", "projectUuid", "table", "field")},

	{provider: schemas.PostHog, path: "projects/{project_id}/sources", query: []string{"search"},
		name: "posthog-sources", title: "PostHog data warehouse sources",
		description: "The external data sources (Stripe, Postgres, HubSpot, …) of a PostHog project, each with its schemas (synced tables) and sync status.",
		tool:        withStrings("posthog_list_external_data_sources", "project_id")},
	{provider: schemas.PostHog, path: "projects/{project_id}/sources/{source_id}",
		name: "posthog-source", title: "PostHog data warehouse source",
		description: "One external data source of a PostHog project with its schemas (synced tables) and sync status.",
		tool:        renamed("posthog_get_external_data_source", map[string]string{"project_id": "project_id", "source_id": "id"})},
	{provider: schemas.PostHog, path: "projects/{project_id}/schemas/{schema_id}",
		name: "posthog-schema", title: "PostHog data warehouse schema",
		description: "One schema (synced table) of a PostHog external data source: sync type, frequency, status and columns.",
		tool:        renamed("posthog_get_external_data_schema", map[string]string{"project_id": "project_id", "schema_id": "id"})},

	{provider: schemas.PDC, path: "data-sources", listed: true,
		name: "pdc-data-sources", title: "Pentaho Data Catalog data sources",
		description: "The data sources catalogued in Pentaho Data Catalog (the first 100).",
		tool:        fixed("pdc_filter_data_sources", map[string]any{"resourceNames": []any{"*"}, "limit": 100})},
	{provider: schemas.PDC, path: "data-sources/{id}",
		name: "pdc-data-source", title: "Pentaho Data Catalog data source",
		description: "One Pentaho Data Catalog data source: metadata and configuration.",
		tool:        withStrings("pdc_get_data_source_by_id", "id")},
}

// Directions of the lineage routes.
var directions = []string{"downstream", "upstream"}

func fixed(tool string, args map[string]any) func(map[string]string) (string, map[string]any, error) {
	return func(map[string]string) (string, map[string]any, error) {
		out := map[string]any{}
		for k, v := range args {
			out[k] = v
		}
		return tool, out, nil
	}
}

func withStrings(tool string, names ...string) func(map[string]string) (string, map[string]any, error) {
	m := map[string]string{}
	for _, n := range names {
		m[n] = n
	}
	return renamed(tool, m)
}

// renamed passes URI variables (and the route's query arguments, under
// their own names) to the tool under the tool's argument names.
func renamed(tool string, names map[string]string) func(map[string]string) (string, map[string]any, error) {
	return func(v map[string]string) (string, map[string]any, error) {
		out := map[string]any{}
		for k, val := range v {
			if arg, ok := names[k]; ok {
				out[arg] = val
			} else if k != "connection" {
				out[k] = val
			}
		}
		return tool, out, nil
	}
}

func withInts(tool string, names ...string) func(map[string]string) (string, map[string]any, error) {
	return func(v map[string]string) (string, map[string]any, error) {
		out := map[string]any{}
		for _, n := range names {
			i, err := positive(n, v[n])
			if err != nil {
				return "", nil, err
			}
			out[n] = i
		}
		return tool, out, nil
	}
}

func positive(name, s string) (int, error) {
	var n int
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil || n < 1 || fmt.Sprint(n) != s {
		return 0, fmt.Errorf("%s must be a positive whole number, got %q", name, s)
	}
	return n, nil
}

// lineageTool maps a lineage URI to the Datafold explore tool.
func lineageTool(kind string) func(map[string]string) (string, map[string]any, error) {
	return func(v map[string]string) (string, map[string]any, error) {
		ds, err := positive("data_source_id", v["data_source_id"])
		if err != nil {
			return "", nil, err
		}
		var tool string
		switch v["direction"] {
		case "downstream":
			tool = "datafold_get_" + kind + "_downstreams"
		case "upstream":
			tool = "datafold_get_" + kind + "_upstreams"
		default:
			return "", nil, fmt.Errorf("direction must be downstream or upstream, got %q", v["direction"])
		}
		args := map[string]any{"data_connection_id": ds, kind + "_path": v[kind+"_path"]}
		if s, ok := v["max_depth"]; ok {
			d, err := positive("max_depth", s)
			if err != nil || d > 99 {
				return "", nil, fmt.Errorf("max_depth must be a whole number from 1 to 99, got %q", s)
			}
			args["max_depth"] = d
		}
		if s, ok := v["include_tabular_nodes"]; ok {
			if s != "true" && s != "false" {
				return "", nil, fmt.Errorf("include_tabular_nodes must be true or false, got %q", s)
			}
			args["include_tabular_nodes"] = s == "true"
		}
		return tool, args, nil
	}
}

// segments splits a route path.
func (r *route) segments() []string { return strings.Split(r.path, "/") }

// vars are the route's path variables, in order, the connection first.
func (r *route) vars() []string {
	out := []string{r.auth()}
	for _, s := range r.segments() {
		if v, ok := variable(s); ok {
			out = append(out, v)
		}
	}
	return out
}

func variable(seg string) (string, bool) {
	if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
		return seg[1 : len(seg)-1], true
	}
	return "", false
}

// Template is the route's RFC 6570 URI template.
func (r *route) Template() string {
	t := r.provider + "://{" + r.auth() + "}"
	if r.path != "" {
		t += "/" + r.path
	}
	if len(r.query) > 0 {
		t += "{?" + strings.Join(r.query, ",") + "}"
	}
	return t
}

// URI builds a concrete URI from variable values (the connection
// included), percent-encoding each segment.
func (r *route) URI(v map[string]string) string {
	var b strings.Builder
	b.WriteString(r.provider + "://" + url.PathEscape(v[r.auth()]))
	for _, s := range r.segments() {
		if r.path == "" {
			break
		}
		b.WriteByte('/')
		if name, ok := variable(s); ok {
			b.WriteString(escapeSegment(v[name]))
		} else {
			b.WriteString(s)
		}
	}
	sep := "?"
	for _, name := range r.query { // in the template's order
		if val, ok := v[name]; ok {
			b.WriteString(sep + name + "=" + escapeSegment(val))
			sep = "&"
		}
	}
	return b.String()
}

// escapeSegment percent-encodes everything RFC 6570 simple expansion
// would (all but unreserved characters), so a built URI matches its
// template.
func escapeSegment(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// parsed is a URI resolved to its route.
type parsed struct {
	route *route
	vars  map[string]string // path and query variables, the connection included
}

// errUnknown is the prefix of errors for URIs that name no resource.
var errUnknown = "no resource"

// unknown is the error of a URI that names no resource: a
// *tools.ArgumentError, which the adapter answers as resource not found.
func unknown(format string, a ...any) error {
	return &tools.ArgumentError{Message: fmt.Sprintf(format, a...)}
}

// parse resolves a URI to its route and variables. It is the only parser
// of resource URIs; what it refuses is a *tools.ArgumentError.
func parse(raw string) (*parsed, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, unknown("%s at %q: %v", errUnknown, raw, err)
	}
	if u.Opaque != "" || u.User != nil || u.Fragment != "" || u.Host == "" {
		return nil, unknown("%s at %q: want <provider>://<connection>/<path>", errUnknown, raw)
	}
	conn, err := url.PathUnescape(u.Host)
	if err != nil {
		return nil, unknown("%s at %q: bad connection name", errUnknown, raw)
	}
	segs := strings.Split(strings.TrimPrefix(u.EscapedPath(), "/"), "/")
	query := u.Query()
	for _, r := range routes {
		if r.provider != u.Scheme {
			continue
		}
		rs := r.segments()
		if len(rs) != len(segs) {
			continue
		}
		v := map[string]string{r.auth(): conn}
		ok := true
		for i, s := range rs {
			val, err := url.PathUnescape(segs[i])
			if err != nil {
				ok = false
				break
			}
			if name, isVar := variable(s); isVar {
				if val == "" {
					ok = false
					break
				}
				v[name] = val
			} else if s != segs[i] {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		for k, vals := range query {
			if !contains(r.query, k) {
				return nil, unknown("%s at %q: unknown query argument %q (this resource takes %s)", errUnknown, raw, k, orNone(r.query))
			}
			v[k] = vals[0]
		}
		if d, ok := v["direction"]; ok && !contains(directions, d) {
			return nil, unknown("%s at %q: direction must be downstream or upstream, got %q", errUnknown, raw, d)
		}
		return &parsed{route: r, vars: v}, nil
	}
	return nil, unknown("%s at %q (%s)", errUnknown, raw, URIForms)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func orNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}

// routeByTemplate returns the route whose template is t.
func routeByTemplate(t string) *route {
	for _, r := range routes {
		if r.Template() == t {
			return r
		}
	}
	return nil
}

// providers returns the providers of the routes, sorted.
func providers() []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range routes {
		if !seen[r.provider] {
			seen[r.provider] = true
			out = append(out, r.provider)
		}
	}
	sort.Strings(out)
	return out
}

// URIForms says where a client learns the resource URIs.
const URIForms = "see resources/templates/list or the list_resources tool for the URI forms"

// Resolve checks, without reading it, that uri names a resource this
// catalog serves: its form is a route's, the route is served, the
// connection is one that serves it and the variables are valid (a data
// source id is a number, a direction downstream or upstream). What fails
// is a *tools.ArgumentError saying why and where the URI forms are; the
// adapter answers it as resource not found.
func (c *Catalog) Resolve(uri string) error {
	p, err := parse(uri)
	if err != nil {
		return withForms(err.Error())
	}
	r := p.route
	names := c.connNames(r)
	if len(names) == 0 {
		return withForms(fmt.Sprintf("%s at %q: %s resources are not served here (no %s %s allows them)", errUnknown, uri, r.name, providerName(r.provider), r.auth()))
	}
	if conn := p.vars[r.auth()]; !contains(names, conn) {
		return withForms(fmt.Sprintf("%s at %q: %s has no %s %q; its %ss are %s", errUnknown, uri, providerName(r.provider), r.auth(), conn, r.auth(), strings.Join(names, ", ")))
	}
	if r.tool == nil {
		return nil
	}
	if _, _, err := r.tool(p.vars); err != nil {
		return withForms(fmt.Sprintf("%s at %q: %v", errUnknown, uri, err))
	}
	return nil
}

// withForms is an unknown-resource error whose message ends by saying
// where the URI forms are.
func withForms(msg string) error {
	if !strings.Contains(msg, "resources/templates/list") {
		msg += " (" + URIForms + ")"
	}
	return &tools.ArgumentError{Message: msg}
}

// providerName is how messages name a provider or engine.
func providerName(p string) string {
	if p == dbtScheme {
		return "dbt"
	}
	return tools.ProviderName(p)
}
