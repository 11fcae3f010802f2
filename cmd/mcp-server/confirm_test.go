package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/datastack-mcp/datastack-mcp/tools/diff"

	"github.com/datastack-mcp/datastack-mcp/internal/mcpgo"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/client/sandbox"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

// user answers elicitations like a person would: it reads the question
// and accepts or declines.
type user struct {
	mu        sync.Mutex
	accept    bool
	questions []string
}

func (u *user) Elicit(_ context.Context, req mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.questions = append(u.questions, req.Params.Message)
	if !u.accept {
		return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionDecline}}, nil
	}
	return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionAccept, Content: map[string]any{"confirm": true}}}, nil
}

func (u *user) asked() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.questions...)
}

// deletes counts the DELETE requests the sandbox received.
type deletes struct {
	mu sync.Mutex
	n  int
}

func watchDeletes(a *assembled) *deletes {
	d := &deletes{}
	a.sandbox.Observe(func(e sandbox.Exchange) {
		if e.Method == http.MethodDelete {
			d.mu.Lock()
			d.n++
			d.mu.Unlock()
		}
	})
	return d
}

func (d *deletes) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.n
}

// deleteSpace are arguments of lightdash_delete_space for a space of the
// demo stack.
func deleteSpace() map[string]any {
	ex := sandbox.Examples()["lightdash"]
	return map[string]any{"projectUuid": ex["projectUuid"], "spaceUuid": ex["spaceUuid"]}
}

func call(t *testing.T, c *mcpclient.Client, name string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	res, err := callWithProgress(context.Background(), c, name, args, "")
	if err != nil {
		t.Fatalf("%s: protocol error %v, want a result", name, err)
	}
	return res
}

// TestConfirmByArgument: a client without elicitation gets a preview, and
// nothing is deleted until the call is repeated with confirm: true.
func TestConfirmByArgument(t *testing.T) {
	a := diffServer(t, selection{}, time.Second)
	seen := watchDeletes(a)
	c := inProcessClient(t, a, mcp.LATEST_PROTOCOL_VERSION)
	args := deleteSpace()
	res := call(t, c, "lightdash_delete_space", args)
	if !res.IsError || seen.count() != 0 {
		t.Fatalf("unconfirmed delete got isError=%v with %d DELETEs sent: %s", res.IsError, seen.count(), mcpgo.Text(res))
	}
	for _, w := range []string{"Not done", "deletes", "DELETE /api/v1/projects/" + args["projectUuid"].(string) + "/spaces/" + args["spaceUuid"].(string), `"confirm": true`} {
		if !strings.Contains(mcpgo.Text(res), w) {
			t.Errorf("refusal lacks %q: %s", w, mcpgo.Text(res))
		}
	}
	args["confirm"] = true
	if res := call(t, c, "lightdash_delete_space", args); res.IsError || seen.count() != 1 {
		t.Fatalf("confirmed delete got isError=%v, %d DELETEs: %s", res.IsError, seen.count(), mcpgo.Text(res))
	}
}

// TestConfirmByRoundTrip: a 2026-07-28 client with elicitation gets an
// input_required result; the user's answer on the retry decides.
func TestConfirmByRoundTrip(t *testing.T) {
	for _, accept := range []bool{true, false} {
		a := diffServer(t, selection{}, time.Second)
		seen := watchDeletes(a)
		u := &user{accept: accept}
		c := inProcessClient(t, a, mcp.LATEST_PROTOCOL_VERSION, mcpclient.WithElicitationHandler(u))
		args := deleteSpace()
		args["confirm"] = true // not enough: the user is asked
		res := call(t, c, "lightdash_delete_space", args)
		if len(u.asked()) != 1 || !strings.Contains(u.asked()[0], "DELETE /api/v1/projects/") {
			t.Fatalf("user was asked %q, want one question previewing the DELETE", u.asked())
		}
		if accept && (res.IsError || seen.count() != 1) {
			t.Errorf("accepted: isError=%v, %d DELETEs: %s", res.IsError, seen.count(), mcpgo.Text(res))
		}
		if !accept && (!res.IsError || seen.count() != 0 || !strings.Contains(mcpgo.Text(res), "declined")) {
			t.Errorf("declined: isError=%v, %d DELETEs: %s", res.IsError, seen.count(), mcpgo.Text(res))
		}
	}
}

