package server

import (
	"fmt"
	"slices"
	"time"

	"github.com/datastack-mcp/datastack-mcp/apps"
	"github.com/datastack-mcp/datastack-mcp/client"
	"github.com/datastack-mcp/datastack-mcp/client/sandbox"
	"github.com/datastack-mcp/datastack-mcp/dbt"
	"github.com/datastack-mcp/datastack-mcp/dbt/demo"
	"github.com/datastack-mcp/datastack-mcp/internal/mcpgo"
	"github.com/datastack-mcp/datastack-mcp/providers"
	"github.com/datastack-mcp/datastack-mcp/redact"
	"github.com/datastack-mcp/datastack-mcp/resources"
	"github.com/datastack-mcp/datastack-mcp/tools"
	"github.com/datastack-mcp/datastack-mcp/tools/databases"
	"github.com/datastack-mcp/datastack-mcp/tools/diff"
	"github.com/datastack-mcp/datastack-mcp/tools/impact"
	"github.com/datastack-mcp/datastack-mcp/tools/review"
)

// Server is a built MCP server and what it was built from.
type Server struct {
	MCP *mcpgo.Server
	// Tools are the tools registered, in order.
	Tools []*tools.Tool
	// Offerable are the tools request headers may narrow: everything the
	// configured providers offer, before the selection.
	Offerable []*tools.Tool
	// Providers are the providers with a connection.
	Providers []string
	// Sandbox is the embedded sandbox, nil unless Options.Sandbox.
	Sandbox *sandbox.Sandbox
	// Prompts are the names of the prompts registered.
	Prompts []string
	// Warehouses are the names of the user's database connections.
	Warehouses []string

	warehouses *databases.Registry
	diffJobs   *diff.Jobs
}

// Close stops the warehouse diffs still running and closes the database
// connections the server opened.
func (s *Server) Close() {
	s.diffJobs.Close()
	s.warehouses.Close()
}

// connections are the upstream connections of a server and the secrets
// they hold.
type connections struct {
	list       []*tools.Connection
	redactor   *redact.Redactor // shared by the clients and the tools: knows every secret, learned ones too
	secrets    []string
	appURLs    map[string]string   // Datafold connection → app base URL
	warehouses *databases.Registry // the user's databases, opened on first use
	dbt        *dbt.Set            // the user's dbt projects, read on first use
	dbtWH      map[string]string   // dbt project → the warehouse connection holding its relations
}

