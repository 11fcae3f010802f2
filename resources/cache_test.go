package resources

import (
	"fmt"
	"testing"
	"time"
)

func TestCache(t *testing.T) {
	type step struct {
		op      string // put, get, wait
		key     string
		wait    time.Duration
		wantHit bool
	}
	cases := []struct {
		name  string
		size  int
		steps []step
		len   int
	}{
		{"hit within the TTL", 4, []step{{op: "put", key: "a"}, {op: "wait", wait: 29 * time.Second}, {op: "get", key: "a", wantHit: true}}, 1},
		{"miss after the TTL", 4, []step{{op: "put", key: "a"}, {op: "wait", wait: 30 * time.Second}, {op: "get", key: "a"}}, 0},
		{"oldest evicted past the size", 2, []step{{op: "put", key: "a"}, {op: "put", key: "b"}, {op: "put", key: "c"},
			{op: "get", key: "a"}, {op: "get", key: "b", wantHit: true}, {op: "get", key: "c", wantHit: true}}, 2},
		{"a replaced key counts once", 2, []step{{op: "put", key: "a"}, {op: "put", key: "a"}, {op: "put", key: "b"},
			{op: "get", key: "a", wantHit: true}, {op: "get", key: "b", wantHit: true}}, 2},
		{"refreshing a key keeps it over an older one", 2, []step{{op: "put", key: "a"}, {op: "put", key: "b"}, {op: "put", key: "a"}, {op: "put", key: "c"},
			{op: "get", key: "b"}, {op: "get", key: "a", wantHit: true}, {op: "get", key: "c", wantHit: true}}, 2},
		{"expired entries go first", 2, []step{{op: "put", key: "a"}, {op: "wait", wait: 31 * time.Second}, {op: "put", key: "b"}, {op: "put", key: "c"},
			{op: "get", key: "b", wantHit: true}, {op: "get", key: "c", wantHit: true}}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
			c := newCache(30*time.Second, tc.size)
			c.now = func() time.Time { return now }
			for i, s := range tc.steps {
				switch s.op {
				case "put":
					c.put(s.key, fmt.Sprint(s.key, i))
				case "wait":
					now = now.Add(s.wait)
				case "get":
					if _, hit := c.get(s.key); hit != s.wantHit {
						t.Errorf("step %d get %s: got hit %v, want %v", i, s.key, hit, s.wantHit)
					}
				}
			}
			if got := c.len(); got != tc.len {
				t.Errorf("entries got %d, want %d", got, tc.len)
			}
		})
	}
}
