package sandbox

import (
	"fmt"
	"strings"
	"time"
)

// Lightdash demo data: organization "Jaffle Shop Inc." with four members and
// two groups; project "Jaffle Shop" (Snowflake prod, dbt on GitHub), its
// preview project "Jaffle Shop (PR #42 preview)" built on the dev
// environment, and its upstream project "Jaffle Shop (certified)", the
// promotion target of its dashboards, created for certified content and not
// compiled yet (no explores, no content); explores fct_orders (joined to
// dim_customers) and dim_customers whose fields match the warehouse columns;
// three spaces, seven charts (some saved in a space and shown on dashboards
// as tiles, some saved in a dashboard), two dashboards, comments, validation
// errors (a chart and a dashboard filter referencing fields that no longer
// exist), a custom metric, personal warehouse credentials, a Google Sheets
// export and one finished semantic-layer query (revenue by month,
// lightdash_query.go).

const (
	canaryLightdashDbtPAT    = "canary-lightdash-github-pat-0e7b44"
	canaryLightdashWarehouse = "canary-lightdash-wh-pw-a93f1d"
)

const (
	ldOrgUUID      = "0f3c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a50"
	ldUserDana     = "5e0d1c2b-3a49-4f58-9a67-b8c9d0e1f201"
	ldUserAna      = "5e0d1c2b-3a49-4f58-9a67-b8c9d0e1f202"
	ldUserBen      = "5e0d1c2b-3a49-4f58-9a67-b8c9d0e1f203"
	ldUserChloe    = "5e0d1c2b-3a49-4f58-9a67-b8c9d0e1f204"
	ldGroupAE      = "7a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c01"
	ldGroupFinance = "7a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c02"
	ldProject      = "9c8b7a6f-5e4d-4c3b-8a29-1807f6e5d401"
	ldPreview      = "9c8b7a6f-5e4d-4c3b-8a29-1807f6e5d402"
	ldCertified    = "9c8b7a6f-5e4d-4c3b-8a29-1807f6e5d403"
	ldSpaceFinance = "2b3c4d5e-6f70-4819-8a2b-3c4d5e6f7a01"
	ldSpaceMktg    = "2b3c4d5e-6f70-4819-8a2b-3c4d5e6f7a02"
	ldSpacePrivate = "2b3c4d5e-6f70-4819-8a2b-3c4d5e6f7a03"
	ldDashExec     = "6f708192-a3b4-4c5d-8e6f-7a8b9c0d1e01"
	ldDashMktg     = "6f708192-a3b4-4c5d-8e6f-7a8b9c0d1e02"
	ldDashPreview  = "6f708192-a3b4-4c5d-8e6f-7a8b9c0d1e11"
	ldSpacePreview = "2b3c4d5e-6f70-4819-8a2b-3c4d5e6f7a11"
	ldTilePreview  = "8192a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a21"
	ldOtherOrg     = "0f3c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a51"
	ldCredsUUID    = "b0c1d2e3-f4a5-4b6c-8d7e-8f9a0b1c2d01"
	ldGsheetJob    = "e1f2a3b4-c5d6-4e7f-8091-a2b3c4d5e601"
	// ldQueryRevenue is the seeded, finished query "revenue by month".
	ldQueryRevenue = "a7b8c9d0-e1f2-4a3b-8c4d-5e6f7a8b9c01"
	ldTileRevenue  = "8192a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a01"
	// ldComment1 is the root comment on the preview dashboard's revenue
	// tile. It shares the tile's uuid: the spec merges the tile uuid
	// (createComment) and the comment id (resolve/deleteComment) into one
	// path parameter, and Examples() has one value per parameter name.
	ldComment1 = ldTilePreview
)

func ldChartUUID(n int) string { return fmt.Sprintf("4d5e6f70-8192-4a3b-8c4d-5e6f7a8b9c%02d", n) }

type ldUser struct {
	UUID, First, Last, Email, Role string
	Active                         bool
	ID                             int // Lightdash's numeric userId
	Created                        time.Time
	Pending                        bool // invited, has not set a password yet
}

type ldGroup struct {
	UUID, Name string
	Members    []string
	Created    time.Time
}

