package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/datastack-mcp/datastack-mcp/internal/mcpgo"
)

// fixtures is nil in the product. Only a test-only build sets it, in
// init(): `go build -tags conformance` compiles fixtures_conformance.go,
// which adds the tools, resources and prompts the official conformance
// suite calls by name (never part of the product's tool list).
var fixtures *fixtureHooks

type fixtureHooks struct {
	extra       *mcpgo.Extra                    // tools, resources and prompts the suite calls, after the product's
	httpOptions []server.StreamableHTTPOption   // after the product's transport options
	wrapMCP     func(http.Handler) http.Handler // around mcp-go's handler, inside the product's layers
}

// extraOrNil is what the test-only build adds to the server, nil in the
// product.
func (h *fixtureHooks) extraOrNil() *mcpgo.Extra {
	if h == nil {
		return nil
	}
	return h.extra
}

// serveStdio speaks MCP on stdin/stdout until stdin closes or ctx ends.
// afterFirst, when given, runs once the first message has been written.
func serveStdio(ctx context.Context, s *server.MCPServer, logger *slog.Logger, afterFirst ...func()) error {
	stdio := server.NewStdioServer(s)
	stdio.SetErrorLogger(slog.NewLogLogger(logger.Handler(), slog.LevelError))
	// Progress before results (progress.go); error codes and messages
	// mcp-go cannot give (internal/mcpgo/errors.go).
	var out io.Writer = mcpgo.ErrorWriter(os.Stdout)
	if len(afterFirst) > 0 {
		out = &firstWrite{w: out, then: afterFirst[0]}
	}
	err := stdio.Listen(ctx, os.Stdin, trackStdio(stdio, out))
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, os.ErrClosed) {
		return nil
	}
	return err
}

// serveHTTP serves stateless streamable HTTP at /mcp and a health check
// at /healthz until ctx ends, then lets in-flight requests finish.
// hopts (at most one) secure the endpoint; without, the local defaults of
// httpsec.go apply.
func serveHTTP(ctx context.Context, s *server.MCPServer, addr string, logger *slog.Logger, hopts ...httpOptions) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	return serveHTTPOn(ctx, s, ln, logger, hopts...)
}

func serveHTTPOn(ctx context.Context, s *server.MCPServer, ln net.Listener, logger *slog.Logger, hopts ...httpOptions) error {
	var hopt httpOptions
	if len(hopts) > 0 {
		hopt = hopts[0]
	}
	mux := http.NewServeMux()
	httpSrv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	httpOpts := []server.StreamableHTTPOption{
		server.WithStateLess(true),
		// No standalone GET stream (405, which clients take as "none"):
		// stateless, every GET would share the session id "" and receive
		// the notifications of every other client's calls (eras_test.go).
		server.WithDisableStreaming(true),
		server.WithEndpointPath("/mcp"),
		server.WithStreamableHTTPServer(httpSrv),
		server.WithStreamableHTTPLogger(mcpgo.HTTPLogger(logger)), // its per-connection chatter at debug
		server.WithHTTPContextFunc(requestPolicyContext),
	}
	var mcpHandler http.Handler
	if fixtures != nil { // test-only build (see fixtures)
		mcpHandler = fixtures.wrapMCP(server.NewStreamableHTTPServer(s, append(httpOpts, fixtures.httpOptions...)...))
	} else {
		mcpHandler = server.NewStreamableHTTPServer(s, httpOpts...)
	}
	mcpHandler = mcpgo.ErrorHandler(mcpHandler)                          // error codes and messages mcp-go cannot give (internal/mcpgo/errors.go)
	mux.Handle("/mcp", narrowingHeaders(trackNotifications(mcpHandler))) // 400 for narrowing headers that do not parse (selection.go); progress before results (progress.go)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
	// Origin, bearer token, body cap and team-mode credentials in front of
	// /mcp; a log record for every request (httpsec.go, reqlog.go).
	httpSrv.Handler = secureRoutes(mux, hopt, logger, ln.Addr())
	logger.Info("serving MCP over streamable HTTP", "url", "http://"+ln.Addr().String()+"/mcp")
	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down; waiting for in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := httpSrv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// firstWrite runs then after its first write.
type firstWrite struct {
	w    io.Writer
	then func()
	once sync.Once
}

func (f *firstWrite) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	f.once.Do(f.then)
	return n, err
}
