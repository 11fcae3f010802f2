package live

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/datastack-mcp/datastack-mcp/evals"
)

// fixture is a recorded Messages API exchange: the requests the runner
// must send, in order, and the answers to replay.
type fixture struct {
	Comment string `json:"comment"`
	Task    string `json:"task"`
	Model   string `json:"model"`
	Mode    string `json:"mode"`
	Expect  struct {
		Success      bool     `json:"success"`
		Calls        []string `json:"calls"`
		Turns        int      `json:"turns"`
		InputTokens  int      `json:"input_tokens"`
		OutputTokens int      `json:"output_tokens"`
	} `json:"expect"`
	Exchanges []struct {
		Request struct {
			Method  string            `json:"method"`
			Path    string            `json:"path"`
			Headers map[string]string `json:"headers"`
			Body    []evals.Assert    `json:"body"`
		} `json:"request"`
		Response struct {
			Status  int               `json:"status"`
			Headers map[string]string `json:"headers"`
			Body    json.RawMessage   `json:"body"`
		} `json:"response"`
	} `json:"exchanges"`
}

const testKey = "sk-ant-test-key"

// TestRecordedExchanges runs tasks against an httptest server that replays
// each fixture in testdata: the runner's requests must match the recorded
// ones (method, path, headers, body assertions), the tool calls must reach
// the sandbox through MCP, and the score must be as recorded.
func TestRecordedExchanges(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	tasks, err := evals.Load("")
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*evals.Task{}
	for _, task := range tasks {
		byID[task.ID] = task
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var fx fixture
			dec := json.NewDecoder(strings.NewReader(string(data)))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&fx); err != nil {
				t.Fatal(err)
			}
			task := byID[fx.Task]
			if task == nil {
				t.Fatalf("fixture names unknown task %q", fx.Task)
			}
			var mu sync.Mutex
			next := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= len(fx.Exchanges) {
					t.Errorf("request %d: the fixture has only %d exchanges", i, len(fx.Exchanges))
					http.Error(w, `{"type":"error","error":{"type":"api_error","message":"unexpected request"}}`, http.StatusInternalServerError)
					return
				}
				ex := fx.Exchanges[i]
				if r.Method != ex.Request.Method || r.URL.Path != ex.Request.Path {
					t.Errorf("request %d: got %s %s, want %s %s", i, r.Method, r.URL.Path, ex.Request.Method, ex.Request.Path)
				}
				for k, v := range ex.Request.Headers {
					if got := r.Header.Get(k); got != v {
						t.Errorf("request %d: header %s is %q, want %q", i, k, got, v)
					}
				}
				body, _ := io.ReadAll(r.Body)
				if !json.Valid(body) {
					t.Errorf("request %d: body is not JSON", i)
				}
				for _, a := range ex.Request.Body {
					if ok, why := a.Holds(string(body)); !ok {
						t.Errorf("request %d: body: %s", i, why)
					}
				}
				for k, v := range ex.Response.Headers {
					w.Header().Set(k, v)
				}
				w.WriteHeader(ex.Response.Status)
				_, _ = w.Write(ex.Response.Body)
			}))
			defer srv.Close()

			var slept []time.Duration
			c := &Client{APIKey: testKey, BaseURL: srv.URL, Sleep: func(d time.Duration) { slept = append(slept, d) }}
			res := Run(context.Background(), c, task, Options{Model: fx.Model, Discovery: fx.Mode == "discovery"})
			if next != len(fx.Exchanges) {
				t.Errorf("the runner sent %d requests, the fixture records %d", next, len(fx.Exchanges))
			}
			if res.Error != "" {
				t.Errorf("run error: %s", res.Error)
			}
			var calls []string
			for _, call := range res.Calls {
				calls = append(calls, call.Tool)
				if call.IsError {
					t.Errorf("tool call %s failed", call.Tool)
				}
			}
			if strings.Join(calls, ",") != strings.Join(fx.Expect.Calls, ",") {
				t.Errorf("tool calls %v, want %v", calls, fx.Expect.Calls)
			}
			if res.Success != fx.Expect.Success {
				t.Errorf("success %v, want %v (%s)", res.Success, fx.Expect.Success, Line(res))
			}
			if res.Turns != fx.Expect.Turns {
				t.Errorf("turns %d, want %d", res.Turns, fx.Expect.Turns)
			}
			if res.Usage.InputTokens != fx.Expect.InputTokens || res.Usage.OutputTokens != fx.Expect.OutputTokens {
				t.Errorf("usage %+v, want %d input and %d output tokens", res.Usage, fx.Expect.InputTokens, fx.Expect.OutputTokens)
			}
			for _, d := range slept {
				if d != 0 {
					t.Errorf("waited %s before a retry, want retry-after's 0s", d)
				}
			}
			table := Table([]Result{res})
			if !strings.Contains(table, task.Provider) {
				t.Errorf("table lacks the provider row:\n%s", table)
			}
			t.Logf("%s\n%s", Line(res), table)
		})
	}
}

