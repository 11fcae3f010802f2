package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/datastack-mcp/datastack-mcp/client"
	"github.com/datastack-mcp/datastack-mcp/client/sandbox"
	"github.com/datastack-mcp/datastack-mcp/resources"
	"github.com/datastack-mcp/datastack-mcp/schemas"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

const instructions = `datastack-mcp gives you four data-platform APIs as tools, each prefixed by its provider:
datafold_* (data diffs, column/table lineage, monitors, CI, data sources and SQL), posthog_* (data warehouse sources and their synced tables),
pdc_* (Pentaho Data Catalog data sources) and lightdash_* (projects, explores, charts, catalog, SQL runner, spaces, access).
To compare prod and dev, use diff_tables (it waits for the verdict; get_diff_result picks up a long diff). To answer "what breaks if this column changes",
use lineage_impact (Datafold lineage plus the Lightdash charts and dashboards built on it). Lineage and catalog entries are also
resources (datafold://, lightdash://, posthog://, pdc:// URIs; list_resources and read_resource give the same content as tools).
List tools give the ids other tools need.`

// options are the settings that shape one server.
type options struct {
	sandbox    bool
	configPath string
	timeout    time.Duration
	getenv     func(string) string
	logger     *slog.Logger
	selection  selection
	// maxResultTokens bounds one tool result; 0 means tools.DefaultMaxResultTokens.
	maxResultTokens int
	// diffWait and diffPoll: how long diff_tables waits for a verdict and how
	// often it checks; 0 means tools.DefaultDiffWait / DefaultDiffPoll.
	diffWait, diffPoll time.Duration
	// clientCredentials is team mode: requests may bring their own upstream
	// credentials (teammode.go).
	clientCredentials bool
}

// assembled is a ready MCP server and what it was built from.
type assembled struct {
	mcp       *server.MCPServer
	tools     []*tools.Tool
	providers []string
	sandbox   *sandbox.Sandbox
}

// assemble builds the MCP server: upstream clients (or the sandbox), and
// the tools of every provider that has them.
func assemble(o options) (*assembled, error) {
	all, err := tools.All()
	if err != nil {
		return nil, err
	}
	deps := &tools.Deps{Callers: map[string]tools.Caller{}, ConfigHint: map[string]string{}, Logger: o.logger, MaxResultTokens: o.maxResultTokens}
	for _, p := range schemas.Providers {
		deps.ConfigHint[p] = configHint(p)
		if o.clientCredentials {
			deps.ConfigHint[p] = teamConfigHint(p) // teammode.go
		}
	}
	a := &assembled{}
	var conns []*tools.Connection
	if o.sandbox {
		sb, err := sandbox.New()
		if err != nil {
			return nil, fmt.Errorf("sandbox: %w", err)
		}
		a.sandbox = sb
		configureDiffs(deps, o, nil) // diff_tables' wait and Datafold app links (safety.go)
		for _, p := range schemas.Providers {
			cfg := client.Config{Provider: p, BaseURL: sandbox.BaseURL(p), Transport: sb.Transport(), Timeout: o.timeout, Logger: o.logger,
				RequestCredentials: o.clientCredentials}
			if p == schemas.PDC {
				cfg.Username, cfg.Password = "sandbox", "sandbox"
			} else {
				cfg.APIKey = "sandbox"
			}
			c, err := client.New(cfg)
			if err != nil {
				return nil, err
			}
			deps.Callers[p] = c
			conns = append(conns, &tools.Connection{Name: "sandbox", Provider: p, Caller: c})
		}
	} else {
		ups, skipped, err := loadUpstreams(o.configPath, o.getenv, o.timeout)
		if err != nil {
			return nil, err
		}
		configureDiffs(deps, o, ups)
		if o.clientCredentials {
			if ups, skipped, err = teamUpstreams(ups, o.configPath, o.getenv, o.timeout, o.logger); err != nil {
				return nil, err
			}
		}
		for _, p := range skipped {
			o.logger.Info("provider not configured; its tools are not offered", "provider", p, "set", configHint(p))
		}
		for _, u := range ups {
			u.cfg.Logger = o.logger
			c, err := client.New(u.cfg)
			if err != nil {
				return nil, fmt.Errorf("%s connection %s: %w", u.provider, u.name, err)
			}
			if deps.Callers[u.provider] == nil {
				deps.Callers[u.provider] = c
			}
			deps.Secrets = append(deps.Secrets, u.cfg.APIKey, u.cfg.Password)
			conns = append(conns, &tools.Connection{Name: u.name, Provider: u.provider, Caller: c, Policy: u.policy, Defaults: u.defaults})
			o.logger.Info("provider connection configured", "provider", u.provider, "connection", u.name, "base_url", u.cfg.BaseURL, "read_only", u.policy.ReadOnly)
		}
		if len(ups) == 0 {
			o.logger.Warn("no provider is configured: the server offers no tools; set credentials (see README) or use --sandbox")
		}
	}
	enabled := map[string]bool{}
	for _, p := range schemas.Providers {
		if deps.Callers[p] != nil {
			enabled[p] = true
			a.providers = append(a.providers, p)
		}
	}
	if o.selection.mode == "" {
		o.selection.mode = modeAll
	}
	for _, c := range conns {
		if err := c.Policy.Check(all); err != nil {
			return nil, fmt.Errorf("%s connection %s: %w", c.Provider, c.Name, err)
		}
	}
	available := tools.ForProviders(all, enabled)
	cat, err := resources.New(deps, conns, available, resources.Options{Logger: o.logger})
	if err != nil {
		return nil, err
	}
	// Names in the selection flags must name a tool this server could offer
	// with every provider configured. Building that inventory repeats the
	// hand-written tools, so it is done only when a flag names something.
	if p := o.selection.policy; p.NamesTools() {
		known, err := withExtras(all)
		if err != nil {
			return nil, err
		}
		if err := p.Check(known); err != nil {
			return nil, err
		}
	}
	// diff_tables and get_diff_result are chosen and bound like generated tools (safety.go).
	if available, err = withDiffTools(available); err != nil {
		return nil, err
	}
	a.tools, err = choose(o.selection, available, cat.Tools(), conns)
	if err != nil {
		return nil, err
	}
	// What request headers may narrow: anything this server offers.
	byName := map[string]*tools.Tool{}
	for _, t := range append(slices.Clip(available), cat.Tools()...) {
		byName[t.Name] = t
	}
	opts := []server.ServerOption{
		server.WithToolCapabilities(false),
		server.WithInstructions(instructions),
		server.WithRecovery(),
		server.WithToolFilter(requestToolFilter(byName)),
	}
	opts = append(opts, cat.ServerOptions()...)
	if fixtures != nil {
		opts = append(opts, fixtures.serverOptions...) // test-only build (see fixtures)
	}
	a.mcp = server.NewMCPServer("datastack-mcp", version(), opts...)
	tools.Register(a.mcp, a.tools, deps)
	cat.Register(a.mcp)
	registerDiffPrompts(a.mcp, o, available) // review_data_diff (safety.go)
	if fixtures != nil {
		fixtures.register(a.mcp)
	}
	return a, nil
}

