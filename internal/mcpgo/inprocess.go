package mcpgo

import (
	"context"
	"encoding/json"

	mcpclient "github.com/mark3labs/mcp-go/client"
	mcptransport "github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/server"
)

// InProcessTransport is mcp-go's in-process transport to s, with error
// responses carrying the codes and messages errors.go gives them, as the
// stdio and streamable HTTP writers (fixwriter.go) apply them: the evals
// and tests that drive the server in process see what a client over the
// wire sees (-32602 for a missing prompt argument or malformed params, the
// resource-not-found code for a URI that names nothing), not mcp-go's own
// codes.
func InProcessTransport(s *server.MCPServer) mcptransport.Interface {
	return &inProcessFixer{InProcessTransport: mcptransport.NewInProcessTransport(s)}
}

// NewInProcessClient is mcp-go's NewInProcessClient over
// InProcessTransport. Start and initialize it as any client.
func NewInProcessClient(s *server.MCPServer) *mcpclient.Client {
	return mcpclient.NewClient(InProcessTransport(s))
}

// inProcessFixer applies the fixes to the responses of the in-process
// transport it wraps; everything else is the transport's own.
type inProcessFixer struct {
	*mcptransport.InProcessTransport
}

func (f *inProcessFixer) SendRequest(ctx context.Context, req mcptransport.JSONRPCRequest) (*mcptransport.JSONRPCResponse, error) {
	resp, err := f.InProcessTransport.SendRequest(ctx, req)
	if err != nil || resp == nil || resp.Error == nil || !fixes.any() {
		return resp, err
	}
	// The fix is applied to the message as it would be written, by the
	// same code as over the wire.
	raw, err := json.Marshal(resp)
	if err != nil {
		return resp, nil
	}
	fixed, _, ok := fixMessage(raw)
	if !ok {
		return resp, nil
	}
	var out mcptransport.JSONRPCResponse
	if json.Unmarshal(fixed, &out) != nil {
		return resp, nil
	}
	return &out, nil
}
