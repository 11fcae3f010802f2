package evals

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

// Holds reports whether the assertion holds on the JSON document doc, and
// if not, why.
func (a Assert) Holds(doc string) (bool, string) {
	r := gjson.Get(doc, a.Path)
	if a.Exists != nil {
		if r.Exists() != *a.Exists {
			return false, fmt.Sprintf("%s: exists is %v, want %v", a.Path, r.Exists(), *a.Exists)
		}
		if !*a.Exists {
			return true, ""
		}
	}
	if !r.Exists() {
		return false, fmt.Sprintf("%s: not found", a.Path)
	}
	got := r.Value()
	if a.Equals != nil && !looseEqual(got, a.Equals) {
		return false, fmt.Sprintf("%s: got %s, want %s", a.Path, short(r.Raw), jsonText(a.Equals))
	}
	if a.Matches != "" {
		re, err := regexp.Compile(a.Matches)
		if err != nil || !re.MatchString(textOf(got)) {
			return false, fmt.Sprintf("%s: %s does not match %q", a.Path, short(r.Raw), a.Matches)
		}
	}
	if a.Contains != nil && !containsValue(got, a.Contains) {
		return false, fmt.Sprintf("%s: %s does not contain %s", a.Path, short(r.Raw), jsonText(a.Contains))
	}
	if a.Min != nil || a.Max != nil {
		n, ok := number(got)
		if !ok {
			return false, fmt.Sprintf("%s: %s is not a number", a.Path, short(r.Raw))
		}
		if a.Min != nil && n < *a.Min {
			return false, fmt.Sprintf("%s: %v is below %v", a.Path, n, *a.Min)
		}
		if a.Max != nil && n > *a.Max {
			return false, fmt.Sprintf("%s: %v is above %v", a.Path, n, *a.Max)
		}
	}
	return true, ""
}

// CheckArgs applies the task's assertions for tool to a call's arguments.
// A tool without assertions accepts any arguments.
func (t *Task) CheckArgs(tool string, args map[string]any) []string {
	doc, _ := json.Marshal(args)
	var problems []string
	for _, a := range t.Args[tool] {
		if ok, why := a.Holds(string(doc)); !ok {
			problems = append(problems, why)
		}
	}
	return problems
}

// MissingFacts returns the facts text does not contain. Matching ignores
// case, and digit groups ("125,430") count as plain digits.
func MissingFacts(facts []string, text string) []string {
	norm := normalize(text)
	var missing []string
	for _, f := range facts {
		found := false
		for _, alt := range strings.Split(f, "|") {
			if alt = normalize(strings.TrimSpace(alt)); alt != "" && strings.Contains(norm, alt) {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, f)
		}
	}
	return missing
}

var digitGroups = regexp.MustCompile(`(\d),(\d{3})\b`)

func normalize(s string) string {
	s = strings.ToLower(s)
	for {
		t := digitGroups.ReplaceAllString(s, "$1$2")
		if t == s {
			return s
		}
		s = t
	}
}

// substitute replaces "${name.path}" placeholders in v with values from
// the saved results.
func substitute(v any, saved map[string]string) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			s, err := substitute(e, saved)
			if err != nil {
				return nil, err
			}
			out[k] = s
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			s, err := substitute(e, saved)
			if err != nil {
				return nil, err
			}
			out[i] = s
		}
		return out, nil
	case string:
		if m := wholePlaceholder.FindStringSubmatch(x); m != nil {
			r, err := lookup(m[1], saved)
			if err != nil {
				return nil, err
			}
			return r.Value(), nil
		}
		var err error
		out := placeholder.ReplaceAllStringFunc(x, func(p string) string {
			r, e := lookup(placeholder.FindStringSubmatch(p)[1], saved)
			if e != nil {
				err = e
				return p
			}
			return r.String()
		})
		return out, err
	}
	return v, nil
}

var (
	placeholder      = regexp.MustCompile(`\$\{([^}]+)\}`)
	wholePlaceholder = regexp.MustCompile(`^\$\{([^}]+)\}$`)
)

func lookup(ref string, saved map[string]string) (gjson.Result, error) {
	name, path, _ := strings.Cut(ref, ".")
	doc, ok := saved[name]
	if !ok {
		return gjson.Result{}, fmt.Errorf("no saved result %q", name)
	}
	r := gjson.Get(doc, path)
	if !r.Exists() {
		return r, fmt.Errorf("${%s}: path %q not found in the saved result", ref, path)
	}
	return r, nil
}

// placeholders lists the saved names an argument tree refers to.
func placeholders(v any) []string {
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case string:
			for _, m := range placeholder.FindAllStringSubmatch(x, -1) {
				name, _, _ := strings.Cut(m[1], ".")
				out = append(out, name)
			}
		}
	}
	walk(v)
	return out
}

func looseEqual(a, b any) bool {
	if na, ok := number(a); ok {
		if nb, ok := number(b); ok {
			return na == nb
		}
	}
	switch x := a.(type) {
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !looseEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k := range x {
			if !looseEqual(x[k], y[k]) {
				return false
			}
		}
		return true
	}
	return jsonText(a) == jsonText(b)
}

func containsValue(got, want any) bool {
	switch x := got.(type) {
	case []any:
		for _, e := range x {
			if looseEqual(e, want) {
				return true
			}
			if s, ok := e.(string); ok {
				if w, ok := want.(string); ok && strings.EqualFold(s, w) {
					return true
				}
			}
		}
		return false
	case string:
		w, ok := want.(string)
		return ok && strings.Contains(strings.ToLower(x), strings.ToLower(w))
	}
	return looseEqual(got, want)
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}

// textOf renders a value for regular expressions: strings as they are,
// arrays of scalars joined with ".", anything else as JSON.
func textOf(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			switch e.(type) {
			case map[string]any, []any:
				return jsonText(v)
			}
			parts = append(parts, textOf(e))
		}
		return strings.Join(parts, ".")
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return jsonText(v)
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func short(s string) string {
	if len(s) > 120 {
		return s[:117] + "…"
	}
	return s
}
