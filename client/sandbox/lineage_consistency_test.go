package sandbox

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"testing"
)

// The demo stack's lineage must agree across Datafold and Lightdash, so
// impact answers that cross them (lineage_impact) are exact. These tests
// pin the facts those answers rest on.

// TestLightdashFieldsReadWarehouseColumns: every Lightdash table is a
// MARTS table of its project's warehouse, and every field reads a column
// that table has.
func TestLightdashFieldsReadWarehouseColumns(t *testing.T) {
	st := seedLightdash()
	for _, p := range st.projects {
		w := warehouseFor(p.DS)
		if w == nil {
			t.Fatalf("project %s: got no warehouse for data source %d", p.Name, p.DS)
		}
		for _, name := range sortedKeys(ldTables) {
			lt := ldTables[name]
			wt := ldTableFor(w, name)
			if wt == nil {
				t.Errorf("project %s: Lightdash table %s got no warehouse table ANALYTICS.MARTS.%s", p.Name, name, name)
				continue
			}
			for _, d := range lt.Dims {
				if wt.column(d.Column) == nil {
					t.Errorf("%s.%s: dimension reads column %s, which %s lacks", name, d.Name, d.Column, wt.fqn())
				}
			}
			for _, m := range lt.Metrics {
				if wt.column(m.Column) == nil {
					t.Errorf("%s.%s: metric reads column %s, which %s lacks", name, m.Name, m.Column, wt.fqn())
				}
			}
		}
	}
}

// TestProjectsMatchDataSources: the production project is built on
// Datafold data source 1, the PR #42 preview on data source 2.
func TestProjectsMatchDataSources(t *testing.T) {
	st := seedLightdash()
	df := seedDatafold()
	got := map[string]int{}
	for _, p := range st.projects {
		got[p.Type] = p.DS
		if df.sources[p.DS] == nil {
			t.Errorf("project %s: data source %d is not a Datafold data source", p.Name, p.DS)
		}
	}
	if want := map[string]int{"DEFAULT": 1, "PREVIEW": 2}; !reflect.DeepEqual(got, want) {
		t.Errorf("data source per project type got %v, want %v", got, want)
	}
	dbt := df.bi[11]
	if got, want := dbt["models_indexed"], len(warehouseFor(1).Tables); got != want {
		t.Errorf("dbt integration models_indexed got %v, want %d (the jaffle_shop models)", got, want)
	}
}

// TestChartFieldsResolve: every field a chart uses exists, except the ones
// the seeded validation errors report as broken.
func TestChartFieldsResolve(t *testing.T) {
	st := seedLightdash()
	var broken, reported []string
	for _, id := range sortedKeys(st.charts) {
		ch := st.charts[id]
		for _, f := range append(append([]string{}, ch.Dims...), ch.Metrics...) {
			if resolveField(f) == nil && !(ch.CustomMetric != nil && f == ch.Explore+"_"+fmt.Sprint(ch.CustomMetric["name"])) {
				broken = append(broken, ch.Name+": "+f)
			}
		}
	}
	for _, v := range st.validations {
		if v.Chart != "" {
			reported = append(reported, st.charts[v.Chart].Name+": "+v.Field)
		}
	}
	sort.Strings(broken)
	sort.Strings(reported)
	if !reflect.DeepEqual(broken, reported) {
		t.Errorf("charts with unknown fields got %q, want those the validation errors report, %q", broken, reported)
	}
}

// TestChartDashboards: a chart's dashboard (what chart summaries and
// catalog analytics report) is the one it is saved in, and that dashboard
// shows it; a chart saved in a space names none, even when it is a tile
// ("Orders by status", and "Customer lifetime value" on both dashboards).
func TestChartDashboards(t *testing.T) {
	want := map[string]string{
		"Revenue by month": "Executive overview", "Payment method mix": "Executive overview", "Refund rate": "Executive overview",
		"New customers per week": "Marketing performance", "Orders by status": "", "Customer lifetime value": "", "Large orders": "",
	}
	st := seedLightdash()
	got := map[string]string{}
	for _, ch := range st.charts {
		if ch.Project != ldProject {
			continue
		}
		name := ""
		if d := st.dashboards[ch.Dashboard]; d != nil {
			name = d.Name
			if !slices.ContainsFunc(d.Tiles, func(x ldTile) bool { return x.Chart == ch.UUID }) {
				t.Errorf("chart %q is saved in dashboard %q, which has no tile of it", ch.Name, d.Name)
			}
		}
		got[ch.Name] = name
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("chart dashboards got %v, want %v", got, want)
	}
}
