package tools

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/internal/upstreamtest"
)

// TestCallToolNumbersExact: call_tool passes its nested arguments' numbers
// as exactly as a direct call does (TestIntegerArgumentsExact): a number
// wherever any number is allowed reaches the upstream digit for digit, and
// an integer no JSON implementation carries exactly is refused quoting
// what was sent, not a rounded value.
func TestCallToolNumbersExact(t *testing.T) {
	disc, err := DiscoveryTools(mustAll(t))
	require.NoError(t, err)
	callTool := Find(disc, "call_tool")
	require.NotNil(t, callTool)
	cases := []struct {
		name, tool, args string
		method, path     string // the request sent; "" for a refusal
		query            string
		wantErr          string
	}{
		{name: "2^53+1 as a number", tool: "lightdash_list_organization_members", args: `{"page": 9007199254740993}`,
			method: "GET", path: "/api/v1/org/users", query: "page=9007199254740993"},
		{name: "2^53+1 as an integer", tool: "datafold_get_data_source", args: `{"data_source_id": 9007199254740993}`,
			wantErr: "9007199254740993 is too large"},
		{name: "1.0 as an integer", tool: "datafold_get_data_source", args: `{"data_source_id": 1.0}`,
			method: "GET", path: "/api/v1/data_sources/1"},
	}
	for _, tc := range cases {
		for _, via := range []string{"direct", "call_tool"} {
			t.Run(tc.name+", "+via, func(t *testing.T) {
				tool := toolNamed(t, tc.tool)
				f := newFake(t) // a request without a stub fails the test
				var s *upstreamtest.Stub
				if tc.path != "" {
					s = f.Register(tc.method, tc.path, 200, `{"results":[]}`)
				}
				d := depsWith(t, tool.Provider, f)
				var res *Result
				if via == "direct" {
					res = tool.Call(context.Background(), d, json.RawMessage(tc.args))
				} else {
					res = callTool.Call(context.Background(), d, json.RawMessage(`{"name":"`+tc.tool+`","arguments":`+tc.args+`}`))
				}
				if tc.wantErr != "" {
					require.True(t, res.IsError, "got success %q, want a refusal", text(res))
					assert.Contains(t, text(res), tc.wantErr, "refusal")
					assert.NotContains(t, text(res), "9007199254740992", "the refusal quotes a rounded value")
					return
				}
				require.False(t, res.IsError, "got error %q, want a request to %s", text(res), tc.path)
				require.Equal(t, 1, s.Used(), "requests to %s", tc.path)
				if tc.query != "" {
					assert.Equal(t, tc.query, seenReq(s).URL.RawQuery, "query sent")
				}
			})
		}
	}
}
