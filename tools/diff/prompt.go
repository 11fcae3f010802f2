package diff

import (
	"context"
	"fmt"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/tools"
)

// ReviewName is the prompt that walks a model through a data diff.
const ReviewName = "review_data_diff"

// Prompts returns the review_data_diff prompt: pick the key, run
// diff_tables, read the verdict, explain the causes. Register it only
// where diff_tables is offered.
func Prompts() []tools.Prompt {
	return []tools.Prompt{{
		Name:        ReviewName,
		Title:       "Review a data diff",
		Description: "Compare a table between production and development with diff_tables, read the verdict and explain what changed and why.",
		Arguments: []tools.PromptArgument{
			{Name: "table", Required: true, Description: "The table to compare, DATABASE.SCHEMA.TABLE (e.g. ANALYTICS.MARTS.fct_orders)."},
			{Name: "prod", Description: "The baseline data source, by id or name (default: the one whose name says prod)."},
			{Name: "dev", Description: "The data source to check, by id or name (default: the one whose name says dev)."},
			{Name: "dev_table", Description: "The table on the dev side, when its path differs."},
			{Name: "key", Description: "Primary key column(s), comma-separated (default: find it)."},
		},
		Get: reviewDataDiff,
	}}
}

func reviewDataDiff(_ context.Context, args map[string]string) (*tools.PromptResult, error) {
	table := strings.TrimSpace(args["table"])
	if table == "" {
		return nil, &tools.ArgumentError{Message: "the table argument is required (DATABASE.SCHEMA.TABLE)"}
	}
	prod, dev := strings.TrimSpace(args["prod"]), strings.TrimSpace(args["dev"])
	devTable := strings.TrimSpace(args["dev_table"])
	if devTable == "" {
		devTable = table
	}
	key := strings.TrimSpace(args["key"])
	var b strings.Builder
	fmt.Fprintf(&b, "Review how %s differs between production and development, and explain why.\n\n", table)
	b.WriteString("1. Data sources. ")
	switch {
	case prod != "" && dev != "":
		fmt.Fprintf(&b, "Use %q as the baseline (a) and %q as the side to check (b).\n", prod, dev)
	default:
		b.WriteString("Call datafold_list_data_sources and pick the production data source as the baseline (a) and the development one as b")
		if prod != "" {
			fmt.Fprintf(&b, " (a is %q)", prod)
		}
		if dev != "" {
			fmt.Fprintf(&b, " (b is %q)", dev)
		}
		b.WriteString("; if it is not clear which is which, ask the user.\n")
	}
	b.WriteString("2. Primary key. ")
	if key != "" {
		fmt.Fprintf(&b, "Use %s.\n", key)
	} else {
		fmt.Fprintf(&b, "Find the column(s) that identify one row: the table's grain is usually in its name and columns (an *_id of the entity, e.g. order_id for orders). "+
			"If unsure, check with datafold_run_sql_query on the baseline: DESCRIBE TABLE %s, then SELECT COUNT(*), COUNT(DISTINCT <candidate>) FROM %s "+
			"(plain read-only queries run without confirmation). A key with duplicates makes every count below unreliable.\n", table, table)
	}
	fmt.Fprintf(&b, "3. Run diff_tables with a = {data_source: <prod>, table: %q}, b = {data_source: <dev>, table: %q} and primary_key. "+
		"Add filters, a time window or exclude_columns only if the user asked. If the answer is status running, call get_diff_result with its diff_id after retry_after_seconds.\n", table, devTable)
	b.WriteString("4. Read the verdict: rows only in a (missing in dev) or only in b (new in dev); duplicate or null keys; rows and values that differ and " +
		"the columns that differ most; columns added, removed or retyped. If the diff failed, say why (e.g. a table that does not exist) and how to fix it.\n")
	b.WriteString("5. Explain why with the verdict's next calls: datafold_get_data_diff_summary for sample rows, datafold_get_column_upstreams for the " +
		"columns that differ most (a changed model, join, filter, cast or source upstream), datafold_get_column_downstreams for what the change would reach. " +
		"Typical causes: changed transformation logic, a new or changed filter or join (rows only on one side), type or rounding changes (small numeric " +
		"differences: consider tolerances), time zone shifts, late-arriving or not yet refreshed data.\n")
	b.WriteString("6. Answer with: a one-line verdict; the key numbers (rows only in each side, rows and values that differ); the top differing columns " +
		"with counts; the likely causes with the evidence for each; the link to the diff; and what to check or fix next.")
	return &tools.PromptResult{
		Description: "Review " + table + " between production and development",
		Messages:    []string{b.String()},
	}, nil
}
