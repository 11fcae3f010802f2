package sandbox

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPostHogSourcesAndSchemas(t *testing.T) {
	t.Parallel()
	s := newTestSandbox(t)
	base := "/api/projects/1/external_data_sources/"
	list := do(t, s, "posthog", "GET", base, nil)
	require.Equal(t, 3.0, list.get("count"))

	// create -> get/list -> patch -> delete -> 404
	r := do(t, s, "posthog", "POST", base, map[string]any{"source_type": "Postgres", "prefix": "billing_", "description": "Billing DB",
		"payload": map[string]any{"host": "billing-db", "port": 5432, "user": "ph", "password": "pw", "database": "billing",
			"schemas": []any{map[string]any{"name": "orders", "should_sync": true, "sync_type": "full_refresh"}}}})
	require.Equal(t, 201, r.Status, string(r.Body))
	validateResponse(t, "posthog", r)
	id := r.get("id").(string)
	require.Equal(t, "Postgres", r.get("source_type"))
	require.Equal(t, "Running", r.get("status"))
	var synced []string
	for _, sc := range r.get("schemas").([]any) {
		m := sc.(map[string]any)
		if m["should_sync"] == true {
			synced = append(synced, m["name"].(string))
		}
	}
	require.Equal(t, []string{"orders"}, synced)
	require.Equal(t, 4.0, do(t, s, "posthog", "GET", base, nil).get("count"))
	p := do(t, s, "posthog", "PATCH", base+id+"/", map[string]any{"description": "Billing database (replica)"})
	validateResponse(t, "posthog", p)
	require.Equal(t, "Billing database (replica)", do(t, s, "posthog", "GET", base+id+"/", nil).get("description"))
	waitFor(t, "sync", func() bool { return do(t, s, "posthog", "GET", base+id+"/", nil).get("status") == "Completed" })
	jobs := do(t, s, "posthog", "GET", base+id+"/jobs/", nil)
	require.Equal(t, "Completed", jobs.get("0.status"))
	del := do(t, s, "posthog", "DELETE", base+id+"/", nil)
	require.Equal(t, 204, del.Status)
	require.Equal(t, 0, len(del.Body))
	require.Equal(t, 404, do(t, s, "posthog", "GET", base+id+"/", nil).Status)
	require.Equal(t, 400, do(t, s, "posthog", "POST", base, map[string]any{"source_type": "Stripe", "payload": map[string]any{}}).Status, "duplicate prefix")

	// Schemas: the failing HubSpot deals sync recovers after new credentials.
	var deals string
	for _, sc := range do(t, s, "posthog", "GET", base+phHubspotID+"/", nil).get("schemas").([]any) {
		if m := sc.(map[string]any); m["name"] == "deals" {
			deals = m["id"].(string)
			require.Equal(t, "Failed", m["status"])
		}
	}
	schema := "/api/projects/1/external_data_schemas/" + deals + "/"
	require.Equal(t, 200, do(t, s, "posthog", "POST", schema+"resync/", nil).Status)
	require.Equal(t, "Running", do(t, s, "posthog", "GET", schema, nil).get("status"))
	waitFor(t, "resync", func() bool { return do(t, s, "posthog", "GET", schema, nil).get("status") == "Failed" })
	do(t, s, "posthog", "PATCH", base+phHubspotID+"/", map[string]any{"job_inputs": map[string]any{"hubspot_secret_key": "new-token"}})
	do(t, s, "posthog", "POST", schema+"reload/", nil)
	waitFor(t, "reload", func() bool { return do(t, s, "posthog", "GET", schema, nil).get("status") == "Completed" })
	require.Equal(t, "Completed", do(t, s, "posthog", "GET", base+phHubspotID+"/", nil).get("status"))

	// patch a schema; incremental needs a field.
	charge := "/api/projects/1/external_data_schemas/" + phStripeID + "/"
	u := do(t, s, "posthog", "PATCH", charge, map[string]any{"sync_frequency": "1hour", "should_sync": false})
	validateResponse(t, "posthog", u)
	require.Equal(t, "1hour", do(t, s, "posthog", "GET", charge, nil).get("sync_frequency"))
	require.Equal(t, "Paused", do(t, s, "posthog", "GET", charge, nil).get("status"))
	bad := do(t, s, "posthog", "PATCH", "/api/projects/1/external_data_schemas/"+uuidFor("ph-schema-Stripe", 4)+"/", map[string]any{"sync_type": "incremental"})
	require.Equal(t, 400, bad.Status, string(bad.Body))
	require.Equal(t, "incremental_field", bad.get("attr"))
	bulk := do(t, s, "posthog", "PATCH", base+phStripeID+"/bulk_update_schemas/", map[string]any{"schemas": []any{
		map[string]any{"id": phStripeID, "should_sync": true}}})
	validateResponse(t, "posthog", bulk)
	require.Equal(t, 7.0, bulk.get("count"))
	require.Equal(t, 204, do(t, s, "posthog", "DELETE", charge, nil).Status)
	require.Equal(t, 404, do(t, s, "posthog", "GET", charge, nil).Status)
	// The source with the same id is still there.
	require.Equal(t, 200, do(t, s, "posthog", "GET", base+phStripeID+"/", nil).Status)
}