type ldProj struct {
	UUID, Name, Type, Upstream string
	DS                         int // Datafold data source with its warehouse (1 prod, 2 dev)
	// Uncompiled: its dbt project has not been compiled yet, so it has no
	// explores (and no catalog).
	Uncompiled  bool
	Access      map[string]string
	GroupAccess map[string]string
	CredPref    string
}

type ldSpace struct {
	UUID, Project, Name, Slug string
	// Private spaces do not inherit the project's permissions: only the
	// users and groups in Access and Groups see them.
	Private  bool
	Parent   string            // the space it is nested in ("" at the root)
	Upstream string            // the space it was promoted to / copied from
	Access   map[string]string // user -> role
	Groups   map[string]string
	Created  time.Time
}

type ldChart struct {
	UUID, Project, Space, Name, Description string
	Kind, Type, Explore                     string
	Dims, Metrics                           []string
	Filters                                 map[string]any
	Sorts                                   []any
	// Dashboard is the dashboard the chart is saved in (ChartSummary's
	// dashboardUuid), "" for a chart saved in a space, even one shown on
	// dashboards as a tile.
	Dashboard    string
	Views        int
	Updated      time.Time
	UpdatedBy    string
	CustomMetric map[string]any // additional metric defined in the chart
	Upstream     string         // in a preview project: the chart it corresponds to upstream
}

type ldTile struct {
	UUID, Type, Chart, Title, Content string
	X, Y, W, H                        int
}

type ldDashboard struct {
	UUID, Project, Space, Name, Description string
	Tiles                                   []ldTile
	Filters                                 []any // dimension filters
	Views                                   int
	Updated                                 time.Time
	UpdatedBy                               string
	Version                                 int
	Upstream                                string
}

type ldComment struct {
	ID, Dashboard, Tile, Text, HTML, User, ReplyTo string
	Mentions                                       []string
	Resolved                                       bool
	Created                                        time.Time
}

type ldValidation struct {
	ID                                       int
	Project, Source, ErrorType, Error, Field string
	Chart, Dashboard                         string
	Created                                  time.Time
}

type ldCreds struct {
	UUID, User, Name, Type, WUser, Password string
	Created, Updated                        time.Time
}

type lightdashState struct {
	org         map[string]any
	me          string
	users       map[string]*ldUser
	userOrder   []string
	groups      map[string]*ldGroup
	projects    map[string]*ldProj
	spaces      map[string]*ldSpace
	charts      map[string]*ldChart
	dashboards  map[string]*ldDashboard
	comments    []*ldComment
	validations []*ldValidation
	dismissed   map[int]bool
	creds       map[string]*ldCreds
	gsheetJobs  map[string]map[string]any
	queries     map[string]*ldQuery
	domains     map[string]any
	emailOTP    *time.Time
	verified    bool
	deletedOrg  bool
}

// ldBase: yesterday, 10:00 UTC.
var ldBase = demoDay.Add(-14 * time.Hour)

// ldOrgCreated is when the demo organization was created.
var ldOrgCreated = ldBase.Add(-400 * 24 * time.Hour)

// ldValidationUUID is the uuid of validation error id (Lightdash now
// identifies them by uuid, and still accepts the legacy integer ids).
func ldValidationUUID(id int) string { return uuidFor("ld-validation", id) }

