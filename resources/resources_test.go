package resources

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/datastack-mcp/datastack-mcp/tools/impact"

	"github.com/datastack-mcp/datastack-mcp/internal/mcpgo"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/datastack-mcp/datastack-mcp/client/sandbox"
	"github.com/datastack-mcp/datastack-mcp/schemas"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

// The sandbox's listed resources, sorted by URI.
var sandboxListed = []string{
	"datafold://sandbox/bi-integrations",
	"datafold://sandbox/data-sources",
	"datafold://sandbox/data-sources/1/summary",
	"datafold://sandbox/data-sources/2/summary",
	"datafold://sandbox/data-sources/3/summary",
	"lightdash://sandbox/projects",
	"lightdash://sandbox/projects/" + ldProject + "/catalog",
	"lightdash://sandbox/projects/" + ldPreview + "/catalog",
	"lightdash://sandbox/projects/" + ldCertified + "/catalog",
	"pdc://sandbox/data-sources",
}

var allTemplates = []string{
	"datafold://{connection}/bi-integrations",
	"datafold://{connection}/data-sources",
	"datafold://{connection}/data-sources/{data_source_id}",
	"datafold://{connection}/data-sources/{data_source_id}/summary",
	"datafold://{connection}/lineage/{data_source_id}/columns/{column_path}/{direction}{?max_depth,include_tabular_nodes}",
	"datafold://{connection}/lineage/{data_source_id}/tables/{table_path}/{direction}{?max_depth}",
	"lightdash://{connection}/projects",
	"lightdash://{connection}/projects/{projectUuid}/catalog{?search}",
	"lightdash://{connection}/projects/{projectUuid}/tables/{table}",
	"lightdash://{connection}/projects/{projectUuid}/tables/{table}/fields/{field}/usage",
	"lightdash://{connection}/projects/{projectUuid}/tables/{table}/usage",
	"pdc://{connection}/data-sources",
	"pdc://{connection}/data-sources/{id}",
	"posthog://{connection}/projects/{project_id}/schemas/{schema_id}",
	"posthog://{connection}/projects/{project_id}/sources/{source_id}",
	"posthog://{connection}/projects/{project_id}/sources{?search}",
}

func templateStrings[T mcp.ResourceTemplate | tools.ResourceTemplate](list []T) []string {
	out := []string{}
	for _, t := range list {
		switch x := any(t).(type) {
		case mcp.ResourceTemplate:
			out = append(out, x.URITemplate.Raw())
		case tools.ResourceTemplate:
			out = append(out, x.URITemplate)
		}
	}
	sort.Strings(out)
	return out
}

func uris[R mcp.Resource | tools.Resource](list []R) []string {
	out := []string{}
	for _, r := range list {
		out = append(out, uriOf(r))
	}
	return out
}

func uriOf(r any) string {
	switch x := r.(type) {
	case mcp.Resource:
		return x.URI
	case tools.Resource:
		return x.URI
	}
	return ""
}

