package resources

import (
	"context"
	"fmt"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/schemas"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

// PromptName is the lineage investigation prompt.
const PromptName = "investigate_lineage"

// Prompts returns investigate_lineage when lineage_impact is offered.
func (c *Catalog) Prompts() []tools.Prompt {
	if c.impact == nil {
		return nil
	}
	return []tools.Prompt{{
		Name:        PromptName,
		Title:       "Investigate lineage",
		Description: "Walk through a lineage or impact question (what breaks if this changes? where does this number come from?) with lineage_impact and the lineage and catalog resources.",
		Arguments: []tools.PromptArgument{
			{Name: "question", Required: true, Description: "The question, e.g. what breaks if I change fct_orders.amount?"},
			{Name: "target", Description: "The column or table, as DATABASE.SCHEMA.TABLE[.COLUMN], if known."},
			{Name: "data_source_id", Description: "The Datafold data source id, if known."},
			{Name: "direction", Description: "downstream (what depends on it) or upstream (where it comes from)."},
		},
		Get: c.getPrompt,
	}}
}

func (c *Catalog) getPrompt(_ context.Context, a map[string]string) (*tools.PromptResult, error) {
	if strings.TrimSpace(a["question"]) == "" {
		return nil, &tools.ArgumentError{Message: PromptName + " needs the question argument"}
	}
	text := c.promptText(a["question"], a["target"], a["data_source_id"], a["direction"])
	return &tools.PromptResult{Description: "Investigate a lineage question with datastack", Messages: []string{text}}, nil
}

// promptText is the walkthrough, naming only what this server offers.
func (c *Catalog) promptText(question, target, ds, direction string) string {
	first := func(provider string) string {
		if cs := c.conns[provider]; len(cs) > 0 {
			return cs[0].Name
		}
		return ""
	}
	df, ld := first(schemas.Datafold), first(schemas.Lightdash)
	var b strings.Builder
	fmt.Fprintf(&b, "Answer this lineage question with the datastack tools and resources: %s\n\n", strings.TrimSpace(question))
	if set := c.opts.Impact.DBT; set != nil && len(set.Names()) > 0 {
		fmt.Fprintf(&b, `Lineage comes from the dbt project (%s)`, strings.Join(set.Names(), ", "))
		if df != "" {
			b.WriteString(` and from Datafold`)
		}
		b.WriteString(`.

With dbt: call lineage_impact with node (the model, source or seed: its name, unique_id or database.schema.table), column when the question is about a column, and direction: downstream for "what breaks if this changes", upstream for "where does this number come from". Add project when several dbt projects are configured. The answer lists the models, sources, exposures and columns reached with their depth, the tests that guard them, and downstream the Lightdash explores, fields, charts and dashboards built on those models. A model listed under notes as table-level could not be followed column by column: say so instead of guessing. If it answers truncated: true, follow continue.next_arguments before giving totals. Answer with counts per kind, name the exposures, tests and dashboards, and say whether the answer is complete. For detail, read dbt://{project}/models/{model} (columns with their inputs, parents, children, tests) and dbt://{project}/models/{model}/columns/{column} (a column's lineage both ways).
`)
		if df == "" {
			return b.String()
		}
		b.WriteString("\nWith Datafold (warehouse lineage beyond dbt):\n")
	}
	if target != "" || ds != "" || direction != "" {
		b.WriteString("Known so far:")
		if target != "" {
			fmt.Fprintf(&b, " target %s;", target)
		}
		if ds != "" {
			fmt.Fprintf(&b, " Datafold data source %s;", ds)
		}
		if direction != "" {
			fmt.Fprintf(&b, " direction %s;", direction)
		}
		b.WriteString("\n\n")
	}
	fmt.Fprintf(&b, `Resources are read with MCP resources/read, or with the read_resource tool (list_resources lists them and the URI templates) if you cannot read resources.

1. Pin down the warehouse object as a path: DATABASE.SCHEMA.TABLE for a table, DATABASE.SCHEMA.TABLE.COLUMN for a column.
`)
	if ld != "" {
		fmt.Fprintf(&b, `   If the question names a Lightdash field, chart or table, the Lightdash table name is the warehouse table name in lowercase: read lightdash://%[1]s/projects, then lightdash://%[1]s/projects/{projectUuid}/catalog, and lightdash_get_explores gives each explore's database and schema. A metric's column is in its SQL (${TABLE}.column) in lightdash_get_explore.
`, ld)
	}
	fmt.Fprintf(&b, `2. Pick the Datafold data source: read datafold://%[1]s/data-sources (id, name, type). Production is usually the one with a lineage schedule.
3. Call lineage_impact with column_path or table_path, data_source_id and direction: downstream for "what breaks if this changes", upstream for "where does this number come from".
4. If it answers truncated: true, do not present its counts as totals. Follow continue.hint (next_arguments, or new calls from the frontier nodes) until complete, or say exactly what is missing, using totals.
5. For detail, read datafold://%[1]s/lineage/{data_source_id}/columns/{column_path}/{direction} (or .../tables/{table_path}/{direction})`, df)
	if ld != "" {
		fmt.Fprintf(&b, ` and lightdash://%s/projects/{projectUuid}/tables/{table}/fields/{field}/usage for the charts using one field`, ld)
	}
	b.WriteString(`.
6. Answer with the counts per asset type (columns, tables, Lightdash explores, fields, charts, dashboards), name the charts and dashboards, give the depth reached, and say whether the answer is complete. Say what was not checked: Datafold BI integrations whose assets Datafold does not list, Lightdash preview projects (left out unless include_preview_projects), dashboards that show a chart only as a tile of another dashboard.
`)
	if len(c.conns[schemas.Datafold]) > 1 {
		var names []string
		for _, conn := range c.conns[schemas.Datafold] {
			names = append(names, conn.Name)
		}
		fmt.Fprintf(&b, "\nSeveral %s connections are configured (%s): pass connection to lineage_impact and use the right one in URIs.\n", tools.ProviderName(schemas.Datafold), strings.Join(names, ", "))
	}
	return b.String()
}