func seedLightdash() *lightdashState {
	st := &lightdashState{
		org: map[string]any{"organizationUuid": ldOrgUUID, "name": "Jaffle Shop Inc.", "defaultProjectUuid": ldProject,
			"needsProject": false, "chartColors": []any{"#5470c6", "#fc8452", "#91cc75", "#fac858", "#ee6666", "#73c0de"}},
		me: ldUserDana, users: map[string]*ldUser{}, groups: map[string]*ldGroup{}, projects: map[string]*ldProj{},
		spaces: map[string]*ldSpace{}, charts: map[string]*ldChart{}, dashboards: map[string]*ldDashboard{},
		dismissed: map[int]bool{}, creds: map[string]*ldCreds{}, gsheetJobs: map[string]map[string]any{}, queries: map[string]*ldQuery{},
		domains: map[string]any{"emailDomains": []any{"jaffle-shop.example"}, "role": "viewer",
			"projects": []any{map[string]any{"projectUuid": ldProject, "role": "viewer"}}},
		verified: true,
	}
	for i, u := range []*ldUser{
		{UUID: ldUserDana, First: "Dana", Last: "Demo", Email: "dana@jaffle-shop.example", Role: "admin", Active: true},
		{UUID: ldUserAna, First: "Ana", Last: "Analyst", Email: "ana@jaffle-shop.example", Role: "editor", Active: true},
		{UUID: ldUserBen, First: "Ben", Last: "Builder", Email: "ben@jaffle-shop.example", Role: "developer", Active: true},
		{UUID: ldUserChloe, First: "Chloe", Last: "CFO", Email: "chloe@jaffle-shop.example", Role: "viewer", Active: true},
	} {
		u.ID = i + 1
		u.Created = ldOrgCreated.Add(time.Duration(i*30*24) * time.Hour)
		st.users[u.UUID] = u
		st.userOrder = append(st.userOrder, u.UUID)
	}
	st.groups[ldGroupAE] = &ldGroup{UUID: ldGroupAE, Name: "Analytics Engineering", Members: []string{ldUserDana, ldUserBen}, Created: ldBase.Add(-200 * 24 * time.Hour)}
	st.groups[ldGroupFinance] = &ldGroup{UUID: ldGroupFinance, Name: "Finance", Members: []string{ldUserAna, ldUserChloe}, Created: ldBase.Add(-150 * 24 * time.Hour)}
	st.projects[ldProject] = &ldProj{UUID: ldProject, Name: "Jaffle Shop", Type: "DEFAULT", DS: 1,
		Access:      map[string]string{ldUserDana: "admin", ldUserAna: "editor", ldUserBen: "developer", ldUserChloe: "viewer"},
		GroupAccess: map[string]string{ldGroupAE: "developer", ldGroupFinance: "viewer"},
		CredPref:    ldCredsUUID}
	st.projects[ldPreview] = &ldProj{UUID: ldPreview, Name: "Jaffle Shop (PR #42 preview)", Type: "PREVIEW", Upstream: ldProject, DS: 2,
		Access: map[string]string{ldUserDana: "admin", ldUserBen: "developer"}, GroupAccess: map[string]string{}}
	// Jaffle Shop's dashboards are promoted to the certified project (its
	// upstream project, so promoteDashboardDiff answers for them); nothing
	// has been promoted yet and its dbt project is not compiled yet.
	st.projects[ldProject].Upstream = ldCertified
	st.projects[ldCertified] = &ldProj{UUID: ldCertified, Name: "Jaffle Shop (certified)", Type: "DEFAULT", DS: 1, Uncompiled: true,
		Access: map[string]string{ldUserDana: "admin", ldUserChloe: "viewer"}, GroupAccess: map[string]string{ldGroupFinance: "viewer"}}

	st.spaces[ldSpaceFinance] = &ldSpace{UUID: ldSpaceFinance, Project: ldProject, Name: "Finance", Slug: "finance",
		Access: map[string]string{ldUserDana: "admin", ldUserAna: "editor", ldUserChloe: "viewer"}, Groups: map[string]string{ldGroupFinance: "viewer"},
		Created: ldBase.Add(-120 * 24 * time.Hour)}
	st.spaces[ldSpaceMktg] = &ldSpace{UUID: ldSpaceMktg, Project: ldProject, Name: "Marketing", Slug: "marketing",
		Access: map[string]string{ldUserDana: "admin", ldUserAna: "editor"}, Groups: map[string]string{},
		Created: ldBase.Add(-100 * 24 * time.Hour)}
	st.spaces[ldSpacePrivate] = &ldSpace{UUID: ldSpacePrivate, Project: ldProject, Name: "Dana's sandbox", Slug: "danas-sandbox", Private: true,
		Access: map[string]string{ldUserDana: "admin"}, Groups: map[string]string{}, Created: ldBase.Add(-30 * 24 * time.Hour)}

	charts := []*ldChart{
		{Name: "Revenue by month", Description: "Monthly revenue from completed and shipped orders.", Space: ldSpaceFinance, Kind: "line", Type: "cartesian",
			Explore: "fct_orders", Dims: []string{"fct_orders_order_date_month"}, Metrics: []string{"fct_orders_total_revenue"}, Dashboard: ldDashExec, Views: 1843},
		{Name: "Orders by status", Description: "Order count per status.", Space: ldSpaceFinance, Kind: "vertical_bar", Type: "cartesian",
			Explore: "fct_orders", Dims: []string{"fct_orders_status"}, Metrics: []string{"fct_orders_order_count"}, Views: 922},
		{Name: "Customer lifetime value", Description: "Average lifetime value per customer.", Space: ldSpaceMktg, Kind: "big_number", Type: "big_number",
			Explore: "dim_customers", Metrics: []string{"dim_customers_average_lifetime_value"}, Views: 611},
		{Name: "Payment method mix", Description: "Revenue split by payment method.", Space: ldSpaceFinance, Kind: "pie", Type: "pie",
			Explore: "fct_orders", Metrics: []string{"fct_orders_credit_card_revenue", "fct_orders_bank_transfer_revenue", "fct_orders_coupon_revenue", "fct_orders_gift_card_revenue"},
			Dashboard: ldDashExec, Views: 407},
		{Name: "New customers per week", Description: "Customers by the week of their first order.", Space: ldSpaceMktg, Kind: "area", Type: "cartesian",
			Explore: "dim_customers", Dims: []string{"dim_customers_first_order_week"}, Metrics: []string{"dim_customers_customer_count"}, Dashboard: ldDashMktg, Views: 530},
		{Name: "Large orders", Description: "Orders above $300, newest first.", Space: ldSpaceFinance, Kind: "table", Type: "table",
			Explore: "fct_orders", Dims: []string{"fct_orders_order_id", "fct_orders_order_date_day", "fct_orders_status", "fct_orders_amount"},
			Metrics: []string{"fct_orders_max_order_amount"}, Views: 188,
			CustomMetric: map[string]any{"name": "max_order_amount", "label": "Max order amount", "table": "fct_orders", "sql": "${TABLE}.amount", "type": "max", "baseDimensionName": "amount"},
			Filters:      map[string]any{"dimensions": map[string]any{"id": "f1", "and": []any{map[string]any{"id": "f2", "target": map[string]any{"fieldId": "fct_orders_amount"}, "operator": "greaterThan", "values": []any{300}}}}}},
		{Name: "Refund rate", Description: "Share of revenue refunded (broken since refund_amount was removed from fct_orders).", Space: ldSpaceFinance, Kind: "big_number", Type: "big_number",
			Explore: "fct_orders", Metrics: []string{"fct_orders_refund_amount"}, Dashboard: ldDashExec, Views: 96},
	}
	for i, c := range charts {
		c.UUID = ldChartUUID(i + 1)
		c.Project = ldProject
		c.Updated = ldBase.Add(-time.Duration(10*(i+1)) * time.Hour)
		c.UpdatedBy = []string{ldUserAna, ldUserDana, ldUserBen}[i%3]
		if c.Sorts == nil {
			c.Sorts = []any{}
		}
		st.charts[c.UUID] = c
	}
	st.dashboards[ldDashExec] = &ldDashboard{UUID: ldDashExec, Project: ldProject, Space: ldSpaceFinance, Name: "Executive overview",
		Description: "Revenue, orders and customers at a glance.", Views: 2411, Updated: ldBase.Add(-5 * time.Hour), UpdatedBy: ldUserAna, Version: 14,
		Tiles: []ldTile{
			{UUID: ldTileRevenue, Type: "saved_chart", Chart: ldChartUUID(1), X: 0, Y: 0, W: 18, H: 9},
			{UUID: "8192a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a02", Type: "saved_chart", Chart: ldChartUUID(2), X: 18, Y: 0, W: 18, H: 9},
			{UUID: "8192a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a03", Type: "saved_chart", Chart: ldChartUUID(3), X: 0, Y: 9, W: 12, H: 6},
			{UUID: "8192a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a04", Type: "saved_chart", Chart: ldChartUUID(4), X: 12, Y: 9, W: 12, H: 6},
			{UUID: "8192a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a05", Type: "saved_chart", Chart: ldChartUUID(7), X: 24, Y: 9, W: 12, H: 6},
			{UUID: "8192a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a06", Type: "markdown", Title: "About", Content: "Numbers come from **ANALYTICS.MARTS** (dbt, refreshed nightly).", X: 0, Y: 15, W: 36, H: 3},
		},
		Filters: []any{map[string]any{"id": "df-1", "label": "Order source", "operator": "equals", "values": []any{"web"},
			"target": map[string]any{"fieldId": "fct_orders_order_source", "tableName": "fct_orders"}, "disabled": false}}}
	st.dashboards[ldDashMktg] = &ldDashboard{UUID: ldDashMktg, Project: ldProject, Space: ldSpaceMktg, Name: "Marketing performance",
		Description: "Customer acquisition and value.", Views: 734, Updated: ldBase.Add(-26 * time.Hour), UpdatedBy: ldUserAna, Version: 5,
		Tiles: []ldTile{
			{UUID: "8192a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a11", Type: "saved_chart", Chart: ldChartUUID(5), X: 0, Y: 0, W: 24, H: 9},
			{UUID: "8192a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a12", Type: "saved_chart", Chart: ldChartUUID(3), X: 24, Y: 0, W: 12, H: 9},
		}, Filters: []any{}}
	// The PR #42 preview project: a copy of the Finance space's executive
	// content, with the revenue chart changed by the PR (ready to promote).
	st.spaces[ldSpacePreview] = &ldSpace{UUID: ldSpacePreview, Project: ldPreview, Name: "Finance", Slug: "finance",
		Access: map[string]string{ldUserDana: "admin", ldUserBen: "editor"}, Groups: map[string]string{}, Created: ldBase.Add(-2 * 24 * time.Hour),
		Upstream: ldSpaceFinance}
	for i, src := range []*ldChart{st.charts[ldChartUUID(1)], st.charts[ldChartUUID(2)]} {
		cp := *src
		cp.UUID = ldChartUUID(11 + i)
		cp.Project, cp.Space, cp.Upstream = ldPreview, ldSpacePreview, src.UUID
		if src.Dashboard != "" {
			cp.Dashboard = ldDashPreview
		}
		cp.Views = 12 - 5*i
		cp.Updated = ldBase.Add(-20 * time.Hour)
		cp.UpdatedBy = ldUserBen
		if i == 0 {
			cp.Description = "Monthly revenue (PR #42: test orders excluded, card payments rounded)."
			cp.Updated = ldBase.Add(-4 * time.Hour)
		}
		st.charts[cp.UUID] = &cp
	}
	st.dashboards[ldDashPreview] = &ldDashboard{UUID: ldDashPreview, Project: ldPreview, Space: ldSpacePreview, Name: "Executive overview",
		Description: "Revenue, orders and customers at a glance (PR #42 preview).", Views: 23, Updated: ldBase.Add(-4 * time.Hour), UpdatedBy: ldUserBen,
		Version: 15, Upstream: ldDashExec, Filters: []any{},
		Tiles: []ldTile{
			{UUID: ldTilePreview, Type: "saved_chart", Chart: ldChartUUID(11), X: 0, Y: 0, W: 18, H: 9},
			{UUID: "8192a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a22", Type: "saved_chart", Chart: ldChartUUID(12), X: 18, Y: 0, W: 18, H: 9},
		}}
	// Charts saved in a dashboard ("Revenue by month", "Payment method
	// mix", "Refund rate", "New customers per week", the preview's revenue
	// chart) name it as their dashboardUuid; the others are saved in a space
	// and name none, though "Orders by status" and "Customer lifetime value"
	// (a tile of both dashboards) are dashboard tiles: only the dashboards'
	// tiles say so (promoteDashboardDiff).
	st.comments = []*ldComment{
		{ID: ldComment1, Dashboard: ldDashPreview, Tile: ldTilePreview, User: ldUserChloe, Created: ldBase.Add(-3 * time.Hour),
			Text: "Why did November revenue drop in the PR #42 preview?", HTML: "<p>Why did November revenue drop in the PR #42 preview?</p>", Mentions: []string{}},
		{ID: "c0ffee00-1234-4abc-8def-000000000003", Dashboard: ldDashExec, Tile: ldTileRevenue, User: ldUserAna, Created: ldBase.Add(-72 * time.Hour),
			Text: "Q3 numbers reconciled with Stripe payouts.", HTML: "<p>Q3 numbers reconciled with Stripe payouts.</p>", Mentions: []string{}, Resolved: true},
		{ID: "c0ffee00-1234-4abc-8def-000000000002", Dashboard: ldDashPreview, Tile: ldTilePreview, User: ldUserBen, ReplyTo: ldComment1,
			Created: ldBase.Add(-2 * time.Hour), Text: "@Dana Demo card payments get rounded in the new stg_payments — checking with a Datafold diff.",
			HTML: "<p><span data-id=\"" + ldUserDana + "\">@Dana Demo</span> card payments get rounded in the new stg_payments — checking with a Datafold diff.</p>", Mentions: []string{ldUserDana}},
	}
	st.validations = []*ldValidation{
		{ID: 1, Project: ldProject, Source: "chart", ErrorType: "metric", Field: "fct_orders_refund_amount", Chart: ldChartUUID(7),
			Error: "Metric error: the field 'fct_orders_refund_amount' no longer exists", Created: ldBase.Add(-1 * time.Hour)},
		{ID: 2, Project: ldProject, Source: "dashboard", ErrorType: "filter", Field: "fct_orders_order_source", Dashboard: ldDashExec,
			Error: "Filter error: the field 'fct_orders_order_source' no longer exists", Created: ldBase.Add(-1 * time.Hour)},
	}
	st.creds[ldCredsUUID] = &ldCreds{UUID: ldCredsUUID, User: ldUserDana, Name: "Dana's Snowflake login", Type: "snowflake",
		WUser: "DANA_DEMO", Password: canaryLightdashWarehouse, Created: ldBase.Add(-40 * 24 * time.Hour), Updated: ldBase.Add(-12 * 24 * time.Hour)}
	st.gsheetJobs[ldGsheetJob] = map[string]any{"status": "ready", "truncated": false, "project": ldProject,
		"url": "https://docs.google.com/spreadsheets/d/1sandboxRevenueByMonth0000000000000000000/edit"}
	st.queries[ldQueryRevenue] = &ldQuery{UUID: ldQueryRevenue, Project: ldProject, Explore: "fct_orders", Created: ldBase.Add(-2 * time.Hour),
		Query: map[string]any{"exploreName": "fct_orders", "dimensions": []any{"fct_orders_order_date_month"}, "metrics": []any{"fct_orders_total_revenue"},
			"filters": map[string]any{}, "sorts": []any{map[string]any{"fieldId": "fct_orders_order_date_month", "descending": false}},
			"limit": 500, "tableCalculations": []any{}}}
	return st
}

