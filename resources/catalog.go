package resources

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/datastack-mcp/datastack-mcp/client"
	"github.com/datastack-mcp/datastack-mcp/schemas"
	"github.com/datastack-mcp/datastack-mcp/tools"
	"github.com/datastack-mcp/datastack-mcp/tools/databases"
	"github.com/datastack-mcp/datastack-mcp/tools/impact"
)

// Defaults of Options.
const (
	DefaultPageSize  = 50
	MaxPageSize      = 200
	DefaultCacheTTL  = 30 * time.Second
	DefaultCacheSize = 256
	// TemplatesCacheTTL is the cache hint on resources/templates/list: the
	// templates change only when the server's configuration does.
	TemplatesCacheTTL = 5 * time.Minute
)

// MIMEType is the type of every resource's content.
const MIMEType = "application/json"

// Options tune a Catalog; the zero value gives the defaults.
type Options struct {
	// PageSize bounds the resources of one resources/list page (and one
	// list_resources call): default 50, at most 200.
	PageSize int
	// CacheTTL is how long completions and resource listings reuse an
	// upstream answer (default 30s); it is also the cache hint on
	// resources/list.
	CacheTTL time.Duration
	// CacheSize bounds the cached answers (default 256).
	CacheSize int
	Logger    *slog.Logger
	// Impact gives lineage_impact lineage beyond Datafold's (dbt); its dbt
	// projects are also browsable as dbt:// resources.
	Impact impact.Options
	// Warehouses are the user's database connections, browsable as
	// warehouse:// resources (opened on first read, never by listing).
	Warehouses *databases.Registry
}

// Catalog is the resource surface of one server: the URI scheme's routes
// the configured connections can serve, their templates, listing,
// completions, the investigate_lineage prompt, and the tools that stand in
// for resources (list_resources, read_resource) plus lineage_impact.
type Catalog struct {
	deps      *tools.Deps
	conns     map[string][]*tools.Connection // provider -> connections, in configuration order
	available []*tools.Tool                  // generated tools of the configured providers, unbound
	bound     []*tools.Tool
	served    []*route
	opts      Options
	cache     *cache
	log       *slog.Logger
	tools     []*tools.Tool
	impact    *tools.Tool
	// engineTools are the database tools, whose request policy governs
	// the warehouse resources.
	engineTools []*tools.Tool
}

