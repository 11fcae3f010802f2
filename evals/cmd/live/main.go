// Command live runs the eval tasks with a real model through the Anthropic
// Messages API (tool use), against the MCP server on the embedded sandbox,
// and prints each task's tool calls and score and a per-provider table.
//
// It makes real, billed API calls and is never run by tests or CI:
//
//	ANTHROPIC_API_KEY=sk-ant-… go run ./evals/cmd/live -model claude-sonnet-4-5
//	go run ./evals/cmd/live -model claude-sonnet-4-5 -run '^df-diff' -mode discovery -out results.json
//
// See evals/README.md.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"regexp"
	"sync"

	"github.com/datastack-mcp/datastack-mcp/evals"
	"github.com/datastack-mcp/datastack-mcp/evals/live"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "live:", err)
		os.Exit(1)
	}
}

func run() error {
	model := flag.String("model", "", "Anthropic model id, e.g. claude-sonnet-4-5 (required)")
	tasksPath := flag.String("tasks", "", "task file or directory (default: the tasks embedded from evals/tasks)")
	filter := flag.String("run", "", "only tasks whose id matches this regular expression")
	mode := flag.String("mode", "all", "tool mode: all (every tool listed) or discovery (search_tools, describe_tool, call_tool)")
	maxTurns := flag.Int("max-turns", 12, "model turns per task")
	maxTokens := flag.Int("max-tokens", 2048, "max_tokens of each model response")
	parallel := flag.Int("parallel", 4, "tasks run at once")
	baseURL := flag.String("base-url", envOr("ANTHROPIC_BASE_URL", live.DefaultBaseURL), "Messages API base URL (env ANTHROPIC_BASE_URL)")
	out := flag.String("out", "", "write every task's result as JSON to this file")
	verbose := flag.Bool("v", false, "print each task's answer")
	flag.Parse()
	if *model == "" {
		return errors.New("-model is required, e.g. -model claude-sonnet-4-5")
	}
	if *mode != "all" && *mode != "discovery" {
		return fmt.Errorf("-mode must be all or discovery, got %q", *mode)
	}
	key := os.Getenv("ANTHROPIC_API_KEY")
	if key == "" {
		return errors.New("set ANTHROPIC_API_KEY")
	}
	tasks, err := evals.Load(*tasksPath)
	if err != nil {
		return err
	}
	if *filter != "" {
		re, err := regexp.Compile(*filter)
		if err != nil {
			return fmt.Errorf("-run: %w", err)
		}
		var kept []*evals.Task
		for _, t := range tasks {
			if re.MatchString(t.ID) {
				kept = append(kept, t)
			}
		}
		tasks = kept
	}
	if len(tasks) == 0 {
		return errors.New("no task matches")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	client := &live.Client{APIKey: key, BaseURL: *baseURL}
	opts := live.Options{Model: *model, MaxTokens: *maxTokens, MaxTurns: *maxTurns, Discovery: *mode == "discovery"}
	fmt.Printf("running %d tasks with %s (%s mode)\n", len(tasks), *model, *mode)

	results := make([]live.Result, len(tasks))
	sem := make(chan struct{}, max(1, *parallel))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, t := range tasks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			r := live.Run(ctx, client, t, opts)
			results[i] = r
			mu.Lock()
			defer mu.Unlock()
			fmt.Println(live.Line(r))
			if *verbose && r.Answer != "" {
				fmt.Printf("       answer: %s\n", r.Answer)
			}
		}()
	}
	wg.Wait()
	fmt.Printf("\n%s", live.Table(results))
	if *out != "" {
		data, err := json.MarshalIndent(results, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(*out, data, 0o644); err != nil {
			return err
		}
		fmt.Println("results written to", *out)
	}
	return ctx.Err()
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