// The explores --------------------------------------------------------------

type ldDim struct {
	Name, Label, Type, Column, Description string
	TimeIntervals                          []string // for dates: DAY, WEEK, MONTH, ...
	Hidden                                 bool
}

type ldMetric struct {
	Name, Label, Type, Column, Description, Format string
}

type ldTable struct {
	Name, Label, Description string
	Dims                     []ldDim
	Metrics                  []ldMetric
}

var ldTables = map[string]*ldTable{
	"fct_orders": {Name: "fct_orders", Label: "Orders", Description: "One row per order with its payment totals by method.",
		Dims: []ldDim{
			{Name: "order_id", Label: "Order ID", Type: "number", Column: "order_id", Description: "Primary key"},
			{Name: "customer_id", Label: "Customer ID", Type: "number", Column: "customer_id", Description: "Foreign key to dim_customers", Hidden: true},
			{Name: "order_date", Label: "Order date", Type: "date", Column: "order_date", Description: "Date the order was placed", TimeIntervals: []string{"DAY", "WEEK", "MONTH", "QUARTER", "YEAR"}},
			{Name: "status", Label: "Status", Type: "string", Column: "status", Description: "placed, shipped, completed, return_pending or returned"},
			{Name: "credit_card_amount", Label: "Credit card amount", Type: "number", Column: "credit_card_amount", Description: "Amount paid by credit card"},
			{Name: "coupon_amount", Label: "Coupon amount", Type: "number", Column: "coupon_amount", Description: "Amount paid by coupon"},
			{Name: "bank_transfer_amount", Label: "Bank transfer amount", Type: "number", Column: "bank_transfer_amount", Description: "Amount paid by bank transfer"},
			{Name: "gift_card_amount", Label: "Gift card amount", Type: "number", Column: "gift_card_amount", Description: "Amount paid by gift card"},
			{Name: "amount", Label: "Amount", Type: "number", Column: "amount", Description: "Order total in dollars"},
		},
		Metrics: []ldMetric{
			{Name: "order_count", Label: "Order count", Type: "count_distinct", Column: "order_id", Description: "Number of orders (count distinct of order_id)"},
			{Name: "total_revenue", Label: "Total revenue", Type: "sum", Column: "amount", Description: "Sum of amount (order totals)", Format: "usd"},
			{Name: "average_order_value", Label: "Average order value", Type: "average", Column: "amount", Description: "Average of amount", Format: "usd"},
			{Name: "credit_card_revenue", Label: "Credit card revenue", Type: "sum", Column: "credit_card_amount", Description: "Sum of credit_card_amount", Format: "usd"},
			{Name: "bank_transfer_revenue", Label: "Bank transfer revenue", Type: "sum", Column: "bank_transfer_amount", Description: "Sum of bank_transfer_amount", Format: "usd"},
			{Name: "coupon_revenue", Label: "Coupon revenue", Type: "sum", Column: "coupon_amount", Description: "Sum of coupon_amount", Format: "usd"},
			{Name: "gift_card_revenue", Label: "Gift card revenue", Type: "sum", Column: "gift_card_amount", Description: "Sum of gift_card_amount", Format: "usd"},
		}},
	"dim_customers": {Name: "dim_customers", Label: "Customers", Description: "One row per customer with order history and lifetime value.",
		Dims: []ldDim{
			{Name: "customer_id", Label: "Customer ID", Type: "number", Column: "customer_id", Description: "Primary key"},
			{Name: "first_name", Label: "First name", Type: "string", Column: "first_name"},
			{Name: "last_name", Label: "Last name", Type: "string", Column: "last_name"},
			{Name: "email", Label: "Email", Type: "string", Column: "email", Description: "PII — hidden from viewers", Hidden: true},
			{Name: "first_order", Label: "First order", Type: "date", Column: "first_order", TimeIntervals: []string{"DAY", "WEEK", "MONTH", "YEAR"}},
			{Name: "most_recent_order", Label: "Most recent order", Type: "date", Column: "most_recent_order", TimeIntervals: []string{"DAY", "WEEK", "MONTH", "YEAR"}},
			{Name: "number_of_orders", Label: "Number of orders", Type: "number", Column: "number_of_orders"},
			{Name: "lifetime_value", Label: "Lifetime value", Type: "number", Column: "lifetime_value", Description: "Sum of all order amounts"},
		},
		Metrics: []ldMetric{
			{Name: "customer_count", Label: "Customer count", Type: "count_distinct", Column: "customer_id", Description: "Count distinct of customer_id"},
			{Name: "average_lifetime_value", Label: "Average lifetime value", Type: "average", Column: "lifetime_value", Description: "Average of lifetime_value", Format: "usd"},
			{Name: "total_lifetime_value", Label: "Total lifetime value", Type: "sum", Column: "lifetime_value", Description: "Sum of lifetime_value", Format: "usd"},
		}},
}

