// Package review owns review_dbt_changes: a dbt pull request reviewed in
// one bounded call. Given the production manifest and the PR's (two
// configured dbt projects), it lists what dbt's --state would call
// modified (package dbt's CompareStates: new, removed, changed body,
// config or compiled SQL, with the columns added, removed, retyped,
// redescribed or computed differently), what each changed model reaches
// downstream (the lineage_impact tool, so dbt models, exposures, tests and
// the Lightdash explores, charts and dashboards are found exactly as
// there), and diffs each changed model's production relation against its
// PR relation with the warehouse diff engine, in the warehouse connection
// each project names. One verdict sums it up, with the calls to go
// further. It also owns the review_dbt_pr prompt.
//
// It only reads: manifests, upstream lookups through read-only tools, and
// the user's databases in read-only sessions.
package review

import (
	"context"
	"time"

	"github.com/datastack-mcp/datastack-mcp/dbt"
	"github.com/datastack-mcp/datastack-mcp/tools"
	"github.com/datastack-mcp/datastack-mcp/tools/databases"
	"github.com/datastack-mcp/datastack-mcp/tools/diff"
	"github.com/datastack-mcp/datastack-mcp/tools/impact"
	whdiff "github.com/datastack-mcp/datastack-mcp/warehouse/diff"
)

// Name is the tool's name.
const Name = "review_dbt_changes"

// Bounds.
const (
	defaultModels  = 10
	maxModels      = 50
	defaultSamples = 3
	maxSamples     = 20
	// downstreamDepth and downstreamNodes bound each model's
	// lineage_impact walk.
	downstreamDepth = 5
	downstreamNodes = 100
	// maxColumnWalks bounds the changed columns of a model whose
	// downstream is walked column by column.
	maxColumnWalks = 3
	// maxNext bounds the suggested calls.
	maxNext = 8
)

// Args are the tool's arguments.
type Args struct {
	Base        string              `json:"base,omitempty" jsonschema_description:"The production dbt project (the state to compare against). Default, with two projects configured: the one whose name the other extends (jaffle_shop of jaffle_shop_pr42)."`
	PR          string              `json:"pr,omitempty" jsonschema_description:"The pull request's dbt project. Default: the other configured project."`
	Models      []string            `json:"models,omitempty" jsonschema_description:"Review only these changed models (names or unique_ids)."`
	PrimaryKeys map[string][]string `json:"primary_keys,omitempty" jsonschema_description:"Key columns per model for the data diff, e.g. {\"orders\": [\"order_id\"]}; default: the column dbt tests as unique and not_null."`
	MaxModels   int                 `json:"max_models,omitempty" jsonschema:"minimum=1,maximum=50,default=10" jsonschema_description:"Most changed models reviewed in detail (downstream and diff); the others are listed."`
	MaxSamples  int                 `json:"max_samples,omitempty" jsonschema:"minimum=1,maximum=20,default=3" jsonschema_description:"Sample keys and rows per list in each diff."`
	SkipDiffs   bool                `json:"skip_diffs,omitempty" jsonschema_description:"List changes and what they reach; diff no data."`
}

// Review is the tool's structured answer.
type Review struct {
	// Summary is the verdict in a few sentences.
	Summary string `json:"summary"`
	Base    Side   `json:"base"`
	PR      Side   `json:"pr"`
	Counts  Counts `json:"counts"`
	// Models are the changed models, seeds and snapshots reviewed in
	// detail, in unique_id order.
	Models []Model `json:"models"`
	// NotReviewed are changed nodes max_models left out.
	NotReviewed []string `json:"not_reviewed,omitempty"`
	// Complete is true when every changed node was reviewed, every diff
	// ran and every lookup succeeded.
	Complete bool     `json:"complete"`
	Notes    []string `json:"notes,omitempty"`
	// Next are the calls that go further.
	Next []diff.DiffNext `json:"next,omitempty"`
}

// Side is one of the two states compared.
type Side struct {
	Project string `json:"project"`
	// Warehouse is the connection holding the project's relations (empty:
	// none configured, so no data diff).
	Warehouse string `json:"warehouse,omitempty"`
}

// Counts sum the review up.
type Counts struct {
	Changed  int `json:"changed"`
	New      int `json:"new"`
	Removed  int `json:"removed"`
	Modified int `json:"modified"`
	Reviewed int `json:"reviewed"`
	Diffed   int `json:"diffed"`
	// Differing is how many diffed models differ between the two sides.
	Differing int `json:"differing"`
	// Downstream counts the distinct assets reached from the reviewed
	// models (the changed ones left out).
	DownstreamModels    int `json:"downstream_models"`
	Exposures           int `json:"exposures"`
	LightdashCharts     int `json:"lightdash_charts"`
	LightdashDashboards int `json:"lightdash_dashboards"`
}