// New prepares the resources the connections can serve. available are the
// generated tools of the configured providers, not yet bound to
// connections (tools.ForProviders(all, enabled)); d is the server's Deps.
// Resources of a provider without a connection are absent, and a route is
// served only when some connection's policy allows the tool behind it.
func New(d *tools.Deps, conns []*tools.Connection, available []*tools.Tool, o Options) (*Catalog, error) {
	if o.PageSize <= 0 {
		o.PageSize = DefaultPageSize
	}
	o.PageSize = min(o.PageSize, MaxPageSize)
	if o.CacheTTL <= 0 {
		o.CacheTTL = DefaultCacheTTL
	}
	if o.CacheSize <= 0 {
		o.CacheSize = DefaultCacheSize
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	bound, err := tools.Bind(available, conns)
	if err != nil {
		return nil, err
	}
	c := &Catalog{deps: d, conns: map[string][]*tools.Connection{}, available: available, bound: bound,
		opts: o, cache: newCache(o.CacheTTL, o.CacheSize), log: log}
	for _, conn := range conns {
		c.conns[conn.Provider] = append(c.conns[conn.Provider], conn)
	}
	if len(o.Warehouses.Names()) > 0 {
		if c.engineTools, err = databases.Tools(o.Warehouses); err != nil {
			return nil, err
		}
	}
	for _, r := range routes {
		if len(c.connsFor(r)) > 0 {
			c.served = append(c.served, r)
		}
	}
	if c.impact, err = impact.Tool(conns, available, o.Impact); err != nil {
		return nil, err
	}
	if len(c.served) > 0 {
		fallback, err := c.fallbackTools()
		if err != nil {
			return nil, err
		}
		c.tools = append(c.tools, fallback...)
	}
	if c.impact != nil {
		c.tools = append(c.tools, c.impact)
	}
	return c, nil
}

// Inventory returns the tools a Catalog adds (list_resources,
// read_resource, lineage_impact) as they would be with one connection per
// provider, for listings such as `mcp-server tools` and for checking tool
// names in flags. They are not meant to be called.
func Inventory(all []*tools.Tool) ([]*tools.Tool, error) {
	var conns []*tools.Connection
	for _, p := range schemas.Providers {
		conns = append(conns, &tools.Connection{Name: "default", Provider: p})
	}
	c, err := New(&tools.Deps{}, conns, all, Options{})
	if err != nil {
		return nil, err
	}
	return c.Tools(), nil
}

// Tools returns the tools the catalog adds: list_resources and
// read_resource (when any resource is served) and lineage_impact (when a
// Datafold connection may read lineage). Register them with the generated
// tools, after binding those to connections: these need no binding.
func (c *Catalog) Tools() []*tools.Tool { return c.tools }

// CacheTTL is how long listings and completions reuse an upstream answer,
// and the cache hint on resources/list.
func (c *Catalog) CacheTTL() time.Duration { return c.opts.CacheTTL }

// Templates returns the templates the catalog serves, sorted by name.
func (c *Catalog) Templates() []tools.ResourceTemplate {
	var out []tools.ResourceTemplate
	for _, r := range c.served {
		out = append(out, c.template(r))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (c *Catalog) template(r *route) tools.ResourceTemplate {
	label := " Connections: "
	if r.auth() == "project" {
		label = " Projects: "
	}
	desc := r.description + label + strings.Join(c.connNames(r), ", ") + "."
	return tools.ResourceTemplate{URITemplate: r.Template(), Name: r.name, Title: r.title, Description: desc, MIMEType: MIMEType}
}

// routeTools are the generated tools a route may call.
func routeTools(r *route) []string {
	if r.read != nil {
		return r.backing
	}
	sample := map[string]string{"connection": "x"}
	for _, v := range r.vars() {
		sample[v] = "1"
	}
	var out []string
	for _, d := range directions {
		sample["direction"] = d
		if name, _, err := r.tool(sample); err == nil && !contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// connsFor returns the connections whose policy allows a tool of the route.
func (c *Catalog) connsFor(r *route) []*tools.Connection {
	var out []*tools.Connection
	if r.read != nil {
		for _, name := range c.engineNames(r.provider) {
			out = append(out, &tools.Connection{Name: name, Provider: r.provider})
		}
		return out
	}
	for _, conn := range c.conns[r.provider] {
		for _, name := range routeTools(r) {
			if t := tools.Find(c.available, name); t != nil && conn.Policy.Allows(t) && tools.Find(c.bound, name) != nil {
				out = append(out, conn)
				break
			}
		}
	}
	return out
}

// allowedIn reports whether the request's tool policy (X-MCP-* headers
// over HTTP) allows a tool behind the route.
func (c *Catalog) allowedIn(ctx context.Context, r *route) bool {
	for _, name := range routeTools(r) {
		if t := c.boundTool(name); t != nil && tools.AllowedIn(ctx, t) {
			return true
		}
	}
	return false
}

// boundTool finds a tool the catalog may serve resources through: a
// generated tool bound to connections, a database tool or lineage_impact.
func (c *Catalog) boundTool(name string) *tools.Tool {
	if t := tools.Find(c.bound, name); t != nil {
		return t
	}
	if t := tools.Find(c.engineTools, name); t != nil {
		return t
	}
	if c.impact != nil && c.impact.Name == name {
		return c.impact
	}
	return nil
}

func (c *Catalog) connNames(r *route) []string {
	var out []string
	for _, conn := range c.connsFor(r) {
		out = append(out, conn.Name)
	}
	return out
}

func (c *Catalog) connection(provider, name string) (*tools.Connection, error) {
	var names []string
	for _, conn := range c.conns[provider] {
		if conn.Name == name {
			return conn, nil
		}
		names = append(names, conn.Name)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s is not configured on this server", tools.ProviderName(provider))
	}
	return nil, fmt.Errorf("%s has no connection %q; its connections are %s", tools.ProviderName(provider), name, strings.Join(names, ", "))
}

// call runs a generated tool on a connection, exactly as a direct call
// would, and returns its answer and the answer as JSON text.
func (c *Catalog) call(ctx context.Context, provider, connName, name string, args map[string]any) (map[string]any, string, error) {
	conn, err := c.connection(provider, connName)
	if err != nil {
		return nil, "", err
	}
	if t := tools.Find(c.available, name); t == nil || !conn.Policy.Allows(t) {
		return nil, "", fmt.Errorf("%s connection %s does not allow %s (its policy excludes it)", tools.ProviderName(provider), connName, name)
	}
	t := tools.Find(c.bound, name)
	if t == nil {
		return nil, "", fmt.Errorf("%s is not available on this server", name)
	}
	if !tools.AllowedIn(ctx, t) {
		return nil, "", fmt.Errorf("this request's tool policy (X-MCP-* headers) does not allow %s, which serves this resource", name)
	}
	if len(c.conns[provider]) > 1 {
		args[tools.ConnectionArg] = connName
	}
	res := t.Call(ctx, c.deps, args)
	if res.IsError {
		return nil, "", errors.New(strings.TrimSpace(tools.Text(res)))
	}
	text, err := tools.EncodeJSON(res.Structured)
	if err != nil {
		return nil, "", err
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(text), &out); err != nil || out == nil {
		return nil, "", fmt.Errorf("%s answered something that is not a JSON object", name)
	}
	return out, text, nil
}

// cached is call through the short cache (completions and listings). A
// cached answer is given only where the call itself would be allowed.
func (c *Catalog) cached(ctx context.Context, provider, conn, name string, args map[string]any) (map[string]any, error) {
	if t := tools.Find(c.bound, name); t != nil && !tools.AllowedIn(ctx, t) {
		return nil, fmt.Errorf("this request's tool policy (X-MCP-* headers) does not allow %s", name)
	}
	// The caller's identity is part of the key: in team mode each person
	// calls with their own credentials and must never see another's answers.
	key, _ := json.Marshal([]any{client.IdentityKey(ctx), provider, conn, name, args})
	if v, ok := c.cache.get(string(key)); ok {
		return v.(map[string]any), nil
	}
	out, _, err := c.call(ctx, provider, conn, name, args)
	if err != nil {
		return nil, err
	}
	c.cache.put(string(key), out)
	return out, nil
}
