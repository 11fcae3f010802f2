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
	return func() (mcpserver.Selection, error) {
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

func policyFromHeaders(h http.Header) tools.Policy {
	ro, _ := strconv.ParseBool(h.Get(headerReadOnly))
	return tools.Policy{
		Toolsets: tools.ParseList(h.Get(headerToolsets)),
		Tools:    tools.ParseList(h.Get(headerTools)),
		Exclude:  tools.ParseList(h.Get(headerExclude)),
		ReadOnly: ro,
	}
}

// requestPolicyContext carries the header policy into tool handlers.
func requestPolicyContext(ctx context.Context, r *http.Request) context.Context {
	return tools.WithRequestPolicy(ctx, policyFromHeaders(r.Header))
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
