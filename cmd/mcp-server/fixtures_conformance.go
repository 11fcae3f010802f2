//go:build conformance

package main

// Test-only fixtures for the official MCP conformance suite
// (@modelcontextprotocol/conformance 0.1.16, run by .ci/conformance/run.sh).
// The suite calls tools, resources and prompts by name; this file adds them
// to the server assemble builds, and only in a binary built with
//
//	go build -tags conformance ./cmd/mcp-server
//
// The product never compiles this file: its tool list, inventory and
// capabilities are unchanged (TestNoFixturesInProduct checks it). Everything
// else the suite exercises (streamable HTTP, Origin and Host checks, the
// product's own tools, resources, prompts and completions) is the product's
// code, unchanged.
//
// Besides the fixtures themselves the build changes three things, all only
// here:
//   - it declares the capabilities the fixtures need (logging, resource
//     subscriptions, elicitation, sampling) next to the product's;
//   - it wraps mcp-go's HTTP handler to count the notifications written on
//     each POST, so the logging and progress fixtures return only once theirs
//     are out (confAwaitWritten; the product's tools do the same for progress);
//   - with MCP_CONFORMANCE_SESSIONS=stateful it serves streamable HTTP with
//     sessions (Mcp-Session-Id) and a GET stream per session. The product is
//     stateless (any replica can answer any request); a 2025-11-25 client's
//     answer to a server-initiated request (sampling, elicitation) and the
//     multiple-streams scenario need a session. run.sh runs the suite both
//     ways; see README, "Conformance and protocol eras".

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/datastack-mcp/datastack-mcp/internal/mcpgo"
)

func init() {
	h := &fixtureHooks{
		extra: &mcpgo.Extra{
			ServerOptions: []server.ServerOption{
				server.WithLogging(),
				server.WithResourceCapabilities(true, false), // subscribe: mcp-go acknowledges resources/subscribe
				server.WithElicitation(),
			},
			Register: registerConformanceFixtures,
		},
		wrapMCP: confCountNotifications,
	}
	if os.Getenv("MCP_CONFORMANCE_SESSIONS") == "stateful" {
		// with sessions, each GET stream is its own session's
		h.httpOptions = []server.StreamableHTTPOption{server.WithStateful(true), server.WithDisableStreaming(false)}
	}
	fixtures = h
}

