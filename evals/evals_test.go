package evals

import (
	"context"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
)

// Thresholds of the deterministic runner: the share of tasks whose prompt,
// searched as written, ranks an acceptable tool first / in the first three.
const (
	MinTop1 = 70.0
	MinTop3 = 90.0
)

// MinTasks is the least number of tasks, and every provider needs some.
const (
	MinTasks            = 60
	MinTasksPerProvider = 5
)

// TestEvals runs the deterministic evals: routing through the discovery
// search, replay of every task's reference calls on the sandbox, and the
// description lint; it prints the per-provider table (go test -v).
func TestEvals(t *testing.T) {
	tasks, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	t.Run("tasks", func(t *testing.T) {
		if len(tasks) < MinTasks {
			t.Errorf("%d tasks, want at least %d", len(tasks), MinTasks)
		}
		per := map[string]int{}
		for _, task := range tasks {
			per[task.Provider]++
		}
		for _, p := range Providers {
			if per[p] < MinTasksPerProvider {
				t.Errorf("provider %s has %d tasks, want at least %d", p, per[p], MinTasksPerProvider)
			}
		}
	})

	var routes []RouteResult
	t.Run("routing", func(t *testing.T) {
		disc, err := NewServer(ctx, ServerOptions{Discovery: true})
		if err != nil {
			t.Fatal(err)
		}
		defer disc.Close()
		for _, task := range tasks {
			r, err := Route(ctx, disc, task)
			if err != nil {
				t.Fatalf("%s: %v", task.ID, err)
			}
			routes = append(routes, r)
			if !r.Top(1) {
				t.Logf("%-28s rank %d of %v; got %s", task.ID, r.Rank, task.Tools, strings.Join(r.Got, ", "))
			}
		}
		all := Summarize(routes, nil)
		total := all[len(all)-1]
		if got := Rate(total.Top1, total.Tasks); got < MinTop1 {
			t.Errorf("routing top-1 is %.1f%%, want at least %.0f%%", got, MinTop1)
		}
		if got := Rate(total.Top3, total.Tasks); got < MinTop3 {
			t.Errorf("routing top-3 is %.1f%%, want at least %.0f%%", got, MinTop3)
		}
	})

	replays := make([]ReplayResult, len(tasks))
	t.Run("replay", func(t *testing.T) {
		for i, task := range tasks {
			t.Run(task.ID, func(t *testing.T) {
				t.Parallel()
				s, err := NewServer(ctx, ServerOptions{Fast: true})
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				replays[i] = Replay(ctx, s, task)
				for _, p := range replays[i].Problems {
					t.Errorf("%s (%s): %s", task.ID, task.File, p)
				}
			})
		}
	})

	t.Run("lint", func(t *testing.T) {
		s, err := NewServer(ctx, ServerOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		disc, err := NewServer(ctx, ServerOptions{Discovery: true})
		if err != nil {
			t.Fatal(err)
		}
		defer disc.Close()
		var list []LintTool
		for _, srv := range []*Server{s, disc} {
			listed, err := srv.Client.ListTools(ctx, mcp.ListToolsRequest{})
			if err != nil {
				t.Fatal(err)
			}
			for _, tool := range listed.Tools {
				list = append(list, LintTool{Name: tool.Name, Description: tool.Description})
			}
		}
		for _, p := range Lint(list) {
			t.Error(p)
		}
	})

	var done []ReplayResult
	for _, r := range replays {
		if r.Task != nil {
			done = append(done, r)
		}
	}
	t.Logf("deterministic evals, %d tasks (thresholds: routing top-1 ≥ %.0f%%, top-3 ≥ %.0f%%, replay 100%%):\n%s",
		len(tasks), MinTop1, MinTop3, Table(Summarize(routes, done)))
}