// wire records the JSON-RPC bodies a client exchanges over HTTP.
type wire struct {
	mu       sync.Mutex
	requests []string
	answers  []string
}

func (w *wire) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(answer))
	w.mu.Lock()
	w.requests = append(w.requests, string(body))
	w.answers = append(w.answers, string(answer))
	w.mu.Unlock()
	return resp, nil
}

// TestConfirmRoundTripOnTheWire checks the multi round-trip exchange over
// HTTP: the first tools/call answers input_required, the retry carries
// the user's answer, and the delete happens only then.
func TestConfirmRoundTripOnTheWire(t *testing.T) {
	a := diffServer(t, selection{}, time.Second)
	seen := watchDeletes(a)
	url := serveOn(t, a)
	w := &wire{}
	tr, err := transport.NewStreamableHTTP(url, transport.WithHTTPBasicClient(&http.Client{Transport: w}))
	if err != nil {
		t.Fatal(err)
	}
	u := &user{accept: true}
	c := mcpclient.NewClient(tr, mcpclient.WithElicitationHandler(u))
	t.Cleanup(func() { _ = c.Close() })
	initialize(t, c, mcp.LATEST_PROTOCOL_VERSION)
	res := call(t, c, "lightdash_delete_space", deleteSpace())
	if res.IsError || seen.count() != 1 {
		t.Fatalf("got isError=%v, %d DELETEs: %s", res.IsError, seen.count(), mcpgo.Text(res))
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var calls []int
	for i, body := range w.requests {
		if strings.Contains(body, `"tools/call"`) {
			calls = append(calls, i)
		}
	}
	if len(calls) != 2 {
		t.Fatalf("got %d tools/call requests, want the call and its retry", len(calls))
	}
	first, retry := calls[0], calls[1]
	if !strings.Contains(w.answers[first], `"resultType":"input_required"`) || !strings.Contains(w.answers[first], `"elicitation/create"`) || !strings.Contains(w.answers[first], `"requestState"`) {
		t.Errorf("first answer is not input_required with an elicitation: %s", w.answers[first])
	}
	if !strings.Contains(w.requests[retry], `"inputResponses"`) || !strings.Contains(w.requests[retry], `"accept"`) {
		t.Errorf("retry does not carry the answer: %s", w.requests[retry])
	}
}

// TestConfirmByElicitation: a 2025-11-25 client whose session declared
// elicitation is asked with elicitation/create.
func TestConfirmByElicitation(t *testing.T) {
	for _, accept := range []bool{true, false} {
		a := diffServer(t, selection{}, time.Second)
		seen := watchDeletes(a)
		u := &user{accept: accept}
		c := inProcessClient(t, a, mcp.LATEST_LEGACY_PROTOCOL_VERSION, mcpclient.WithElicitationHandler(u))
		res := call(t, c, "lightdash_delete_space", deleteSpace())
		if len(u.asked()) != 1 {
			t.Fatalf("user was asked %d times, want once", len(u.asked()))
		}
		if accept != !res.IsError || seen.count() != map[bool]int{true: 1, false: 0}[accept] {
			t.Errorf("accept=%v: isError=%v, %d DELETEs: %s", accept, res.IsError, seen.count(), mcpgo.Text(res))
		}
	}
}

// TestReadOnlyQueriesRunAtOnce: plain read-only SQL asks nobody; other SQL
// is confirmed like any risky call.
func TestReadOnlyQueriesRunAtOnce(t *testing.T) {
	a := diffServer(t, selection{}, time.Second)
	u := &user{accept: false}
	c := inProcessClient(t, a, mcp.LATEST_PROTOCOL_VERSION, mcpclient.WithElicitationHandler(u))
	res := call(t, c, "datafold_run_sql_query", map[string]any{"data_source_id": 1, "query": "SELECT order_id, amount FROM ANALYTICS.MARTS.fct_orders LIMIT 3"})
	if res.IsError || len(u.asked()) != 0 {
		t.Fatalf("read-only query got isError=%v after %d questions: %s", res.IsError, len(u.asked()), mcpgo.Text(res))
	}
	res = call(t, c, "datafold_run_sql_query", map[string]any{"data_source_id": 1, "query": "DELETE FROM ANALYTICS.MARTS.fct_orders"})
	if !res.IsError || len(u.asked()) != 1 || !strings.Contains(u.asked()[0], "DELETE FROM ANALYTICS.MARTS.fct_orders") {
		t.Errorf("write query got isError=%v, questions %q", res.IsError, u.asked())
	}
}

// TestConfirmThroughCallTool: discovery mode confirms the same way.
func TestConfirmThroughCallTool(t *testing.T) {
	a := diffServer(t, selection{mode: modeDiscovery}, time.Second)
	seen := watchDeletes(a)
	c := inProcessClient(t, a, mcp.LATEST_PROTOCOL_VERSION)
	args := deleteSpace()
	res := call(t, c, "call_tool", map[string]any{"name": "lightdash_delete_space", "arguments": args})
	if !res.IsError || seen.count() != 0 || !strings.Contains(mcpgo.Text(res), "Not done") {
		t.Fatalf("unconfirmed call_tool got isError=%v, %d DELETEs: %s", res.IsError, seen.count(), mcpgo.Text(res))
	}
	args["confirm"] = true
	if res := call(t, c, "call_tool", map[string]any{"name": "lightdash_delete_space", "arguments": args}); res.IsError || seen.count() != 1 {
		t.Fatalf("confirmed call_tool got isError=%v, %d DELETEs: %s", res.IsError, seen.count(), mcpgo.Text(res))
	}
}

// TestReadOnlyHidesConfirmingTools: --read-only offers none of them, and
// get_diff_result but not diff_tables.
func TestReadOnlyHidesConfirmingTools(t *testing.T) {
	a := diffServer(t, selection{policy: tools.Policy{ReadOnly: true}}, time.Second)
	c := inProcessClient(t, a, mcp.LATEST_PROTOCOL_VERSION)
	names := map[string]bool{}
	for _, n := range listNames(t, c) {
		names[n] = true
	}
	all, err := tools.All()
	if err != nil {
		t.Fatal(err)
	}
	for _, ct := range tools.ConfirmingTools(all) {
		if names[ct.Name] {
			t.Errorf("%s (%s) is offered under --read-only", ct.Name, ct.Reason)
		}
	}
	if names[diff.TablesName] || !names[diff.GetResultName] {
		t.Errorf("read-only: diff_tables offered %v, get_diff_result offered %v; want false, true", names[diff.TablesName], names[diff.GetResultName])
	}
	res, err := callWithProgress(context.Background(), c, "lightdash_delete_space", deleteSpace(), "")
	if err == nil && !res.IsError {
		t.Error("a hidden delete tool could be called")
	}
}

// TestStdioBinaryDiffAndConfirm speaks to the real binary over stdio: get_diff_result
// with a progress token (its one notification precedes the result), and
// a 2025-11-25 client with elicitation confirming a delete when asked.
// (diff_tables itself runs over the stdio transport in TestDiffOverStdio:
// a created diff takes the sandbox's default 6 s in the binary.)
func TestStdioBinaryDiffAndConfirm(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "mcp-server")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	t.Run("progress", func(t *testing.T) {
		c := mcpclient.NewClient(transport.NewStdio(bin, []string{"MCP_LOG_LEVEL=warn"}, "--sandbox"))
		defer c.Close()
		initialize(t, c, mcp.LATEST_PROTOCOL_VERSION)
		var log progressLog
		log.listen(c)
		res, err := callWithProgress(context.Background(), c, diff.GetResultName, map[string]any{"diff_id": 101}, "binary")
		if err != nil {
			t.Fatal(err)
		}
		checkOrdersVerdict(t, res)
		checkProgress(t, log.of("binary"), 1)
	})
	t.Run("elicitation", func(t *testing.T) {
		u := &user{accept: true}
		c := mcpclient.NewClient(transport.NewStdio(bin, []string{"MCP_LOG_LEVEL=warn"}, "--sandbox"), mcpclient.WithElicitationHandler(u))
		defer c.Close()
		initialize(t, c, mcp.LATEST_LEGACY_PROTOCOL_VERSION)
		res := call(t, c, "lightdash_delete_space", deleteSpace())
		if res.IsError || len(u.asked()) != 1 {
			t.Fatalf("got isError=%v after %d questions: %s", res.IsError, len(u.asked()), mcpgo.Text(res))
		}
		// The space is gone: deleting it again fails upstream (after asking).
		if res := call(t, c, "lightdash_delete_space", deleteSpace()); !res.IsError || !strings.Contains(mcpgo.Text(res), "404") {
			t.Errorf("second delete got %s, want 404", mcpgo.Text(res))
		}
	})
}

