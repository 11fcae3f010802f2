package sandbox

type datafoldState struct{}
type posthogState struct{}
type pdcState struct{}
type lightdashState struct{}

func seedDatafold() *datafoldState   { return &datafoldState{} }
func seedPostHog() *posthogState     { return &posthogState{} }
func seedPDC() *pdcState             { return &pdcState{} }
func seedLightdash() *lightdashState { return &lightdashState{} }

func datafoldHandlers() map[string]handlerFunc  { return nil }
func posthogHandlers() map[string]handlerFunc   { return nil }
func pdcHandlers() map[string]handlerFunc       { return nil }
func lightdashHandlers() map[string]handlerFunc { return nil }

const exampleCommentID = "c1"
const examplePDCID = "p1"
const exampleLightdashMemberUUID = "u1"
const exampleGroupUUID = "g1"

func Examples() map[string]map[string]string {
	return map[string]map[string]string{
		"datafold":  {"ci_config_id": "1", "pr_num": "42", "job_id": "1", "data_source_id": "1", "datadiff_id": "101", "data_connection_id": "1", "column_path": "ANALYTICS.MARTS.fct_orders.amount", "table_path": "ANALYTICS.MARTS.fct_orders", "bi_datasource_id": "11", "id": "201", "run_id": "1"},
		"posthog":   {"project_id": "1", "id": "0191c3a2-5b6e-7c8d-9e0f-a1b2c3d4e5f6"},
		"pdc":       {"id": "p1"},
		"lightdash": {"projectUuid": "p", "exploreId": "fct_orders", "spaceUuid": "s", "userUuid": "u", "dashboardUuid": "d", "organizationUuid": "o", "uuid": "w", "userWarehouseCredentialsUuid": "w", "validationId": "1", "jobId": "j", "table": "fct_orders", "field": "amount", "groupUuid": "g", "dashboardTileUuidOrCommentId": "t"},
	}
}
func CanarySecrets() []string { return nil }
