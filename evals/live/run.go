package live

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/datastack-mcp/datastack-mcp/evals"
)

// SystemPrompt frames every task: the model works for a data team, on the
// demo stack, and answers with what the tools returned.
const SystemPrompt = `You help a data team work on their data stack through tools for Datafold (data diffs, lineage, monitors, CI, SQL), PostHog's data warehouse sources, Pentaho Data Catalog (PDC) and Lightdash (projects, explores, charts, catalog, SQL, spaces, access).
Use the tools to find the answer; do not guess ids, list them first (the PostHog project id is 1). When a tool asks for confirmation of a change the user asked for, confirm it.
Finish with a short answer that states the concrete names, numbers and statuses the tools returned.`

// Options shape a live run.
type Options struct {
	Model     string
	MaxTokens int // per response; default 2048
	MaxTurns  int // model turns per task; default 12
	// Discovery offers search_tools, describe_tool and call_tool instead of
	// every tool.
	Discovery bool
}

// Call is one tool call the model made.
type Call struct {
	Tool      string         `json:"tool"`
	Arguments map[string]any `json:"arguments"`
	IsError   bool           `json:"is_error"`
	// Target is the tool call_tool ran (discovery mode), else Tool.
	Target string `json:"target"`
}

// Result is one task's run and score.
type Result struct {
	ID       string  `json:"id"`
	Provider string  `json:"provider"`
	Calls    []Call  `json:"calls"`
	Answer   string  `json:"answer"`
	Turns    int     `json:"turns"`
	Usage    Usage   `json:"usage"`
	Error    string  `json:"error,omitempty"`
	Seconds  float64 `json:"seconds"`
	// Routed: the model called an acceptable tool. ArgsOK: one such call's
	// arguments pass the task's assertions. AnswerOK: the final answer
	// states every fact. Success needs all three.
	Routed   bool     `json:"routed"`
	ArgsOK   bool     `json:"args_ok"`
	AnswerOK bool     `json:"answer_ok"`
	Missing  []string `json:"missing_facts,omitempty"`
	Success  bool     `json:"success"`
}

// Run runs one task: a fresh sandbox server, the model in a tool-use loop
// until it answers (or MaxTurns), then the score.
func Run(ctx context.Context, c *Client, task *evals.Task, o Options) Result {
	start := time.Now()
	res := Result{ID: task.ID, Provider: task.Provider}
	defer func() { res.Seconds = time.Since(start).Seconds() }()
	if o.MaxTokens <= 0 {
		o.MaxTokens = 2048
	}
	if o.MaxTurns <= 0 {
		o.MaxTurns = 12
	}
	s, err := evals.NewServer(ctx, evals.ServerOptions{Discovery: o.Discovery})
	if err != nil {
		res.Error = err.Error()
		return res
	}
	defer s.Close()
	tools := make([]Tool, 0, len(s.Listed))
	for _, t := range s.Listed {
		schema := t.RawInputSchema
		if schema == nil {
			schema, _ = json.Marshal(t.InputSchema)
		}
		tools = append(tools, Tool{Name: t.Name, Description: t.Description, InputSchema: schema})
	}
	if len(tools) > 0 {
		// The tool definitions are the same on every turn: cache them.
		tools[len(tools)-1].CacheControl = &CacheControl{Type: "ephemeral"}
	}
	req := &Request{Model: o.Model, MaxTokens: o.MaxTokens, System: SystemPrompt, Tools: tools,
		Messages: []Message{{Role: "user", Content: []Block{{Type: "text", Text: task.Prompt}}}}}
	for res.Turns < o.MaxTurns {
		res.Turns++
		resp, err := c.Create(ctx, req)
		if err != nil {
			res.Error = err.Error()
			break
		}
		res.Usage.Add(resp.Usage)
		req.Messages = append(req.Messages, Message{Role: "assistant", Content: resp.Content})
		var results []Block
		var text []string
		for _, b := range resp.Content {
			switch b.Type {
			case "text":
				text = append(text, b.Text)
			case "tool_use":
				results = append(results, callTool(ctx, s, b, &res))
			}
		}
		if len(results) == 0 || resp.StopReason != "tool_use" {
			res.Answer = strings.TrimSpace(strings.Join(text, "\n"))
			break
		}
		req.Messages = append(req.Messages, Message{Role: "user", Content: results})
	}
	if res.Answer == "" && res.Error == "" {
		res.Error = fmt.Sprintf("no answer after %d turns", res.Turns)
	}
	Score(task, &res)
	return res
}

// callTool runs one tool_use block through the MCP client.
func callTool(ctx context.Context, s *evals.Server, b Block, res *Result) Block {
	var args map[string]any
	if len(b.Input) > 0 {
		_ = json.Unmarshal(b.Input, &args)
	}
	call := Call{Tool: b.Name, Arguments: args, Target: b.Name}
	if b.Name == "call_tool" {
		call.Target, _ = args["name"].(string)
	}
	out := Block{Type: "tool_result", ToolUseID: b.ID}
	r, text, err := s.Call(ctx, b.Name, args)
	switch {
	case err != nil:
		out.Content, out.IsError = "MCP error: "+err.Error(), true
	default:
		out.Content, out.IsError = text, r.IsError
	}
	if out.Content == "" {
		out.Content = "(no content)"
	}
	call.IsError = out.IsError
	res.Calls = append(res.Calls, call)
	return out
}

// Score fills in whether the run succeeded.
func Score(task *evals.Task, res *Result) {
	res.Routed, res.ArgsOK = false, false
	for _, c := range res.Calls {
		if !contains(task.Tools, c.Target) {
			continue
		}
		res.Routed = true
		args := c.Arguments
		if c.Tool == "call_tool" {
			args, _ = c.Arguments["arguments"].(map[string]any)
		}
		if !c.IsError && len(task.CheckArgs(c.Target, args)) == 0 {
			res.ArgsOK = true
		}
	}
	res.Missing = evals.MissingFacts(task.Facts, res.Answer)
	res.AnswerOK = res.Answer != "" && len(res.Missing) == 0
	res.Success = res.Routed && res.ArgsOK && res.AnswerOK
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
