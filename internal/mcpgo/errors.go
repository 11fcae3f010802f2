package mcpgo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/datastack-mcp/datastack-mcp/tools"
)

// Protocol errors. mcp-go v1.2.1 answers every Go error a prompt or
// resource handler returns with -32603 (internal error), and a request
// whose params do not decode with -32600 and a message naming Go types
// ("cannot unmarshal string into Go struct field GetPromptParams…"). What
// a client should see instead:
//
//   - a missing or bad prompt argument (a *tools.ArgumentError from
//     Prompt.Get): -32602, invalid params;
//   - a resource URI that names no resource (a *tools.ArgumentError from
//     the catalog, or mcp-go's own "handler not found"): the protocol's
//     resource-not-found code (-32002; -32602 in protocol 2026-07-28, as
//     mcp-go picks it per request) with a message pointing at
//     resources/templates/list;
//   - params that do not decode: -32602 with a message in JSON terms;
//   - an unknown tool: mcp-go's -32602 with "did you mean …".
//
// mcp-go fixes the code before any hook can change it, so the correction
// is made on the way out: the OnError hook (errorHooks) works out the
// code and message an error should have and files them under the request
// id and the message mcp-go will send; the transports' writers
// (ErrorWriter for stdio, ErrorHandler for streamable HTTP) rewrite that
// one response as they write it, and so does InProcessTransport for
// clients in process (evals, tests). A client over mcp-go's own in-process
// transport sees mcp-go's answer.

// fix is the code and message one error response should carry.
type fix struct {
	code    int
	message string
	// modern: the request is of protocol 2026-07-28, whose streamable
	// HTTP maps error codes to HTTP statuses.
	modern bool
}

// maxPending bounds the fixes waiting for their response: responses that
// are never written through a fixing writer (in-process clients) must not
// pile up.
const maxPending = 256

// fixes are the corrections waiting for their response to be written,
// keyed by the request id (as JSON) and the message mcp-go sends. The key
// holds the message so that two clients' requests with the same id (over
// stateless HTTP) cannot take each other's fix: the same id and the same
// message get the same fix anyway.
var fixes = &pendingFixes{byKey: map[string]fix{}}

type pendingFixes struct {
	mu    sync.Mutex
	byKey map[string]fix
	order []string
	n     atomic.Int64 // len(byKey), read without the lock
}

func fixKey(id any, message string) string {
	b, _ := json.Marshal(id)
	return string(b) + "\x00" + message
}

func (p *pendingFixes) put(key string, f fix) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.byKey[key]; !ok {
		p.order = append(p.order, key)
	}
	p.byKey[key] = f
	for len(p.order) > maxPending {
		delete(p.byKey, p.order[0])
		p.order = p.order[1:]
	}
	p.n.Store(int64(len(p.byKey)))
}

// take removes and returns the fix filed under key.
func (p *pendingFixes) take(key string) (fix, bool) {
	if p.n.Load() == 0 {
		return fix{}, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	f, ok := p.byKey[key]
	if ok {
		delete(p.byKey, key)
		for i, k := range p.order {
			if k == key {
				p.order = append(p.order[:i], p.order[i+1:]...)
				break
			}
		}
		p.n.Store(int64(len(p.byKey)))
	}
	return f, ok
}

// any reports whether a fix may be waiting (a writer's fast path).
func (p *pendingFixes) any() bool { return p.n.Load() > 0 }

// templatesHint is where a client learns the URI forms.
const templatesHint = "resources/templates/list gives the URI forms"

// errorHooks files, for every error response, the code and message it
// should have (see fixes). suggest names tools close to an unknown name
// among those the request may see.
func errorHooks(h *server.Hooks, suggest func(ctx context.Context, name string) []string) {
	h.AddOnError(func(ctx context.Context, id any, method mcp.MCPMethod, message any, err error) {
		inner := errors.Unwrap(err) // mcp-go's requestError wraps what it sends
		if inner == nil || id == nil {
			return
		}
		f, ok := fixFor(ctx, method, message, inner, suggest)
		if !ok {
			return
		}
		f.modern = mcp.IsModernProtocol(server.RequestProtocolVersion(ctx))
		fixes.put(fixKey(id, inner.Error()), f)
	})
}

// fixFor works out the code and message an error should be answered with;
// ok is false for errors answered as mcp-go answers them.
func fixFor(ctx context.Context, method mcp.MCPMethod, message any, err error, suggest func(context.Context, string) []string) (fix, bool) {
	var bad *server.UnparsableMessageError
	var arg *tools.ArgumentError
	switch {
	case errors.As(err, &bad):
		return fix{code: mcp.INVALID_PARAMS, message: paramsMessage(bad.GetMethod(), errors.Unwrap(bad))}, true
	case method == mcp.MethodResourcesRead && errors.Is(err, server.ErrResourceNotFound):
		uri := ""
		if req, ok := message.(*mcp.ReadResourceRequest); ok {
			uri = req.Params.URI
		}
		return fix{code: resourceNotFound(ctx), message: fmt.Sprintf("no resource at %q (%s)", uri, templatesHint)}, true
	case method == mcp.MethodResourcesRead && errors.As(err, &arg):
		msg := arg.Message
		if !strings.Contains(msg, "resources/templates/list") {
			msg += " (" + templatesHint + ")"
		}
		return fix{code: resourceNotFound(ctx), message: msg}, true
	case method == mcp.MethodPromptsGet && errors.As(err, &arg):
		return fix{code: mcp.INVALID_PARAMS, message: arg.Message}, true
	case method == mcp.MethodToolsCall && errors.Is(err, server.ErrToolNotFound) && suggest != nil:
		name := ""
		if req, ok := message.(*mcp.CallToolRequest); ok {
			name = req.Params.Name
		}
		msg := fmt.Sprintf("tool %q not found", name)
		if names := suggest(ctx, name); len(names) > 0 {
			msg += "; did you mean " + strings.Join(names, ", ") + "?"
		}
		return fix{code: mcp.INVALID_PARAMS, message: msg + " (tools/list lists the tools)"}, true
	}
	return fix{}, false
}

// resourceNotFound is the code of an unknown resource for the request's
// protocol version, as mcp-go chooses it.
func resourceNotFound(ctx context.Context) int {
	if mcp.IsModernProtocol(server.RequestProtocolVersion(ctx)) {
		return mcp.INVALID_PARAMS
	}
	return mcp.RESOURCE_NOT_FOUND
}

// paramsMessage says in JSON terms what is wrong with a request's params.
func paramsMessage(method mcp.MCPMethod, err error) string {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) && typ.Field != "" {
		return fmt.Sprintf("invalid params of %s: %q must be %s, got %s", method, typ.Field, jsonKind(typ.Type), article(typ.Value))
	}
	return fmt.Sprintf("invalid params of %s: they do not have the shape the method takes", method)
}

// jsonKind names a Go type as the JSON a client should send.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "a value"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return jsonKind(t.Elem())
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map:
		if t.Elem().Kind() == reflect.String {
			return "an object of strings"
		}
		return "an object"
	case reflect.Struct:
		return "an object"
	}
	return "a value"
}

// article puts "a"/"an" before a JSON kind as encoding/json names it
// ("string", "number", "object", "array", "bool").
func article(v string) string {
	switch v {
	case "":
		return "something else"
	case "bool":
		return "a boolean"
	case "object", "array":
		return "an " + v
	}
	return "a " + v
}
