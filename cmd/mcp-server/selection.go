package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"

	mcpserver "github.com/datastack-mcp/datastack-mcp/internal/server"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

// addSelectionFlags registers the tool-choosing flags on fs.
func addSelectionFlags(fs *flag.FlagSet) func() (mcpserver.Selection, error) {
	toolsets := fs.String("toolsets", os.Getenv("MCP_TOOLSETS"), "comma-separated providers or toolsets to offer, e.g. datafold,lightdash-catalog (env MCP_TOOLSETS; see `mcp-server toolsets`)")
	allow := fs.String("tools", os.Getenv("MCP_TOOLS"), "comma-separated exact tool allowlist; wins over --toolsets (env MCP_TOOLS)")
	exclude := fs.String("exclude-tools", os.Getenv("MCP_EXCLUDE_TOOLS"), "comma-separated tools never to offer; wins over everything (env MCP_EXCLUDE_TOOLS)")
	readOnly := fs.Bool("read-only", envBool("MCP_READ_ONLY"), "offer only read-only tools, even if named in --tools (env MCP_READ_ONLY=1)")
	mode := fs.String("tool-mode", envOr("MCP_TOOL_MODE", mcpserver.ModeAll), "all: every tool in tools/list; discovery: only search_tools, describe_tool and call_tool (env MCP_TOOL_MODE)")
	roEnv := os.Getenv("MCP_READ_ONLY")
	return func() (mcpserver.Selection, error) {
		if _, err := strconv.ParseBool(roEnv); roEnv != "" && err != nil {
			return mcpserver.Selection{}, fmt.Errorf("MCP_READ_ONLY must be true or false (1 or 0), got %q", tools.Clip(roEnv, 100))
		}
		if *mode != mcpserver.ModeAll && *mode != mcpserver.ModeDiscovery {
			return mcpserver.Selection{}, fmt.Errorf("--tool-mode must be %s or %s, got %q", mcpserver.ModeAll, mcpserver.ModeDiscovery, *mode)
		}
		return mcpserver.Selection{
			Policy: tools.Policy{
				Toolsets: tools.ParseList(*toolsets),
				Tools:    tools.ParseList(*allow),
				Exclude:  tools.ParseList(*exclude),
				ReadOnly: *readOnly,
			},
			Mode: *mode,
		}, nil
	}
}

func envBool(key string) bool {
	v, _ := strconv.ParseBool(os.Getenv(key))
	return v
}

// Request headers that narrow the tools of one HTTP request. They can only
// remove tools the server offers, never add any.
const (
	headerToolsets = "X-MCP-Toolsets"
	headerTools    = "X-MCP-Tools"
	headerExclude  = "X-MCP-Exclude-Tools"
	headerReadOnly = "X-MCP-Read-Only"
)

// maxHeaderEcho bounds a header value quoted back in a 400.
const maxHeaderEcho = 100

// policyFromHeaders reads the narrowing headers of one request. A header
// sent on several lines narrows as much as all of its lines together:
// read-only if any line says true, a tool must be in every X-MCP-Tools
// line and in a toolset of every X-MCP-Toolsets line, and every
// X-MCP-Exclude-Tools line excludes. A line that names nothing is no
// restriction. An X-MCP-Read-Only value that is not a boolean
// (strconv.ParseBool: true, false, 1, 0, …) is an error, not false.
func policyFromHeaders(h http.Header) (tools.Policy, error) {
	var p tools.Policy
	for _, v := range h.Values(headerReadOnly) {
		ro, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			if len(v) > maxHeaderEcho {
				v = tools.Clip(v, maxHeaderEcho) + "…"
			}
			return tools.Policy{}, fmt.Errorf("%s must be true or false, got %q", headerReadOnly, v)
		}
		p.ReadOnly = p.ReadOnly || ro
	}
	for _, v := range h.Values(headerExclude) {
		p.Exclude = append(p.Exclude, tools.ParseList(v)...)
	}
	for _, v := range h.Values(headerToolsets) {
		p = p.And(tools.Policy{Toolsets: tools.ParseList(v)})
	}
	for _, v := range h.Values(headerTools) {
		p = p.And(tools.Policy{Tools: tools.ParseList(v)})
	}
	return p, nil
}

// requestPolicyContext carries the header policy into tool handlers.
// Headers that do not parse allow nothing (narrowingHeaders answers such
// requests with 400 before they get here).
func requestPolicyContext(ctx context.Context, r *http.Request) context.Context {
	p, err := policyFromHeaders(r.Header)
	if err != nil {
		p = tools.DenyAll()
	}
	return tools.WithRequestPolicy(ctx, p)
}

// narrowingHeaders answers 400 to a request whose narrowing headers do not
// parse, so a client that asked for less never silently gets more.
func narrowingHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := policyFromHeaders(r.Header); err != nil {
			writeHTTPError(w, http.StatusBadRequest, "Bad Request: "+err.Error())
			return
		}
		next.ServeHTTP(w, r)
	})
}

func printToolsets(w interface{ Write([]byte) (int, error) }, all []*tools.Tool) {
	for _, ts := range tools.Toolsets(all) {
		kind := "toolset"
		if ts.Name == ts.Provider {
			kind = "provider"
		}
		fmt.Fprintf(w, "%-40s %-8s %3d tools  %s\n", ts.Name, kind, len(ts.Tools), strings.Join(first(ts.Tools, 3), ", ")+more(ts.Tools, 3))
	}
}

func first(list []string, n int) []string {
	if len(list) > n {
		return list[:n]
	}
	return list
}

func more(list []string, n int) string {
	if len(list) > n {
		return fmt.Sprintf(", … (+%d)", len(list)-n)
	}
	return ""
}
