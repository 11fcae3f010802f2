package evals

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Task is one question a data engineer or analyst asks, with what a good
// answer takes on the sandbox. The format is documented in README.md.
type Task struct {
	// ID is unique across all task files, e.g. "df-diff-revenue".
	ID string `json:"id"`
	// Provider is the product the question is about: datafold, lightdash,
	// posthog, pdc, or cross (across providers). The report groups by it.
	Provider string `json:"provider"`
	// Area is the use case: diffing, lineage, monitors, ci, sql, catalog, …
	Area string `json:"area"`
	// Prompt is the question, in the user's words. Routing searches it as is.
	Prompt string `json:"prompt"`
	// Tools are the tools that answer the task; a model must call at least
	// one of them, and the search must rank one of them high.
	Tools []string `json:"tools"`
	// Args are assertions on the arguments of calls to acceptable tools,
	// per tool; a call passes when every assertion of its tool holds.
	Args map[string][]Assert `json:"args,omitempty"`
	// Calls are the reference calls that answer the task, run in order.
	Calls []Call `json:"calls"`
	// Facts must all appear in the reference results and in a model's final
	// answer (case-insensitive; "a|b" accepts either; digits may be
	// grouped with commas in an answer).
	Facts []string `json:"facts"`

	// File is the task file the task came from.
	File string `json:"-"`
}

// Call is one reference tool call.
type Call struct {
	Tool string `json:"tool"`
	// Arguments may hold "${name.path}" placeholders: the value at gjson
	// path in the result of the call saved as name. A string that is only a
	// placeholder takes the value's JSON type.
	Arguments map[string]any `json:"arguments,omitempty"`
	// Save names the result for later placeholders.
	Save string `json:"save,omitempty"`
	// Until repeats the call (briefly) until the assertion holds: polling.
	Until *Assert `json:"until,omitempty"`
	// Checks are assertions on the call's result (a JSON document).
	Checks []Assert `json:"checks,omitempty"`
}

// Assert is one assertion on a JSON document (a result, or a call's
// arguments) at a gjson path (https://github.com/tidwall/gjson syntax;
// "a.#" is the length of array a). Set one or more of the conditions.
type Assert struct {
	Path string `json:"path"`
	// Equals: the value is equal, numbers and numeric strings compared as
	// numbers (1 equals "1").
	Equals any `json:"equals,omitempty"`
	// Matches: a regular expression matches the value's text (arrays of
	// strings are joined with ".", so ["ANALYTICS","MARTS","fct_orders"]
	// reads ANALYTICS.MARTS.fct_orders).
	Matches string `json:"matches,omitempty"`
	// Contains: an array has an element equal to it, or a string contains
	// it (ignoring case).
	Contains any `json:"contains,omitempty"`
	// Min and Max bound a number.
	Min *float64 `json:"min,omitempty"`
	Max *float64 `json:"max,omitempty"`
	// Exists: the path is present (true) or absent (false).
	Exists *bool `json:"exists,omitempty"`
}

//go:embed tasks/*.json
var embedded embed.FS

// Providers of tasks, in report order.
var Providers = []string{"datafold", "lightdash", "posthog", "pdc", "cross"}

// Load reads the embedded tasks (path ""), or the task files of a
// directory, or one task file.
func Load(path string) ([]*Task, error) {
	var fsys fs.FS = embedded
	pattern := "tasks/*.json"
	if path != "" {
		info, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		if info.IsDir() {
			fsys, pattern = os.DirFS(path), "*.json"
		} else {
			fsys, pattern = os.DirFS(filepath.Dir(path)), filepath.Base(path)
		}
	}
	files, err := fs.Glob(fsys, pattern)
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var all []*Task
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		var list []*Task
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&list); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for _, t := range list {
			t.File = filepath.Base(f)
		}
		all = append(all, list...)
	}
	if err := check(all); err != nil {
		return nil, err
	}
	return all, nil
}

var idPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// check validates the task files themselves.
func check(list []*Task) error {
	seen := map[string]bool{}
	var problems []string
	bad := func(t *Task, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s: task %q: %s", t.File, t.ID, fmt.Sprintf(format, args...)))
	}
	for _, t := range list {
		if !idPattern.MatchString(t.ID) {
			bad(t, "id must be lowercase words joined by -")
		}
		if seen[t.ID] {
			bad(t, "duplicate id")
		}
		seen[t.ID] = true
		if !contains(Providers, t.Provider) {
			bad(t, "provider must be one of %s", strings.Join(Providers, ", "))
		}
		if strings.TrimSpace(t.Prompt) == "" || t.Area == "" {
			bad(t, "prompt and area are required")
		}
		if len(t.Tools) == 0 {
			bad(t, "names no acceptable tool")
		}
		for name := range t.Args {
			if !contains(t.Tools, name) {
				bad(t, "args for %s, which is not an acceptable tool", name)
			}
		}
		if len(t.Calls) == 0 {
			bad(t, "has no reference calls")
		}
		if len(t.Facts) == 0 {
			bad(t, "has no facts")
		}
		saved := map[string]bool{}
		for i, c := range t.Calls {
			for _, name := range placeholders(c.Arguments) {
				if !saved[name] {
					bad(t, "call %d uses ${%s…} before a call saves it", i, name)
				}
			}
			if c.Save != "" {
				saved[c.Save] = true
			}
		}
		for _, a := range allAsserts(t) {
			if a.Path == "" && a.Exists == nil {
				bad(t, "an assertion has no path")
			}
			if a.Matches != "" {
				if _, err := regexp.Compile(a.Matches); err != nil {
					bad(t, "bad regexp %q: %v", a.Matches, err)
				}
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("invalid tasks:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

func allAsserts(t *Task) []Assert {
	var out []Assert
	for _, list := range t.Args {
		out = append(out, list...)
	}
	for _, c := range t.Calls {
		out = append(out, c.Checks...)
		if c.Until != nil {
			out = append(out, *c.Until)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
