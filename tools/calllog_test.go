package tools

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestCallLog: a request's upstream calls are summed into its record's
// keys; the first failure's status wins; after the record is written a
// call is no longer taken (its caller logs it at Info).
func TestCallLog(t *testing.T) {
	type call struct {
		provider string
		status   int
	}
	tests := []struct {
		name  string
		calls []call
		want  map[string]any
	}{
		{"none", nil, map[string]any{}},
		{"one", []call{{"datafold", 200}}, map[string]any{"provider": "datafold", "upstream_calls": int64(1), "upstream_status": int64(200), "upstream_ms": int64(3)}},
		{"first failure", []call{{"datafold", 200}, {"datafold", 502}, {"datafold", 200}}, map[string]any{"provider": "datafold", "upstream_calls": int64(3), "upstream_status": int64(502), "upstream_ms": int64(9)}},
		{"no answer", []call{{"posthog", 0}, {"lightdash", 200}}, map[string]any{"provider": "several", "upstream_calls": int64(2), "upstream_status": int64(0), "upstream_ms": int64(6)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l CallLog
			for _, c := range tt.calls {
				assert.True(t, l.add(c.provider, c.status, 3*time.Millisecond))
			}
			got := map[string]any{}
			for _, a := range l.AppendAttrs(nil) {
				got[a.Key] = a.Value.Any()
			}
			assert.Equal(t, tt.want, got)
			assert.False(t, l.add("datafold", 200, time.Millisecond), "got a call taken after the record was written, want it refused")
		})
	}
}

// TestLogUpstreamLevel: Info on its own, Debug when the request's record
// carries it.
func TestLogUpstreamLevel(t *testing.T) {
	var got []slog.Level
	d := &Deps{Logger: slog.New(levelRecorder{&got})}
	tool := &Tool{Name: "datafold_list_data_sources"}
	logUpstream(context.Background(), d, tool, "datafold", "GET", "/x", 200, time.Millisecond)
	logUpstream(WithCallLog(context.Background(), &CallLog{}), d, tool, "datafold", "GET", "/x", 200, time.Millisecond)
	assert.Equal(t, []slog.Level{slog.LevelInfo, slog.LevelDebug}, got)
}

type levelRecorder struct{ levels *[]slog.Level }

func (r levelRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r levelRecorder) Handle(_ context.Context, rec slog.Record) error {
	*r.levels = append(*r.levels, rec.Level)
	return nil
}
func (r levelRecorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r levelRecorder) WithGroup(string) slog.Handler      { return r }