// exchanges records the requests the sandbox received, by method and path.
type exchanges struct {
	mu   sync.Mutex
	seen []string
}

func watchExchanges(a *assembled) *exchanges {
	x := &exchanges{}
	a.sandbox.Observe(func(e sandbox.Exchange) {
		x.mu.Lock()
		x.seen = append(x.seen, e.Method+" "+e.Path)
		x.mu.Unlock()
	})
	return x
}

func (x *exchanges) count(substr string) int {
	x.mu.Lock()
	defer x.mu.Unlock()
	n := 0
	for _, s := range x.seen {
		if strings.Contains(s, substr) {
			n++
		}
	}
	return n
}

// TestEffectsDecideReadOnly: what a tool does, not its method, decides
// readOnlyHint, --read-only and confirmation. A POST search stays under
// --read-only; a GET that starts a resync is hidden there and confirms;
// a PATCH that changes a space's access confirms.
func TestEffectsDecideReadOnly(t *testing.T) {
	ro := diffServer(t, selection{policy: tools.Policy{ReadOnly: true}}, time.Second)
	c := inProcessClient(t, ro, mcp.LATEST_PROTOCOL_VERSION)
	listed, err := c.ListTools(context.Background(), mcp.ListToolsRequest{})
	require.NoError(t, err)
	hints := map[string]bool{}
	for _, tool := range listed.Tools {
		hints[tool.Name] = tool.Annotations.ReadOnlyHint != nil && *tool.Annotations.ReadOnlyHint
	}
	for _, tc := range []struct {
		name    string
		offered bool
	}{
		{"pdc_filter_data_sources", true},
		{"pdc_get_data_sources_by_ids", true},
		{"lightdash_compile_query", true},
		{"lightdash_calculate_total_from_query", true},
		{"lightdash_execute_metric_query", true},
		{"lightdash_get_query_results", true},
		{"datafold_sync_bi_integration", false},
		{"lightdash_update_space", false},
		{"lightdash_update_organization_email_domains", false},
	} {
		readOnly, offered := hints[tc.name]
		assert.Equal(t, tc.offered, offered, "--read-only offers %s", tc.name)
		if offered {
			assert.True(t, readOnly, "%s: readOnlyHint got false, want true", tc.name)
		}
	}

	a := diffServer(t, selection{}, time.Second)
	seen := watchExchanges(a)
	full := inProcessClient(t, a, mcp.LATEST_PROTOCOL_VERSION)
	ex := sandbox.Examples()
	for _, tc := range []struct {
		tool, reason, sent string
		args               map[string]any
	}{
		{"datafold_sync_bi_integration", "triggers a sync", "/sync/", map[string]any{"bi_datasource_id": 11}},
		{"lightdash_update_space", "changes access", "PATCH ", map[string]any{
			"projectUuid": ex["lightdash"]["projectUuid"], "spaceUuid": ex["lightdash"]["spaceUuid"], "name": "Finance", "projectMemberAccessRole": "viewer"}},
		{"lightdash_update_organization_email_domains", "changes access", "PATCH ", map[string]any{
			"emailDomains": []any{"example.com"}, "projects": []any{}, "role": "viewer"}},
	} {
		res := call(t, full, tc.tool, tc.args)
		assert.True(t, res.IsError, "%s unconfirmed: got success %s, want a refusal", tc.tool, mcpgo.Text(res))
		assert.Contains(t, mcpgo.Text(res), tc.reason, "%s refusal", tc.tool)
		assert.Zero(t, seen.count(tc.sent), "%s unconfirmed: got %s sent upstream, want nothing", tc.tool, tc.sent)
	}
}

