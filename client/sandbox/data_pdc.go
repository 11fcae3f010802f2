package sandbox

import "time"

// PDC demo data: four catalogued data sources — the Snowflake warehouse the
// dbt project builds, the shop's Postgres application database, the S3 data
// lake and the BigQuery marketing dataset.

const (
	canaryPDCSnowflake = "canary-pdc-snowflake-pw-e2d6a8"
	canaryPDCPostgres  = "canary-pdc-postgres-pw-4f19b3"
	canaryPDCS3        = "canary-pdc-s3-secret-8c2e57"
)

const (
	pdcSnowflakeID = "6650a1f2c3d4e5f601234501"
	pdcPostgresID  = "6650a1f2c3d4e5f601234502"
	pdcS3ID        = "6650a1f2c3d4e5f601234503"
	pdcBigQueryID  = "6650a1f2c3d4e5f601234504"
)

type pdcState struct {
	sources map[string]map[string]any
	order   []string
}

var pdcBase = demoDay.Add(-50*24*time.Hour + 9*time.Hour)

func seedPDC() *pdcState {
	st := &pdcState{sources: map[string]map[string]any{}}
	owners := []any{map[string]any{"id": "u-1001", "name": "Dana Demo", "email": "dana@jaffle-shop.example"}}
	common := func(id string, pid int, name, typ string) map[string]any {
		return map[string]any{
			"_id": id, "pId": pid, "resourceName": name, "fqdnId": name, "resourceId": "ds-" + id[len(id)-4:],
			"databaseType": typ, "affinityId": "DEFAULT", "status": "ACTIVE", "owners": owners, "users": []any{"pdc-admin", "dana"},
			"configMethod": "credentials", "spiVersion": "1.0", "serviceType": "JDBC",
			"lastTestConnectionId": "tc-" + id[len(id)-4:], "lastIngestId": "ing-" + id[len(id)-4:],
			"availableForMigration": false, "availableForWriting": false, "availableForDataMastering": false,
			"incremental": true, "scanSinceTimeframe": "P7D", "location": map[string]any{"country": "US"},
			"costPerTb": map[string]any{"price": nil, "frequency": "month"}, "totalCapacity": nil,
			"createdAt": pdcBase.Add(time.Duration(pid) * 24 * time.Hour).Format(time.RFC3339),
			"updatedAt": pdcBase.Add(time.Duration(pid) * 36 * time.Hour).Format(time.RFC3339),
		}
	}
	sf := common(pdcSnowflakeID, 1, "Snowflake Analytics", "SNOWFLAKE")
	for k, v := range map[string]any{
		"description": "Jaffle Shop analytics warehouse (dbt: RAW, STAGING, MARTS).", "host": "jaffle-xy12345.snowflakecomputing.com",
		"port": "443", "databaseName": "ANALYTICS", "warehouse": "PDC_WH", "role": "PDC_READER", "userName": "PDC_SCANNER",
		"password": canaryPDCSnowflake, "driverClassName": "net.snowflake.client.jdbc.SnowflakeDriver",
		"uri":             "jdbc:snowflake://jaffle-xy12345.snowflakecomputing.com/?db=ANALYTICS&warehouse=PDC_WH",
		"includePatterns": []any{"ANALYTICS.MARTS.*", "ANALYTICS.STAGING.*", "ANALYTICS.RAW.*"}, "excludePatterns": []any{"ANALYTICS.DATAFOLD_TMP.*"},
		"jobClasspath": "/opt/pdc/drivers/snowflake-jdbc-3.16.1.jar", "note": "Scanned nightly; PII tagging enabled.",
	} {
		sf[k] = v
	}
	pg := common(pdcPostgresID, 2, "Jaffle App Postgres", "POSTGRES")
	for k, v := range map[string]any{
		"description": "Shop application database (read replica).", "host": "app-replica.jaffle-shop.internal", "port": "5432",
		"databaseName": "jaffle_app", "userName": "pdc_reader", "password": canaryPDCPostgres, "driverClassName": "org.postgresql.Driver",
		"uri": "jdbc:postgresql://app-replica.jaffle-shop.internal:5432/jaffle_app", "includePatterns": []any{"public.*"},
		"excludePatterns": []any{}, "jobClasspath": "/opt/pdc/drivers/postgresql-42.7.3.jar",
	} {
		pg[k] = v
	}
	s3 := common(pdcS3ID, 3, "AWS S3 Data Lake", "AWS")
	for k, v := range map[string]any{
		"description": "AWS S3 bucket for data lake storage (raw event exports).", "region": "us-east-1",
		"container": "jaffle-datalake", "accessId": "AKIAIOSFODNN7SANDBOX", "secretKey": canaryPDCS3, "path": "/raw/events",
		"serviceType": "S3", "configMethod": "accessKey", "endpoint": "https://s3.us-east-1.amazonaws.com",
		"totalCapacity": 2048.0, "costPerTb": map[string]any{"price": 23.0, "frequency": "month"},
	} {
		s3[k] = v
	}
	bq := common(pdcBigQueryID, 4, "BigQuery Marketing", "GOOGLE_BIGQUERY")
	for k, v := range map[string]any{
		"description": "Marketing dataset (ad spend, campaigns).", "databaseName": "jaffle-marketing", "path": "marketing",
		"configMethod": "serviceAccount", "secretManagerKey": "projects/jaffle-marketing/secrets/pdc-bq-sa/versions/latest",
		"driverClassName": "com.simba.googlebigquery.jdbc.Driver", "status": "INACTIVE",
	} {
		bq[k] = v
	}
	for _, ds := range []map[string]any{sf, pg, s3, bq} {
		id := ds["_id"].(string)
		st.sources[id] = ds
		st.order = append(st.order, id)
	}
	return st
}