func TestPDCDataSources(t *testing.T) {
	t.Parallel()
	s := newTestSandbox(t)
	filter := func(body map[string]any) []string {
		r := do(t, s, "pdc", "POST", "/api/public/v1/data-sources/filter", body)
		require.Equal(t, 200, r.Status, string(r.Body))
		validateResponse(t, "pdc", r)
		var out []string
		for _, d := range r.get("data").([]any) {
			out = append(out, d.(map[string]any)["resourceName"].(string))
		}
		return out
	}
	require.Equal(t, []string{"Snowflake Analytics"}, filter(map[string]any{"resourceNames": []any{"*snow*"}}))
	require.Equal(t, []string{"Jaffle App Postgres"}, filter(map[string]any{"databaseTypes": []any{"POST*"}}))
	require.Equal(t, []string{"Snowflake Analytics", "AWS S3 Data Lake"}, filter(map[string]any{"databaseTypes": []any{"snowflake", "AWS"}}))
	require.Equal(t, 4, len(filter(map[string]any{"resourceNames": []any{"*"}})))
	require.Equal(t, 0, len(filter(map[string]any{"resourceNames": []any{"nothing?"}})))

	c := do(t, s, "pdc", "POST", "/api/public/v1/data-sources", []any{map[string]any{"resourceName": "Events Lake", "databaseType": "AWS",
		"region": "eu-west-1", "container": "events", "accessId": "AKIA", "secretKey": "s3cr3t"}})
	require.Equal(t, 201, c.Status, string(c.Body))
	validateResponse(t, "pdc", c)
	id := c.get("data.0._id").(string)
	g := do(t, s, "pdc", "GET", "/api/public/v1/data-sources/"+id, nil)
	require.Equal(t, "Events Lake", g.get("data.resourceName"))
	p := do(t, s, "pdc", "PATCH", "/api/public/v1/data-sources/"+id, map[string]any{"description": "Clickstream exports", "region": "eu-central-1"})
	validateResponse(t, "pdc", p)
	g = do(t, s, "pdc", "GET", "/api/public/v1/data-sources/"+id, nil)
	require.Equal(t, "Clickstream exports", g.get("data.description"))
	require.Equal(t, "eu-central-1", g.get("data.region"))
	require.Equal(t, []string{"AWS S3 Data Lake", "Events Lake"}, filter(map[string]any{"databaseTypes": []any{"aws"}}))
	require.Equal(t, []string{"Events Lake"}, filter(map[string]any{"databaseTypes": []any{"aws"}, "resourceNames": []any{"ev?nts*"}, "x": 1}))
	r := do(t, s, "pdc", "POST", "/api/public/v1/data-sources/filter?skip=1&limit=1", map[string]any{"resourceNames": []any{"*"}})
	require.Equal(t, "Jaffle App Postgres", r.get("data.0.resourceName"))
	by := do(t, s, "pdc", "POST", "/api/public/v1/data-sources/by-ids", map[string]any{"ids": []any{id, "nope", pdcPostgresID}})
	require.Equal(t, 2, len(by.get("data").([]any)))
	dup := do(t, s, "pdc", "POST", "/api/public/v1/data-sources", map[string]any{"resourceName": "events lake", "databaseType": "AWS"})
	require.Equal(t, 400, dup.Status)
	validateError(t, "pdc", dup)
}