// failingUser declared elicitation but answers every question with an
// error; it records the questions.
type failingUser struct{ user }

func (u *failingUser) Elicit(_ context.Context, req mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.questions = append(u.questions, req.Params.Message)
	return nil, errors.New("this client cannot show forms")
}

// TestElicitationErrorRefuses: a 2025-11-25 client whose session declared
// elicitation but answers the question with an error gets a refusal, even
// with "confirm": true, and nothing is deleted. The question named the
// space.
func TestElicitationErrorRefuses(t *testing.T) {
	a := diffServer(t, selection{}, time.Second)
	seen := watchDeletes(a)
	u := &failingUser{}
	c := inProcessClient(t, a, mcp.LATEST_LEGACY_PROTOCOL_VERSION, mcpclient.WithElicitationHandler(u))
	args := deleteSpace()
	args["confirm"] = true
	res := call(t, c, "lightdash_delete_space", args)
	assert.True(t, res.IsError, "got success %s, want a refusal", mcpgo.Text(res))
	assert.Contains(t, mcpgo.Text(res), "could not ask the user, so nothing was done")
	assert.Zero(t, seen.count(), "DELETEs sent")
	require.Len(t, u.asked(), 1, "questions asked")
	assert.Contains(t, u.asked()[0], `space "Finance"`, "the question names the space")
}

