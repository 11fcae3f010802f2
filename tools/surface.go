package tools

import "context"

// The types below are the MCP surface as this project's code sees it:
// what a tool answers, what a prompt and a resource are, what a tool may
// ask of the client during a call. No package but the adapter
// (internal/mcpgo) knows the MCP library; a change of SDK touches that one
// package.

// Result is a tool's answer.
type Result struct {
	// Text is what a model reads.
	Text string
	// Structured is the structured content (a JSON-encodable value, or a
	// json.RawMessage sent as is); nil means none.
	Structured any
	// IsError marks an answer that says what failed and what to do.
	IsError bool
	// Input, when set, asks the client for the user's answer before the
	// call can go on (the multi round-trip protocol); the other fields are
	// then unused.
	Input *InputRequest
	// Meta is the result's _meta (e.g. an MCP Apps view's data), nil for
	// none.
	Meta map[string]any
}

// Question asks the user for something (an elicitation).
type Question struct {
	Message string
	// Schema is the JSON Schema of the answer's content.
	Schema map[string]any
}

// Answer is the user's answer to a Question.
type Answer struct {
	// Action is "accept", "decline" or "cancel".
	Action  string
	Content map[string]any
}

// Answer actions.
const (
	ActionAccept  = "accept"
	ActionDecline = "decline"
	ActionCancel  = "cancel"
)

// InputRequest is a Result that asks the client to put Question to the
// user and call again with the answer under ID, carrying State.
type InputRequest struct {
	ID, State string
	Question  Question
}

// Confirmation routes a client allows, decided by the adapter from what the
// client declared.
const (
	// ViaConfirmArg: refuse with a preview until the call carries
	// confirm: true.
	ViaConfirmArg = iota
	// ViaRoundTrip: answer with an InputRequest (clients of the multi
	// round-trip protocol that declared elicitation).
	ViaRoundTrip
	// ViaElicitation: ask with elicitation/create during the call.
	ViaElicitation
)

// Request is what a tool may use of the MCP request that called it. The
// adapter puts one in the call's context ([WithRequest]); without one (a
// tool called directly), nothing is asked and no progress is sent.
type Request struct {
	// Route is how this client can confirm an action (Via…).
	Route int
	// Progress sends one progress notification; nil when the caller asked
	// for none.
	Progress func(ctx context.Context, progress, total float64, message string)
	// Elicit asks the user during the call (Route ViaElicitation).
	Elicit func(ctx context.Context, q Question) (*Answer, error)
	// Answered returns the client's answer to an earlier InputRequest with
	// this id, when the call carries it with the given state (Route
	// ViaRoundTrip); nil otherwise.
	Answered func(id, state string) *Answer
}

type requestKey struct{}

// WithRequest records r as the request of the call running in ctx.
func WithRequest(ctx context.Context, r *Request) context.Context {
	return context.WithValue(ctx, requestKey{}, r)
}

// RequestFrom returns the request of the call running in ctx, or an empty
// one.
func RequestFrom(ctx context.Context) *Request {
	if r, ok := ctx.Value(requestKey{}).(*Request); ok && r != nil {
		return r
	}
	return &Request{}
}

// Prompt is one MCP prompt.
type Prompt struct {
	Name, Title, Description string
	Arguments                []PromptArgument
	// Get renders the prompt; a missing or bad argument is an
	// *ArgumentError.
	Get func(ctx context.Context, args map[string]string) (*PromptResult, error)
}

// PromptArgument is one argument of a Prompt.
type PromptArgument struct {
	Name, Description string
	Required          bool
}

// PromptResult is a rendered prompt: user messages of text.
type PromptResult struct {
	Description string
	Messages    []string
}

// ArgumentError is a request whose arguments are wrong (a missing prompt
// argument, an unknown resource): the adapter answers it as invalid
// params, not as an internal error.
type ArgumentError struct{ Message string }

func (e *ArgumentError) Error() string { return e.Message }

// Resource is one listed resource.
type Resource struct {
	URI         string `json:"uri"`
	Name        string `json:"name"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	MIMEType    string `json:"mimeType,omitempty"`
}

// ResourceTemplate is one resource URI template.
type ResourceTemplate struct {
	URITemplate string `json:"uriTemplate"`
	Name        string `json:"name"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	MIMEType    string `json:"mimeType,omitempty"`
}

// ResourceContents is the text content of a resource.
type ResourceContents struct {
	URI, MIMEType, Text string
}

// Completion is an answer to completion/complete.
type Completion struct {
	Values  []string
	Total   int
	HasMore bool
}
