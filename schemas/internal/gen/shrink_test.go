package gen

import (
	"strings"
	"testing"
)

func TestEchoes(t *testing.T) {
	ctx := map[string]bool{"lightdash": true, "update": true, "space": true}
	for _, c := range []struct {
		name, desc string
		ctx        map[string]bool
		want       bool
	}{
		{"dashboardUuid", "the uuid of the dashboard", nil, true},
		{"host", "Host", nil, true},
		{"data_connection_id", "Unique ID for the Data Connection.", nil, true},
		{"spaceUuid", "The uuid of the space to update", ctx, true},
		{"spaceUuid", "The uuid of the space to update", nil, false},
		{"column_path", "Path to the column, e.g. db.schema.table.column.", nil, false},
		{"limit", "Number of results to return per page.", nil, false},
	} {
		if got := echoes(c.name, c.desc, c.ctx); got != c.want {
			t.Errorf("echoes(%q, %q) got %v, want %v", c.name, c.desc, got, c.want)
		}
	}
}

func TestObviousDefault(t *testing.T) {
	for _, c := range []struct {
		name string
		def  any
		want bool
	}{
		{"archived", false, true},
		{"enabled", true, false},
		{"page", 1.0, true},
		{"page_size", 100.0, false},
		{"offset", 0.0, true},
		{"file_type", "csv", false},
		{"tags", []any{}, true},
	} {
		if got := obviousDefault(c.name, c.def, nil); got != c.want {
			t.Errorf("obviousDefault(%q, %v) got %v, want %v", c.name, c.def, got, c.want)
		}
	}
	if !obviousDefault("file_type", "csv", "csv") {
		t.Error("a default equal to the const is obvious")
	}
}

func TestShorten(t *testing.T) {
	d := "Table path for Dataset A as a list of path components, e.g. ['schema', 'table'] or ['database', 'schema', 'table']."
	if got, want := shorten(d, 80), "Table path for Dataset A as a list of path components."; got != want {
		t.Errorf("shorten got %q, want %q", got, want)
	}
	if got := shorten("Short.", 80); got != "Short." {
		t.Errorf("shorten of a short description got %q", got)
	}
}

func TestWithNote(t *testing.T) {
	text := "Start a diff (e.g. prod vs dev) by key. It runs asynchronously."
	got := withNote(text, true, false)
	if want := "Start a diff (e.g. prod vs dev) by key. " + noteFields; got != want {
		t.Errorf("withNote got %q, want %q", got, want)
	}
	if withNote(text, false, false) != text {
		t.Error("withNote changed a description with nothing left out")
	}
}

func TestRender(t *testing.T) {
	full := clone(map[string]any{
		"type": "object",
		"properties": map[string]any{
			"id": map[string]any{"type": "string", "format": "uuid", "pattern": "^[0-9a-f-]+$"},
			"config": map[string]any{
				"description": "Config.",
				"anyOf": []any{
					map[string]any{"type": "object", "properties": map[string]any{
						"type": map[string]any{"type": "string", "const": "a"},
						"x":    map[string]any{"type": "string", "description": "X."},
					}, "required": []any{"type", "x"}},
					map[string]any{"type": "object", "properties": map[string]any{
						"type": map[string]any{"type": "string", "const": "b"},
						"y":    map[string]any{"type": "object", "properties": map[string]any{"z": map[string]any{"type": "string"}}},
					}, "required": []any{"type"}},
				},
			},
			"extra": map[string]any{"type": "boolean"},
		},
		"required": []any{"id", "config"},
	})
	s, truncated := render(full, renderOpts{})
	if truncated || asMap(asMap(s["properties"])["id"])["pattern"] != nil {
		t.Errorf("the richest rendering should only drop a pattern a format states: %s", canonical(s))
	}
	s, truncated = render(full, renderOpts{nestedDesc: true, collapse: true, drop: map[string]bool{"extra": true}})
	got := canonical(s)
	want := `{"properties":{"config":{"description":"Config.","properties":{"type":{"enum":["a","b"],"type":"string"}},"required":["type"],"type":"object"},"id":{"format":"uuid","type":"string"}},"required":["id","config"],"type":"object"}`
	if !truncated || got != want {
		t.Errorf("collapsed rendering (truncated %v):\n got %s\nwant %s", truncated, got, want)
	}
	s, _ = render(full, renderOpts{maxLevel: 1})
	if c := canonical(asMap(s["properties"])["config"]); strings.Contains(c, "properties") || strings.Contains(c, "anyOf") {
		t.Errorf("maxLevel 1 should leave config a plain object, got %s", c)
	}
	if full["properties"].(map[string]any)["extra"] == nil {
		t.Error("render modified the full schema")
	}
}
