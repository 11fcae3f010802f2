package evals

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

func ptr[T any](v T) *T { return &v }

func TestAssert(t *testing.T) {
	doc := `{"pks":{"exclusives":[142,30]},"status":"done","table1":["ANALYTICS","MARTS","fct_orders"],"n":"42","tags":["pr-42"],"items":[{"name":"a"},{"name":"b"}]}`
	cases := []struct {
		a    Assert
		want bool
	}{
		{Assert{Path: "pks.exclusives", Equals: []any{142.0, 30.0}}, true},
		{Assert{Path: "pks.exclusives", Equals: []any{142.0}}, false},
		{Assert{Path: "n", Equals: 42.0}, true}, // numeric strings equal numbers
		{Assert{Path: "status", Equals: "done"}, true},
		{Assert{Path: "table1", Matches: `(?i)marts\.fct_orders$`}, true}, // arrays read joined with "."
		{Assert{Path: "tags", Contains: "PR-42"}, true},
		{Assert{Path: "status", Contains: "ON"}, true},
		{Assert{Path: "items.#", Min: ptr(2.0), Max: ptr(2.0)}, true},
		{Assert{Path: "items.#", Min: ptr(3.0)}, false},
		{Assert{Path: "items.#(name==\"b\").name", Equals: "b"}, true},
		{Assert{Path: "missing", Exists: ptr(false)}, true},
		{Assert{Path: "missing", Equals: 1.0}, false},
	}
	for _, tc := range cases {
		if got, why := tc.a.Holds(doc); got != tc.want {
			t.Errorf("%+v: got %v (%s), want %v", tc.a, got, why, tc.want)
		}
	}
}

func TestMissingFacts(t *testing.T) {
	text := "Prod has 125,430 orders; 1,234,567 rows. Status: DONE."
	got := MissingFacts([]string{"125430", "1234567", "done", "prod|production", "dev|development"}, text)
	if !reflect.DeepEqual(got, []string{"dev|development"}) {
		t.Errorf("got %q, want only dev|development missing", got)
	}
}

func TestSubstitute(t *testing.T) {
	saved := map[string]string{"diff": `{"id":111,"name":"x","results":[{"source":"ci","id":7}]}`}
	got, err := substitute(map[string]any{"a": "${diff.id}", "b": "diff ${diff.id}!", "c": []any{"${diff.results.#(source==\"ci\").id}"}}, saved)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"a": 111.0, "b": "diff 111!", "c": []any{7.0}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if _, err := substitute("${diff.nope}", saved); err == nil {
		t.Error("a missing path substituted without error")
	}
	if _, err := substitute("${other.id}", saved); err == nil {
		t.Error("an unknown saved name substituted without error")
	}
}

func TestSentences(t *testing.T) {
	cases := map[string]int{
		"Get a data diff.": 1,
		"Start a diff (e.g. prod vs dev) by key; poll it. Use it when asked.":      2,
		"List the explores. This is one. And two.":                                 3,
		"Compare tables, i.e. rows. Answers with counts":                           2,
		"Read a resource such as datafold://x/lineage/1/columns/DB.S.T.C/upstream": 1,
	}
	for s, want := range cases {
		if got := Sentences(s); len(got) != want {
			t.Errorf("Sentences(%q) = %q, want %d", s, got, want)
		}
	}
}

func TestLint(t *testing.T) {
	got := Lint([]LintTool{
		{"x_get_thing", "Get a thing."},                                              // restates its name
		{"x_list_items", "Gets the items of a project."},                             // not imperative
		{"x_a", "Create an a. It does this. And that."},                              // three sentences
		{"x_b", "List the b of a project. More optional fields: see describe_tool."}, // fine: the pointer is not a sentence
		{"x_c", "List the b of a project."},                                          // shares x_b's description
		{"x_d", "List the d of a workspace with their owners."},                      // fine
	})
	want := []string{"x_a: 3 sentences", "x_b, x_c: share the description", "x_get_thing: only restates", "x_list_items: starts with \"Gets\""}
	if len(got) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d: got %q, want it to start with %q", i, got[i], want[i])
		}
	}
}

func TestLoadRejectsBadTasks(t *testing.T) {
	bad := []*Task{
		{ID: "Bad ID", Provider: "nope", Prompt: "x", Area: "a", Tools: []string{"t"}, Calls: []Call{{Tool: "t"}}, Facts: []string{"f"}},
		{ID: "no-calls", Provider: "pdc", Prompt: "x", Area: "a", Tools: []string{"t"}, Facts: []string{"f"}, Args: map[string][]Assert{"other": {{Path: "p"}}}},
		{ID: "unsaved", Provider: "pdc", Prompt: "x", Area: "a", Tools: []string{"t"}, Facts: []string{"f"}, Calls: []Call{{Tool: "t", Arguments: map[string]any{"id": "${x.id}"}}}},
	}
	err := check(bad)
	if err == nil {
		t.Fatal("check accepted bad tasks")
	}
	for _, want := range []string{"id must be", "provider must be", "no reference calls", "not an acceptable tool", "before a call saves it"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("check's error lacks %q:\n%v", want, err)
		}
	}
}

// TestReplayCatchesMistakes: a replay fails on a fact the results lack, an
// argument assertion naming no argument, and a failing call.
func TestReplayCatchesMistakes(t *testing.T) {
	ctx := context.Background()
	s, err := NewServer(ctx, ServerOptions{Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	task := &Task{ID: "t", Provider: "datafold", Tools: []string{"datafold_get_org_spend", "datafold_list_monitors"},
		Args:  map[string][]Assert{"datafold_list_monitors": {{Path: "no_such_argument", Equals: 1.0}}},
		Calls: []Call{{Tool: "datafold_get_org_spend", Checks: []Assert{{Path: "monthly_cap_usd", Equals: 1000.0}}}},
		Facts: []string{"231.94", "not in the answer"}}
	r := Replay(ctx, s, task)
	got := strings.Join(r.Problems, "\n")
	for _, want := range []string{`"no_such_argument" is not an argument`, `lack facts ["not in the answer"]`} {
		if !strings.Contains(got, want) {
			t.Errorf("replay problems lack %q:\n%s", want, got)
		}
	}
	task = &Task{ID: "t", Provider: "datafold", Tools: []string{"datafold_get_monitor"},
		Calls: []Call{{Tool: "datafold_get_monitor", Arguments: map[string]any{"id": "not a number"}}}, Facts: []string{"x"}}
	if r := Replay(ctx, s, task); r.Passed() || !strings.Contains(strings.Join(r.Problems, "\n"), "invalid arguments") {
		t.Errorf("a call with invalid arguments replayed with problems %q", r.Problems)
	}
}
