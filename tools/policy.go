package tools

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// Policy chooses which tools a server (or one HTTP request) offers.
//
// The rules, in order of strength:
//   - Exclude removes a tool whatever else says;
//   - ReadOnly keeps only tools whose readOnlyHint is true, even ones named
//     in Tools;
//   - Tools, when non-empty, is the exact allowlist and Toolsets is ignored,
//     so an upgrade that adds tools to a toolset never adds them silently;
//   - Toolsets, when non-empty, keeps the tools of the named providers
//     ("datafold") or toolsets ("datafold-data-diffs");
//   - otherwise every tool is allowed.
//
// Names compare case-insensitively. A policy made with And (or DenyAll)
// also requires what the other policies say: it can only narrow.
type Policy struct {
	Toolsets []string
	Tools    []string
	Exclude  []string
	ReadOnly bool

	// within are further policies a tool must also pass (And).
	within []Policy
	// none allows nothing (DenyAll).
	none bool
}

// And returns the policy that allows a tool only when both p and q do: the
// most restrictive combination, as for repeated narrowing headers.
func (p Policy) And(q Policy) Policy {
	switch {
	case q.IsZero():
		return p
	case p.IsZero():
		return q
	}
	p.within = append(append([]Policy(nil), p.within...), q)
	return p
}

// DenyAll is the policy that allows no tool.
func DenyAll() Policy { return Policy{none: true} }

// IsZero reports whether the policy allows everything.
func (p Policy) IsZero() bool {
	return len(p.Toolsets) == 0 && len(p.Tools) == 0 && len(p.Exclude) == 0 && !p.ReadOnly &&
		len(p.within) == 0 && !p.none
}

// NamesTools reports whether the policy names tools or toolsets, which
// Check then looks up.
func (p Policy) NamesTools() bool {
	if len(p.Toolsets)+len(p.Tools)+len(p.Exclude) > 0 {
		return true
	}
	for _, w := range p.within {
		if w.NamesTools() {
			return true
		}
	}
	return false
}

// Allows reports whether the policy offers t.
func (p Policy) Allows(t *Tool) bool {
	if p.none || !p.allowsHere(t) {
		return false
	}
	for _, w := range p.within {
		if !w.Allows(t) {
			return false
		}
	}
	return true
}

// allowsHere applies p's own rules, without within.
func (p Policy) allowsHere(t *Tool) bool {
	if containsFold(p.Exclude, t.Name) {
		return false
	}
	if p.ReadOnly && !t.Annotations.ReadOnly {
		return false
	}
	if len(p.Tools) > 0 {
		return containsFold(p.Tools, t.Name)
	}
	if len(p.Toolsets) > 0 {
		return containsFold(p.Toolsets, t.Provider) || containsFold(p.Toolsets, t.Toolset)
	}
	return true
}

// containsFold reports whether list holds s, ignoring case.
func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// Filter returns the tools the policy allows, in order.
func (p Policy) Filter(list []*Tool) []*Tool {
	var out []*Tool
	for _, t := range list {
		if p.Allows(t) {
			out = append(out, t)
		}
	}
	return out
}

// Check reports names that match no tool or toolset (ignoring case), so a
// typo in a flag fails loudly instead of silently offering nothing.
func (p Policy) Check(all []*Tool) error {
	if !p.NamesTools() {
		return nil
	}
	tools := map[string]bool{}
	sets := map[string]bool{}
	for _, t := range all {
		tools[strings.ToLower(t.Name)] = true
		sets[strings.ToLower(t.Provider)] = true
		sets[strings.ToLower(t.Toolset)] = true
	}
	var bad []string
	var check func(p Policy)
	check = func(p Policy) {
		for _, s := range p.Toolsets {
			if !sets[strings.ToLower(s)] {
				bad = append(bad, fmt.Sprintf("toolset %q", echo(s)))
			}
		}
		for _, list := range [][]string{p.Tools, p.Exclude} {
			for _, n := range list {
				if !tools[strings.ToLower(n)] {
					bad = append(bad, fmt.Sprintf("tool %q", echo(n)))
				}
			}
		}
		for _, w := range p.within {
			check(w)
		}
	}
	check(p)
	if len(bad) > 0 {
		return fmt.Errorf("unknown %s (see `mcp-server toolsets` and `mcp-server tools`)", strings.Join(bad, ", "))
	}
	return nil
}

// ParseList splits a comma-separated flag or header value.
func ParseList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// Toolset describes one group of tools.
type Toolset struct {
	Name     string   `json:"name"`
	Provider string   `json:"provider"`
	Tools    []string `json:"tools"`
}

// Toolsets lists the providers and the toolsets within them, sorted.
func Toolsets(all []*Tool) []Toolset {
	byName := map[string]*Toolset{}
	add := func(name, provider, tool string) {
		ts := byName[name]
		if ts == nil {
			ts = &Toolset{Name: name, Provider: provider}
			byName[name] = ts
		}
		ts.Tools = append(ts.Tools, tool)
	}
	for _, t := range all {
		add(t.Provider, t.Provider, t.Name)
		if t.Toolset != t.Provider {
			add(t.Toolset, t.Provider, t.Name)
		}
	}
	out := make([]Toolset, 0, len(byName))
	for _, ts := range byName {
		out = append(out, *ts)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

type policyKey struct{}

// WithRequestPolicy attaches a per-request policy (from HTTP headers). It
// can only narrow what the server offers: a tool must pass both.
func WithRequestPolicy(ctx context.Context, p Policy) context.Context {
	if p.IsZero() {
		return ctx
	}
	return context.WithValue(ctx, policyKey{}, p)
}

// RequestPolicy returns the per-request policy, if any.
func RequestPolicy(ctx context.Context) (Policy, bool) {
	p, ok := ctx.Value(policyKey{}).(Policy)
	return p, ok
}

// AllowedIn reports whether t is offered in ctx: by the request's policy,
// when there is one (the server's own policy was applied at registration).
func AllowedIn(ctx context.Context, t *Tool) bool {
	p, ok := RequestPolicy(ctx)
	return !ok || p.Allows(t)
}