// TestClientErrors: an answer that retrying cannot fix is returned at once
// as an APIError; a missing key never reaches the network.
func TestClientErrors(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}`))
	}))
	defer srv.Close()
	c := &Client{APIKey: "wrong", BaseURL: srv.URL, Sleep: func(time.Duration) {}}
	_, err := c.Create(context.Background(), &Request{Model: "m", MaxTokens: 1})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 401 || apiErr.Type != "authentication_error" {
		t.Errorf("got %v, want a 401 authentication_error", err)
	}
	if calls != 1 {
		t.Errorf("sent %d requests, want 1 (no retry of a 401)", calls)
	}
	if _, err := (&Client{BaseURL: srv.URL}).Create(context.Background(), &Request{}); err == nil || calls != 1 {
		t.Errorf("without a key got %v after %d requests, want an error and no request", err, calls)
	}
}

// TestScore checks the scoring rules on hand-made runs.
func TestScore(t *testing.T) {
	task := &evals.Task{ID: "t", Provider: "datafold", Tools: []string{"datafold_run_sql_query"},
		Args:  map[string][]evals.Assert{"datafold_run_sql_query": {{Path: "data_source_id", Equals: 1.0}}},
		Facts: []string{"125430", "prod|production"}}
	cases := []struct {
		name  string
		res   Result
		check func(Result) bool
	}{
		{"success", Result{Answer: "Prod has 125,430 orders.", Calls: []Call{{Tool: "datafold_run_sql_query", Target: "datafold_run_sql_query", Arguments: map[string]any{"data_source_id": 1.0}}}},
			func(r Result) bool { return r.Success && r.Routed && r.ArgsOK && r.AnswerOK }},
		{"wrong arguments", Result{Answer: "Prod has 125430 orders.", Calls: []Call{{Tool: "datafold_run_sql_query", Target: "datafold_run_sql_query", Arguments: map[string]any{"data_source_id": 2.0}}}},
			func(r Result) bool { return !r.Success && r.Routed && !r.ArgsOK }},
		{"through call_tool", Result{Answer: "production: 125430", Calls: []Call{{Tool: "call_tool", Target: "datafold_run_sql_query", Arguments: map[string]any{"name": "datafold_run_sql_query", "arguments": map[string]any{"data_source_id": 1.0}}}}},
			func(r Result) bool { return r.Success }},
		{"fact missing", Result{Answer: "Prod has many orders.", Calls: []Call{{Tool: "datafold_run_sql_query", Target: "datafold_run_sql_query", Arguments: map[string]any{"data_source_id": 1.0}}}},
			func(r Result) bool { return !r.Success && !r.AnswerOK && len(r.Missing) == 1 }},
		{"failed call", Result{Answer: "Prod has 125430 orders.", Calls: []Call{{Tool: "datafold_run_sql_query", Target: "datafold_run_sql_query", IsError: true, Arguments: map[string]any{"data_source_id": 1.0}}}},
			func(r Result) bool { return !r.Success && r.Routed && !r.ArgsOK }},
	}
	for _, tc := range cases {
		res := tc.res
		Score(task, &res)
		if !tc.check(res) {
			t.Errorf("%s: got %+v", tc.name, res)
		}
	}
}
