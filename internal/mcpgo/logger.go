package mcpgo

import (
	"context"
	"log/slog"
)

// chatter are messages mcp-go's streamable HTTP logs at info (or above)
// that report nothing wrong: every SDK client opens the standalone GET
// stream once per connection and takes the 405 of a server without one
// as "none", so each connection would log a line at info.
var chatter = map[string]bool{
	"Rejected GET request: streaming is disabled": true,
}

// HTTPLogger is the logger to give mcp-go's streamable HTTP transport
// (server.WithStreamableHTTPLogger): l, with its routine chatter moved to
// debug.
func HTTPLogger(l *slog.Logger) *slog.Logger {
	return slog.New(&demoting{Handler: l.Handler()})
}

// demoting logs the chatter records at debug and the rest as they are.
// Its Enabled is the handler's: demoting only lowers levels, so a record
// the handler would drop stays dropped; Handle checks the lowered level.
type demoting struct{ slog.Handler }

func (d *demoting) Handle(ctx context.Context, r slog.Record) error {
	if chatter[r.Message] && r.Level > slog.LevelDebug {
		r = r.Clone()
		r.Level = slog.LevelDebug
	}
	if !d.Handler.Enabled(ctx, r.Level) {
		return nil
	}
	return d.Handler.Handle(ctx, r)
}

func (d *demoting) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &demoting{Handler: d.Handler.WithAttrs(attrs)}
}

func (d *demoting) WithGroup(name string) slog.Handler {
	return &demoting{Handler: d.Handler.WithGroup(name)}
}
