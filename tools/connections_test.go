package tools

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func schemaOf(t *testing.T, tool *Tool) (props map[string]any, required []string) {
	t.Helper()
	var s struct {
		Properties map[string]any `json:"properties"`
		Required   []string       `json:"required"`
	}
	if err := json.Unmarshal(tool.InputSchema, &s); err != nil {
		t.Fatal(err)
	}
	return s.Properties, s.Required
}

func boundTool(t *testing.T, list []*Tool, name string) *Tool {
	t.Helper()
	for _, tool := range list {
		if tool.Name == name {
			return tool
		}
	}
	return nil
}

func TestBindSeveralConnections(t *testing.T) {
	app, eu := newFake(t), newFake(t)
	conns := []*Connection{
		{Name: "app", Provider: "datafold", Caller: depsWith(t, "datafold", app).Callers["datafold"], Policy: Policy{ReadOnly: true}},
		{Name: "eu", Provider: "datafold", Caller: depsWith(t, "datafold", eu).Callers["datafold"]},
	}
	list, err := Bind(mustAll(t), conns)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		tool      string
		wantEnum  string
		wantFound bool
	}{
		{"datafold_get_monitor", "app,eu", true},
		{"datafold_cancel_data_diff", "eu", true},
		{"lightdash_get_space", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.tool, func(t *testing.T) {
			tool := boundTool(t, list, tc.tool)
			if (tool != nil) != tc.wantFound {
				t.Fatalf("tool present got %v, want %v", tool != nil, tc.wantFound)
			}
			if tool == nil {
				return
			}
			props, req := schemaOf(t, tool)
			conn, _ := props[ConnectionArg].(map[string]any)
			var enum []string
			for _, e := range conn["enum"].([]any) {
				enum = append(enum, e.(string))
			}
			if got := strings.Join(enum, ","); got != tc.wantEnum {
				t.Errorf("connection enum got %s, want %s", got, tc.wantEnum)
			}
			if !contains(req, ConnectionArg) {
				t.Errorf("required got %v, want connection in it", req)
			}
		})
	}

	eu.Register("GET", "/api/v1/monitors/7", 200, `{"id":7}`)
	get := boundTool(t, list, "datafold_get_monitor")
	res := get.Call(context.Background(), &Deps{}, map[string]any{"connection": "eu", "id": 7})
	if res.IsError {
		t.Errorf("call on eu got error %s", Text(res))
	}
	res = get.Call(context.Background(), &Deps{}, map[string]any{"connection": "us", "id": 7})
	if !res.IsError || !strings.Contains(Text(res), `argument "connection"`) {
		t.Errorf("unknown connection got %s, want an error naming the argument", Text(res))
	}
	res = get.Call(context.Background(), &Deps{}, map[string]any{"id": 7})
	if !res.IsError || !strings.Contains(Text(res), "connection") {
		t.Errorf("missing connection got %s, want an error naming it", Text(res))
	}
}

func TestBindSingleConnectionHasNoConnectionArgument(t *testing.T) {
	f := newFake(t)
	list, err := Bind(mustAll(t), []*Connection{{Name: "default", Provider: "pdc", Caller: depsWith(t, "pdc", f).Callers["pdc"]}})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(list); got != 5 {
		t.Errorf("got %d tools, want the 5 PDC tools", got)
	}
	for _, tool := range list {
		if props, _ := schemaOf(t, tool); props[ConnectionArg] != nil {
			t.Errorf("%s has a connection argument with a single connection", tool.Name)
		}
	}
}

func TestBindDefaults(t *testing.T) {
	withDefault, without := newFake(t), newFake(t)
	conns := []*Connection{
		{Name: "us", Provider: "posthog", Caller: depsWith(t, "posthog", withDefault).Callers["posthog"], Defaults: map[string]any{"project_id": "42"}},
		{Name: "selfhosted", Provider: "posthog", Caller: depsWith(t, "posthog", without).Callers["posthog"]},
	}
	list, err := Bind(mustAll(t), conns)
	if err != nil {
		t.Fatal(err)
	}
	tool := boundTool(t, list, "posthog_list_external_data_sources")
	if _, req := schemaOf(t, tool); contains(req, "project_id") {
		t.Errorf("required got %v, want project_id optional (a connection has a default)", req)
	}
	withDefault.Register("GET", "/api/projects/42/external_data_sources/", 200, `{"results":[]}`)
	if res := tool.Call(context.Background(), &Deps{}, map[string]any{"connection": "us"}); res.IsError {
		t.Errorf("call with the default got error %s", Text(res))
	}
	res := tool.Call(context.Background(), &Deps{}, map[string]any{"connection": "selfhosted"})
	if !res.IsError || !strings.Contains(Text(res), "project_id") {
		t.Errorf("call on a connection without a default got %s, want an error naming project_id", Text(res))
	}
}

// TestBindKeepsFullSchemaArguments: with several connections, an argument
// only the full schema lists (not tools/list) is still accepted.
func TestBindKeepsFullSchemaArguments(t *testing.T) {
	a, b := newFake(t), newFake(t)
	list, err := Bind(mustAll(t), []*Connection{
		{Name: "a", Provider: "datafold", Caller: depsWith(t, "datafold", a).Callers["datafold"]},
		{Name: "b", Provider: "datafold", Caller: depsWith(t, "datafold", b).Callers["datafold"]},
	})
	if err != nil {
		t.Fatal(err)
	}
	tool := boundTool(t, list, "datafold_create_data_diff")
	compact, _ := schemaOf(t, tool)
	var full struct {
		Properties map[string]any `json:"properties"`
	}
	if err := json.Unmarshal(tool.FullSchema(), &full); err != nil {
		t.Fatal(err)
	}
	var hidden string
	for name := range full.Properties {
		if _, listed := compact[name]; !listed {
			hidden = name
			break
		}
	}
	if hidden == "" {
		t.Skip("datafold_create_data_diff lists every argument")
	}
	if _, ok := full.Properties[ConnectionArg]; !ok {
		t.Errorf("full schema got no %s argument, want it added like the compact one", ConnectionArg)
	}
	res := tool.Call(context.Background(), &Deps{}, map[string]any{"connection": "a", hidden: "x"})
	if strings.Contains(Text(res), "unknown argument") {
		t.Errorf("argument %q from the full schema got %s, want it accepted", hidden, Text(res))
	}
}

// The parts of a server that bind the same tools to the same connections
// share one bound tool; other connections get their own.
func TestBindIsMadeOnce(t *testing.T) {
	f := newFake(t)
	caller := depsWith(t, "datafold", f).Callers["datafold"]
	conns := []*Connection{{Name: "app", Provider: "datafold", Caller: caller}, {Name: "eu", Provider: "datafold", Caller: caller}}
	all := mustAll(t)
	first, err := Bind(all, conns)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Bind(all, conns)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != len(again) || len(first) == 0 {
		t.Fatalf("got %d and %d tools, want the same non-zero count", len(first), len(again))
	}
	for i := range first {
		if first[i] != again[i] {
			t.Fatalf("%s: got a second binding, want the first one shared", first[i].Name)
		}
	}
	// One connection alone takes no connection argument: a different binding.
	single, err := Bind(all, conns[:1])
	if err != nil {
		t.Fatal(err)
	}
	if single[0] == first[0] {
		t.Errorf("%s: got the two-connection binding for one connection, want its own", single[0].Name)
	}
	if props, _ := schemaOf(t, single[0]); props[ConnectionArg] != nil {
		t.Errorf("%s: got a connection argument with one connection, want none", single[0].Name)
	}
}
