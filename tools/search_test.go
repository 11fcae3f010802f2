package tools

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSearchRealisticQueries ranks the generated tools for queries users
// wrote: the tool that answers must be among the first want.
func TestSearchRealisticQueries(t *testing.T) {
	ix := newIndex(mustAll(t))
	cases := []struct {
		query string
		tool  string
		top   int
	}{
		{"posthog sources failing sync", "posthog_list_external_data_sources", 2},
		{"which posthog sources failed to sync", "posthog_list_external_data_sources", 2},
		{"why is my stripe sync failing", "posthog_list_external_data_sources", 1},
		{"postgres source sync errors", "posthog_list_external_data_source_jobs", 3},
		{"stale posthog tables", "posthog_list_external_data_sources", 3},
		{"posthog projects", "posthog_list_projects", 1},
		{"failing monitors", "datafold_list_monitors", 3},
		{"monitor runs", "datafold_list_monitor_runs", 1},
		{"list lightdash projects", "lightdash_list_organization_projects", 1},
		{"what depends on this column", "datafold_get_column_downstreams", 3},
		{"diff prod and dev orders", "datafold_create_data_diff", 3},
		{"pentaho data source by id", "pdc_get_data_source_by_id", 3},
		// PDC's list is named filter; the shorter get-one tool shares all
		// the other words.
		{"Which data sources in the Pentaho data catalog are inactive?", "pdc_filter_data_sources", 1},
		{"search the PDC data sources", "pdc_filter_data_sources", 1},
		// A quoted value is not what is asked: "exports" is no download.
		{"Change the description of the AWS S3 Data Lake source in Pentaho Data Catalog to 'Raw event exports (Parquet)'.", "pdc_update_data_source_attributes", 1},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			var got []string
			for _, h := range ix.search(tc.query, tc.top) {
				got = append(got, h.tool.Name)
			}
			assert.Contains(t, got, tc.tool, "top %d got %v, want %s among them", tc.top, got, tc.tool)
		})
	}
}

func TestSplitQuoted(t *testing.T) {
	cases := []struct{ query, plain, quoted string }{
		{"rename it to 'Sales KPIs' now", "rename it to   now", "'Sales KPIs'"},
		{`the "No negative amounts" monitor`, "the   monitor", `"No negative amounts"`},
		{"set it to “Raw exports”.", "set it to  .", "“Raw exports”"},
		{"Datafold's prod source, we don't need it", "Datafold's prod source, we don't need it", ""},
		{"status = 'completed' (and 'open')", "status =   (and  )", "'completed' 'open'"},
		{"an 'unclosed quote", "an 'unclosed quote", ""},
	}
	for _, tc := range cases {
		plain, quoted := splitQuoted(tc.query)
		assert.Equal(t, tc.plain, plain, "splitQuoted(%q) plain", tc.query)
		assert.Equal(t, tc.quoted, quoted, "splitQuoted(%q) quoted", tc.query)
	}
}

func TestIntentOfStates(t *testing.T) {
	cases := []struct {
		query string
		want  int
	}{
		{"posthog sources failing sync", readIntent},
		{"stale tables in posthog", readIntent},
		{"resync the failing stripe source", writeIntent},
		{"monitor runs", noIntent},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, intentOf(tc.query), "intentOf(%q)", tc.query)
	}
}

func TestPlural(t *testing.T) {
	cases := map[string]bool{"sources": true, "monitors": true, "diffs": true, "status": false, "access": false, "analysis": false, "has": false, "dbs": false}
	for w, want := range cases {
		assert.Equal(t, want, plural(w), "plural(%q)", w)
	}
}

func TestFirstSentence(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Start a diff (e.g. prod vs dev) by key; it runs asynchronously. Poll it.", "Start a diff (e.g. prod vs dev) by key; it runs asynchronously."},
		{"Compare tables, e.g. prod and dev. Then read the verdict.", "Compare tables, e.g. prod and dev."},
		{"Find tools, i.e. search them. Returns names.", "Find tools, i.e. search them."},
		{"Runs on v1.2 servers. Cheap.", "Runs on v1.2 servers."},
		{"One sentence only.", "One sentence only."},
		{"No period at all", "No period at all"},
		{"Dates like 2024-01-01. Newest first.", "Dates like 2024-01-01."},
		{"Compare prod vs. dev tables. Done.", "Compare prod vs. dev tables."},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, firstSentence(tc.in), "firstSentence(%q)", tc.in)
	}
}

