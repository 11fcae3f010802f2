package upstreamtest

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFaultsAnswer: each fault the client, tool and server tests share
// answers as its name says, to any method, and counts its attempts.
func TestFaultsAnswer(t *testing.T) {
	f := NewFaults(t, 100<<10)
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	cases := []struct {
		fault, method string
		status        int
		length        int64 // Content-Length as received; -1 chunked
		body          string
	}{
		{OK, http.MethodGet, 200, -2, "Snowflake prod"},
		{Throttled, http.MethodPost, 429, -2, "throttled"},
		{Status502, http.MethodGet, 502, -2, "upstream connect error"},
		{HTMLErrorPage, http.MethodGet, 502, -2, "nginx/1.25.3"},
		{Huge, http.MethodGet, 200, 100 << 10, `{"items":[`},
		{HugeChunked, http.MethodGet, 200, -1, `{"items":[`},
		{Redirect302, http.MethodGet, 302, -2, ""},
		{Redirect307, http.MethodPost, 307, -2, ""},
	}
	for _, tc := range cases {
		t.Run(tc.fault, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, f.URL+Path(tc.fault), strings.NewReader(`{}`))
			require.NoError(t, err)
			resp, err := hc.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			assert.Equal(t, tc.status, resp.StatusCode, "status of %s", tc.fault)
			if tc.length != -2 {
				assert.Equal(t, tc.length, resp.ContentLength, "Content-Length of %s", tc.fault)
			}
			assert.Contains(t, string(body), tc.body, "body of %s", tc.fault)
			if tc.fault == Huge || tc.fault == HugeChunked {
				assert.Len(t, body, f.HugeBytes, "body of %s", tc.fault)
			}
			assert.Len(t, f.Attempts(tc.fault), 1, "attempts at %s", tc.fault)
		})
	}
	loc := func(fault string) string {
		resp, err := hc.Get(f.URL + Path(fault))
		require.NoError(t, err)
		resp.Body.Close()
		return resp.Header.Get("Location")
	}
	assert.Equal(t, f.Elsewhere.URL+Path(Redirect302), loc(Redirect302), "302 points to another port")
	assert.Equal(t, strings.Replace(f.Elsewhere.URL, "127.0.0.1", "localhost", 1)+Path(Redirect307), loc(Redirect307), "307 points to another host")
	assert.Empty(t, f.Redirected(), "nothing followed a redirect")
	resp, err := hc.Get(f.Elsewhere.URL + "/x")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, []string{""}, f.Redirected(), "a request at the target is recorded")
}