// confPNG is a 2x2 PNG, base64.
var confPNG = func() string {
	img := image.NewNRGBA(image.Rect(0, 0, 2, 2))
	for i, c := range []color.NRGBA{{0, 90, 200, 255}, {255, 255, 255, 255}, {255, 255, 255, 255}, {0, 90, 200, 255}} {
		img.Set(i%2, i/2, c)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(b.Bytes())
}()

// confWAV is 10 ms of silence: RIFF/WAVE, PCM, mono, 16 kHz, 16 bits, base64.
var confWAV = func() string {
	const rate, samples = 16000, 160
	var pcm bytes.Buffer
	le := func(v any) { _ = binary.Write(&pcm, binary.LittleEndian, v) }
	pcm.WriteString("RIFF")
	le(uint32(36 + samples*2))
	pcm.WriteString("WAVEfmt ")
	le(uint32(16))       // fmt chunk size
	le(uint16(1))        // PCM
	le(uint16(1))        // channels
	le(uint32(rate))     // sample rate
	le(uint32(rate * 2)) // byte rate
	le(uint16(2))        // block align
	le(uint16(16))       // bits per sample
	pcm.WriteString("data")
	le(uint32(samples * 2))
	pcm.Write(make([]byte, samples*2))
	return base64.StdEncoding.EncodeToString(pcm.Bytes())
}()

// confTool builds a tool with every annotation set (mcp.NewTool's
// defaults say destructive and open-world).
func confTool(name, description string, opts ...mcp.ToolOption) mcp.Tool {
	return mcp.NewTool(name, append([]mcp.ToolOption{
		mcp.WithDescription(description),
		mcp.WithReadOnlyHintAnnotation(true),
		mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(true),
		mcp.WithOpenWorldHintAnnotation(false),
	}, opts...)...)
}

func confText(s string) mcp.TextContent { return mcp.NewTextContent(s) }

func registerConformanceFixtures(s *server.MCPServer) {
	s.EnableSampling()
	result := func(c ...mcp.Content) *mcp.CallToolResult { return &mcp.CallToolResult{Content: c} }

	s.AddTool(confTool("test_simple_text", "Conformance fixture: answers one text block."),
		func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return result(confText("This is a simple text response for testing.")), nil
		})
	s.AddTool(confTool("test_image_content", "Conformance fixture: answers a PNG image."),
		func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return result(mcp.NewImageContent(confPNG, "image/png")), nil
		})
	s.AddTool(confTool("test_audio_content", "Conformance fixture: answers a WAV clip."),
		func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return result(mcp.NewAudioContent(confWAV, "audio/wav")), nil
		})
	s.AddTool(confTool("test_embedded_resource", "Conformance fixture: answers an embedded text resource."),
		func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return result(mcp.NewEmbeddedResource(mcp.TextResourceContents{
				URI: "test://embedded-resource", MIMEType: "text/plain", Text: "This is an embedded resource content.",
			})), nil
		})
	s.AddTool(confTool("test_multiple_content_types", "Conformance fixture: answers text, an image and a resource."),
		func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return result(
				confText("Multiple content types test:"),
				mcp.NewImageContent(confPNG, "image/png"),
				mcp.NewEmbeddedResource(mcp.TextResourceContents{
					URI: "test://mixed-content-resource", MIMEType: "application/json", Text: `{"test":"data","value":123}`,
				}),
			), nil
		})
	s.AddTool(confTool("test_error_handling", "Conformance fixture: always answers isError."),
		func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return mcp.NewToolResultError("This tool intentionally returns an error for testing"), nil
		})

	s.AddTool(confTool("test_tool_with_logging", "Conformance fixture: logs three info messages 50 ms apart."),
		func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			from, _ := confWritten(ctx)
			sent := 0
			for i, msg := range []string{"Tool execution started", "Tool processing data", "Tool execution completed"} {
				if i > 0 {
					time.Sleep(50 * time.Millisecond)
				}
				n := mcp.NewLoggingMessageNotification(mcp.LoggingLevelInfo, "conformance", msg)
				if confLogWanted(ctx, n.Params.Level) && s.SendLogMessageToClient(ctx, n) == nil {
					sent++
				}
			}
			confAwaitWritten(ctx, from, sent)
			return result(confText("Logging tool finished")), nil
		})
	s.AddTool(confTool("test_tool_with_progress", "Conformance fixture: reports progress 0, 50, 100 of 100, 50 ms apart."),
		func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			var token mcp.ProgressToken
			if req.Params.Meta != nil {
				token = req.Params.Meta.ProgressToken
			}
			from, _ := confWritten(ctx)
			sent := 0
			for i, p := range []float64{0, 50, 100} {
				if i > 0 {
					time.Sleep(50 * time.Millisecond)
				}
				if token == nil {
					continue
				}
				err := s.SendNotificationToClient(ctx, string(mcp.MethodNotificationProgress),
					map[string]any{"progressToken": token, "progress": p, "total": 100, "message": fmt.Sprintf("step %d of 3", i+1)})
				if err == nil {
					sent++
				}
			}
			confAwaitWritten(ctx, from, sent)
			return result(confText("Progress tool finished")), nil
		})

	s.AddTool(confTool("test_sampling", "Conformance fixture: asks the client's model to answer a prompt.",
		mcp.WithString("prompt", mcp.Required(), mcp.Description("What to ask the model"))),
		func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			if why := confNoServerRequests(ctx); why != "" {
				return mcp.NewToolResultError(why), nil
			}
			res, err := s.RequestSampling(ctx, mcp.CreateMessageRequest{CreateMessageParams: mcp.CreateMessageParams{
				Messages:  []mcp.SamplingMessage{{Role: mcp.RoleUser, Content: confText(req.GetString("prompt", ""))}},
				MaxTokens: 100,
			}})
			if err != nil {
				return mcp.NewToolResultError("sampling failed: " + err.Error()), nil
			}
			b, _ := json.Marshal(res.Content)
			return result(confText("LLM response: " + string(b))), nil
		})

	elicit := func(ctx context.Context, message string, properties map[string]any, required ...string) (*mcp.CallToolResult, error) {
		if why := confNoServerRequests(ctx); why != "" {
			return mcp.NewToolResultError(why), nil
		}
		schema := map[string]any{"type": "object", "properties": properties}
		if len(required) > 0 {
			schema["required"] = required
		}
		res, err := s.RequestElicitation(ctx, mcp.ElicitationRequest{Params: mcp.ElicitationParams{Message: message, RequestedSchema: schema}})
		if err != nil {
			return mcp.NewToolResultError("elicitation failed: " + err.Error()), nil
		}
		b, _ := json.Marshal(res.Content)
		return result(confText(fmt.Sprintf("Elicitation completed: action=%s, content=%s", res.Action, b))), nil
	}
	str := func(description string) map[string]any {
		return map[string]any{"type": "string", "description": description}
	}
	s.AddTool(confTool("test_elicitation", "Conformance fixture: asks the user for a username and an email.",
		mcp.WithString("message", mcp.Required(), mcp.Description("What to tell the user"))),
		func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return elicit(ctx, req.GetString("message", ""),
				map[string]any{"username": str("User's response"), "email": str("User's email address")}, "username", "email")
		})
	s.AddTool(confTool("test_elicitation_sep1034_defaults", "Conformance fixture: elicitation whose fields have defaults (SEP-1034)."),
		func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return elicit(ctx, "Please review and update the form fields with defaults", map[string]any{
				"name":     map[string]any{"type": "string", "description": "User name", "default": "John Doe"},
				"age":      map[string]any{"type": "integer", "description": "User age", "default": 30},
				"score":    map[string]any{"type": "number", "description": "User score", "default": 95.5},
				"status":   map[string]any{"type": "string", "description": "User status", "enum": []string{"active", "inactive", "pending"}, "default": "active"},
				"verified": map[string]any{"type": "boolean", "description": "Verification status", "default": true},
			})
		})
	choices := func(kv ...string) []any {
		out := make([]any, 0, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			out = append(out, map[string]any{"const": kv[i], "title": kv[i+1]})
		}
		return out
	}
	s.AddTool(confTool("test_elicitation_sep1330_enums", "Conformance fixture: elicitation with the five enum forms (SEP-1330)."),
		func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return elicit(ctx, "Please select options from the enum fields", map[string]any{
				"untitledSingle": map[string]any{"type": "string", "description": "Select one option", "enum": []string{"option1", "option2", "option3"}},
				"titledSingle": map[string]any{"type": "string", "description": "Select one option with titles",
					"oneOf": choices("value1", "First Option", "value2", "Second Option", "value3", "Third Option")},
				"legacyEnum": map[string]any{"type": "string", "description": "Select one option (legacy)",
					"enum": []string{"opt1", "opt2", "opt3"}, "enumNames": []string{"Option One", "Option Two", "Option Three"}},
				"untitledMulti": map[string]any{"type": "array", "description": "Select multiple options",
					"items": map[string]any{"type": "string", "enum": []string{"option1", "option2", "option3"}}},
				"titledMulti": map[string]any{"type": "array", "description": "Select multiple options with titles",
					"items": map[string]any{"anyOf": choices("value1", "First Choice", "value2", "Second Choice", "value3", "Third Choice")}},
			})
		})
	schema2020 := confTool("json_schema_2020_12_tool", "Conformance fixture: a JSON Schema 2020-12 input schema.")
	schema2020.InputSchema = mcp.ToolInputSchema{}
	schema2020.RawInputSchema = json.RawMessage(`{
		"$schema": "https://json-schema.org/draft/2020-12/schema",
		"type": "object",
		"$defs": {"address": {"type": "object", "properties": {"street": {"type": "string"}, "city": {"type": "string"}}}},
		"properties": {"name": {"type": "string"}, "address": {"$ref": "#/$defs/address"}},
		"additionalProperties": false
	}`)
	s.AddTool(schema2020, func(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		b, _ := json.Marshal(req.GetArguments())
		return result(confText("Received: " + string(b))), nil
	})

	// resources
	textResource := func(uri, name, description, mime, text string) {
		s.AddResource(mcp.NewResource(uri, name, mcp.WithResourceDescription(description), mcp.WithMIMEType(mime)),
			func(context.Context, mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
				return []mcp.ResourceContents{mcp.TextResourceContents{URI: uri, MIMEType: mime, Text: text}}, nil
			})
	}
	textResource("test://static-text", "static-text", "Conformance fixture: a static text resource.", "text/plain",
		"This is the content of the static text resource.")
	textResource("test://watched-resource", "watched-resource", "Conformance fixture: a resource clients subscribe to.", "text/plain",
		"Watched resource content.")
	s.AddResource(mcp.NewResource("test://static-binary", "static-binary",
		mcp.WithResourceDescription("Conformance fixture: a static PNG resource."), mcp.WithMIMEType("image/png")),
		func(context.Context, mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
			return []mcp.ResourceContents{mcp.BlobResourceContents{URI: "test://static-binary", MIMEType: "image/png", Blob: confPNG}}, nil
		})
	s.AddResourceTemplate(mcp.NewResourceTemplate("test://template/{id}/data", "template-data",
		mcp.WithTemplateDescription("Conformance fixture: a resource per id."), mcp.WithTemplateMIMEType("application/json")),
		func(_ context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
			id := strings.TrimSuffix(strings.TrimPrefix(req.Params.URI, "test://template/"), "/data")
			b, _ := json.Marshal(map[string]any{"id": id, "templateTest": true, "data": "Data for ID: " + id})
			return []mcp.ResourceContents{mcp.TextResourceContents{URI: req.Params.URI, MIMEType: "application/json", Text: string(b)}}, nil
		})

	// prompts
	message := func(c mcp.Content) mcp.PromptMessage { return mcp.PromptMessage{Role: mcp.RoleUser, Content: c} }
	s.AddPrompt(mcp.NewPrompt("test_simple_prompt", mcp.WithPromptDescription("Conformance fixture: a prompt without arguments.")),
		func(context.Context, mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
			return &mcp.GetPromptResult{Messages: []mcp.PromptMessage{message(confText("This is a simple prompt for testing."))}}, nil
		})
	s.AddPrompt(mcp.NewPrompt("test_prompt_with_arguments", mcp.WithPromptDescription("Conformance fixture: a prompt with two arguments."),
		mcp.WithArgument("arg1", mcp.ArgumentDescription("First test argument"), mcp.RequiredArgument()),
		mcp.WithArgument("arg2", mcp.ArgumentDescription("Second test argument"), mcp.RequiredArgument())),
		func(_ context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
			a := req.Params.Arguments
			return &mcp.GetPromptResult{Messages: []mcp.PromptMessage{
				message(confText(fmt.Sprintf("Prompt with arguments: arg1='%s', arg2='%s'", a["arg1"], a["arg2"]))),
			}}, nil
		})
	s.AddPrompt(mcp.NewPrompt("test_prompt_with_embedded_resource", mcp.WithPromptDescription("Conformance fixture: a prompt embedding a resource."),
		mcp.WithArgument("resourceUri", mcp.ArgumentDescription("URI of the resource to embed"), mcp.RequiredArgument())),
		func(_ context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
			return &mcp.GetPromptResult{Messages: []mcp.PromptMessage{
				message(mcp.NewEmbeddedResource(mcp.TextResourceContents{URI: req.Params.Arguments["resourceUri"], MIMEType: "text/plain",
					Text: "Embedded resource content for testing."})),
				message(confText("Please process the embedded resource above.")),
			}}, nil
		})
	s.AddPrompt(mcp.NewPrompt("test_prompt_with_image", mcp.WithPromptDescription("Conformance fixture: a prompt with an image.")),
		func(context.Context, mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
			return &mcp.GetPromptResult{Messages: []mcp.PromptMessage{
				message(mcp.NewImageContent(confPNG, "image/png")),
				message(confText("Please analyze the image above.")),
			}}, nil
		})
}