func TestSuggest(t *testing.T) {
	all := mustAll(t)
	cases := []struct {
		name  string
		first string
	}{
		{"datafold_get_monitr", "datafold_get_monitor"},
		{"list_monitors", "datafold_list_monitors"},
		{"PostHog_List_External_Data_Sources", "posthog_list_external_data_sources"},
		{"posthog.list-projects", "posthog_list_projects"},
		{"datafld_lst_monitors", "datafold_list_monitors"},
		{"lightdash_run_sql", "lightdash_run_sql_query"},
		{"lightdash_list_projects", "lightdash_list_organization_projects"},
		{"datafold_list_diffs", "datafold_list_data_diffs"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Suggest(all, tc.name, 3)
			require.NotEmpty(t, got, "suggestions for %q", tc.name)
			assert.Equal(t, tc.first, got[0], "first suggestion for %q (all: %v)", tc.name, got)
		})
	}
	assert.Empty(t, Suggest(all, "xyz", 3), "a name like no tool")
	assert.Empty(t, Suggest(all, "", 3), "an empty name")
}

func TestEditDistance(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"monitr", "monitor", 1}, {"kitten", "sitting", 3},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, editDistance(tc.a, tc.b), "editDistance(%q, %q)", tc.a, tc.b)
	}
}

// TestDiscoveryDidYouMean: describe_tool and call_tool of an unknown name
// suggest the closest tools the request may see.
func TestDiscoveryDidYouMean(t *testing.T) {
	disc, err := DiscoveryTools(mustAll(t))
	require.NoError(t, err)
	byName := map[string]*Tool{}
	for _, d := range disc {
		byName[d.Name] = d
	}
	lightdashOnly := WithRequestPolicy(context.Background(), Policy{Toolsets: []string{"lightdash"}})
	cases := []struct {
		name, tool, arg string
		ctx             context.Context
		want, not       string
	}{
		{"typo", "describe_tool", "datafold_get_monitr", context.Background(), "Did you mean datafold_get_monitor,", ""},
		{"case and separators", "call_tool", "PostHog.List_Projects", context.Background(), "Did you mean posthog_list_projects?", ""},
		{"missing provider", "call_tool", "list_data_diffs", context.Background(), "Did you mean datafold_list_data_diffs", ""},
		{"hidden by the request", "describe_tool", "datafold_get_monitr", lightdashOnly, "There is no tool", "datafold_get_monitor"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := byName[tc.tool].Call(tc.ctx, &Deps{}, map[string]any{"name": tc.arg})
			require.True(t, res.IsError, "got %s, want an error", Text(res))
			assert.Contains(t, Text(res), tc.want)
			if tc.not != "" {
				assert.NotContains(t, Text(res), tc.not)
			}
		})
	}
}

// TestMatchingBounded: only the first maxNameBytes of a tool name, and the
// first maxQueryBytes of a search query, take part in matching, so a
// megabyte of either costs what its start costs; the answer still
// suggests tools, and echoes the name or query clipped.
func TestMatchingBounded(t *testing.T) {
	all := mustAll(t)
	huge := "datafold_get_monitr_" + strings.Repeat("y", 1<<20)
	key := suggestKey(huge)
	assert.LessOrEqual(t, len(key), maxNameBytes, "got %d bytes compared with the tool names, want at most %d", len(key), maxNameBytes)
	got := Suggest(all, huge, 3)
	require.NotEmpty(t, got, "suggestions for a megabyte name")
	assert.Equal(t, Suggest(all, huge[:maxNameBytes], 3), got, "suggestions for a megabyte name are those for its start")

	disc, err := DiscoveryTools(all)
	require.NoError(t, err)
	res := Find(disc, "describe_tool").Call(context.Background(), &Deps{}, map[string]any{"name": huge})
	require.True(t, res.IsError, "got %.300s, want an error", Text(res))
	for _, want := range []string{"There is no tool", "…", "Did you mean " + got[0]} {
		assert.Contains(t, Text(res), want, "answer to a megabyte name")
	}
	assert.Less(t, len(Text(res)), 1000, "answer of %d bytes: %.300s", len(Text(res)), Text(res))

	search := Find(disc, "search_tools")
	query := "compare prod and dev tables " + strings.Repeat("qqq ", 1<<18)
	ix := newIndex(all)
	assert.Equal(t, ix.search(query[:maxQueryBytes], 5), ix.search(query, 5), "a megabyte query ranks as its start")
	res = search.Call(context.Background(), &Deps{}, map[string]any{"query": strings.Repeat("q", 1<<20)})
	require.False(t, res.IsError, "got %.300s", Text(res))
	assert.Contains(t, Text(res), "No tool matches", "answer to a query nothing matches")
	assert.Less(t, len(Text(res)), 1000, "answer of %d bytes: %.300s", len(Text(res)), Text(res))
}

// TestSearchToolsShowsWholeFirstSentence: search_tools does not cut a
// description at "e.g.".
func TestSearchToolsShowsWholeFirstSentence(t *testing.T) {
	disc, err := DiscoveryTools(mustAll(t))
	require.NoError(t, err)
	res := disc[0].Call(context.Background(), &Deps{}, map[string]any{"query": "compare prod and dev tables", "limit": 3})
	require.False(t, res.IsError, Text(res))
	assert.Contains(t, Text(res), "(e.g. prod vs dev) by primary key", "datafold_create_data_diff's first sentence, whole")
}
