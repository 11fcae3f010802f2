package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/server"
)

// Fuzzing of JSON-RPC frames on stdio: arbitrary bytes written to the
// server's stdin, as a client (or a broken pipe) might, followed by a valid
// ping. Run with
//
//	go test ./cmd/mcp-server -run '^$' -fuzz FuzzStdioFrames -fuzztime 60s
//
// Without -fuzz, the seeds (testdata/fuzz/FuzzStdioFrames and f.Add below)
// run as a normal test.
//
// What must hold for any input: the server answers the ping that follows
// it; everything it writes to stdout is one JSON-RPC message per line; no
// handler panics (mcp-go and the tool layer recover panics and log them:
// any such log record fails the fuzz); and the session ends cleanly when
// stdin closes.

// fuzzPing is the request sent after the fuzz input; its answer must come.
const fuzzPing = `{"jsonrpc":"2.0","id":"fuzz-ping-after","method":"ping"}`

// fuzzServer is one sandbox server shared by all iterations (assembling it
// takes far longer than an iteration), with a log that collects what the
// server and the stdio transport report.
var fuzzServer struct {
	once sync.Once
	a    *assembled
	logs *logBuffer
	err  error
}

func stdioFuzzServer(t testing.TB) (*server.MCPServer, *logBuffer) {
	fuzzServer.once.Do(func() {
		fuzzServer.logs = &logBuffer{}
		logger := slog.New(slog.NewTextHandler(fuzzServer.logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
		fuzzServer.a, fuzzServer.err = assemble(options{sandbox: true, timeout: 5 * time.Second, getenv: noEnv, logger: logger,
			diffWait: 200 * time.Millisecond, diffPoll: 20 * time.Millisecond})
	})
	if fuzzServer.err != nil {
		t.Fatal(fuzzServer.err)
	}
	return fuzzServer.a.mcp, fuzzServer.logs
}

// panicWords are what the recovering layers log or answer after a panic.
var panicWords = []string{"panic", "failed inside the server (a bug)"}

func FuzzStdioFrames(f *testing.F) {
	for _, seed := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"fuzz","version":"1"}}}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"datafold_get_data_source","arguments":{"data_source_id":1}}}`,
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"datafold_get_data_source","arguments":"not an object"}}`,
		`{"jsonrpc":"2.0","id":{"nested":[1]},"method":"tools/list","params":null}`,
		"{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"resources/read\",\"params\":{\"uri\":\"datafold://../../etc/passwd\"}}\n\n\r\n{",
		`[{"jsonrpc":"2.0","id":5,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"}]`,
		`{"jsonrpc":"2.0","id":6,"result":{"action":"accept","content":{"confirm":true}}}`,
		"\x00\xff\xfe{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"call_tool\"}}",
		`{"jsonrpc":"2.0","id":8,"method":"completion/complete","params":{"ref":{"type":"ref/resource","uri":"lightdash://projects/{projectUuid}"},"argument":{"name":"projectUuid","value":""}}}`,
		`{"jsonrpc":"1.0","id":9,"method":"tools/call","params":{"name":"diff_tables","arguments":{"table":"fct_orders"}}}`,
	} {
		f.Add([]byte(seed))
	}
	mcpServer, logs := stdioFuzzServer(f)
	f.Fuzz(func(t *testing.T, input []byte) {
		before := len(logs.String())
		inR, inW := io.Pipe()
		outR, outW := io.Pipe()
		stdio := server.NewStdioServer(mcpServer)
		stdio.SetErrorLogger(log.New(logs, "stdio: ", 0))
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		listened := make(chan error, 1)
		go func() {
			listened <- stdio.Listen(ctx, inR, trackStdio(stdio, outW))
			outW.Close()
		}()

		// Read every line the server writes; report the ping's answer.
		pong := make(chan struct{})
		var bad []string
		read := make(chan struct{})
		go func() {
			defer close(read)
			r := bufio.NewReader(outR)
			seen := false
			for {
				line, err := r.ReadBytes('\n')
				if len(bytes.TrimSpace(line)) > 0 {
					var msg struct {
						JSONRPC string          `json:"jsonrpc"`
						ID      json.RawMessage `json:"id"`
						Error   *struct {
							Message string `json:"message"`
						} `json:"error"`
					}
					if json.Unmarshal(line, &msg) != nil || msg.JSONRPC != "2.0" {
						bad = append(bad, "stdout line is not a JSON-RPC message: "+string(line))
					} else if msg.Error != nil && strings.Contains(msg.Error.Message, "panic") && !bytes.Contains(input, []byte("panic")) {
						bad = append(bad, "answered with a recovered panic: "+msg.Error.Message)
					} else if string(msg.ID) == `"fuzz-ping-after"` && !seen {
						seen = true
						if msg.Error != nil {
							bad = append(bad, "ping answered with error "+msg.Error.Message)
						}
						close(pong)
					}
				}
				if err != nil {
					return
				}
			}
		}()

		// Write the input, then the ping on a line of its own. A write only
		// fails when the server stopped reading, which the ping check below
		// reports.
		go func() {
			_, _ = inW.Write(input)
			_, _ = inW.Write([]byte("\n" + fuzzPing + "\n"))
		}()
		select {
		case <-pong:
		case <-time.After(10 * time.Second):
			t.Fatalf("input %q: got no answer to the ping that followed within 10s, want one", input)
		}
		inW.Close() // end of stdin: the session ends
		select {
		case err := <-listened:
			if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrClosedPipe) && !errors.Is(err, context.Canceled) {
				t.Errorf("input %q: Listen returned %v, want a clean end at EOF", input, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("input %q: the session did not end within 10s of stdin closing", input)
		}
		<-read
		for _, b := range bad {
			t.Errorf("input %q: %s", input, b)
		}
		if logged := logs.String()[before:]; !bytes.Contains(input, []byte("panic")) {
			for _, w := range panicWords {
				if strings.Contains(logged, w) {
					t.Errorf("input %q: got %q in the log, want no recovered panic", input, bound(logged, 600))
				}
			}
		}
	})
}
