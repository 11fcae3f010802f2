// Command mcp-server is datastack-mcp: an MCP server that gives AI
// assistants the Datafold, PostHog data warehouse, Pentaho Data Catalog and
// Lightdash APIs as tools, over stdio or streamable HTTP.
//
//	mcp-server [flags]          serve MCP (stdio by default)
//	mcp-server tools            print the tools as JSON (takes the tool-choosing flags)
//	mcp-server toolsets         list the providers and toolsets --toolsets accepts
//	mcp-server version          print the version, commit and build date
//
// The server itself is assembled by internal/server (the composition root);
// this package parses flags and the environment, and serves the transports.
// stdout belongs to the protocol: logs go to stderr through log/slog.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/datastack-mcp/datastack-mcp/internal/buildinfo"
	mcpserver "github.com/datastack-mcp/datastack-mcp/internal/server"
	"github.com/datastack-mcp/datastack-mcp/tools"
	"github.com/datastack-mcp/datastack-mcp/tools/diff"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usageText = `Usage:
  mcp-server [flags]     serve MCP over stdio (default) or streamable HTTP
  mcp-server tools       print the tools a server started like this would offer, as JSON (--all: every tool)
  mcp-server toolsets    list the providers and toolsets --toolsets accepts
  mcp-server version     print the version

Flags:
`

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "tools":
			return printTools(args[1:], stdout, stderr)
		case "toolsets":
			all, err := mcpserver.Inventory()
			if err != nil {
				fmt.Fprintln(stderr, "mcp-server:", err)
				return 1
			}
			printToolsets(stdout, all)
			return 0
		case "version":
			fmt.Fprintln(stdout, buildinfo.Get())
			return 0
		case "help":
			args = []string{"-h"}
		default:
			fmt.Fprintf(stderr, "mcp-server: unknown command %q (want tools, version or flags; see mcp-server -h)\n", args[0])
			return 2
		}
	}
	cfg, code := parseServe(args, stderr)
	if cfg == nil {
		return code
	}
	logger := cfg.opts.Logger
	// Building the server allocates a few MB, most of it garbage once the
	// server is built; a collection part-way through costs start-up time
	// and frees nothing worth having yet. Over stdio collection resumes at
	// the configured GOGC once the first answer is written: resumed right
	// after Build, the heap is already over its goal and a collection runs
	// on the second core while the client's initialize is read and
	// answered (about 1.5 ms of CPU). Over HTTP it resumes right away.
	gcPercent := debug.SetGCPercent(-1)
	resumeGC := sync.OnceFunc(func() { debug.SetGCPercent(gcPercent) })
	a, err := mcpserver.Build(cfg.opts)
	if err != nil || cfg.transport == "http" {
		resumeGC()
	}
	defer resumeGC()
	if err != nil {
		logger.Error("cannot start", "err", err)
		return 1
	}
	defer a.Close()
	sel := cfg.opts.Selection
	logger.Info("datastack-mcp starting", "version", version(), "transport", cfg.transport, "sandbox", cfg.opts.Sandbox,
		"providers", strings.Join(a.Providers, ","), "tools", len(a.Tools), "tool_mode", sel.Mode, "read_only", sel.Policy.ReadOnly)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if cfg.transport == "http" {
		err = serveHTTP(ctx, a.MCP.SDK(), cfg.addr, logger, cfg.http)
	} else {
		err = serveStdio(ctx, a.MCP.SDK(), logger, resumeGC)
	}
	if err != nil {
		logger.Error("server stopped", "err", err)
		return 1
	}
	return 0
}

// serveConfig is what the flags of a serving run ask for.
type serveConfig struct {
	opts            mcpserver.Options
	transport, addr string
	http            httpOptions
}

