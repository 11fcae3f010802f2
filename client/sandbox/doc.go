// Package sandbox is an in-process emulator of the four REST APIs the MCP
// server exposes — Datafold, PostHog's data warehouse, Pentaho Data Catalog
// (PDC) and Lightdash — serving a coherent demo data stack. It backs
// `--sandbox` mode, so anyone can try every tool without an account, and it
// is what every test of the server runs against, offline.
//
// # What it owns
//
//   - Routing and validation, from the embedded OpenAPI specs (package
//     schemas) with kin-openapi: unknown route 404, wrong method 405,
//     credentials checked per provider (401), and requests that do not match
//     the spec rejected the way each real API does (Datafold 422 with
//     FastAPI's {"detail":[{"loc","msg","type"}]}, PostHog 400
//     {"type":"validation_error",...,"attr"}, Lightdash 400
//     {"status":"error","error":{"statusCode","name":"ParameterError",...}},
//     PDC 400 {"status","message"}). See sandbox.go and errors.go.
//   - Answers that are valid against each operation's response schema:
//     every operation has a curated, stateful handler (handlers_*.go,
//     datafold_*.go, lightdash_*.go); a deterministic generator (synth.go)
//     fills in any required field a handler leaves out. operations_test.go
//     checks every operation of the four specs against its response schema.
//   - The demo data (data_*.go, warehouse.go): the jaffle-shop dbt project in
//     Snowflake (ANALYTICS.RAW → STAGING → MARTS) in production (Datafold data
//     source 1) and in the dev environment of PR #42 (data source 2), plus a
//     BigQuery marketing dataset (3). Rows are generated from the row number
//     into an embedded SQLite database per environment, written on first use
//     (demodb.go), and SQL queries (sqlrun.go), data diffs
//     (datafold_diffs.go) and Lightdash results (metric queries,
//     lightdash_query.go) run on that engine, so they and column-level
//     lineage all agree: diffing prod and dev fct_orders
//     finds 142 rows only in prod, 30 only in dev and value differences in
//     amount, credit_card_amount and status only; dim_customers is
//     identical. Lightdash's explores, charts, dashboards and catalog are
//     built on the same MARTS columns; PostHog's Postgres source syncs the
//     same app tables; PDC catalogues the same systems.
//   - Semantic-layer queries: Lightdash's v2 async query API runs a metric
//     query (explore fct_orders, dimension fct_orders_order_date_month,
//     metric fct_orders_total_revenue: revenue by month) over the same rows,
//     with filters, sorts, limits and paged results.
//   - No fake successes: SQL the engine cannot run (a syntax error, a
//     function SQLite lacks, an unknown table, a write: the engine is
//     read-only) gets the provider's 400 with the engine's message, and a
//     metric query the sandbox cannot compile (OR filters, table
//     calculations...) one with "not supported by the sandbox: …", never a
//     made-up answer that would look real.
//   - Canary secrets (CanarySecrets) planted where the real APIs return
//     credentials, to test that the server redacts them.
//
// # Auth
//
// Datafold wants "Authorization: Key <key>", PostHog "Bearer <key>",
// Lightdash "ApiKey <token>"; any non-empty credential is accepted. PDC wants
// "Bearer <jwt>" where the JWT comes from this sandbox's authToken operation
// (form-encoded username/password/client_id/grant_type/scope; any non-empty
// username and password), valid for Sandbox.TokenTTL.
//
// # OpenAPI 3.1 (Datafold)
//
// kin-openapi v0.152 validates OpenAPI 3.1 documents natively: openapi3filter
// switches to its JSON Schema 2020-12 validator for them, so anyOf-with-null
// nullables, numeric exclusiveMaximum (max_depth < 100), const and
// prefixItems work as published; no conversion to 3.0 is needed. One
// relaxation is applied in memory (relaxDiscriminatedOneOf): discriminated
// oneOf unions become anyOf, because JSON Schema treats discriminators as
// annotations and Datafold's DataDiffMonitorSpecPublic.datadiff union is
// keyed by a "diff_type" property neither alternative declares, so every
// value would match both alternatives and oneOf would always fail. writeOnly
// is an annotation under 2020-12, which is why Datafold data source options
// may carry (canary) passwords.
//
// # Cost
//
// A request through Transport costs tens of microseconds. What does not
// depend on the request is worked out once per process, when first needed,
// and shared by every Sandbox: what completing answers needs to know of each
// schema and the fields it synthesizes (synth.go), the routes of the paths
// already seen (spec.go) and the fingerprints of the requests already
// accepted by validation (validate.go), the last two in bounded memos.
// Answers are copied out of the store as JSON values (normalize.go) and
// encoded without reflection (encode.go), to the bytes encoding/json gives;
// answers_test.go checks all of this against the plain pipeline.
//
// # Spec quirks honoured
//
//   - PostHog's ExternalDataSourceSerializers marks client_secret and
//     account_id required and writeOnly; answers leave them out (as the real
//     API does), so PostHog canaries live in job_inputs.
//   - Lightdash DeleteSpace declares a JSON body for 204; none is sent
//     (HTTP forbids it, and the real server sends none).
//   - Lightdash's UserWarehouseCredentials response schema only admits
//     snowflake, bigquery and databricks credentials (a tsoa artefact); the
//     sandbox still reports the type that was stored.
//   - One Examples()["posthog"]["id"] must answer both for a source and a
//     schema, so the Stripe source shares its id with its Charge schema.
//   - PostHog's project_id is the demo project's id (1) or "@current";
//     projects_list lists that one project.
//   - Lightdash lists of members and groups are {data} without paging
//     arguments and {data, pagination} with page or pageSize, as upstream.
//
// # Time
//
// Long-running things progress with the wall clock since they were created:
// data diffs are "waiting" for Sandbox.DiffQueued then "processing" for
// Sandbox.DiffRunning (and for as long as the engine is still comparing),
// then done; PostHog syncs, Datafold CI runs, monitor
// runs and connection tests take Sandbox.SyncDuration; Lightdash metric
// queries are "pending" for Sandbox.QueryRunning, then "ready". Tests
// shorten these.
//
// Destructive operations on the sandbox's own identity (Lightdash DeleteMe,
// DeleteMyOrganization, CreateOrganization) are acknowledged but not
// applied, so a demo session stays usable; as the sandbox sends no invite
// emails, RegisterUser accepts any non-empty invite code. Bodies nested more
// than 64 levels deep are refused before validation (which is slow on them).
// Everything else is stateful per Sandbox (create → get/list shows it,
// delete → 404, patch → get reflects it). A Sandbox is safe for concurrent
// use. Seeded timestamps are relative to the day the process started.
package sandbox
