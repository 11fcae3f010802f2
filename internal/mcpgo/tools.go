package mcpgo

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/datastack-mcp/datastack-mcp/tools"
)

// ToolOf returns t as mcp-go describes it. It is built with
// NewToolWithRawSchema: NewTool would default the annotations to
// destructive, and NewTool plus WithRawInputSchema does not marshal. All
// four annotation hints are always set.
func ToolOf(t *tools.Tool) mcp.Tool {
	mt := mcp.NewToolWithRawSchema(t.Name, t.Description, t.InputSchema)
	mt.Title = t.Title
	mt.RawOutputSchema = t.OutputSchema
	mt.Annotations = mcp.ToolAnnotation{
		Title:           t.Title,
		ReadOnlyHint:    mcp.ToBoolPtr(t.Annotations.ReadOnly),
		DestructiveHint: mcp.ToBoolPtr(t.Annotations.Destructive),
		IdempotentHint:  mcp.ToBoolPtr(t.Annotations.Idempotent),
		OpenWorldHint:   mcp.ToBoolPtr(t.Annotations.OpenWorld),
	}
	if len(t.Meta) > 0 {
		mt.Meta = &mcp.Meta{AdditionalFields: t.Meta}
	}
	return mt
}

// handler runs t for mcp-go. It never returns a Go error for anything a
// caller can fix: mcp-go would turn it into a JSON-RPC error that models
// never see.
func handler(t *tools.Tool, d *tools.Deps, log *slog.Logger) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		call := newCall(ctx, req)
		res := t.Run(tools.WithRequest(ctx, call.request()), d, req.Params.Arguments)
		// Progress notifications must reach the client before the result.
		awaitNotifications(ctx, call.token, call.queued, log)
		return resultOf(res), nil
	}
}

// resultOf converts a tool's answer.
func resultOf(r *tools.Result) *mcp.CallToolResult {
	if r == nil {
		return mcp.NewToolResultError("the tool gave no answer (a bug); please report it")
	}
	if in := r.Input; in != nil {
		return server.NewInputRequestBuilder(in.State).Elicit(in.ID, elicitationOf(in.Question)).ToolResult()
	}
	res := mcp.NewToolResultText(r.Text)
	if r.Structured != nil {
		res = mcp.NewToolResultStructured(r.Structured, r.Text)
	}
	res.IsError = r.IsError
	if len(r.Meta) > 0 {
		res.Meta = &mcp.Meta{AdditionalFields: r.Meta}
	}
	return res
}

func elicitationOf(q tools.Question) mcp.ElicitationParams {
	return mcp.ElicitationParams{Message: q.Message, RequestedSchema: q.Schema}
}

// answerOf converts the client's answer to an elicitation.
func answerOf(r *mcp.ElicitationResult) *tools.Answer {
	a := &tools.Answer{Action: string(r.Action)}
	switch c := r.Content.(type) {
	case nil:
	case map[string]any:
		a.Content = c
	default:
		b, _ := json.Marshal(c)
		if json.Unmarshal(b, &a.Content) != nil {
			a.Content = map[string]any{}
		}
	}
	return a
}

// call is one tool call's link to its client.
type call struct {
	ctx    context.Context
	req    mcp.CallToolRequest
	token  mcp.ProgressToken
	queued int // progress notifications queued by this call
}

func newCall(ctx context.Context, req mcp.CallToolRequest) *call {
	c := &call{ctx: ctx, req: req}
	if req.Params.Meta != nil {
		c.token = req.Params.Meta.ProgressToken
	}
	return c
}

// request is what the tool may use of the call (tools.Request).
func (c *call) request() *tools.Request {
	r := &tools.Request{Route: c.route()}
	if c.token != nil {
		r.Progress = c.progress
	}
	switch r.Route {
	case tools.ViaElicitation:
		r.Elicit = func(ctx context.Context, q tools.Question) (*tools.Answer, error) {
			ans, err := server.ServerFromContext(ctx).RequestElicitation(ctx, mcp.ElicitationRequest{
				Request: mcp.Request{Method: string(mcp.MethodElicitationCreate)},
				Params:  elicitationOf(q),
			})
			if err != nil || ans == nil {
				return nil, err
			}
			return answerOf(ans), nil
		}
	case tools.ViaRoundTrip:
		rt := c.req.Params.MultiRoundTripParams
		r.Answered = func(id, state string) *tools.Answer {
			if rt.RequestState != state {
				return nil
			}
			if ans := server.ElicitationResponse(rt.InputResponses, id); ans != nil {
				return answerOf(ans)
			}
			return nil
		}
	}
	return r
}

// route picks how to confirm, from what the client declared.
func (c *call) route() int {
	ctx := c.ctx
	if info := server.RequestProtocolInfoFromContext(ctx); info != nil && info.Modern {
		if info.ClientCapabilities != nil && info.ClientCapabilities.Elicitation != nil {
			return tools.ViaRoundTrip
		}
		return tools.ViaConfirmArg
	}
	session := server.ClientSessionFromContext(ctx)
	if s, ok := session.(server.SessionWithClientInfo); ok && s.GetClientCapabilities().Elicitation != nil {
		if _, ok := session.(server.SessionWithElicitation); ok && server.ServerFromContext(ctx) != nil {
			return tools.ViaElicitation
		}
	}
	return tools.ViaConfirmArg
}

// progress queues one progress notification and counts it.
func (c *call) progress(ctx context.Context, n, total float64, message string) {
	s := server.ServerFromContext(ctx)
	if s == nil {
		return
	}
	err := s.SendNotificationToClient(ctx, string(mcp.MethodNotificationProgress), map[string]any{
		"progressToken": c.token,
		"progress":      n,
		"total":         total,
		"message":       message,
	})
	if err == nil {
		c.queued++
	}
}

// Text is the text of an mcp-go tool result, what a model reads (for
// clients of the server: tests and evals).
func Text(res *mcp.CallToolResult) string {
	if res == nil {
		return ""
	}
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}
