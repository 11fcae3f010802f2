package tools

import (
	"net/http"
	"testing"

	"github.com/datastack-mcp/datastack-mcp/client"
	"github.com/datastack-mcp/datastack-mcp/internal/upstreamtest"
)

// newFake answers upstream requests with stubs that must all be used
// (internal/upstreamtest).
func newFake(t *testing.T) *upstreamtest.Registry { return upstreamtest.New(t) }

// depsWith returns Deps whose provider client talks to the fake.
func depsWith(t *testing.T, provider string, f *upstreamtest.Registry, secrets ...string) *Deps {
	t.Helper()
	cfg := client.Config{Provider: provider, BaseURL: "https://" + provider + ".example.test", Transport: f, MaxRetries: -1}
	switch provider {
	case client.PDC:
		cfg.Username, cfg.Password = "user", "pw-secret-canary"
	default:
		cfg.APIKey = "key-secret-canary"
	}
	c, err := client.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &Deps{
		Callers:    map[string]Caller{provider: c},
		Secrets:    append([]string{cfg.APIKey, cfg.Password}, secrets...),
		ConfigHint: map[string]string{provider: "TEST_KEY"},
	}
}

func seenReq(s *upstreamtest.Stub) *http.Request { r, _ := s.Seen(); return r }

func seenBody(s *upstreamtest.Stub) []byte { _, b := s.Seen(); return b }
