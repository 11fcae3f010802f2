package live

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/datastack-mcp/datastack-mcp/evals"
)

// Table renders per-provider success, routing, arguments, answers, tool
// calls and tokens of a live run, with a last row for all tasks.
func Table(results []Result) string {
	type row struct {
		n, success, routed, args, answer, calls, errors int
		in, out                                         int
	}
	rows := map[string]*row{}
	for _, r := range results {
		for _, p := range []string{r.Provider, "all"} {
			if rows[p] == nil {
				rows[p] = &row{}
			}
			x := rows[p]
			x.n++
			x.calls += len(r.Calls)
			x.in += r.Usage.InputTokens + r.Usage.CacheCreationInputTokens + r.Usage.CacheReadInputTokens
			x.out += r.Usage.OutputTokens
			for _, b := range []struct {
				ok bool
				n  *int
			}{{r.Success, &x.success}, {r.Routed, &x.routed}, {r.ArgsOK, &x.args}, {r.AnswerOK, &x.answer}, {r.Error != "", &x.errors}} {
				if b.ok {
					*b.n++
				}
			}
		}
	}
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "provider\ttasks\tsuccess\trouted\targs ok\tanswer ok\ttool calls/task\tinput tok\toutput tok\terrors\t")
	pct := func(n, of int) string { return fmt.Sprintf("%d (%.0f%%)", n, evals.Rate(n, of)) }
	for _, p := range append(append([]string{}, evals.Providers...), "all") {
		x := rows[p]
		if x == nil {
			continue
		}
		fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\t%s\t%.1f\t%d\t%d\t%d\t\n", p, x.n, pct(x.success, x.n), pct(x.routed, x.n),
			pct(x.args, x.n), pct(x.answer, x.n), float64(x.calls)/float64(x.n), x.in, x.out, x.errors)
	}
	_ = w.Flush()
	return b.String()
}

// Line is a one-line account of a task's run.
func Line(r Result) string {
	mark := "FAIL"
	if r.Success {
		mark = "ok  "
	}
	var tools []string
	for _, c := range r.Calls {
		name := c.Target
		if c.IsError {
			name += "!"
		}
		tools = append(tools, name)
	}
	s := fmt.Sprintf("%s %-28s %2d calls %5.1fs  %s", mark, r.ID, len(r.Calls), r.Seconds, strings.Join(tools, " → "))
	switch {
	case r.Error != "":
		s += "\n       error: " + r.Error
	case !r.Success:
		s += fmt.Sprintf("\n       routed=%v args_ok=%v answer_ok=%v missing=%q", r.Routed, r.ArgsOK, r.AnswerOK, r.Missing)
	}
	return s
}
