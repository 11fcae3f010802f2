package mcpgo

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestHTTPLoggerDemotesChatter: mcp-go's per-connection "Rejected GET
// request" goes to debug; everything else keeps its level.
func TestHTTPLoggerDemotesChatter(t *testing.T) {
	cases := []struct {
		name  string
		level slog.Level
		log   func(l *slog.Logger)
		want  string // "" for nothing logged
	}{
		{"chatter hidden at info", slog.LevelInfo,
			func(l *slog.Logger) { l.Info("Rejected GET request: streaming is disabled", "session", "") }, ""},
		{"chatter shown at debug, as debug", slog.LevelDebug,
			func(l *slog.Logger) { l.Info("Rejected GET request: streaming is disabled", "session", "") }, "level=DEBUG"},
		{"other info kept", slog.LevelInfo, func(l *slog.Logger) { l.Info("Failed to write response") }, "level=INFO"},
		{"errors kept", slog.LevelWarn, func(l *slog.Logger) { l.Error("Failed to write response") }, "level=ERROR"},
		{"attributes and groups kept", slog.LevelInfo, func(l *slog.Logger) { l.With("a", 1).WithGroup("g").Info("x", "b", 2) }, "a=1 g.b=2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			tc.log(HTTPLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: tc.level}))))
			if tc.want == "" {
				assert.Empty(t, buf.String(), "logged")
				return
			}
			assert.Contains(t, buf.String(), tc.want)
		})
	}
}
