package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Connection is one configured account of a provider: its client, what it
// may be used for, and argument values a user always passes the same.
type Connection struct {
	Name     string
	Provider string
	Caller   Caller
	// Policy limits the tools this connection serves (read-only, allowlist).
	Policy Policy
	// Defaults fill arguments the caller leaves out (PostHog project_id, a
	// Lightdash projectUuid); such arguments become optional.
	Defaults map[string]any

	// memo keeps what Bind made of each tool for this connection, so that
	// the several parts of a server that bind the same tools (the tool
	// list, the resources, lineage_impact, the PR review) share one bound
	// tool instead of each paying the schema rewrite at start-up.
	memo *bindMemo
}

// bindMemo maps a base tool to its binding for one set of allowed
// connections, kept on the first of them.
type bindMemo struct {
	entries map[*Tool]bindEntry
}

type bindEntry struct {
	allowed []*Connection
	choose  bool
	bound   *Tool
}

// bindMu guards every connection's memo; binding happens while a server
// is built, so one lock costs nothing.
var bindMu sync.Mutex

// ConnectionArg is the argument that chooses among several connections.
const ConnectionArg = "connection"

type connKey struct{}

// callerFor returns the client for a provider: the connection chosen for
// this call, or the provider's only client.
func (d *Deps) callerFor(ctx context.Context, provider string) Caller {
	if c, ok := ctx.Value(connKey{}).(*Connection); ok && c.Provider == provider {
		return c.Caller
	}
	return d.Callers[provider]
}

// Bind adapts tools to the configured connections. A tool no connection
// allows is dropped. When its provider has several connections, the tool
// takes a required "connection" argument listing those that allow it;
// arguments some connection gives a default for become optional.
func Bind(list []*Tool, conns []*Connection) ([]*Tool, error) {
	byProvider := map[string][]*Connection{}
	for _, c := range conns {
		byProvider[c.Provider] = append(byProvider[c.Provider], c)
	}
	var out []*Tool
	for _, t := range list {
		all := byProvider[t.Provider]
		var allowed []*Connection
		for _, c := range all {
			if c.Policy.Allows(t) {
				allowed = append(allowed, c)
			}
		}
		if len(allowed) == 0 {
			continue
		}
		bound, err := memoBind(t, allowed, len(all) > 1)
		if err != nil {
			return nil, err
		}
		out = append(out, bound)
	}
	return out, nil
}

// memoBind returns the binding of base to allowed, made once: the same
// base tool, the same allowed connections (the same values, not copies)
// and the same choice give the same bound tool.
func memoBind(base *Tool, allowed []*Connection, choose bool) (*Tool, error) {
	bindMu.Lock()
	defer bindMu.Unlock()
	m := allowed[0].memo
	if m == nil {
		m = &bindMemo{entries: map[*Tool]bindEntry{}}
		allowed[0].memo = m
	}
	if e, ok := m.entries[base]; ok && e.choose == choose && slices.Equal(e.allowed, allowed) {
		return e.bound, nil
	}
	bound, err := bindTool(base, allowed, choose)
	if err != nil {
		return nil, err
	}
	m.entries[base] = bindEntry{allowed: slices.Clone(allowed), choose: choose, bound: bound}
	return bound, nil
}