// confNoServerRequests says why this request cannot carry a server-initiated
// request (sampling/createMessage, elicitation/create), or "". Over
// stateless streamable HTTP a 2025-11-25 client posts its answer without an
// Mcp-Session-Id, and mcp-go refuses it ("missing session ID"): the call
// would wait until the client times out (60 s in the suite). Answering at
// once keeps the stateless run of the suite fast; the scenario still fails,
// as it must ("Server did not request sampling from client").
func confNoServerRequests(ctx context.Context) string {
	if server.IsModernRequest(ctx) {
		return "" // mcp-go answers with its own error: 2026-07-28 has no server-initiated requests
	}
	if s := server.ClientSessionFromContext(ctx); s != nil && s.SessionID() == "" {
		return "this server serves stateless streamable HTTP: a server-initiated request needs a session " +
			"(run the conformance build with MCP_CONFORMANCE_SESSIONS=stateful)"
	}
	return ""
}

// confLogWanted reports whether a log notification at level reaches the client
// of this request: mcp-go drops it silently otherwise.
func confLogWanted(ctx context.Context, level mcp.LoggingLevel) bool {
	if info := server.RequestProtocolInfoFromContext(ctx); info != nil && info.Modern {
		return info.LogLevel != "" && level.ShouldSendTo(info.LogLevel)
	}
	if s, ok := server.ClientSessionFromContext(ctx).(server.SessionWithLogging); ok {
		return level.ShouldSendTo(s.GetLogLevel())
	}
	return false
}

