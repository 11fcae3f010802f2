package sandbox

import (
	"fmt"
	"strings"
	"time"
)

// PostHog demo data: one project, "Jaffle Shop" (id 1, the current project
// of the API key's user, so "@current" names it too), with three data
// warehouse sources — Stripe,
// the shop's Postgres application database (the same orders, customers and
// payments the dbt project loads into ANALYTICS.RAW) and HubSpot (whose deals
// sync is failing) — each with its schemas (synced tables).

const (
	canaryPostHogStripe  = "canary-posthog-stripe-sk-91c4ee"
	canaryPostHogPG      = "canary-posthog-pg-pw-3a70d2"
	canaryPostHogHubspot = "canary-posthog-hubspot-token-c85b19"
)

// The demo project.
const (
	phProjectID    = 1
	phProjectName  = "Jaffle Shop"
	phProjectUUID  = "0190f3c0-1111-4aaa-8bbb-0c0d0e0f1a01"
	phOrgUUID      = "0190f3c0-2222-4aaa-8bbb-0c0d0e0f1a02"
	phProjectToken = "phc_sandboxJaffleShopPublicIngestionToken0001"
)

const (
	phStripeID   = "0190f3c1-6a2b-4d4e-8f10-1a2b3c4d5e01"
	phPostgresID = "0190f3c1-6a2b-4d4e-8f10-1a2b3c4d5e02"
	phHubspotID  = "0190f3c1-6a2b-4d4e-8f10-1a2b3c4d5e03"
)

type posthogState struct {
	sources map[string]*phSource
	schemas map[string]*phSchema
	jobs    []*phJob
}

type phSource struct {
	ID, Type, Prefix, Description string
	Created                       time.Time
	CreatedBy, CreatedVia         string
	AccessMethod                  string
	JobInputs                     map[string]any
	Revenue                       map[string]any
	Webhook                       bool
	LatestError                   string
	order                         int
}

type phSchema struct {
	ID, SourceID, Name, Label string
	Description               string
	ShouldSync                bool
	SyncType                  any // string or nil
	IncrementalField          any
	IncrementalFieldType      any
	SyncFrequency             any
	SyncTimeOfDay             any
	CDCMode                   any
	PrimaryKeys               []string
	Columns                   [][2]string // name, type
	Rows                      int
	LastSynced                *time.Time
	SyncStarted               *time.Time // a reload/resync in progress
	Cancelled                 bool
	Failed                    string // latest error of a failing sync
	HasTable                  bool
	order                     int
}

type phJob struct {
	ID, SourceID, SchemaID string
	Created                time.Time
	Finished               *time.Time
	Status                 string
	Rows                   int
	Error                  string
}

// phBase: yesterday, 06:00 UTC (the last scheduled syncs).
var phBase = demoDay.Add(-18 * time.Hour)

// knownTables are the tables a source type offers (name, columns, rows,
// incremental field).
var knownTables = map[string][]struct {
	name    string
	cols    [][2]string
	rows    int
	incr    string
	pk      string
	enabled bool
}{
	"Stripe": {
		{"Charge", [][2]string{{"id", "string"}, {"amount", "integer"}, {"currency", "string"}, {"customer", "string"}, {"status", "string"}, {"created", "datetime"}}, 139874, "created", "id", true},
		{"Customer", [][2]string{{"id", "string"}, {"email", "string"}, {"name", "string"}, {"created", "datetime"}}, 8312, "created", "id", true},
		{"Invoice", [][2]string{{"id", "string"}, {"customer", "string"}, {"amount_due", "integer"}, {"amount_paid", "integer"}, {"status", "string"}, {"created", "datetime"}}, 21440, "created", "id", true},
		{"Subscription", [][2]string{{"id", "string"}, {"customer", "string"}, {"status", "string"}, {"current_period_end", "datetime"}, {"created", "datetime"}}, 1275, "created", "id", true},
		{"Product", [][2]string{{"id", "string"}, {"name", "string"}, {"active", "boolean"}}, 34, "", "id", true},
		{"Price", [][2]string{{"id", "string"}, {"product", "string"}, {"unit_amount", "integer"}, {"currency", "string"}}, 61, "", "id", true},
		{"BalanceTransaction", [][2]string{{"id", "string"}, {"amount", "integer"}, {"fee", "integer"}, {"type", "string"}, {"created", "datetime"}}, 0, "created", "id", false},
	},
	"Postgres": {
		{"orders", [][2]string{{"id", "integer"}, {"user_id", "integer"}, {"order_date", "date"}, {"status", "string"}, {"updated_at", "datetime"}}, 125460, "updated_at", "id", true},
		{"customers", [][2]string{{"id", "integer"}, {"first_name", "string"}, {"last_name", "string"}, {"email", "string"}, {"updated_at", "datetime"}}, 8312, "updated_at", "id", true},
		{"payments", [][2]string{{"id", "integer"}, {"order_id", "integer"}, {"payment_method", "string"}, {"amount", "integer"}, {"created_at", "datetime"}}, 139874, "created_at", "id", true},
	},
	"Hubspot": {
		{"contacts", [][2]string{{"id", "string"}, {"email", "string"}, {"lifecyclestage", "string"}, {"updatedAt", "datetime"}}, 15220, "", "id", true},
		{"companies", [][2]string{{"id", "string"}, {"name", "string"}, {"domain", "string"}, {"updatedAt", "datetime"}}, 412, "", "id", true},
		{"deals", [][2]string{{"id", "string"}, {"dealname", "string"}, {"amount", "number"}, {"dealstage", "string"}, {"closedate", "datetime"}}, 0, "", "id", true},
	},
}