// parseServe reads the flags and environment of a serving run; a nil
// config ends the run with the exit code.
func parseServe(args []string, stderr io.Writer) (*serveConfig, int) {
	fs := flag.NewFlagSet("mcp-server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText)
		fs.PrintDefaults()
	}
	transport := fs.String("transport", envOr("MCP_TRANSPORT", "stdio"), "stdio or http (env MCP_TRANSPORT)")
	addr := fs.String("addr", envOr("MCP_ADDR", "127.0.0.1:8080"), "address for --transport http; the endpoint is /mcp (env MCP_ADDR)")
	sandboxFlag := fs.Bool("sandbox", envBool("MCP_SANDBOX"), "serve every tool against the embedded sandbox instead of real accounts (env MCP_SANDBOX=1)")
	appsFlag := fs.Bool("apps", envBoolOr("MCP_APPS", true), "offer the lineage and diff views as MCP Apps (ui:// resources) to hosts that render them; --apps=false for hosts that mis-render (env MCP_APPS)")
	configPath := fs.String("config", os.Getenv("MCP_CONFIG"), "JSON config file with provider base URLs and credential variable names (env MCP_CONFIG)")
	timeout := fs.Duration("timeout", 30*time.Second, "timeout of one upstream HTTP attempt")
	logLevel := fs.String("log-level", envOr("MCP_LOG_LEVEL", "info"), "debug, info, warn or error (env MCP_LOG_LEVEL)")
	logFormat := fs.String("log-format", envOr("MCP_LOG_FORMAT", "text"), "text or json (env MCP_LOG_FORMAT)")
	maxResultTokens := fs.Int("max-result-tokens", envInt("MCP_MAX_RESULT_TOKENS", tools.DefaultMaxResultTokens), "token budget of one tool result; larger answers are cut and say how to get the rest (env MCP_MAX_RESULT_TOKENS)")
	diffWait := fs.Duration("diff-wait", diff.DefaultWait, "how long diff_tables waits for a verdict before answering status running (keep it under your client's tool timeout)")
	getSelection := addSelectionFlags(fs)
	getHTTP := addHTTPFlags(fs) // endpoint security and team mode (httpsec.go)
	plainUsage(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, 0
		}
		return nil, 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "mcp-server: unexpected argument %q\n", fs.Arg(0))
		return nil, 2
	}
	logger, err := newLogger(stderr, *logLevel, *logFormat)
	if err != nil {
		fmt.Fprintln(stderr, "mcp-server:", err)
		return nil, 2
	}
	if *transport != "stdio" && *transport != "http" {
		fmt.Fprintf(stderr, "mcp-server: --transport must be stdio or http, got %q\n", *transport)
		return nil, 2
	}
	sel, err := getSelection()
	if err != nil {
		fmt.Fprintln(stderr, "mcp-server:", err)
		return nil, 2
	}
	hopts, err := getHTTP()
	if err == nil && hopts.clientCredentials && *transport != "http" {
		err = errors.New("--allow-client-credentials needs --transport http (credentials come in request headers)")
	}
	if err != nil {
		fmt.Fprintln(stderr, "mcp-server:", err)
		return nil, 2
	}
	opts := mcpserver.Options{Sandbox: *sandboxFlag, ConfigPath: *configPath, Timeout: *timeout, Getenv: os.Getenv, Logger: logger,
		Selection: sel, MaxResultTokens: *maxResultTokens, DiffWait: *diffWait, ClientCredentials: hopts.clientCredentials, Version: version(), Apps: *appsFlag,
		Extra: fixtures.extraOrNil()}
	return &serveConfig{opts: opts, transport: *transport, addr: *addr, http: hopts}, 0
}

// envBoolOr reads a boolean variable (1, true, false, 0, …); unset or
// unreadable gives def.
func envBoolOr(key string, def bool) bool {
	if v, err := strconv.ParseBool(os.Getenv(key)); err == nil {
		return v
	}
	return def
}

func envInt(key string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(key)); err == nil {
		return n
	}
	return def
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	default:
		return nil, fmt.Errorf("--log-format must be text or json, got %q", format)
	}
}

// version is the server's version: stamped by the release build, or the
// module's (go install …@vX), or dev with the commit.
func version() string { return buildinfo.Get().Version }

// inventoryEntry is one line of `mcp-server tools`.
type inventoryEntry struct {
	Name        string            `json:"name"`
	Provider    string            `json:"provider"`
	Toolset     string            `json:"toolset"`
	Operation   *string           `json:"operation"`
	Method      string            `json:"method"`
	Path        string            `json:"path"`
	Title       string            `json:"title"`
	Description string            `json:"description"`
	Annotations tools.Annotations `json:"annotations"`
}