// The logging and progress fixtures must not return before their
// notifications are written: mcp-go v1.2.1's streamable HTTP can drop the
// last notification of a request that returns while it is being forwarded
// (tools/diff_progress.go explains the race; the product's tools wait
// through tools.NotifyTracker, whose wait is internal to package tools). The
// fixtures do the same with their own counter: confCountNotifications counts
// the notifications written to the client, on the POST's own SSE stream or,
// with sessions, on the session's GET stream (where mcp-go sends them when
// one is open), and confAwaitWritten waits, bounded, until the tool's are out.

type confNotifyCounter struct {
	mu      sync.Mutex
	written int
	wake    chan struct{}
}

type confNotifyCounterKey struct{}

// confSessionCounters are the counters of sessions (stateful mode only).
var confSessionCounters sync.Map // Mcp-Session-Id → *confNotifyCounter

func confCountNotifications(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := w.(http.Flusher); !ok || (r.Method != http.MethodPost && r.Method != http.MethodGet) {
			h.ServeHTTP(w, r)
			return
		}
		c := &confNotifyCounter{wake: make(chan struct{})}
		if id := r.Header.Get("Mcp-Session-Id"); id != "" {
			v, _ := confSessionCounters.LoadOrStore(id, c)
			c = v.(*confNotifyCounter)
		}
		h.ServeHTTP(&confCountingWriter{ResponseWriter: w, c: c}, r.WithContext(context.WithValue(r.Context(), confNotifyCounterKey{}, c)))
	})
}