func seedPostHog() *posthogState {
	st := &posthogState{sources: map[string]*phSource{}, schemas: map[string]*phSchema{}}
	add := func(src *phSource) {
		src.order = len(st.sources)
		st.sources[src.ID] = src
		for i, t := range knownTables[src.Type] {
			id := uuidFor("ph-schema-"+src.Type, i)
			if src.ID == phStripeID && i == 0 {
				// One id answers for both a source and a schema, so that the
				// single Examples()["posthog"]["id"] works for both resources.
				id = phStripeID
			}
			synced := phBase.Add(-time.Duration(i+1) * 17 * time.Minute)
			sc := &phSchema{ID: id, SourceID: src.ID, Name: t.name, ShouldSync: t.enabled, Columns: t.cols, Rows: t.rows,
				SyncFrequency: "6hour", PrimaryKeys: []string{t.pk}, HasTable: t.enabled, order: i}
			if t.incr != "" {
				sc.SyncType, sc.IncrementalField, sc.IncrementalFieldType = "incremental", t.incr, "datetime"
				if strings.HasSuffix(t.incr, "date") {
					sc.IncrementalFieldType = "date"
				}
			} else {
				sc.SyncType = "full_refresh"
			}
			if !t.enabled {
				sc.SyncType, sc.IncrementalField, sc.IncrementalFieldType, sc.SyncFrequency = nil, nil, nil, nil
			} else {
				sc.LastSynced = &synced
			}
			st.schemas[id] = sc
			if t.enabled {
				st.jobs = append(st.jobs, &phJob{ID: uuidFor("ph-job", len(st.jobs)), SourceID: src.ID, SchemaID: id,
					Created: synced.Add(-3 * time.Minute), Finished: &synced, Status: "Completed", Rows: t.rows / 40})
			}
		}
	}
	add(&phSource{ID: phStripeID, Type: "Stripe", Description: "Stripe account (payments)", Created: phBase.Add(-90 * 24 * time.Hour),
		CreatedBy: "dana@jaffle-shop.example", CreatedVia: "web", AccessMethod: "warehouse", Webhook: true,
		JobInputs: map[string]any{"stripe_account_id": "acct_1Jaffle42Sandbox", "stripe_secret_key": canaryPostHogStripe},
		Revenue:   map[string]any{"enabled": true, "include_invoiceless_charges": true}})
	add(&phSource{ID: phPostgresID, Type: "Postgres", Prefix: "app_", Description: "Shop application database (read replica)",
		Created: phBase.Add(-60 * 24 * time.Hour), CreatedBy: "ben@jaffle-shop.example", CreatedVia: "web", AccessMethod: "warehouse",
		JobInputs: map[string]any{"host": "app-replica.jaffle-shop.internal", "port": 5432, "database": "jaffle_app", "user": "posthog_reader",
			"password": canaryPostHogPG, "schema": "public", "ssh_tunnel": map[string]any{"enabled": false}},
		Revenue: map[string]any{"enabled": false, "include_invoiceless_charges": true}})
	add(&phSource{ID: phHubspotID, Type: "Hubspot", Description: "Marketing CRM", Created: phBase.Add(-20 * 24 * time.Hour),
		CreatedBy: "dana@jaffle-shop.example", CreatedVia: "web", AccessMethod: "warehouse",
		JobInputs: map[string]any{"hubspot_secret_key": canaryPostHogHubspot, "hubspot_refresh_token": "hs-refresh-sandbox-0000"},
		Revenue:   map[string]any{"enabled": false, "include_invoiceless_charges": true}})
	// HubSpot deals: the OAuth token expired, the last syncs failed.
	for _, sc := range st.schemas {
		if sc.SourceID == phHubspotID && sc.Name == "deals" {
			sc.Failed = "401 Client Error: Unauthorized for url: https://api.hubapi.com/crm/v3/objects/deals — the HubSpot access token has expired, reconnect the source."
			sc.LastSynced = nil
			sc.HasTable = false
			st.jobs = append(st.jobs, &phJob{ID: uuidFor("ph-job", len(st.jobs)), SourceID: phHubspotID, SchemaID: sc.ID,
				Created: phBase.Add(-30 * time.Minute), Finished: ptrTime(phBase.Add(-29 * time.Minute)), Status: "Failed", Error: sc.Failed})
		}
	}
	return st
}

func ptrTime(t time.Time) *time.Time { return &t }

// tableName is the HogQL table name of a schema.
func (st *posthogState) tableName(sc *phSchema) string {
	src := st.sources[sc.SourceID]
	prefix := ""
	typ := "source"
	if src != nil {
		prefix, typ = src.Prefix, src.Type
	}
	return strings.ToLower(prefix + typ + "_" + sc.Name)
}

func (st *posthogState) schemasOf(srcID string) []*phSchema {
	var out []*phSchema
	for _, sc := range st.schemas {
		if sc.SourceID == srcID {
			out = append(out, sc)
		}
	}
	sortBy(out, func(s *phSchema) string { return fmt.Sprintf("%04d", s.order) })
	return out
}