func TestLightdashStateAndConsistency(t *testing.T) {
	t.Parallel()
	s := newTestSandbox(t)
	proj := "/api/v1/projects/" + ldProject
	// spaces: create -> get/list -> update -> delete -> 404
	r := do(t, s, "lightdash", "POST", proj+"/spaces", map[string]any{"name": "Ops Review", "inheritParentPermissions": true})
	require.Equal(t, 200, r.Status, string(r.Body))
	validateResponse(t, "lightdash", r)
	sp := r.get("results.uuid").(string)
	require.Equal(t, "ops-review", r.get("results.slug"))
	listNames := func() []string {
		var out []string
		for _, x := range do(t, s, "lightdash", "GET", proj+"/spaces", nil).get("results").([]any) {
			out = append(out, x.(map[string]any)["name"].(string))
		}
		return out
	}
	require.True(t, slices.Contains(listNames(), "Ops Review"))
	child := do(t, s, "lightdash", "POST", proj+"/spaces", map[string]any{"name": "Weekly", "parentSpaceUuid": sp})
	require.Equal(t, 200, child.Status, string(child.Body))
	require.Equal(t, "ops_review.weekly", child.get("results.path"))
	require.Equal(t, "Ops Review", child.get("results.breadcrumbs.0.name"))
	do(t, s, "lightdash", "PATCH", proj+"/spaces/"+sp, map[string]any{"name": "Ops", "inheritParentPermissions": false})
	got := do(t, s, "lightdash", "GET", proj+"/spaces/"+sp, nil)
	validateResponse(t, "lightdash", got)
	require.Equal(t, "Ops", got.get("results.name"))
	require.Equal(t, false, got.get("results.inheritParentPermissions"))
	require.Equal(t, "Weekly", got.get("results.childSpaces.0.name"))
	require.Equal(t, false, do(t, s, "lightdash", "GET", proj+"/spaces/"+child.get("results.uuid").(string), nil).get("results.inheritsFromOrgOrProject"))
	require.Equal(t, 204, do(t, s, "lightdash", "DELETE", proj+"/spaces/"+sp, nil).Status)
	require.Equal(t, 404, do(t, s, "lightdash", "GET", proj+"/spaces/"+sp, nil).Status)

	// The Finance space holds the revenue charts.
	fin := do(t, s, "lightdash", "GET", proj+"/spaces/"+ldSpaceFinance, nil)
	var charts []string
	for _, q := range fin.get("results.queries").([]any) {
		charts = append(charts, q.(map[string]any)["name"].(string))
	}
	require.True(t, slices.Contains(charts, "Revenue by month") && slices.Contains(charts, "Orders by status"), charts)

	// Explore fields match the warehouse columns.
	ex := do(t, s, "lightdash", "GET", proj+"/explores/fct_orders", nil)
	dims := ex.get("results.tables.fct_orders.dimensions").(map[string]any)
	for _, c := range warehouseFor(1).find([]string{"fct_orders"}).Columns {
		require.True(t, dims[c.Name] != nil, "dimension %s", c.Name)
	}
	require.Equal(t, "SUM(\"fct_orders\".AMOUNT)", ex.get("results.tables.fct_orders.metrics.total_revenue.compiledSql"))
	require.True(t, ex.get("results.tables.dim_customers") != nil)

	// Catalog analytics are consistent with the charts.
	an := do(t, s, "lightdash", "GET", proj+"/dataCatalog/fct_orders/analytics", nil)
	validateResponse(t, "lightdash", an)
	require.Equal(t, 5, len(an.get("results.charts").([]any))) // incl. the broken "Refund rate"
	f := do(t, s, "lightdash", "GET", proj+"/dataCatalog/fct_orders/analytics/total_revenue", nil)
	require.Equal(t, "Revenue by month", f.get("results.charts.0.name"))
	require.Equal(t, "Executive overview", f.get("results.charts.0.dashboardName"))
	require.Equal(t, "Large orders", do(t, s, "lightdash", "GET", proj+"/dataCatalog/fct_orders/analytics/amount", nil).get("results.charts.0.name"))
	require.Equal(t, 404, do(t, s, "lightdash", "GET", proj+"/dataCatalog/fct_orders/analytics/nope", nil).Status)
	// As Lightdash: a field id matches exactly (an interval variant is a
	// field of its own), a table's charts are those of its explore (not of
	// explores joining it), and a chart saved in a space names no
	// dashboard, even when it is a tile.
	require.Equal(t, []any{}, do(t, s, "lightdash", "GET", proj+"/dataCatalog/fct_orders/analytics/order_date", nil).get("results.charts"))
	month := do(t, s, "lightdash", "GET", proj+"/dataCatalog/fct_orders/analytics/order_date_month", nil)
	validateResponse(t, "lightdash", month)
	require.Equal(t, "Revenue by month", month.get("results.charts.0.name"))
	dashOf := map[string]any{}
	for _, ch := range do(t, s, "lightdash", "GET", proj+"/dataCatalog/dim_customers/analytics", nil).get("results.charts").([]any) {
		m := ch.(map[string]any)
		dashOf[m["name"].(string)] = m["dashboardName"]
	}
	require.Equal(t, map[string]any{"Customer lifetime value": nil, "New customers per week": "Marketing performance"}, dashOf)
	// The certified project (Jaffle Shop's upstream) is not compiled yet.
	certProj := "/api/v1/projects/" + ldCertified
	require.Equal(t, []any{}, do(t, s, "lightdash", "GET", certProj+"/explores", nil).get("results"))
	require.Equal(t, []any{}, do(t, s, "lightdash", "GET", certProj+"/dataCatalog", nil).get("results"))
	require.Equal(t, 404, do(t, s, "lightdash", "GET", certProj+"/explores/fct_orders", nil).Status)
	cat := do(t, s, "lightdash", "GET", proj+"/dataCatalog?search=lifetime&type=field", nil)
	require.Equal(t, 3, len(cat.get("results").([]any)))

	// SQL runner and totals read the same warehouse.
	sq := do(t, s, "lightdash", "POST", proj+"/sqlQuery", map[string]any{"sql": "select count(*) as orders from ANALYTICS.MARTS.fct_orders"})
	validateResponse(t, "lightdash", sq)
	require.Equal(t, 125430.0, sq.get("results.rows.0.ORDERS"))
	require.Equal(t, "number", sq.get("results.fields.ORDERS.type"))
	pv := do(t, s, "lightdash", "POST", "/api/v1/projects/"+ldPreview+"/sqlQuery", map[string]any{"sql": "select count(*) as orders from fct_orders"})
	require.Equal(t, 125318.0, pv.get("results.rows.0.ORDERS"))
	tot := do(t, s, "lightdash", "POST", proj+"/calculate-total", map[string]any{"explore": "fct_orders",
		"metricQuery": map[string]any{"exploreName": "fct_orders", "dimensions": []any{}, "metrics": []any{"fct_orders_order_count"},
			"filters": map[string]any{}, "sorts": []any{}, "limit": 500, "tableCalculations": []any{}}})
	require.Equal(t, 125430.0, tot.get("results.fct_orders_order_count"))
	cq := do(t, s, "lightdash", "POST", proj+"/explores/fct_orders/compileQuery", map[string]any{"exploreName": "fct_orders",
		"dimensions": []any{"fct_orders_order_date_month", "dim_customers_first_name"}, "metrics": []any{"fct_orders_total_revenue"},
		"filters": map[string]any{}, "sorts": []any{map[string]any{"fieldId": "fct_orders_total_revenue", "descending": true}},
		"limit": 10, "tableCalculations": []any{}})
	validateResponse(t, "lightdash", cq)
	sql := cq.get("results.query").(string)
	require.Contains(t, sql, "DATE_TRUNC('MONTH'")
	require.Contains(t, sql, "LEFT OUTER JOIN")
	require.Contains(t, sql, "LIMIT 10")

	// Validation: dismiss one.
	v := do(t, s, "lightdash", "GET", proj+"/validate", nil)
	require.Equal(t, 2, len(v.get("results").([]any)))
	require.Equal(t, 200, do(t, s, "lightdash", "DELETE", proj+"/validate/1", nil).Status)
	require.Equal(t, 1, len(do(t, s, "lightdash", "GET", proj+"/validate", nil).get("results").([]any)))
	require.Equal(t, 404, do(t, s, "lightdash", "DELETE", proj+"/validate/1", nil).Status)
	require.Equal(t, 200, do(t, s, "lightdash", "DELETE", proj+"/validate/"+ldValidationUUID(2), nil).Status) // by uuid

	// Comments: create, list, resolve, delete.
	cm := "/api/v1/comments/dashboards/" + ldDashPreview
	c := do(t, s, "lightdash", "POST", cm+"/"+ldTilePreview, map[string]any{"text": "Diffed it: card rounding.", "textHtml": "<p>Diffed it</p>",
		"mentions": []any{}, "replyTo": ldComment1})
	require.Equal(t, 200, c.Status, string(c.Body))
	list := do(t, s, "lightdash", "GET", cm, nil)
	validateResponse(t, "lightdash", list)
	// By slug: two dashboards are "executive-overview"; the first by uuid is production's.
	require.Equal(t, do(t, s, "lightdash", "GET", "/api/v1/comments/dashboards/"+ldDashExec, nil).JSON,
		do(t, s, "lightdash", "GET", "/api/v1/comments/dashboards/executive-overview", nil).JSON)
	thread := list.get("results." + ldTilePreview).([]any)
	require.Equal(t, 1, len(thread))
	require.Equal(t, 2, len(thread[0].(map[string]any)["replies"].([]any)))
	do(t, s, "lightdash", "PATCH", cm+"/"+ldComment1, nil)
	require.Equal(t, true, do(t, s, "lightdash", "GET", cm, nil).get("results."+ldTilePreview+".0.resolved"))
	require.Equal(t, 200, do(t, s, "lightdash", "DELETE", cm+"/"+ldComment1, nil).Status)
	require.Equal(t, 0, len(do(t, s, "lightdash", "GET", cm, nil).get("results").(map[string]any)))

	// Promotion: the preview dashboard updates the production one.
	diff := do(t, s, "lightdash", "GET", "/api/v1/dashboards/"+ldDashPreview+"/promoteDiff", nil)
	require.Equal(t, "update", diff.get("results.charts.0.action"))
	require.Equal(t, "no changes", diff.get("results.charts.1.action"))
	pr := do(t, s, "lightdash", "POST", "/api/v1/dashboards/"+ldDashPreview+"/promote", nil)
	require.Equal(t, ldDashExec, pr.get("results.uuid"))
	// Jaffle Shop's own upstream is the certified project: the executive
	// dashboard's diff creates everything there and shows its tiles, which
	// say which charts are saved in the dashboard; promoted, the chart saved
	// in it is saved in the new one, the chart saved in a space in a space;
	// the certified project has no upstream, so its dashboards cannot be
	// promoted (Lightdash's 404).
	execDiff := do(t, s, "lightdash", "GET", "/api/v1/dashboards/"+ldDashExec+"/promoteDiff", nil)
	validateResponse(t, "lightdash", execDiff)
	require.Equal(t, "create", execDiff.get("results.dashboards.0.action"))
	belongs := map[string]any{}
	for _, tile := range execDiff.get("results.dashboards.0.data.tiles").([]any) {
		if props, _ := tile.(map[string]any)["properties"].(map[string]any); props["savedChartUuid"] != nil {
			belongs[props["chartName"].(string)] = props["belongsToDashboard"]
		}
	}
	require.Equal(t, map[string]any{"Revenue by month": true, "Orders by status": false, "Customer lifetime value": false,
		"Payment method mix": true, "Refund rate": true}, belongs)
	cert := do(t, s, "lightdash", "POST", "/api/v1/dashboards/"+ldDashExec+"/promote", nil)
	require.Equal(t, 200, cert.Status, string(cert.Body))
	require.Equal(t, ldCertified, cert.get("results.projectUuid"))
	certDash := cert.get("results.uuid").(string)
	saved := map[string]any{}
	for _, ch := range do(t, s, "lightdash", "GET", "/api/v1/projects/"+ldCertified+"/chart-summaries", nil).get("results").([]any) {
		m := ch.(map[string]any)
		saved[m["name"].(string)] = m["dashboardUuid"]
	}
	require.Equal(t, certDash, saved["Revenue by month"], "chart saved in the dashboard")
	require.Nil(t, saved["Orders by status"], "chart saved in a space")
	noUp := do(t, s, "lightdash", "GET", "/api/v1/dashboards/"+certDash+"/promoteDiff", nil)
	require.Equal(t, 404, noUp.Status)
	require.Equal(t, "This chart does not have an upstream project", noUp.get("error.message"))
	fin = do(t, s, "lightdash", "GET", proj+"/spaces/"+ldSpaceFinance, nil)
	found := false
	for _, q := range fin.get("results.queries").([]any) {
		if m := q.(map[string]any); m["name"] == "Revenue by month" {
			found = strings.Contains(m["description"].(string), "PR #42")
		}
	}
	require.True(t, found, "promoted chart description")

	// Members & access.
	require.Equal(t, 404, do(t, s, "lightdash", "GET", proj+"/user/"+uuidFor("x", 1), nil).Status)
	do(t, s, "lightdash", "POST", proj+"/access", map[string]any{"email": "eve@jaffle-shop.example", "role": "viewer", "sendEmail": false})
	acc := do(t, s, "lightdash", "GET", proj+"/access", nil)
	require.Equal(t, 5, len(acc.get("results").([]any)))
	g := do(t, s, "lightdash", "POST", "/api/v1/org/groups", map[string]any{"name": "Ops", "members": []any{map[string]any{"userUuid": ldUserBen}}})
	validateResponse(t, "lightdash", g)
	require.Equal(t, []any{ldUserBen}, g.get("results.memberUuids"))
	groups := do(t, s, "lightdash", "GET", "/api/v1/org/groups", nil)
	validateResponse(t, "lightdash", groups)
	require.Equal(t, 3, len(groups.get("results.data").([]any)))
	require.Equal(t, nil, groups.get("results.pagination"))
	paged := do(t, s, "lightdash", "GET", "/api/v1/org/groups?page=2&pageSize=2&includeMembers=1", nil)
	validateResponse(t, "lightdash", paged)
	require.Equal(t, []any{"Ops"}, []any{paged.get("results.data.0.name")})
	require.Equal(t, 1, len(paged.get("results.data.0.members").([]any)))
	require.Equal(t, map[string]any{"page": 2.0, "pageSize": 2.0, "totalResults": 3.0, "totalPageCount": 2.0}, paged.get("results.pagination"))

	// Members: paginated, searchable, filtered by project access.
	members := do(t, s, "lightdash", "GET", "/api/v1/org/users?pageSize=2", nil)
	validateResponse(t, "lightdash", members)
	require.Equal(t, 2, len(members.get("results.data").([]any)))
	require.Equal(t, 3.0, members.get("results.pagination.totalPageCount")) // 5 members with eve
	require.Equal(t, "Chloe", do(t, s, "lightdash", "GET", "/api/v1/org/users?searchQuery=cfo", nil).get("results.data.0.firstName"))
	require.Equal(t, 2, len(do(t, s, "lightdash", "GET", "/api/v1/org/users?projectUuid="+ldPreview, nil).get("results.data").([]any)))
}