// TestSandboxOverTransports runs the resource surface against the sandbox
// in process, over stdio and over streamable HTTP.
func TestSandboxOverTransports(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			st := newStack(t, sandboxConns(), Options{PageSize: 4})
			c := tr.connect(t, st.srv)
			ctx := context.Background()

			t.Run("capabilities", func(t *testing.T) {
				caps := c.GetServerCapabilities()
				if caps.Resources == nil || caps.Completions == nil || caps.Prompts == nil || caps.Tools == nil {
					t.Errorf("capabilities got resources %v completions %v prompts %v tools %v, want all set", caps.Resources, caps.Completions, caps.Prompts, caps.Tools)
				}
			})

			t.Run("templates", func(t *testing.T) {
				res, err := c.ListResourceTemplates(ctx, mcp.ListResourceTemplatesRequest{})
				if err != nil {
					t.Fatal(err)
				}
				if got := templateStrings(res.ResourceTemplates); !reflect.DeepEqual(got, allTemplates) {
					t.Errorf("templates got %q, want %q", got, allTemplates)
				}
				for _, tpl := range res.ResourceTemplates {
					if tpl.MIMEType != MIMEType || tpl.Description == "" || !strings.Contains(tpl.Description, "Connections: sandbox.") {
						t.Errorf("template %s: got mimeType %q description %q, want %s and a description naming the connections", tpl.URITemplate.Raw(), tpl.MIMEType, tpl.Description, MIMEType)
					}
				}
				if res.TTLMs == nil || *res.TTLMs != TemplatesCacheTTL.Milliseconds() || res.CacheScope != mcp.CacheScopePrivate {
					t.Errorf("templates cache hints got %v %q, want %d private", res.TTLMs, res.CacheScope, TemplatesCacheTTL.Milliseconds())
				}
			})

			t.Run("list pages", func(t *testing.T) {
				pages, _ := allPages(t, c)
				var sizes []int
				var got []string
				for _, p := range pages {
					sizes = append(sizes, len(p))
					got = append(got, uris(p)...)
				}
				if want := []int{4, 4, 2}; !reflect.DeepEqual(sizes, want) {
					t.Errorf("page sizes got %v, want %v", sizes, want)
				}
				if !reflect.DeepEqual(got, sandboxListed) {
					t.Errorf("resources got %q, want %q", got, sandboxListed)
				}
				req := mcp.ListResourcesRequest{}
				res, err := c.ListResourcesByPage(ctx, req)
				if err != nil {
					t.Fatal(err)
				}
				if res.TTLMs == nil || *res.TTLMs != DefaultCacheTTL.Milliseconds() || res.CacheScope != mcp.CacheScopePrivate {
					t.Errorf("list cache hints got %v %q, want %d private", res.TTLMs, res.CacheScope, DefaultCacheTTL.Milliseconds())
				}
				for _, r := range res.Resources {
					if r.MIMEType != MIMEType || r.Name == "" || r.Title == "" || r.Description == "" {
						t.Errorf("resource %s: got mimeType %q name %q title %q, want all set", r.URI, r.MIMEType, r.Name, r.Title)
					}
				}
			})

			t.Run("read every listed resource", func(t *testing.T) {
				for _, uri := range sandboxListed {
					text, err := readText(t, c, uri)
					if err != nil {
						t.Errorf("read %s: %v", uri, err)
						continue
					}
					if _, ok := jsonOf(t, text).(map[string]any); !ok {
						t.Errorf("read %s: got %.80s, want a JSON object", uri, text)
					}
				}
			})

			t.Run("read equals the tool", func(t *testing.T) {
				cases := []struct {
					name, uri, tool string
					args            map[string]any
					has             string // a string the answer must contain
				}{
					{"column downstream", "datafold://sandbox/lineage/1/columns/ANALYTICS.MARTS.fct_orders.amount/downstream", "datafold_get_column_downstreams",
						map[string]any{"data_connection_id": 1, "column_path": "ANALYTICS.MARTS.fct_orders.amount"}, `"lifetime_value"`},
					{"column upstream, one hop with tables", "datafold://sandbox/lineage/1/columns/ANALYTICS.MARTS.fct_orders.amount/upstream?max_depth=1&include_tabular_nodes=true",
						"datafold_get_column_upstreams", map[string]any{"data_connection_id": 1, "column_path": "ANALYTICS.MARTS.fct_orders.amount", "max_depth": 1, "include_tabular_nodes": true}, `"Table"`},
					{"quoted column path", "datafold://sandbox/lineage/1/columns/ANALYTICS.%22MARTS%22.fct_orders.amount/upstream", "datafold_get_column_upstreams",
						map[string]any{"data_connection_id": 1, "column_path": `ANALYTICS."MARTS".fct_orders.amount`}, `"payments"`},
					{"table downstream in dev", "datafold://sandbox/lineage/2/tables/ANALYTICS.RAW.orders/downstream", "datafold_get_table_downstreams",
						map[string]any{"data_connection_id": 2, "table_path": "ANALYTICS.RAW.orders"}, `"dim_customers"`},
					{"table upstream, one hop", "datafold://sandbox/lineage/1/tables/ANALYTICS.MARTS.fct_orders/upstream?max_depth=1", "datafold_get_table_upstreams",
						map[string]any{"data_connection_id": 1, "table_path": "ANALYTICS.MARTS.fct_orders", "max_depth": 1}, `"stg_payments"`},
					{"data source summary", "datafold://sandbox/data-sources/1/summary", "datafold_get_data_source_summary", map[string]any{"data_source_id": 1}, `"Snowflake (prod)"`},
					{"data source", "datafold://sandbox/data-sources/2", "datafold_get_data_source", map[string]any{"data_source_id": 2}, `"[REDACTED]"`},
					{"lightdash table", "lightdash://sandbox/projects/" + ldProject + "/tables/fct_orders", "lightdash_get_metadata",
						map[string]any{"projectUuid": ldProject, "table": "fct_orders"}, `"total_revenue"`},
					{"lightdash table usage", "lightdash://sandbox/projects/" + ldProject + "/tables/dim_customers/usage", "lightdash_get_analytics",
						map[string]any{"projectUuid": ldProject, "table": "dim_customers"}, `"Marketing performance"`},
					{"lightdash field usage", "lightdash://sandbox/projects/" + ldProject + "/tables/fct_orders/fields/total_revenue/usage", "lightdash_get_analytics_field",
						map[string]any{"projectUuid": ldProject, "table": "fct_orders", "field": "total_revenue"}, `"Revenue by month"`},
					{"lightdash catalog search", "lightdash://sandbox/projects/" + ldProject + "/catalog?search=revenue", "lightdash_get_catalog",
						map[string]any{"projectUuid": ldProject, "search": "revenue"}, `"total_revenue"`},
					{"posthog sources", "posthog://sandbox/projects/1/sources", "posthog_list_external_data_sources", map[string]any{"project_id": "1"}, `"Stripe"`},
					{"posthog source", "posthog://sandbox/projects/1/sources/" + sandbox.Examples()[schemas.PostHog]["id"], "posthog_get_external_data_source",
						map[string]any{"project_id": "1", "id": sandbox.Examples()[schemas.PostHog]["id"]}, `"schemas"`},
					{"pdc data sources", "pdc://sandbox/data-sources", "pdc_filter_data_sources", map[string]any{"resourceNames": []any{"*"}, "limit": 100}, `"Snowflake Analytics"`},
					{"pdc data source", "pdc://sandbox/data-sources/" + sandbox.Examples()[schemas.PDC]["id"], "pdc_get_data_source_by_id",
						map[string]any{"id": sandbox.Examples()[schemas.PDC]["id"]}, `"Snowflake Analytics"`},
				}
				for _, tc := range cases {
					t.Run(tc.name, func(t *testing.T) {
						text, err := readText(t, c, tc.uri)
						if err != nil {
							t.Fatalf("read: %v", err)
						}
						res := callTool(t, c, tc.tool, tc.args)
						if res.IsError {
							t.Fatalf("%s: %s", tc.tool, mcpgo.Text(res))
						}
						got, want := jsonOf(t, text), plainJSON(t, res.StructuredContent)
						if !reflect.DeepEqual(got, want) {
							t.Errorf("resource got %.300s, want the tool's answer %.300v", text, want)
						}
						if !strings.Contains(text, tc.has) {
							t.Errorf("resource got %.300s, want it to contain %s", text, tc.has)
						}
					})
				}
			})

			t.Run("read errors", func(t *testing.T) {
				cases := []struct{ name, uri, want string }{
					{"unknown connection", "datafold://nope/data-sources", `Datafold has no connection "nope"; its connections are sandbox`},
					{"no such route", "datafold://sandbox/monitors", "datafold://sandbox/monitors"},
					{"unknown column", "datafold://sandbox/lineage/1/columns/ANALYTICS.MARTS.fct_orders.nope/downstream", "404"},
					{"unknown query argument", "datafold://sandbox/lineage/1/tables/ANALYTICS.MARTS.fct_orders/upstream?depth=2", `unknown query argument "depth"`},
					{"bad data source id", "datafold://sandbox/data-sources/first", "data_source_id must be a positive whole number"},
				}
				for _, tc := range cases {
					t.Run(tc.name, func(t *testing.T) {
						_, err := readText(t, c, tc.uri)
						if err == nil || !strings.Contains(err.Error(), tc.want) {
							t.Errorf("got %v, want an error containing %q", err, tc.want)
						}
					})
				}
			})

			t.Run("complete", func(t *testing.T) {
				colTpl := "datafold://{connection}/lineage/{data_source_id}/columns/{column_path}/{direction}{?max_depth,include_tabular_nodes}"
				tblTpl := "datafold://{connection}/lineage/{data_source_id}/tables/{table_path}/{direction}{?max_depth}"
				fieldTpl := "lightdash://{connection}/projects/{projectUuid}/tables/{table}/fields/{field}/usage"
				cases := []struct {
					name, ref, arg, value string
					context               map[string]string
					want                  []string
				}{
					{"column path in prod", colTpl, "column_path", "fct_orders.a", map[string]string{"data_source_id": "1"}, []string{"ANALYTICS.MARTS.fct_orders.amount"}},
					{"column path by column name", colTpl, "column_path", "lifetime", map[string]string{"data_source_id": "2"}, []string{"ANALYTICS.MARTS.dim_customers.lifetime_value"}},
					{"every table in prod", tblTpl, "table_path", "", map[string]string{"data_source_id": "1"}, []string{
						"ANALYTICS.MARTS.dim_customers", "ANALYTICS.MARTS.fct_orders", "ANALYTICS.RAW.customers", "ANALYTICS.RAW.orders",
						"ANALYTICS.RAW.payments", "ANALYTICS.STAGING.stg_customers", "ANALYTICS.STAGING.stg_orders", "ANALYTICS.STAGING.stg_payments"}},
					{"staging tables by prefix", tblTpl, "table_path", "analytics.staging", map[string]string{"data_source_id": "2"}, []string{
						"ANALYTICS.STAGING.stg_customers", "ANALYTICS.STAGING.stg_orders", "ANALYTICS.STAGING.stg_payments"}},
					{"tables of a data source without lineage", tblTpl, "table_path", "", map[string]string{"data_source_id": "3"}, []string{}},
					{"data source by name", tblTpl, "data_source_id", "snow", nil, []string{"1", "2"}},
					{"data source by id", "datafold://{connection}/data-sources/{data_source_id}/summary", "data_source_id", "3", nil, []string{"3"}},
					{"direction", tblTpl, "direction", "up", nil, []string{"upstream"}},
					{"connection", colTpl, "connection", "", nil, []string{"sandbox"}},
					{"lightdash project by name", fieldTpl, "projectUuid", "preview", nil, []string{ldPreview}},
					{"lightdash tables of a project", fieldTpl, "table", "", map[string]string{"projectUuid": ldProject}, []string{"dim_customers", "fct_orders"}},
					{"lightdash fields of a table", fieldTpl, "field", "rev", map[string]string{"projectUuid": ldProject, "table": "fct_orders"},
						[]string{"total_revenue", "credit_card_revenue", "bank_transfer_revenue", "coupon_revenue", "gift_card_revenue"}},
					{"lightdash field by label", fieldTpl, "field", "lifetime", map[string]string{"projectUuid": ldProject, "table": "dim_customers"},
						[]string{"lifetime_value", "average_lifetime_value", "total_lifetime_value"}},
					{"pdc data source by name", "pdc://{connection}/data-sources/{id}", "id", "snowflake", nil, []string{sandbox.Examples()[schemas.PDC]["id"]}},
					{"posthog project without a default: the listed projects and @current", "posthog://{connection}/projects/{project_id}/sources{?search}", "project_id", "", nil, []string{"1", "@current"}},
					{"posthog source of a project", "posthog://{connection}/projects/{project_id}/sources/{source_id}", "source_id", "stripe",
						map[string]string{"project_id": "1"}, []string{sandbox.Examples()[schemas.PostHog]["id"]}},
					{"a concrete URI as the reference", "datafold://sandbox/lineage/1/tables/x/upstream", "table_path", "fct", map[string]string{"data_source_id": "1"},
						[]string{"ANALYTICS.MARTS.fct_orders"}},
					{"unknown template", "looker://{connection}/x", "x", "", nil, []string{}},
				}
				for _, tc := range cases {
					t.Run(tc.name, func(t *testing.T) {
						req := mcp.CompleteRequest{}
						req.Params.Ref = mcp.ResourceReference{Type: "ref/resource", URI: tc.ref}
						req.Params.Argument = mcp.CompleteArgument{Name: tc.arg, Value: tc.value}
						req.Params.Context = mcp.CompleteContext{Arguments: tc.context}
						res, err := c.Complete(ctx, req)
						if err != nil {
							t.Fatal(err)
						}
						if !reflect.DeepEqual(res.Completion.Values, tc.want) {
							t.Errorf("values got %q, want %q", res.Completion.Values, tc.want)
						}
						if res.Completion.Total != len(tc.want) || res.Completion.HasMore {
							t.Errorf("total/hasMore got %d/%v, want %d/false", res.Completion.Total, res.Completion.HasMore, len(tc.want))
						}
					})
				}
			})

			t.Run("prompt", func(t *testing.T) {
				list, err := c.ListPrompts(ctx, mcp.ListPromptsRequest{})
				if err != nil {
					t.Fatal(err)
				}
				if len(list.Prompts) != 1 || list.Prompts[0].Name != PromptName {
					t.Fatalf("prompts got %v, want only %s", list.Prompts, PromptName)
				}
				req := mcp.GetPromptRequest{}
				req.Params.Name = PromptName
				req.Params.Arguments = map[string]string{"question": "What breaks if I change fct_orders.amount?", "target": "ANALYTICS.MARTS.fct_orders.amount"}
				res, err := c.GetPrompt(ctx, req)
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Messages) != 1 || res.Messages[0].Role != mcp.RoleUser {
					t.Fatalf("messages got %v, want one user message", res.Messages)
				}
				text := res.Messages[0].Content.(mcp.TextContent).Text
				for _, want := range []string{"What breaks if I change fct_orders.amount?", "target ANALYTICS.MARTS.fct_orders.amount", "lineage_impact",
					"datafold://sandbox/data-sources", "lightdash://sandbox/projects", "read_resource", "truncated"} {
					if !strings.Contains(text, want) {
						t.Errorf("prompt text lacks %q:\n%s", want, text)
					}
				}
				req.Params.Arguments = map[string]string{}
				if _, err := c.GetPrompt(ctx, req); err == nil || !strings.Contains(err.Error(), "question") {
					t.Errorf("without a question got %v, want an error naming the argument", err)
				}
				creq := mcp.CompleteRequest{}
				creq.Params.Ref = mcp.PromptReference{Type: "ref/prompt", Name: PromptName}
				creq.Params.Argument = mcp.CompleteArgument{Name: "target", Value: "dim_customers.life"}
				creq.Params.Context = mcp.CompleteContext{Arguments: map[string]string{"data_source_id": "1"}}
				cres, err := c.Complete(ctx, creq)
				if err != nil {
					t.Fatal(err)
				}
				if want := []string{"ANALYTICS.MARTS.dim_customers.lifetime_value"}; !reflect.DeepEqual(cres.Completion.Values, want) {
					t.Errorf("prompt completion got %q, want %q", cres.Completion.Values, want)
				}
			})

			t.Run("fallback tools", func(t *testing.T) {
				testFallback(t, c)
			})
		})
	}
}

