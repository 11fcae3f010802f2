package evals

import (
	"fmt"
	"strings"
	"text/tabwriter"
)

// Row is one line of the report: a provider's (or all) tasks.
type Row struct {
	Provider          string
	Tasks             int
	Top1, Top3        int
	Replayed, Replays int
}

// Rate is a share as a percentage (100 when there is nothing to count).
func Rate(n, of int) float64 {
	if of == 0 {
		return 100
	}
	return 100 * float64(n) / float64(of)
}

// Summarize groups routing and replay results by provider, with a last
// row "all". Either slice may be empty.
func Summarize(routes []RouteResult, replays []ReplayResult) []Row {
	rows := map[string]*Row{}
	get := func(p string) *Row {
		if rows[p] == nil {
			rows[p] = &Row{Provider: p}
		}
		return rows[p]
	}
	for _, r := range routes {
		for _, row := range []*Row{get(r.Task.Provider), get("all")} {
			row.Tasks++
			if r.Top(1) {
				row.Top1++
			}
			if r.Top(3) {
				row.Top3++
			}
		}
	}
	for _, r := range replays {
		for _, row := range []*Row{get(r.Task.Provider), get("all")} {
			row.Replays++
			if r.Passed() {
				row.Replayed++
			}
			if len(routes) == 0 {
				row.Tasks++
			}
		}
	}
	var out []Row
	for _, p := range append(append([]string{}, Providers...), "all") {
		if rows[p] != nil {
			out = append(out, *rows[p])
		}
	}
	return out
}

// Table renders rows as an aligned text table.
func Table(rows []Row) string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "provider\ttasks\trouting top-1\trouting top-3\treplay pass\t")
	for _, r := range rows {
		fmt.Fprintf(w, "%s\t%d\t%d (%.0f%%)\t%d (%.0f%%)\t%d/%d (%.0f%%)\t\n", r.Provider, r.Tasks,
			r.Top1, Rate(r.Top1, r.Tasks), r.Top3, Rate(r.Top3, r.Tasks), r.Replayed, r.Replays, Rate(r.Replayed, r.Replays))
	}
	_ = w.Flush()
	return b.String()
}