var secretKeyRE = regexp.MustCompile(`(?i)pass|secret|private|token|key`)

// findCanaries walks v and records, for each canary found, the key it sits under.
func findCanaries(v any, key string, found map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			findCanaries(val, k, found)
		}
	case []any:
		for _, val := range x {
			findCanaries(val, key, found)
		}
	case string:
		for _, c := range CanarySecrets() {
			if strings.Contains(x, c) {
				found[c] = key
			}
		}
	}
}

func TestCanariesAreServedUnderSecretKeys(t *testing.T) {
	t.Parallel()
	s := newTestSandbox(t)
	found := map[string]string{}
	for _, c := range []struct{ prov, path string }{
		{"datafold", "/api/v1/data_sources"},
		{"datafold", "/api/v1/lineage/bi/"},
		{"posthog", "/api/projects/1/external_data_sources/"},
		{"pdc", "/api/public/v1/data-sources/" + pdcSnowflakeID},
		{"pdc", "/api/public/v1/data-sources/" + pdcPostgresID},
		{"pdc", "/api/public/v1/data-sources/" + pdcS3ID},
		{"lightdash", "/api/v1/projects/" + ldProject},
		{"lightdash", "/api/v1/user/warehouseCredentials"},
	} {
		r := do(t, s, c.prov, "GET", c.path, nil)
		require.Equal(t, 200, r.Status, c.path)
		findCanaries(r.JSON, "", found)
	}
	for _, c := range CanarySecrets() {
		key, ok := found[c]
		require.True(t, ok, "canary %s not served", c)
		require.True(t, secretKeyRE.MatchString(key), "canary %s under key %q", c, key)
		require.Contains(t, c, "canary-")
	}
	require.Equal(t, 11, len(CanarySecrets()))
}