type confCountingWriter struct {
	http.ResponseWriter
	c *confNotifyCounter
}

func (w *confCountingWriter) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	if err == nil && bytes.HasPrefix(p, []byte("event: message")) && bytes.Contains(p, []byte(`"method":"notifications/`)) {
		w.c.mu.Lock()
		w.c.written++
		close(w.c.wake)
		w.c.wake = make(chan struct{})
		w.c.mu.Unlock()
	}
	return n, err
}

func (w *confCountingWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *confCountingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// confWritten returns how many notifications were written so far to the
// client of this request, and its counter (nil over stdio or in-process).
func confWritten(ctx context.Context) (int, *confNotifyCounter) {
	c, _ := ctx.Value(confNotifyCounterKey{}).(*confNotifyCounter)
	if c == nil {
		return 0, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.written, c
}

// confAwaitWritten waits until the count of written notifications reaches
// from+n, for at most two seconds; without a counter it returns at once.
func confAwaitWritten(ctx context.Context, from, n int) {
	_, c := confWritten(ctx)
	if c == nil || n == 0 {
		return
	}
	limit := time.NewTimer(2 * time.Second)
	defer limit.Stop()
	for {
		c.mu.Lock()
		done, wake := c.written >= from+n, c.wake
		c.mu.Unlock()
		if done {
			return
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return
		case <-limit.C:
			return
		}
	}
}