// TestIntegerIdsOverHTTP: an id that JSON decoding would round
// (9007199254740993 becomes …992 as a float64) or 1e23 is refused over the
// wire, and nothing reaches the upstream; 1.0 addresses data source 1.
func TestIntegerIdsOverHTTP(t *testing.T) {
	a := diffServer(t, selection{}, time.Second)
	seen := watchExchanges(a)
	url := serveOn(t, a)
	for _, tc := range []struct {
		id      string
		wantErr bool
		sent    string
	}{
		{"9007199254740993", true, "/data_sources/900719925474099"},
		{"1e23", true, "/data_sources/1000"},
		{"1.0", false, "/api/v1/data_sources/1"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			body := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"datafold_get_data_source","arguments":{"data_source_id":` + tc.id + `}}}`
			req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json, text/event-stream")
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			var out struct {
				Result struct {
					IsError bool `json:"isError"`
					Content []struct {
						Text string `json:"text"`
					} `json:"content"`
				} `json:"result"`
			}
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
			require.NotEmpty(t, out.Result.Content, "tools/call answer")
			text := out.Result.Content[0].Text
			assert.Equal(t, tc.wantErr, out.Result.IsError, "isError: %s", text)
			if tc.wantErr {
				assert.Contains(t, text, "too large to be carried exactly")
				assert.NotContains(t, text, "9007199254740992", "the error quotes a rounded id")
				assert.Zero(t, seen.count(tc.sent), "requests for %s", tc.sent)
				return
			}
			assert.Equal(t, 1, seen.count(tc.sent), "requests for %s", tc.sent)
		})
	}
}
