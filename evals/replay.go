package evals

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/datastack-mcp/datastack-mcp/tools"
)

// ReplayResult is the outcome of one task's reference calls.
type ReplayResult struct {
	Task     *Task
	Problems []string
	// Text is every result's text, in order (what the facts are found in).
	Text string
}

// Passed reports whether the replay found nothing wrong.
func (r ReplayResult) Passed() bool { return len(r.Problems) == 0 }

// pollEvery and pollFor bound a call's Until loop. pollFor only stops a
// diff that never ends: the sandbox's data diffs run on its SQLite engine
// (the first one in a process also writes the demo files), which takes
// seconds on an idle machine and many more on a busy one, so it is no
// measure of speed (5 s failed a replay under load).
const (
	pollEvery = 25 * time.Millisecond
	pollFor   = 2 * time.Minute
)

// Replay runs the task's reference calls through the server's MCP client
// and checks them: each tool is offered, each call succeeds (so its
// arguments validate), the task's argument assertions hold for calls to
// acceptable tools, each call's checks hold, and the results contain the
// task's facts. Tools that ask for confirmation are confirmed with the
// "confirm" argument, as a user would.
func Replay(ctx context.Context, s *Server, t *Task) ReplayResult {
	res := ReplayResult{Task: t}
	fail := func(format string, args ...any) { res.Problems = append(res.Problems, fmt.Sprintf(format, args...)) }
	offered := map[string]bool{}
	confirmable := map[string]bool{}
	for _, tool := range s.Listed {
		offered[tool.Name] = true
		raw, _ := json.Marshal(tool.InputSchema)
		if tool.RawInputSchema != nil {
			raw = tool.RawInputSchema
		}
		confirmable[tool.Name] = hasProperty(raw, "confirm")
	}
	acceptable := false
	for _, name := range t.Tools {
		acceptable = acceptable || offered[name]
	}
	if !acceptable {
		fail("none of the acceptable tools %v is offered", t.Tools)
	}
	// Every acceptable tool that takes required arguments (an id, a path,
	// a project) has assertions on them, and assertions name arguments the
	// tool has, even for acceptable tools the reference calls do not use.
	for _, name := range t.Tools {
		if tool := tools.Find(s.Tools, name); tool != nil && len(t.Args[name]) == 0 && len(required(tool.FullSchema())) > 0 {
			fail("args: %s takes required arguments %v but the task asserts none", name, required(tool.FullSchema()))
		}
	}
	for name, asserts := range t.Args {
		tool := tools.Find(s.Tools, name)
		if tool == nil {
			continue
		}
		for _, a := range asserts {
			arg := strings.FieldsFunc(a.Path, func(r rune) bool { return r == '.' || r == '#' || r == '|' })
			if len(arg) > 0 && !strings.HasPrefix(arg[0], "@") && !hasProperty(tool.FullSchema(), arg[0]) {
				fail("args for %s: %q is not an argument of the tool", name, arg[0])
			}
		}
	}
	saved := map[string]string{}
	var texts []string
	for i, c := range t.Calls {
		if !offered[c.Tool] {
			fail("call %d: tool %s is not offered", i, c.Tool)
			return res
		}
		v, err := substitute(c.Arguments, saved)
		if err != nil {
			fail("call %d (%s): %v", i, c.Tool, err)
			return res
		}
		args, _ := v.(map[string]any)
		if args == nil {
			args = map[string]any{}
		}
		if contains(t.Tools, c.Tool) {
			for _, p := range t.CheckArgs(c.Tool, args) {
				fail("call %d (%s): argument assertion fails on the reference call: %s", i, c.Tool, p)
			}
		}
		if confirmable[c.Tool] {
			args["confirm"] = true
		}
		text, doc, isErr, err := callUntil(ctx, s, c, args)
		if err != nil {
			fail("call %d (%s): %v", i, c.Tool, err)
			return res
		}
		texts = append(texts, text)
		if isErr {
			fail("call %d (%s) failed: %s", i, c.Tool, short(text))
			return res
		}
		for _, a := range c.Checks {
			if ok, why := a.Holds(doc); !ok {
				fail("call %d (%s): check failed: %s", i, c.Tool, why)
			}
		}
		if c.Save != "" {
			saved[c.Save] = doc
		}
	}
	res.Text = strings.Join(texts, "\n")
	if missing := MissingFacts(t.Facts, res.Text); len(missing) > 0 {
		fail("results lack facts %q", missing)
	}
	return res
}

// callUntil makes the call, repeating it while its Until assertion does
// not hold (bounded by pollFor). It returns the result's text and the JSON
// document assertions read (Document).
func callUntil(ctx context.Context, s *Server, c Call, args map[string]any) (text, doc string, isErr bool, err error) {
	deadline := time.Now().Add(pollFor)
	for {
		r, text, err := s.Call(ctx, c.Tool, args)
		if err != nil {
			return "", "", false, err
		}
		doc := Document(r, text)
		if r.IsError || c.Until == nil {
			return text, doc, r.IsError, nil
		}
		ok, why := c.Until.Holds(doc)
		if ok {
			return text, doc, false, nil
		}
		if time.Now().After(deadline) {
			return text, doc, false, fmt.Errorf("gave up polling after %s: %s", pollFor, why)
		}
		select {
		case <-ctx.Done():
			return "", "", false, ctx.Err()
		case <-time.After(pollEvery):
		}
	}
}

// Document is the JSON a result's assertions read: its text when that is
// JSON, else its structured content (tools such as diff_tables answer in
// prose and carry the data there), else {}.
func Document(r *mcp.CallToolResult, text string) string {
	if json.Valid([]byte(text)) {
		return text
	}
	if r != nil && r.StructuredContent != nil {
		if b, err := json.Marshal(r.StructuredContent); err == nil {
			return string(b)
		}
	}
	return "{}"
}

func hasProperty(schema json.RawMessage, name string) bool {
	var s struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	_ = json.Unmarshal(schema, &s)
	_, ok := s.Properties[name]
	return ok
}

// required lists a schema's required top-level arguments, leaving out
// "connection" (added when several connections serve a tool).
func required(schema json.RawMessage) []string {
	var s struct {
		Required []string `json:"required"`
	}
	_ = json.Unmarshal(schema, &s)
	var out []string
	for _, r := range s.Required {
		if r != "connection" {
			out = append(out, r)
		}
	}
	return out
}
