package tools

import (
	"context"
	"fmt"
)

// Progress notifications. A tool reports progress with
// notifications/progress when, and only when, the caller gave a progress
// token (the adapter then sets Request.Progress). Progress is a step
// counter (1, 2, 3, …) that always increases; total is the most steps the
// call can take, and the last notification of a call that finishes (or
// gives up waiting) has progress == total. That they reach the client
// before the result is the adapter's business (internal/mcpgo).

// Progress reports a long call's progress to the client, when it asked.
type Progress struct {
	ctx   context.Context
	req   *Request
	step  int
	total int
}

// NewProgress prepares progress reporting for a call that takes at most
// total steps.
func NewProgress(ctx context.Context, total int) *Progress {
	return &Progress{ctx: ctx, req: RequestFrom(ctx), total: max(total, 1)}
}

// Report sends the next step with a message; past total-1 it sends nothing,
// so only finish reaches total.
func (p *Progress) Report(format string, a ...any) {
	if p.step >= p.total-1 {
		return // progress must increase; only finish may reach total
	}
	p.step++
	p.send(float64(p.step), fmt.Sprintf(format, a...))
}

// Finish sends the last notification: progress == total.
func (p *Progress) Finish(format string, a ...any) {
	p.step = p.total
	p.send(float64(p.total), fmt.Sprintf(format, a...))
}

func (p *Progress) send(n float64, message string) {
	if p.req.Progress != nil {
		p.req.Progress(p.ctx, n, float64(p.total), message)
	}
}
