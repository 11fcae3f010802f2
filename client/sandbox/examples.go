package sandbox

import "github.com/datastack-mcp/datastack-mcp/schemas"

// Examples returns, per provider, one value for every path parameter name
// the provider's spec uses, chosen from the demo data so that GET requests
// built from them succeed:
//
//	datafold:  data_source_id, data_connection_id "1" (Snowflake prod);
//	           datadiff_id "101" (prod vs dev fct_orders, different);
//	           table_path "ANALYTICS.MARTS.fct_orders", column_path
//	           "ANALYTICS.MARTS.fct_orders.amount"; ci_config_id "1",
//	           pr_num "42"; job_id "501" (connection test); bi_datasource_id
//	           "11" (dbt integration); id "201" (diff monitor), run_id "3001".
//	posthog:   project_id "1"; id — the Stripe source, which is also the id
//	           of its "Charge" schema, so both resources answer for it.
//	pdc:       id — the "Snowflake Analytics" data source.
//	lightdash: projectUuid "Jaffle Shop"; exploreId and table "fct_orders",
//	           field "amount"; spaceUuid "Finance"; userUuid Ana Analyst
//	           (project member with space access); groupUuid "Finance";
//	           dashboardUuid the "Executive overview" of the PR #42 preview
//	           project (promotable), dashboardTileUuidOrCommentId its revenue
//	           tile, which is also the id of the comment thread on that tile
//	           (the spec merges both into one parameter); organizationUuid,
//	           uuid / userWarehouseCredentialsUuid
//	           (Dana's Snowflake credentials), validationIdOrUuid "1" (a
//	           legacy integer id), dashboardUuidOrSlug the preview
//	           dashboard's uuid, jobId a finished Google Sheets export,
//	           queryUuid the finished "revenue by month" metric query.
//
// Parameters that name the object being created, deleted or commented on
// take the same values, so every operation of the four specs succeeds on a
// fresh sandbox with these values (and meaningful bodies).
func Examples() map[string]map[string]string {
	return map[string]map[string]string{
		schemas.Datafold: {
			"data_source_id": "1", "data_connection_id": "1", "datadiff_id": "101",
			"table_path": "ANALYTICS.MARTS.fct_orders", "column_path": "ANALYTICS.MARTS.fct_orders.amount",
			"ci_config_id": "1", "pr_num": "42", "job_id": "501", "bi_datasource_id": "11", "id": "201", "run_id": "3001",
		},
		schemas.PostHog: {"project_id": "1", "id": phStripeID},
		schemas.PDC:     {"id": pdcSnowflakeID},
		schemas.Lightdash: {
			"projectUuid": ldProject, "exploreId": "fct_orders", "table": "fct_orders", "field": "amount",
			"spaceUuid": ldSpaceFinance, "userUuid": ldUserAna, "groupUuid": ldGroupFinance,
			"dashboardUuid": ldDashPreview, "dashboardTileUuidOrCommentId": ldTilePreview,
			"organizationUuid": ldOrgUUID, "uuid": ldCredsUUID, "userWarehouseCredentialsUuid": ldCredsUUID,
			"validationIdOrUuid": "1", "dashboardUuidOrSlug": ldDashPreview, "jobId": ldGsheetJob, "queryUuid": ldQueryRevenue,
		},
	}
}

// CanarySecrets returns the fake secrets planted in the demo data where the
// real APIs return credentials (data source options, source job inputs,
// warehouse credentials, dbt connection tokens...). They sit under keys such
// as password, private_key, client_secret, secretKey or
// personal_access_token, so a key-based redactor can be tested against them:
// none of them should ever reach an MCP client.
func CanarySecrets() []string {
	return []string{
		canaryDatafoldPassword, canaryDatafoldPrivateKey, canaryDatafoldLooker,
		canaryPostHogStripe, canaryPostHogPG, canaryPostHogHubspot,
		canaryPDCSnowflake, canaryPDCPostgres, canaryPDCS3,
		canaryLightdashDbtPAT, canaryLightdashWarehouse,
	}
}