// fixtures is nil in the product. Only a test-only build sets it, in
// init(): `go build -tags conformance` compiles fixtures_conformance.go,
// which adds the tools, resources and prompts the official conformance
// suite calls by name (never part of the product's tool list).
var fixtures *fixtureHooks

type fixtureHooks struct {
	serverOptions []server.ServerOption           // capabilities the fixtures need, after the product's
	register      func(*server.MCPServer)         // adds the fixtures
	httpOptions   []server.StreamableHTTPOption   // after the product's transport options
	wrapMCP       func(http.Handler) http.Handler // around mcp-go's handler, inside the product's layers
}

// withExtras is every tool a server can offer: the generated ones and the
// hand-written ones of resources/ (list_resources, read_resource,
// lineage_impact), for flag checks and the inventory.
func withExtras(all []*tools.Tool) ([]*tools.Tool, error) {
	inv, err := resources.Inventory(all)
	if err != nil {
		return nil, err
	}
	diff, err := diffTools() // diff_tables, get_diff_result (safety.go)
	if err != nil {
		return nil, err
	}
	return append(append(append([]*tools.Tool{}, all...), inv...), diff...), nil
}

// serveStdio speaks MCP on stdin/stdout until stdin closes or ctx ends.
func serveStdio(ctx context.Context, s *server.MCPServer, logger *slog.Logger) error {
	stdio := server.NewStdioServer(s)
	stdio.SetErrorLogger(slog.NewLogLogger(logger.Handler(), slog.LevelError))
	err := stdio.Listen(ctx, os.Stdin, trackStdio(stdio, os.Stdout)) // progress before results (progress.go)
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, os.ErrClosed) {
		return nil
	}
	return err
}

// serveHTTP serves stateless streamable HTTP at /mcp and a health check
// at /healthz until ctx ends, then lets in-flight requests finish.
// hopts (at most one) secure the endpoint; without, the local defaults of
// httpsec.go apply.
func serveHTTP(ctx context.Context, s *server.MCPServer, addr string, logger *slog.Logger, hopts ...httpOptions) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	return serveHTTPOn(ctx, s, ln, logger, hopts...)
}

func serveHTTPOn(ctx context.Context, s *server.MCPServer, ln net.Listener, logger *slog.Logger, hopts ...httpOptions) error {
	var hopt httpOptions
	if len(hopts) > 0 {
		hopt = hopts[0]
	}
	mux := http.NewServeMux()
	httpSrv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	httpOpts := []server.StreamableHTTPOption{
		server.WithStateLess(true),
		// No standalone GET stream (405, which clients take as "none"):
		// stateless, every GET would share the session id "" and receive
		// the notifications of every other client's calls (eras_test.go).
		server.WithDisableStreaming(true),
		server.WithEndpointPath("/mcp"),
		server.WithStreamableHTTPServer(httpSrv),
		server.WithStreamableHTTPLogger(logger),
		server.WithHTTPContextFunc(requestPolicyContext),
	}
	var mcpHandler http.Handler
	if fixtures != nil { // test-only build (see fixtures)
		mcpHandler = fixtures.wrapMCP(server.NewStreamableHTTPServer(s, append(httpOpts, fixtures.httpOptions...)...))
	} else {
		mcpHandler = server.NewStreamableHTTPServer(s, httpOpts...)
	}
	mux.Handle("/mcp", trackNotifications(mcpHandler)) // progress before results (progress.go)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
	// Origin, bearer token, body cap and team-mode credentials in front of
	// /mcp; a log record for every request (httpsec.go, reqlog.go).
	httpSrv.Handler = secureRoutes(mux, hopt, logger, ln.Addr())
	logger.Info("serving MCP over streamable HTTP", "url", "http://"+ln.Addr().String()+"/mcp")
	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down; waiting for in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := httpSrv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
