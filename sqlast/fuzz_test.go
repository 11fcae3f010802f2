package sqlast

import (
	"os"
	"strings"
	"testing"
)

// FuzzClassify checks that classification never panics and that every
// verdict is well formed. Seeds: the table tests and the corpus.
func FuzzClassify(f *testing.F) {
	for _, c := range append(append([]classifyCase{}, readOnlyCases...), notReadOnlyCases...) {
		f.Add(c.sql)
	}
	if b, err := os.ReadFile("testdata/corpus.sql"); err == nil {
		for _, part := range strings.Split(string(b), "\n-- @") {
			f.Add(part)
		}
	}
	f.Fuzz(func(t *testing.T, sql string) {
		got := verdict(sql) // not Classify: it recovers, and a panic must fail here
		switch {
		case got.ReadOnly && (got.Kind == "" || got.Reason != ""):
			t.Fatalf("verdict(%q): got read-only with kind %q and reason %q, want a kind and no reason", sql, got.Kind, got.Reason)
		case !got.ReadOnly && (got.Kind != "" || got.Reason == ""):
			t.Fatalf("verdict(%q): got not read-only with kind %q and reason %q, want a reason and no kind", sql, got.Kind, got.Reason)
		case got.ReadOnly && strings.IndexByte(sql, 0) >= 0:
			t.Fatalf("verdict(%q): got read-only, want not: PostgreSQL's parser stops at a NUL", sql)
		}
	})
}