// printTools prints the tools a server started with the same environment,
// configuration and flags would offer (the providers with credentials, or
// all four with --sandbox), or with --all every tool a server can offer; a
// line on stderr says which.
func printTools(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mcp-server tools", flag.ContinueOnError)
	fs.SetOutput(stderr)
	getSelection := addSelectionFlags(fs)
	all := fs.Bool("all", false, "print the whole inventory (as if every provider were configured), not only what a server started like this offers")
	sandboxFlag := fs.Bool("sandbox", envBool("MCP_SANDBOX"), "as a server with --sandbox would offer (env MCP_SANDBOX=1)")
	configPath := fs.String("config", os.Getenv("MCP_CONFIG"), "JSON config file, as the server's --config (env MCP_CONFIG)")
	tokens := fs.Bool("tokens", false, "print what each tool costs a model (o200k tokens of name, description and inputSchema) instead of JSON")
	plainUsage(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	sel, err := getSelection()
	if err != nil {
		fmt.Fprintln(stderr, "mcp-server:", err)
		return 2
	}
	inventory, err := mcpserver.Inventory()
	if err != nil {
		fmt.Fprintln(stderr, "mcp-server:", err)
		return 1
	}
	var chosen []*tools.Tool
	if *all {
		if chosen, err = mcpserver.Choose(sel); err != nil {
			fmt.Fprintln(stderr, "mcp-server:", err)
			return 2
		}
		fmt.Fprintf(stderr, "mcp-server: %d tools: the inventory, as if every provider were configured (the selection flags apply).\n", len(chosen))
	} else {
		a, err := mcpserver.Build(mcpserver.Options{Sandbox: *sandboxFlag, ConfigPath: *configPath, Getenv: os.Getenv, Selection: sel})
		if err != nil {
			fmt.Fprintln(stderr, "mcp-server:", err)
			return 2
		}
		chosen = a.Tools
		a.Close()
		fmt.Fprintln(stderr, "mcp-server:", offeredHeader(len(chosen), a.Providers, *sandboxFlag, len(inventory)))
	}
	if *tokens {
		printTokens(stdout, chosen)
		return 0
	}
	out := make([]inventoryEntry, 0, len(chosen))
	for _, t := range chosen {
		e := inventoryEntry{Name: t.Name, Provider: t.Provider, Toolset: t.Toolset, Method: t.Method, Path: t.Path,
			Title: t.Title, Description: t.Description, Annotations: t.Annotations}
		if t.Operation != "" {
			op := t.Operation
			e.Operation = &op
		}
		out = append(out, e)
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(stderr, "mcp-server:", err)
		return 1
	}
	return 0
}

// offeredHeader says what `mcp-server tools` lists: n tools of a server
// with this environment (its providers, or the sandbox), out of the total
// --all lists.
func offeredHeader(n int, providers []string, sandbox bool, total int) string {
	from := "the environment and configuration"
	if sandbox {
		from = "--sandbox"
	}
	switch {
	case n == 0 && len(providers) == 0:
		return fmt.Sprintf("no tools: a server started like this offers none, as no provider is configured (set credentials, see README, or use --sandbox); --all lists the inventory of %d.", total)
	case n == 0:
		return fmt.Sprintf("no tools: the selection flags leave none of what %s offers (providers: %s); --all lists the inventory of %d.", from, orNone(providers), total)
	}
	return fmt.Sprintf("%d tools: what a server started like this offers (%s; providers: %s); --all lists the inventory of %d.", n, from, orNone(providers), total)
}

func orNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}

// plainUsage keeps backquotes out of fs's usage texts: the flag package
// takes a `quoted` word of a usage text as the flag's argument name, and
// -h would print "-toolsets mcp-server toolsets".
func plainUsage(fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) { f.Usage = strings.ReplaceAll(f.Usage, "`", "'") })
}

// printTokens prints each tool's cost in a model's context, heaviest first,
// and the total: the figure the schema budget is measured by.
func printTokens(w io.Writer, list []*tools.Tool) {
	type row struct {
		name   string
		tokens int
	}
	rows := make([]row, 0, len(list))
	total := 0
	for _, t := range list {
		n := tools.CountTokens(tools.ModelView(t))
		rows = append(rows, row{t.Name, n})
		total += n
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].tokens != rows[j].tokens {
			return rows[i].tokens > rows[j].tokens
		}
		return rows[i].name < rows[j].name
	})
	fmt.Fprintf(w, "%6s  %s\n", "tokens", "tool (o200k: name + description + inputSchema)")
	for _, r := range rows {
		fmt.Fprintf(w, "%6d  %s\n", r.tokens, r.name)
	}
	fmt.Fprintf(w, "%6d  total for %d tools\n", total, len(rows))
}