// TestWeirdInputs throws odd paths, methods and bodies at every provider:
// nothing may panic or answer 500, and anything not matching the spec must
// be reported as a RequestError.
func TestWeirdInputs(t *testing.T) {
	t.Parallel()
	s := newTestSandbox(t)
	rec := observe(s)
	paths := []string{
		"/", "", "/api", "/api/v1/datadiffs/%2e%2e", "/api/v1/datadiffs/-1", "/api/v1/datadiffs/99999999999999999999999",
		"/api/v1/explore/db/1/columns/..%2F..%2Fetc/downstreams", "/api/v1/explore/db/1/columns/%22%22%22/upstreams",
		"/api/v1/explore/db/1/tables/" + strings.Repeat("a.", 500) + "b/upstreams", "/api/v1/explore/db/1/tables/%00/upstreams",
		"/api/v1/explore/db/1/tables/ANALYTICS.%22MARTS/upstreams?max_depth=-3", "/api/v1/explore/db/1/tables/x/upstreams?max_depth=abc",
		"/api/projects/1/external_data_sources/%25ZZ/", "/api/projects/%20/external_data_sources/", "/api/projects/1/external_data_schemas//",
		"/api/public/v1/data-sources/%2F", "/api/public/v1/data-sources/" + strings.Repeat("f", 5000),
		"/api/v1/projects/../../etc/passwd", "/api/v1/projects/" + ldProject + "/dataCatalog/%F0%9F%92%A9/analytics/%00",
		"/api/v1/comments/dashboards/x/y", "/api/v1/csv/%20", "/api/v1/org/users/" + strings.ToUpper(ldUserAna),
		"/api/v1/projects/" + ldProject + "/validate/NaN", "/api/v1/projects/" + ldProject + "/validate/1e309",
	}
	bodies := []string{"", "null", "[]", "{}", "{", `{"a":` + strings.Repeat("[", 2000) + strings.Repeat("]", 2000) + "}", `"str"`, "1e999",
		`{"data_source1_id":1e300,"data_source2_id":-0}`, `{"sql":"` + strings.Repeat("x", 10000) + `"}`, "\xff\xfe", `{"ids":[null]}`,
		`{"query":"select count(*) from fct_orders where amount > 'x' and status in ('a', 'b') group by 1 order by 9 desc limit 0"}`,
		`{"query":"select sum(*) from fct_orders"}`, `{"query":"select date_trunc('month', status) from fct_orders limit 1"}`}
	check := func(prov, method, path, body string) {
		st := time.Now()
		defer func() {
			if d := time.Since(st); d > 300*time.Millisecond {
				t.Logf("SLOW %v %s %s %s %.60q", d, prov, method, path, body)
			}
		}()
		r := rawReq(t, s, prov, method, path, "application/json", body)
		require.True(t, r.Status < 500, "%s %s %s %q -> %d %s", prov, method, path, body, r.Status, r.Body)
		if ex := rec.last(); r.Status == 404 && ex.OperationID == "" || r.Status == 405 || r.Status == 401 {
			require.Error(t, ex.RequestError, "%s %s %s", prov, method, path)
		}
	}
	for _, prov := range []string{"datafold", "posthog", "pdc", "lightdash"} {
		for i, p := range paths {
			check(prov, "GET", p, "")
			check(prov, []string{"POST", "PATCH", "DELETE", "PUT"}[i%4], p, bodies[i%len(bodies)])
		}
	}
	// Every real operation with a few odd bodies (rotating through the list).
	n := 0
	for _, prov := range []string{"datafold", "posthog", "pdc", "lightdash"} {
		for _, id := range sortedKeys(testSpec(prov).ops) {
			op := testSpec(prov).ops[id]
			path := pathParamRE.ReplaceAllStringFunc(op.Path, func(m string) string {
				if v, ok := Examples()[prov][m[1:len(m)-1]]; ok {
					return v
				}
				return "x"
			})
			for k := 0; k < 2; k++ {
				n++
				check(prov, op.Method, path, bodies[(n*7+k)%len(bodies)])
			}
		}
	}
}

