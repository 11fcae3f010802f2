package evals

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
)

// TestServerProtocolErrors: the evals' in-process client gets the
// protocol errors a client over stdio or HTTP gets (internal/mcpgo's
// fixes), not mcp-go's internal error.
func TestServerProtocolErrors(t *testing.T) {
	ctx := context.Background()
	s, err := NewServer(ctx, ServerOptions{Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	prompt := mcp.GetPromptRequest{}
	prompt.Params.Name = "review_data_diff"
	_, err = s.Client.GetPrompt(ctx, prompt)
	if !errors.Is(err, mcp.ErrInvalidParams) || !strings.Contains(err.Error(), "table argument is required") {
		t.Errorf("prompts/get without its required argument got %v, want invalid params (-32602) naming the argument", err)
	}

	read := mcp.ReadResourceRequest{}
	read.Params.URI = "datastack://nothing/here"
	_, err = s.Client.ReadResource(ctx, read)
	// In protocol 2026-07-28 (the client's) resource not found is -32602.
	if !errors.Is(err, mcp.ErrInvalidParams) || !strings.Contains(err.Error(), "resources/templates/list") {
		t.Errorf("resources/read of a URI that names nothing got %v, want resource not found pointing at resources/templates/list", err)
	}
}