func bindTool(base *Tool, allowed []*Connection, choose bool) (*Tool, error) {
	defaulted := map[string]bool{}
	for _, c := range allowed {
		for k := range c.Defaults {
			defaulted[k] = true
		}
	}
	var names []string
	for _, c := range allowed {
		names = append(names, c.Name)
	}
	provider := ProviderName(base.Provider)
	// rewrite decodes the schema's top level and its properties only, as
	// raw JSON: the rest passes through as it is (compacted, as json.Marshal
	// writes it), which costs a fraction of decoding the whole tree; Build
	// rewrites every tool's schema several times.
	rewrite := func(raw json.RawMessage) (json.RawMessage, error) {
		if len(raw) == 0 {
			return raw, nil
		}
		var s map[string]json.RawMessage
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		var props map[string]json.RawMessage
		if p := s["properties"]; len(p) > 0 {
			if err := json.Unmarshal(p, &props); err != nil {
				return nil, err
			}
		}
		if props == nil {
			props = map[string]json.RawMessage{}
		}
		var list []any
		if r := s["required"]; len(r) > 0 {
			_ = json.Unmarshal(r, &list) // not a list: no required arguments, as before
		}
		var req []any
		for _, r := range list {
			name, _ := r.(string)
			if !defaulted[name] {
				req = append(req, r)
				continue
			}
			var p map[string]any
			if json.Unmarshal(props[name], &p) == nil && p != nil {
				desc, _ := p["description"].(string)
				p["description"] = strings.TrimSpace(desc + " Optional: " + defaultNote(allowed, name) + ".")
				b, err := json.Marshal(p)
				if err != nil {
					return nil, err
				}
				props[name] = b
			}
		}
		if choose {
			b, err := json.Marshal(map[string]any{"type": "string", "enum": names, "description": "Which " + provider + " connection to use."})
			if err != nil {
				return nil, err
			}
			props[ConnectionArg] = b
			req = append(req, ConnectionArg)
		}
		b, err := json.Marshal(props)
		if err != nil {
			return nil, err
		}
		s["properties"] = b
		if len(req) > 0 {
			if s["required"], err = json.Marshal(req); err != nil {
				return nil, err
			}
		} else {
			delete(s, "required")
		}
		return json.Marshal(s)
	}
	if !choose && len(defaulted) == 0 {
		t := *base
		return &t, nil
	}
	t := *base
	var err error
	if t.InputSchema, err = rewrite(base.InputSchema); err != nil {
		return nil, err
	}
	// Arguments are checked against the full schema, rewritten the same way,
	// so fields that only describe_tool shows are still accepted. The
	// rewrite waits for the tool's first call: Build binds every tool
	// several times (tools/list, resources, lineage_impact, review), and
	// the full schemas were most of that work.
	t.validator = newLazyValidator(t.Name, func() ([]byte, error) { return rewrite(base.FullSchema()) })
	byName := map[string]*Connection{}
	for _, c := range allowed {
		byName[c.Name] = c
	}
	t.call = func(ctx context.Context, d *Deps, self *Tool, args map[string]any) *Result {
		conn := allowed[0]
		if choose {
			name, _ := args[ConnectionArg].(string)
			if conn = byName[name]; conn == nil {
				return errorResult("%s: connection %q is not one of %s.", t.Name, name, strings.Join(sortedNames(byName), ", "))
			}
		}
		filled := make(map[string]any, len(args)+len(conn.Defaults))
		for k, v := range args {
			if k != ConnectionArg {
				filled[k] = v
			}
		}
		for k, v := range conn.Defaults {
			if _, given := filled[k]; !given && base.validator.knows(k) {
				filled[k] = v
			}
		}
		// The filled arguments must satisfy the tool's own schema, so a
		// connection without a default still needs the argument.
		checked, problem := base.validator.check(filled)
		if problem != "" {
			return errorResult("%s: invalid arguments for connection %s: %s. Pass the argument, or configure a default for this connection.", t.Name, conn.Name, problem)
		}
		return base.call(context.WithValue(ctx, connKey{}, conn), d, self, checked)
	}
	return &t, nil
}

// defaultNote says what an argument defaults to: the value every allowed
// connection gives it, or that each connection's default applies.
func defaultNote(allowed []*Connection, name string) string {
	var value any
	for i, c := range allowed {
		v, ok := c.Defaults[name]
		if !ok || (i > 0 && fmt.Sprint(v) != fmt.Sprint(value)) {
			return "the connection's default applies"
		}
		value = v
	}
	return fmt.Sprintf("default %v", value)
}

func sortedNames(m map[string]*Connection) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ConnectionFrom returns the connection a bound tool chose for the call
// running in ctx, or nil.
func ConnectionFrom(ctx context.Context) *Connection {
	c, _ := ctx.Value(connKey{}).(*Connection)
	return c
}
