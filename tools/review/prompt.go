package review

import (
	"context"
	"fmt"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/tools"
)

// PromptName is the prompt that walks a model through a dbt PR review.
const PromptName = "review_dbt_pr"

// Prompts returns review_dbt_pr; register it only where review_dbt_changes
// is offered.
func Prompts() []tools.Prompt {
	return []tools.Prompt{{
		Name:        PromptName,
		Title:       "Review a dbt pull request",
		Description: "Review a dbt PR with review_dbt_changes: what changed, what it reaches downstream, how the data differs, and whether it is safe to merge.",
		Arguments: []tools.PromptArgument{
			{Name: "base", Description: "The production dbt project (default: found from the two configured)."},
			{Name: "pr", Description: "The pull request's dbt project (default: the other one)."},
			{Name: "models", Description: "Only these changed models, comma-separated (default: all)."},
		},
		Get: reviewPR,
	}}
}

func reviewPR(_ context.Context, args map[string]string) (*tools.PromptResult, error) {
	call := map[string]any{}
	for _, k := range []string{"base", "pr"} {
		if v := strings.TrimSpace(args[k]); v != "" {
			call[k] = v
		}
	}
	if v := strings.TrimSpace(args["models"]); v != "" {
		var models []string
		for _, m := range strings.Split(v, ",") {
			if m = strings.TrimSpace(m); m != "" {
				models = append(models, m)
			}
		}
		call["models"] = models
	}
	callText, err := tools.EncodeJSON(call)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	b.WriteString("Review this dbt pull request and say whether it is safe to merge.\n\n")
	fmt.Fprintf(&b, "1. Call %s with %s. It compares the production manifest with the PR's, lists the changed models and columns with why "+
		"(body, config, compiled_sql, columns, descriptions), what each reaches downstream (dbt models, exposures, tests, Lightdash charts and "+
		"dashboards) and diffs each changed model's production table against its PR table.\n", Name, strings.TrimSpace(callText))
	b.WriteString("2. If a model was not diffed for want of a primary key, find one (warehouse_describe_table, or a column the model's grain names, " +
		"e.g. order_id) and call again with primary_keys for those models. If models were left out (not_reviewed), review them with the models argument.\n")
	b.WriteString("3. For each changed model, relate the code change to the data change: a new filter removes rows (rows only in production), " +
		"a changed expression changes values in the columns whose lineage changed. Say whether each difference is what the PR intends; " +
		"use the samples, and a next call (diff_tables for more samples, lineage_impact on a changed column) where the evidence is thin.\n")
	b.WriteString("4. Weigh the blast radius: the downstream models, exposures and Lightdash dashboards that will show different numbers after the merge.\n")
	b.WriteString("5. Answer with: a one-line verdict (safe to merge, merge with care, or not yet); per changed model, what changed in code and in data " +
		"with the key numbers; the downstream assets affected; and what to check or fix before merging.")
	return &tools.PromptResult{Description: "Review a dbt pull request", Messages: []string{b.String()}}, nil
}