// exploreJoins: explore -> joined tables.
var exploreJoins = map[string][]string{"fct_orders": {"dim_customers"}, "dim_customers": nil}

// fieldRef is a resolved Lightdash field id.
type fieldRef struct {
	Table    *ldTable
	Dim      *ldDim
	Metric   *ldMetric
	Interval string // for date dimensions: DAY, WEEK, ...
	ID       string
}

// resolveField resolves "fct_orders_order_date_month" and the like.
func resolveField(id string) *fieldRef {
	for _, tn := range []string{"fct_orders", "dim_customers"} {
		t := ldTables[tn]
		rest, ok := strings.CutPrefix(id, tn+"_")
		if !ok {
			continue
		}
		for i := range t.Metrics {
			if t.Metrics[i].Name == rest {
				return &fieldRef{Table: t, Metric: &t.Metrics[i], ID: id}
			}
		}
		for i := range t.Dims {
			d := &t.Dims[i]
			if d.Name == rest {
				return &fieldRef{Table: t, Dim: d, ID: id}
			}
			for _, iv := range d.TimeIntervals {
				if d.Name+"_"+strings.ToLower(iv) == rest {
					return &fieldRef{Table: t, Dim: d, Interval: iv, ID: id}
				}
			}
		}
	}
	return nil
}

// ldTableFor maps an explore table to the warehouse table.
func ldTableFor(w *warehouse, name string) *table {
	return w.find([]string{"ANALYTICS", "MARTS", name})
}

// sortedDashboards returns the dashboards ordered by uuid.
func sortedDashboards(m map[string]*ldDashboard) []*ldDashboard {
	out := make([]*ldDashboard, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, m[k])
	}
	return out
}