// Build assembles the server that opts describe.
func Build(o Options) (*Server, error) {
	o.defaults()
	all, err := tools.All()
	if err != nil {
		return nil, err
	}
	s := &Server{}
	conns, err := s.connect(o)
	if err != nil {
		return nil, err
	}
	deps := &tools.Deps{Callers: map[string]tools.Caller{}, ConfigHint: map[string]string{}, Logger: o.Logger,
		MaxResultTokens: o.MaxResultTokens, Secrets: conns.secrets, Redactor: conns.redactor}
	s.diffJobs = diff.NewJobs(diff.JobLimits{})
	diffs := diff.Options{Wait: o.DiffWait, Poll: o.DiffPoll, AppURLs: conns.appURLs, Warehouses: conns.warehouses, Jobs: s.diffJobs}
	if o.FastSandbox && diffs.Poll == 0 {
		// Polls are quick; the wait stays long, as the sandbox's diffs
		// really compare (seconds for fct_orders, more on a busy machine).
		diffs.Wait, diffs.Poll = time.Minute, 20*time.Millisecond
	}
	for _, p := range providers.All {
		deps.ConfigHint[p.Name] = configHint(p.Name, o.ClientCredentials)
	}
	enabled := map[string]bool{}
	for _, c := range conns.list {
		if deps.Callers[c.Provider] == nil {
			deps.Callers[c.Provider] = c.Caller
		}
		enabled[c.Provider] = true
	}
	for _, p := range providers.All {
		if enabled[p.Name] {
			s.Providers = append(s.Providers, p.Name)
		}
	}
	for _, c := range conns.list {
		if err := c.Policy.Check(all); err != nil {
			return nil, fmt.Errorf("%s connection %s: %w", c.Provider, c.Name, err)
		}
	}
	available := tools.ForProviders(all, enabled)
	cat, err := resources.New(deps, conns.list, available, resources.Options{Logger: o.Logger, Impact: impact.Options{DBT: conns.dbt}, Warehouses: conns.warehouses})
	if err != nil {
		return nil, err
	}
	// Names in the selection must name a tool this server could offer with
	// every provider configured; building that inventory repeats the
	// hand-written tools, so it is done only when the selection names one.
	if p := o.Selection.Policy; p.NamesTools() {
		known, err := Inventory()
		if err != nil {
			return nil, err
		}
		if err := p.Check(known); err != nil {
			return nil, err
		}
	}
	extra := cat.Tools()
	if available, extra, err = withDiffTools(all, available, extra, diffs); err != nil {
		return nil, err
	}
	if whs := conns.warehouses.Names(); len(whs) > 0 {
		dbTools, err := databases.Tools(conns.warehouses)
		if err != nil {
			return nil, err
		}
		extra = append(extra, dbTools...)
		s.Warehouses = whs
	}
	s.warehouses = conns.warehouses
	reviewing, err := withReview(&extra, conns, available, o.DiffWait)
	if err != nil {
		return nil, err
	}
	if s.Tools, err = choose(o.Selection, available, extra, conns.list); err != nil {
		return nil, err
	}
	s.Offerable = append(slices.Clip(available), extra...)
	prompts := cat.Prompts()
	if t := tools.Find(available, diff.TablesName); t != nil && o.Selection.Policy.Allows(t) {
		prompts = append(diff.Prompts(), prompts...)
	}
	if t := tools.Find(extra, review.Name); reviewing && o.Selection.Policy.Allows(t) {
		prompts = append(prompts, review.Prompts()...)
	}
	for _, p := range prompts {
		s.Prompts = append(s.Prompts, p.Name)
	}
	var views []mcpgo.Static
	if o.Apps {
		s.Tools, views = withViews(s.Tools)
	}
	s.MCP = mcpgo.New(mcpgo.Spec{
		Name: "datastack-mcp", Version: o.Version, Instructions: Instructions,
		Tools: s.Tools, Deps: deps, Logger: o.Logger, Prompts: prompts, Catalog: cat, Static: views,
		Visible: visibleIn(s.Offerable), Extra: o.Extra,
	})
	return s, nil
}

