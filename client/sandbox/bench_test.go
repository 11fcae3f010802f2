package sandbox

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/datastack-mcp/datastack-mcp/schemas"
)

// Per-request cost of the sandbox through its in-process transport, the way
// the server's --sandbox mode and its call-overhead benchmark use it:
//
//	go test ./client/sandbox -run '^$' -bench . -benchmem

// benchRequest sends one request per iteration and checks its status. The
// spec is loaded and the caches are warmed before the timer starts.
func benchRequest(b *testing.B, provider, method, path string, body []byte, want int) {
	s, err := New()
	if err != nil {
		b.Fatal(err)
	}
	hc := &http.Client{Transport: s.Transport()}
	auth := testCreds[provider]
	if provider == schemas.PDC {
		auth = "Bearer " + pdcToken(b, s)
	}
	send := func() {
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		req, _ := http.NewRequest(method, BaseURL(provider)+path, rd)
		req.Header.Set("Authorization", auth)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != want {
			b.Fatalf("%s %s got %d, want %d", method, path, res.StatusCode, want)
		}
	}
	for range 20 {
		send()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		send()
	}
}

// BenchmarkGet is the request of the server's call-overhead benchmark
// (cmd/mcp-server BenchmarkCallParts/sandbox-upstream).
func BenchmarkGet(b *testing.B) {
	benchRequest(b, schemas.Datafold, "GET", "/api/v1/data_sources/1", nil, 200)
}

// BenchmarkGetUnseen asks for a different data source each time (they do not
// exist: 404), so the route and validation memos never help: the cost of a
// request the sandbox has not seen before.
func BenchmarkGetUnseen(b *testing.B) {
	s, err := New()
	if err != nil {
		b.Fatal(err)
	}
	hc := &http.Client{Transport: s.Transport()}
	n := 1000
	get := func() {
		n++
		req, _ := http.NewRequest("GET", BaseURL(schemas.Datafold)+"/api/v1/data_sources/"+strconv.Itoa(n), nil)
		req.Header.Set("Authorization", testCreds[schemas.Datafold])
		res, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 404 {
			b.Fatalf("got %d, want 404", res.StatusCode)
		}
	}
	get()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		get()
	}
}

// BenchmarkList covers list endpoints: arrays of objects, each filled.
func BenchmarkList(b *testing.B) {
	b.Run("datafold-sources", func(b *testing.B) {
		benchRequest(b, schemas.Datafold, "GET", "/api/v1/data_sources", nil, 200)
	})
	b.Run("datafold-monitors", func(b *testing.B) {
		benchRequest(b, schemas.Datafold, "GET", "/api/v1/monitors?page_size=50", nil, 200)
	})
	b.Run("lightdash-spaces", func(b *testing.B) {
		benchRequest(b, schemas.Lightdash, "GET", "/api/v1/projects/"+ldProject+"/spaces", nil, 200)
	})
	b.Run("posthog-sources", func(b *testing.B) {
		benchRequest(b, schemas.PostHog, "GET", "/api/projects/1/external_data_sources/", nil, 200)
	})
}

// BenchmarkPost sends a JSON body that must be validated (it does not create
// anything, so the store does not grow with b.N).
func BenchmarkPost(b *testing.B) {
	b.Run("datafold-query", func(b *testing.B) {
		benchRequest(b, schemas.Datafold, "POST", "/api/v1/data_sources/1/query",
			[]byte(`{"query":"select * from ANALYTICS.MARTS.fct_orders limit 5"}`), 200)
	})
	b.Run("lightdash-compile", func(b *testing.B) {
		benchRequest(b, schemas.Lightdash, "POST", "/api/v1/projects/"+ldProject+"/explores/fct_orders/compileQuery",
			[]byte(`{"exploreName":"fct_orders","dimensions":["fct_orders_status"],"metrics":["fct_orders_order_count"],"filters":{},"sorts":[],"limit":500,"tableCalculations":[]}`), 200)
	})
	// Mostly the SQL engine (query.go), for scale.
	b.Run("lightdash-sql", func(b *testing.B) {
		benchRequest(b, schemas.Lightdash, "POST", "/api/v1/projects/"+ldProject+"/sqlQuery",
			[]byte(`{"sql":"select status, count(*) from ANALYTICS.MARTS.fct_orders group by 1"}`), 200)
	})
}