// TestConcurrentUse hammers one sandbox from several goroutines (run with -race).
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	s := newTestSandbox(t)
	s.DiffQueued, s.DiffRunning = 0, 0
	observe(s)
	done := make(chan struct{})
	for g := 0; g < 8; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := 0; i < 10; i++ {
				switch (g + i) % 5 {
				case 0:
					r := do(t, s, "datafold", "POST", "/api/v1/datadiffs", map[string]any{"data_source1_id": 1, "data_source2_id": 2,
						"pk_columns": []any{"customer_id"}, "table1": []any{"MARTS", "dim_customers"}, "table2": []any{"MARTS", "dim_customers"}})
					do(t, s, "datafold", "GET", fmt.Sprintf("/api/v1/datadiffs/%v/summary_results", r.get("id")), nil)
				case 1:
					do(t, s, "posthog", "POST", "/api/projects/1/external_data_schemas/"+phStripeID+"/reload/", nil)
					do(t, s, "posthog", "GET", "/api/projects/1/external_data_sources/", nil)
				case 2:
					do(t, s, "lightdash", "POST", "/api/v1/projects/"+ldProject+"/spaces", map[string]any{"name": fmt.Sprintf("s%d-%d", g, i)})
					do(t, s, "lightdash", "GET", "/api/v1/projects/"+ldProject+"/spaces", nil)
				case 3:
					do(t, s, "pdc", "PATCH", "/api/public/v1/data-sources/"+pdcS3ID, map[string]any{"note": fmt.Sprint(g, i)})
				case 4:
					do(t, s, "datafold", "GET", "/api/v1/monitors", nil)
					do(t, s, "datafold", "POST", "/api/v1/monitors/202/run", nil)
				}
			}
		}()
	}
	for g := 0; g < 8; g++ {
		<-done
	}
	require.Equal(t, 16+3, len(do(t, s, "lightdash", "GET", "/api/v1/projects/"+ldProject+"/spaces", nil).get("results").([]any)))
}