// connect creates the upstream clients: the sandbox's, or those of the
// configuration (read once).
func (s *Server) connect(o Options) (*connections, error) {
	out := &connections{appURLs: map[string]string{}, redactor: redact.New(nil)}
	if o.Sandbox {
		sb, err := sandbox.New()
		if err != nil {
			return nil, fmt.Errorf("sandbox: %w", err)
		}
		if o.FastSandbox {
			sb.DiffQueued, sb.DiffRunning, sb.SyncDuration = 50*time.Millisecond, 100*time.Millisecond, 1500*time.Millisecond
			sb.QueryRunning = 0
		}
		s.Sandbox = sb
		out.appURLs["sandbox"] = sandbox.BaseURL(providers.Datafold)
		if out.dbt, err = demo.Projects(); err != nil {
			return nil, fmt.Errorf("sandbox dbt project: %w", err)
		}
		out.dbtWH = map[string]string{demo.ProdName: SandboxProd, demo.DevName: SandboxDev}
		out.warehouses = databases.NewRegistry()
		addSandboxWarehouses(out.warehouses)
		for _, p := range providers.All {
			cfg := sb.ClientConfig(p.Name)
			cfg.Timeout, cfg.Logger, cfg.RequestCredentials = o.Timeout, o.Logger, o.ClientCredentials
			c, err := client.New(cfg)
			if err != nil {
				return nil, err
			}
			out.list = append(out.list, &tools.Connection{Name: "sandbox", Provider: p.Name, Caller: c, Defaults: fallbackDefaults(p.Name)})
		}
		return out, nil
	}
	file, err := readConfig(o.ConfigPath)
	if err != nil {
		return nil, err
	}
	whs, err := warehouseDSNs(file, o.Getenv)
	if err != nil {
		return nil, err
	}
	out.warehouses = databases.NewRegistry()
	for _, w := range whs {
		out.warehouses.Add(w.name, w.dsn)
		out.secrets = append(out.secrets, dsnSecrets(w.dsn)...)
		out.redactor.Add(dsnSecrets(w.dsn)...)
		o.Logger.Info("warehouse connection configured", "warehouse", w.name, "from", w.env)
	}
	projects, err := dbtConfigs(file, o.Getenv)
	if err != nil {
		return nil, err
	}
	if out.dbt, err = dbt.Open(projects, dbt.Options{}); err != nil {
		return nil, err
	}
	if out.dbtWH, err = dbtWarehouses(projects, out.warehouses.Names()); err != nil {
		return nil, err
	}
	for _, p := range projects {
		o.Logger.Info("dbt project configured", "project", p.Name, "manifest", p.Manifest, "warehouse", p.Warehouse)
	}
	if len(projects) > 0 {
		// Column lineage parses SQL: compile the grammar off the critical
		// path, before the first question.
		dbt.WarmParser()
	}
	ups, skipped, err := loadUpstreams(file, o.Getenv, o.Timeout)
	if err != nil {
		return nil, err
	}
	for _, u := range ups {
		if u.provider == providers.Datafold {
			out.appURLs[u.name] = u.cfg.BaseURL
		}
	}
	if o.ClientCredentials {
		ups, skipped = teamUpstreams(file, ups, o.Getenv, o.Timeout, o.Logger)
	}
	for _, p := range skipped {
		o.Logger.Info("provider not configured; its tools are not offered", "provider", p, "set", configHint(p, false))
	}
	for _, u := range ups {
		u.cfg.Logger, u.cfg.Redactor = o.Logger, out.redactor
		out.redactor.Add(u.cfg.APIKey, u.cfg.Password)
		c, err := client.New(u.cfg)
		if err != nil {
			return nil, fmt.Errorf("%s connection %s: %w", u.provider, u.name, err)
		}
		out.secrets = append(out.secrets, u.cfg.APIKey, u.cfg.Password)
		out.list = append(out.list, &tools.Connection{Name: u.name, Provider: u.provider, Caller: c, Policy: u.policy, Defaults: u.defaults})
		o.Logger.Info("provider connection configured", "provider", u.provider, "connection", u.name, "base_url", u.cfg.BaseURL, "read_only", u.policy.ReadOnly)
	}
	if len(ups) == 0 && len(whs) == 0 && len(projects) == 0 {
		o.Logger.Warn("no provider is configured: the server offers no tools; set credentials (see README) or use --sandbox")
	}
	return out, nil
}

// withViews points the offered tools that have an MCP Apps view at it
// (their _meta) and returns the views to serve as resources. The tools are
// copied: their text and structured answers stay complete on their own,
// for hosts that render no views.
func withViews(offered []*tools.Tool) ([]*tools.Tool, []mcpgo.Static) {
	out := make([]*tools.Tool, len(offered))
	used := map[string]bool{}
	for i, t := range offered {
		out[i] = t
		if meta := apps.ToolMeta(t.Name); meta != nil {
			c := *t
			c.Meta = meta
			out[i] = &c
			if v, ok := apps.ForTool(t.Name); ok {
				used[v.URI] = true
			}
		}
	}
	var views []mcpgo.Static
	for _, v := range apps.Views() {
		if used[v.URI] {
			views = append(views, mcpgo.Static{
				Resource: tools.Resource{URI: v.URI, Name: v.Name, Title: v.Title, Description: v.Description, MIMEType: v.MIMEType},
				Text:     string(v.HTML), Meta: v.ResourceMeta(),
			})
		}
	}
	return out, views
}