// testFallback checks list_resources and read_resource against the
// resource methods.
func testFallback(t *testing.T, c *mcpclient.Client) {
	ctx := context.Background()
	templates, err := c.ListResourceTemplates(ctx, mcp.ListResourceTemplatesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	pages, _ := allPages(t, c)
	cursor := ""
	for i, page := range pages {
		args := map[string]any{}
		if cursor != "" {
			args["cursor"] = cursor
		}
		res := callTool(t, c, ListResourcesName, args)
		if res.IsError {
			t.Fatalf("list_resources page %d: %s", i, mcpgo.Text(res))
		}
		var got ListResult
		b, _ := json.Marshal(res.StructuredContent)
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(plainJSON(t, got.Resources), plainJSON(t, page)) {
			t.Errorf("list_resources page %d got %q, want resources/list's %q", i, uris(got.Resources), uris(page))
		}
		if i == 0 {
			if g, w := templateStrings(got.ResourceTemplates), templateStrings(templates.ResourceTemplates); !reflect.DeepEqual(g, w) {
				t.Errorf("list_resources templates got %q, want %q", g, w)
			}
		} else if len(got.ResourceTemplates) != 0 {
			t.Errorf("list_resources page %d got %d templates, want none after the first page", i, len(got.ResourceTemplates))
		}
		if (got.NextCursor == "") != (i == len(pages)-1) {
			t.Errorf("list_resources page %d nextCursor got %q, want one on every page but the last", i, got.NextCursor)
		}
		if mcpgo.Text(res) != mustEncode(t, got) {
			t.Errorf("list_resources text is not its structured content")
		}
		cursor = got.NextCursor
	}
	for _, uri := range append(uris(slices.Concat(pages...)), "datafold://sandbox/lineage/1/columns/ANALYTICS.MARTS.fct_orders.amount/downstream?max_depth=3") {
		want, err := readText(t, c, uri)
		if err != nil {
			t.Errorf("read %s: %v", uri, err)
			continue
		}
		res := callTool(t, c, ReadResourceName, map[string]any{"uri": uri})
		if res.IsError || mcpgo.Text(res) != want {
			t.Errorf("read_resource %s got %.200s (isError %v), want resources/read's %.200s", uri, mcpgo.Text(res), res.IsError, want)
		}
	}
	for _, tc := range []struct{ name, uri, want string }{
		{"unknown route", "datafold://sandbox/monitors", "no resource at"},
		{"unknown connection", "lightdash://prod/projects", `Lightdash has no connection "prod"`},
	} {
		res := callTool(t, c, ReadResourceName, map[string]any{"uri": tc.uri})
		if !res.IsError || !strings.Contains(mcpgo.Text(res), tc.want) {
			t.Errorf("read_resource %s (%s) got %q (isError %v), want an error containing %q", tc.uri, tc.name, mcpgo.Text(res), res.IsError, tc.want)
		}
	}
	res := callTool(t, c, ListResourcesName, map[string]any{"cursor": "bm90IGEgY3Vyc29y"})
	if !res.IsError || !strings.Contains(mcpgo.Text(res), "invalid cursor") {
		t.Errorf("list_resources with a foreign cursor got %q, want an invalid cursor error", mcpgo.Text(res))
	}
}

func mustEncode(t *testing.T, v any) string {
	t.Helper()
	s, err := tools.EncodeJSON(v)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestExtraTools checks the tools the catalog adds, as tools/list shows them.
func TestExtraTools(t *testing.T) {
	st := newStack(t, sandboxConns(), Options{})
	c := transports[0].connect(t, st.srv)
	listed, err := c.ListTools(context.Background(), mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]mcp.Tool{}
	for _, tl := range listed.Tools {
		byName[tl.Name] = tl
	}
	cases := []struct {
		name, toolset string
		output        bool
	}{
		{ListResourcesName, "resources", false},
		{ReadResourceName, "resources", false},
		{impact.Name, "lineage", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mt, ok := byName[tc.name]
			if !ok {
				t.Fatalf("tools/list lacks %s", tc.name)
			}
			a := mt.Annotations
			if a.ReadOnlyHint == nil || !*a.ReadOnlyHint || a.DestructiveHint == nil || *a.DestructiveHint ||
				a.IdempotentHint == nil || !*a.IdempotentHint || a.OpenWorldHint == nil || !*a.OpenWorldHint {
				t.Errorf("annotations got %+v, want read-only, not destructive, idempotent, open-world", a)
			}
			if got := mt.OutputSchema.Type == "object"; got != tc.output {
				t.Errorf("outputSchema present got %v, want %v", got, tc.output)
			}
			tool := tools.Find(st.cat.Tools(), tc.name)
			if tool == nil || tool.Provider != tools.DiscoveryProvider || tool.Toolset != tc.toolset || tool.Operation != "" {
				t.Errorf("tool got %+v, want provider %s toolset %s and no operation", tool, tools.DiscoveryProvider, tc.toolset)
			}
		})
	}
	// lineage_impact through MCP gives the exact answer (tools/impact_test.go
	// has the cases); here: structured content and the summary.
	res := callTool(t, c, impact.Name, map[string]any{"column_path": "ANALYTICS.MARTS.fct_orders.amount", "data_source_id": 1})
	if res.IsError {
		t.Fatal(mcpgo.Text(res))
	}
	var out impact.Impact
	b, _ := json.Marshal(res.StructuredContent)
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	// One BI integration: Looker's bindings name data source 1, the dbt
	// integration's documented configuration names none (a note says so,
	// and the answer stays complete). Complete: the dashboards showing
	// charts saved in a space come from their promotion diffs (the project
	// has an upstream project).
	want := map[string]int{"columns": 1, "tables": 1, "bi_integrations": 1, "lightdash_explores": 2, "lightdash_fields": 6, "lightdash_charts": 3, "lightdash_dashboards": 2}
	if !reflect.DeepEqual(out.Counts, want) || !out.Complete || out.Truncated || len(out.Errors) > 0 {
		t.Errorf("counts/complete/truncated/errors got %v/%v/%v/%q, want %v/true/false/none", out.Counts, out.Complete, out.Truncated, out.Errors, want)
	}
}

// TestConnections: resources of several connections, each in its URI's
// authority, each with its own policy.
func TestConnections(t *testing.T) {
	st := newStack(t, []connSpec{
		{provider: schemas.Datafold, name: "prod"},
		{provider: schemas.Datafold, name: "dev", policy: tools.Policy{Exclude: []string{"datafold_get_column_downstreams"}}},
		{provider: schemas.Lightdash, name: "sandbox", policy: tools.Policy{Toolsets: []string{"lightdash-projects", "lightdash-organizations"}}},
	}, Options{})
	c := transports[0].connect(t, st.srv)
	ctx := context.Background()
	templates, err := c.ListResourceTemplates(ctx, mcp.ListResourceTemplatesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	// Lightdash's catalog toolset is not allowed: only its project list is
	// served; PostHog and PDC have no connection.
	wantTemplates := []string{
		"datafold://{connection}/bi-integrations",
		"datafold://{connection}/data-sources",
		"datafold://{connection}/data-sources/{data_source_id}",
		"datafold://{connection}/data-sources/{data_source_id}/summary",
		"datafold://{connection}/lineage/{data_source_id}/columns/{column_path}/{direction}{?max_depth,include_tabular_nodes}",
		"datafold://{connection}/lineage/{data_source_id}/tables/{table_path}/{direction}{?max_depth}",
		"lightdash://{connection}/projects",
	}
	if got := templateStrings(templates.ResourceTemplates); !reflect.DeepEqual(got, wantTemplates) {
		t.Errorf("templates got %q, want %q", got, wantTemplates)
	}
	for _, tpl := range templates.ResourceTemplates {
		if strings.HasPrefix(tpl.URITemplate.Raw(), "datafold://") && !strings.Contains(tpl.Description, "Connections: prod, dev.") {
			t.Errorf("%s description got %q, want it to name prod and dev", tpl.URITemplate.Raw(), tpl.Description)
		}
	}
	pages, _ := allPages(t, c)
	var got []string
	for _, p := range pages {
		got = append(got, uris(p)...)
	}
	wantListed := []string{
		"datafold://dev/bi-integrations", "datafold://dev/data-sources", "datafold://dev/data-sources/1/summary", "datafold://dev/data-sources/2/summary", "datafold://dev/data-sources/3/summary",
		"datafold://prod/bi-integrations", "datafold://prod/data-sources", "datafold://prod/data-sources/1/summary", "datafold://prod/data-sources/2/summary", "datafold://prod/data-sources/3/summary",
		"lightdash://sandbox/projects",
	}
	if !reflect.DeepEqual(got, wantListed) {
		t.Errorf("resources got %q, want %q", got, wantListed)
	}

	col := "/lineage/1/columns/ANALYTICS.MARTS.fct_orders.amount/"
	cases := []struct {
		name, uri, wantErr string
		tool               string
		args               map[string]any
	}{
		{name: "prod downstream", uri: "datafold://prod" + col + "downstream", tool: "datafold_get_column_downstreams",
			args: map[string]any{"connection": "prod", "data_connection_id": 1, "column_path": "ANALYTICS.MARTS.fct_orders.amount"}},
		{name: "dev upstream", uri: "datafold://dev" + col + "upstream", tool: "datafold_get_column_upstreams",
			args: map[string]any{"connection": "dev", "data_connection_id": 1, "column_path": "ANALYTICS.MARTS.fct_orders.amount"}},
		{name: "dev downstream is excluded", uri: "datafold://dev" + col + "downstream", wantErr: "Datafold connection dev does not allow datafold_get_column_downstreams"},
		{name: "lightdash catalog not served", uri: "lightdash://sandbox/projects/" + ldProject + "/catalog", wantErr: "lightdash://sandbox/projects/" + ldProject + "/catalog"},
		{name: "posthog not configured", uri: "posthog://sandbox/projects/1/sources", wantErr: "posthog://sandbox/projects/1/sources"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			text, err := readText(t, c, tc.uri)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("got %v, want an error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			res := callTool(t, c, tc.tool, tc.args)
			if res.IsError {
				t.Fatal(mcpgo.Text(res))
			}
			if got, want := jsonOf(t, text), plainJSON(t, res.StructuredContent); !reflect.DeepEqual(got, want) {
				t.Errorf("resource got %.200s, want the tool's %.200v", text, want)
			}
		})
	}
	// Completing a connection offers those that serve the template.
	req := mcp.CompleteRequest{}
	req.Params.Ref = mcp.ResourceReference{Type: "ref/resource", URI: wantTemplates[4]}
	req.Params.Argument = mcp.CompleteArgument{Name: "connection"}
	res, err := c.Complete(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"prod", "dev"}; !reflect.DeepEqual(res.Completion.Values, want) {
		t.Errorf("connection completion got %q, want %q", res.Completion.Values, want)
	}
	// lineage_impact needs the connection; the prompt says so.
	impact := tools.Find(st.cat.Tools(), impact.Name)
	if impact == nil || !strings.Contains(string(impact.InputSchema), `"enum":["prod","dev"]`) {
		t.Errorf("lineage_impact schema got %s, want a connection enum of prod and dev", impact.InputSchema)
	}
	if text := st.cat.promptText("q", "", "", ""); !strings.Contains(text, "Several Datafold connections are configured (prod, dev)") {
		t.Errorf("prompt got %q, want it to name the connections", text)
	}
}

// TestProvidersAbsent: only what the configured providers support is
// registered.
func TestProvidersAbsent(t *testing.T) {
	cases := []struct {
		name      string
		specs     []connSpec
		templates int
		tools     []string
		prompts   int
		listed    []string
	}{
		{"no connection", nil, 0, nil, 0, []string{}},
		{"Lightdash only", []connSpec{{provider: schemas.Lightdash, name: "bi"}}, 5, []string{ListResourcesName, ReadResourceName}, 0,
			[]string{"lightdash://bi/projects", "lightdash://bi/projects/" + ldProject + "/catalog", "lightdash://bi/projects/" + ldPreview + "/catalog",
				"lightdash://bi/projects/" + ldCertified + "/catalog"}},
		{"PostHog with a default project", []connSpec{{provider: schemas.PostHog, name: "us", defaults: map[string]any{"project_id": "1"}}}, 3,
			[]string{ListResourcesName, ReadResourceName}, 0, []string{"posthog://us/projects/1/sources"}},
		{"Datafold only", []connSpec{{provider: schemas.Datafold, name: "prod"}}, 6, []string{ListResourcesName, ReadResourceName, impact.Name}, 1,
			[]string{"datafold://prod/bi-integrations", "datafold://prod/data-sources", "datafold://prod/data-sources/1/summary", "datafold://prod/data-sources/2/summary", "datafold://prod/data-sources/3/summary"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := newStack(t, tc.specs, Options{})
			var names []string
			for _, tl := range st.cat.Tools() {
				names = append(names, tl.Name)
			}
			if !reflect.DeepEqual(names, tc.tools) {
				t.Errorf("tools got %q, want %q", names, tc.tools)
			}
			if got := len(st.cat.Templates()); got != tc.templates {
				t.Errorf("templates got %d, want %d", got, tc.templates)
			}
			if got := len(st.srv.ListPrompts()); got != tc.prompts {
				t.Errorf("prompts got %d, want %d", got, tc.prompts)
			}
			if got := uris(st.cat.List(context.Background())); !reflect.DeepEqual(got, tc.listed) {
				t.Errorf("listed got %q, want %q", got, tc.listed)
			}
		})
	}
}

// TestCompletionCache: completions and listings reuse upstream answers
// within the TTL.
func TestCompletionCache(t *testing.T) {
	st := newStack(t, sandboxConns(), Options{})
	var mu sync.Mutex
	var ops []string
	st.sb.Observe(func(e sandbox.Exchange) {
		mu.Lock()
		ops = append(ops, e.OperationID)
		mu.Unlock()
	})
	upstream := func(f func()) []string {
		mu.Lock()
		before := len(ops)
		mu.Unlock()
		f()
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(ops[before:])
	}
	complete := func() {
		st.cat.CompleteResource(context.Background(),
			"datafold://{connection}/lineage/{data_source_id}/columns/{column_path}/{direction}{?max_depth,include_tabular_nodes}",
			"column_path", "amo", map[string]string{"data_source_id": "1"})
	}
	list := func() { st.cat.List(context.Background()) }
	if got := upstream(complete); len(got) == 0 {
		t.Fatal("first completion got no upstream calls, want some")
	}
	if got := upstream(complete); len(got) != 0 {
		t.Errorf("second completion got upstream calls %q, want none (cached)", got)
	}
	// The listing reuses the Lightdash projects the completion read; only
	// the Datafold data sources are new.
	if got, want := upstream(list), []string{"list_data_sources_api_v1_data_sources_get"}; !reflect.DeepEqual(got, want) {
		t.Errorf("listing after the completion got upstream calls %q, want %q", got, want)
	}
	if got := upstream(list); len(got) != 0 {
		t.Errorf("second listing got upstream calls %q, want none (cached)", got)
	}
}

// TestLegacyProtocol: a client of an earlier protocol revision gets the
// same resources, without the cache hints introduced in 2026-07-28.
func TestLegacyProtocol(t *testing.T) {
	st := newStack(t, sandboxConns(), Options{})
	c, err := mcpclient.NewInProcessClient(st.srv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	ctx := context.Background()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = "2025-06-18"
	init.Params.ClientInfo = mcp.Implementation{Name: "legacy", Version: "1"}
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatal(err)
	}
	res, err := c.ListResourcesByPage(ctx, mcp.ListResourcesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if got := uris(res.Resources); !reflect.DeepEqual(got, sandboxListed) {
		t.Errorf("resources got %q, want %q", got, sandboxListed)
	}
	if res.TTLMs != nil {
		t.Errorf("ttlMs got %d, want none for a 2025-06-18 client", *res.TTLMs)
	}
	if _, err := readText(t, c, "datafold://sandbox/data-sources/1/summary"); err != nil {
		t.Error(err)
	}
}

// TestPageBounds: the page size is bounded, and a cursor not issued by the
// server is refused.
func TestPageBounds(t *testing.T) {
	cases := []struct {
		name      string
		pageSize  int
		wantPages []int
	}{
		{"default", 0, []int{10}},
		{"one per page", 1, []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
		{"above the maximum", 10000, []int{10}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := newStack(t, sandboxConns(), Options{PageSize: tc.pageSize})
			if st.cat.opts.PageSize > MaxPageSize {
				t.Errorf("page size got %d, want at most %d", st.cat.opts.PageSize, MaxPageSize)
			}
			var sizes []int
			var all []string
			cursor := ""
			for range 20 {
				page, next, err := st.cat.Page(context.Background(), cursor)
				if err != nil {
					t.Fatal(err)
				}
				sizes = append(sizes, len(page))
				all = append(all, uris(page)...)
				if next == "" {
					break
				}
				cursor = next
			}
			if !reflect.DeepEqual(sizes, tc.wantPages) || !reflect.DeepEqual(all, sandboxListed) {
				t.Errorf("pages got %v %q, want %v %q", sizes, all, tc.wantPages, sandboxListed)
			}
		})
	}
	st := newStack(t, sandboxConns(), Options{})
	for _, bad := range []string{"%%%", "bm90IGEgY3Vyc29y"} {
		page, next, err := st.cat.Page(context.Background(), bad)
		if err == nil || len(page) != 0 || next != "" {
			t.Errorf("cursor %q got %d resources, next %q, err %v; want an error and an empty page", bad, len(page), next, err)
		}
	}
}

// TestInventory: the extra tools are listable without a configuration.
func TestInventory(t *testing.T) {
	all, err := tools.All()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := Inventory(all)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tl := range inv {
		names = append(names, tl.Name)
	}
	if want := []string{ListResourcesName, ReadResourceName, impact.Name}; !reflect.DeepEqual(names, want) {
		t.Errorf("inventory got %q, want %q", names, want)
	}
}

// TestRequestPolicy: a request whose tool policy (X-MCP-* headers over
// HTTP) hides the tool behind a resource cannot read the resource.
func TestRequestPolicy(t *testing.T) {
	st := newStack(t, sandboxConns(), Options{})
	cases := []struct {
		name    string
		policy  tools.Policy
		uri     string
		wantErr string
	}{
		{"no policy", tools.Policy{}, "datafold://sandbox/data-sources/1/summary", ""},
		{"provider allowed", tools.Policy{Toolsets: []string{"datafold"}}, "datafold://sandbox/data-sources/1/summary", ""},
		{"provider hidden", tools.Policy{Toolsets: []string{"lightdash"}}, "datafold://sandbox/data-sources/1/summary", "does not allow datafold_get_data_source_summary"},
		{"read-only keeps the PDC filter (a search)", tools.Policy{ReadOnly: true}, "pdc://sandbox/data-sources", ""},
		{"an exclusion hides the PDC filter", tools.Policy{Exclude: []string{"pdc_filter_data_sources"}}, "pdc://sandbox/data-sources", "does not allow pdc_filter_data_sources"},
		{"read-only keeps reads", tools.Policy{ReadOnly: true}, "pdc://sandbox/data-sources/" + sandbox.Examples()[schemas.PDC]["id"], ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := tools.WithRequestPolicy(context.Background(), tc.policy)
			_, err := st.cat.Read(ctx, tc.uri)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("got %v, want the resource", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("got %v, want an error containing %q", err, tc.wantErr)
			}
		})
	}
}

// TestRequestPolicyList: the listing and completions of a request leave out
// what its tool policy hides, cached or not.
func TestRequestPolicyList(t *testing.T) {
	st := newStack(t, sandboxConns(), Options{})
	full := uris(st.cat.List(context.Background()))
	if !reflect.DeepEqual(full, sandboxListed) {
		t.Fatalf("listed got %q, want %q", full, sandboxListed)
	}
	tpl := "datafold://{connection}/data-sources/{data_source_id}/summary"
	cases := []struct {
		name        string
		policy      tools.Policy
		listed      []string
		completions []string
	}{
		{"no policy", tools.Policy{}, sandboxListed, []string{"1", "2", "3"}},
		{"Lightdash only", tools.Policy{Toolsets: []string{"lightdash"}}, []string{
			"lightdash://sandbox/projects", "lightdash://sandbox/projects/" + ldProject + "/catalog", "lightdash://sandbox/projects/" + ldPreview + "/catalog",
			"lightdash://sandbox/projects/" + ldCertified + "/catalog"}, []string{}},
		{"read-only", tools.Policy{ReadOnly: true}, sandboxListed, []string{"1", "2", "3"}},
		{"PDC filter excluded", tools.Policy{Exclude: []string{"pdc_filter_data_sources"}}, sandboxListed[:len(sandboxListed)-1], []string{"1", "2", "3"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := tools.WithRequestPolicy(context.Background(), tc.policy)
			if got := uris(st.cat.List(ctx)); !reflect.DeepEqual(got, tc.listed) {
				t.Errorf("listed got %q, want %q", got, tc.listed)
			}
			res := st.cat.CompleteResource(ctx, tpl, "data_source_id", "", nil)
			if !reflect.DeepEqual(res.Values, tc.completions) {
				t.Errorf("completions got %q, want %q", res.Values, tc.completions)
			}
		})
	}
}