// Model is one changed node reviewed.
type Model struct {
	dbt.NodeChange
	Downstream *Downstream `json:"downstream,omitempty"`
	Diff       *ModelDiff  `json:"diff,omitempty"`
}

// Downstream is what a changed model reaches, from lineage_impact.
type Downstream struct {
	// Project is the dbt project walked: production's, or the PR's for a
	// new model. Columns are the changed columns walked one by one (those
	// computed differently, removed or retyped, then those whose data
	// differs), which is how Lightdash fields and charts are reached.
	Project             string   `json:"project"`
	Columns             []string `json:"columns,omitempty"`
	Models              []string `json:"models"`
	Exposures           []string `json:"exposures,omitempty"`
	Tests               int      `json:"tests"`
	LightdashExplores   []string `json:"lightdash_explores,omitempty"`
	LightdashCharts     []string `json:"lightdash_charts,omitempty"`
	LightdashDashboards []string `json:"lightdash_dashboards,omitempty"`
	Complete            bool     `json:"complete"`
	Note                string   `json:"note,omitempty"`
}

// ModelDiff is a changed model's production relation diffed against its
// PR relation.
type ModelDiff struct {
	// Status is done, skipped (Reason says why) or failed.
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
	// Base and PR are the tables diffed, as warehouse:table.
	Base       string   `json:"base,omitempty"`
	PR         string   `json:"pr,omitempty"`
	PrimaryKey []string `json:"primary_key,omitempty"`
	// KeyFrom says where the key came from: dbt tests or the argument.
	KeyFrom string `json:"key_from,omitempty"`
	// Result is identical or different.
	Result              string            `json:"result,omitempty"`
	RowsBase            int64             `json:"rows_base"`
	RowsPR              int64             `json:"rows_pr"`
	OnlyInBase          int64             `json:"rows_only_in_base"`
	OnlyInPR            int64             `json:"rows_only_in_pr"`
	DuplicateKeys       int64             `json:"duplicate_keys,omitempty"`
	NullKeys            int64             `json:"null_keys,omitempty"`
	RowsWithDifferences int64             `json:"rows_with_differences"`
	Columns             []diff.DiffColumn `json:"columns_with_differences,omitempty"`
	ColumnsOnlyInBase   []string          `json:"columns_only_in_base,omitempty"`
	ColumnsOnlyInPR     []string          `json:"columns_only_in_pr,omitempty"`
	TypeChanges         []string          `json:"type_changes,omitempty"`
	Samples             *whdiff.Samples   `json:"samples,omitempty"`
	Algorithm           string            `json:"algorithm,omitempty"`
	Queries             int               `json:"queries,omitempty"`
	Seconds             float64           `json:"seconds,omitempty"`
	Summary             string            `json:"summary"`
}

// Options are what the tool works with.
type Options struct {
	// DBT are the configured dbt projects.
	DBT *dbt.Set
	// Warehouses are the user's databases; ProjectWarehouse names, per dbt
	// project, the connection holding its relations.
	Warehouses       *databases.Registry
	ProjectWarehouse map[string]string
	// Wait bounds the time all of a call's diffs take together (0:
	// diff.DefaultWait, as diff_tables waits).
	Wait time.Duration

	// now is the clock of the wait (nil: time.Now); tests replace it.
	now func() time.Time
}

// Tool builds review_dbt_changes. conns and available are the configured
// connections and generated tools, for the Lightdash lookups of
// lineage_impact.
func Tool(conns []*tools.Connection, available []*tools.Tool, o Options) (*tools.Tool, error) {
	lineage, err := impact.Tool(conns, available, impact.Options{DBT: o.DBT})
	if err != nil {
		return nil, err
	}
	if o.Wait <= 0 {
		o.Wait = diff.DefaultWait
	}
	if o.now == nil {
		o.now = time.Now
	}
	return tools.New(tools.Spec{Name: Name, Provider: tools.DiscoveryProvider, Toolset: "lineage", Title: "Review dbt changes", Output: &Review{},
		Description: "Compare a dbt pull request with production in one call to review it: the PR's manifest against production's (dbt --state: new, removed, changed code, " +
			"config or compiled SQL), the changed models and columns, what they reach downstream (dbt models, exposures, Lightdash charts and dashboards), and each changed " +
			"model's production table diffed against its PR table in your warehouse; one bounded verdict with next steps.",
		Annotations: tools.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true}},
		func(ctx context.Context, d *tools.Deps, a Args) *tools.Result {
			r := &run{ctx: ctx, d: d, o: o, lineage: lineage}
			return r.review(a)
		})
}
