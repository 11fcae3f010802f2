package sandbox

import (
	"slices"
	"strings"
	"time"
)

func posthogHandlers() map[string]handlerFunc {
	return map[string]handlerFunc{
		"projects_list": phListProjects,
		"external_data_schemas_retrieve": withSchema(func(c *call, sc *phSchema) (int, any) {
			return 200, c.s.schemaView(sc)
		}),
		"external_data_schemas_partial_update": withSchema(phUpdateSchema),
		"external_data_schemas_destroy": withSchema(func(c *call, sc *phSchema) (int, any) {
			delete(c.s.ph.schemas, sc.ID)
			return 204, nil
		}),
		"external_data_schemas_cancel_create": withSchema(func(c *call, sc *phSchema) (int, any) {
			if st, _, _ := c.s.schemaStatus(sc); st == "Running" {
				sc.Cancelled = true
				for _, j := range c.s.ph.jobs {
					if j.SchemaID == sc.ID && j.Finished == nil {
						j.Status = "Cancelled"
						j.Finished = ptrTime(c.s.now())
					}
				}
			}
			return 200, nil
		}),
		"external_data_schemas_delete_data_destroy": withSchema(func(c *call, sc *phSchema) (int, any) {
			sc.HasTable = false
			sc.LastSynced = nil
			sc.SyncStarted = nil
			return 204, nil
		}),
		"external_data_schemas_incremental_fields_create": withSchema(func(c *call, sc *phSchema) (int, any) {
			var fields []any
			for _, col := range sc.Columns {
				if col[1] == "datetime" || col[1] == "date" || col[1] == "integer" {
					fields = append(fields, map[string]any{"label": col[0], "type": col[1], "field": col[0], "field_type": col[1], "nullable": false})
				}
			}
			if fields == nil {
				fields = []any{}
			}
			return 200, map[string]any{"incremental_fields": fields, "incremental_available": len(fields) > 0,
				"append_available": len(fields) > 0, "full_refresh_available": true, "cdc_available": false}
		}),
		"external_data_schemas_reload_create": withSchema(func(c *call, sc *phSchema) (int, any) {
			c.s.startSync(sc)
			return 200, nil
		}),
		"external_data_schemas_resync_create": withSchema(func(c *call, sc *phSchema) (int, any) {
			sc.HasTable = false // a full resync rebuilds the table
			c.s.startSync(sc)
			return 200, nil
		}),
		"external_data_sources_list":   phListSources,
		"external_data_sources_create": phCreateSource,
		"external_data_sources_retrieve": withSource(func(c *call, src *phSource) (int, any) {
			return 200, c.s.sourceView(src)
		}),
		"external_data_sources_partial_update": withSource(phUpdateSource),
		"external_data_sources_destroy": withSource(func(c *call, src *phSource) (int, any) {
			for _, sc := range c.s.ph.schemasOf(src.ID) {
				delete(c.s.ph.schemas, sc.ID)
			}
			delete(c.s.ph.sources, src.ID)
			return 204, nil
		}),
		"external_data_sources_bulk_update_schemas_partial_update": withSource(phBulkUpdate),
		"external_data_sources_create_webhook_create": withSource(func(c *call, src *phSource) (int, any) {
			if src.Type != "Stripe" {
				return c.fail(badRequest("Webhooks are not supported for %s sources.", src.Type))
			}
			src.Webhook = true
			return 200, map[string]any{"success": true, "webhook_url": "https://webhooks.posthog.sandbox.invalid/warehouse/" + src.ID,
				"message": "Webhook registered with Stripe."}
		}),
		"external_data_sources_delete_webhook_create": withSource(func(c *call, src *phSource) (int, any) {
			if !src.Webhook {
				return c.fail(badRequest("This source has no webhook."))
			}
			src.Webhook = false
			return 200, map[string]any{"success": true}
		}),
		"external_data_sources_jobs_retrieve": withSource(phJobs),
		"external_data_sources_refresh_schemas_create": withSource(func(c *call, src *phSource) (int, any) {
			// The source now offers one more table (Stripe refunds).
			if src.Type == "Stripe" && !slices.ContainsFunc(c.s.ph.schemasOf(src.ID), func(s *phSchema) bool { return s.Name == "Refund" }) {
				id := uuidFor("ph-schema-refund", len(c.s.ph.schemas))
				c.s.ph.schemas[id] = &phSchema{ID: id, SourceID: src.ID, Name: "Refund", order: 99, PrimaryKeys: []string{"id"},
					Columns: [][2]string{{"id", "string"}, {"charge", "string"}, {"amount", "integer"}, {"created", "datetime"}}}
			}
			return 200, nil
		}),
	}
}

// project checks the project_id path parameter: the demo project's id, or
// "@current" (the API key owner's current project, which is the demo one).
func (c *call) project() *apiError {
	if p := c.param("project_id"); p != itoa(phProjectID) && p != "@current" {
		return &apiError{status: 404, msg: "Project not found."}
	}
	return nil
}

// phListProjects lists the projects the key's owner can see: the demo
// project, if it matches search.
func phListProjects(c *call) (int, any) {
	q := strings.ToLower(c.query.Get("search"))
	projects := []any{}
	if q == "" || strings.Contains(strings.ToLower(phProjectName), q) {
		projects = append(projects, map[string]any{"id": phProjectID, "uuid": phProjectUUID, "organization": phOrgUUID,
			"api_token": phProjectToken, "name": phProjectName, "completed_snippet_onboarding": true,
			"has_completed_onboarding_for": map[string]any{"product_analytics": true, "data_warehouse": true},
			"ingested_event":               true, "is_demo": false, "timezone": "UTC", "access_control": false})
	}
	limit, offset := c.queryInt("limit", 100), c.queryInt("offset", 0)
	out := map[string]any{"count": len(projects), "next": nil, "previous": nil, "results": page(projects, offset, limit)}
	base := "http://posthog.sandbox.invalid" + c.r.URL.Path
	if offset+limit < len(projects) {
		out["next"] = base + "?limit=" + itoa(limit) + "&offset=" + itoa(offset+limit)
	}
	if offset > 0 {
		out["previous"] = base + "?limit=" + itoa(limit) + "&offset=" + itoa(max(0, offset-limit))
	}
	return 200, out
}

func withSchema(h func(*call, *phSchema) (int, any)) handlerFunc {
	return func(c *call) (int, any) {
		if err := c.project(); err != nil {
			return c.fail(err)
		}
		sc := c.s.ph.schemas[strings.ToLower(c.param("id"))]
		if sc == nil {
			return c.fail(notFound("Not found."))
		}
		return h(c, sc)
	}
}

func withSource(h func(*call, *phSource) (int, any)) handlerFunc {
	return func(c *call) (int, any) {
		if err := c.project(); err != nil {
			return c.fail(err)
		}
		src := c.s.ph.sources[strings.ToLower(c.param("id"))]
		if src == nil {
			return c.fail(notFound("Not found."))
		}
		return h(c, src)
	}
}

// schemaStatus returns the status, last sync time and latest error of sc.
func (s *Sandbox) schemaStatus(sc *phSchema) (any, *time.Time, string) {
	if sc.SyncStarted != nil {
		if sc.Cancelled {
			return "Cancelled", sc.LastSynced, ""
		}
		end := sc.SyncStarted.Add(s.SyncDuration)
		if s.now().Before(end) {
			return "Running", sc.LastSynced, ""
		}
		if sc.Failed != "" {
			return "Failed", sc.LastSynced, sc.Failed
		}
		return "Completed", &end, ""
	}
	switch {
	case sc.Failed != "":
		return "Failed", sc.LastSynced, sc.Failed
	case !sc.ShouldSync:
		return "Paused", sc.LastSynced, ""
	case sc.LastSynced != nil:
		return "Completed", sc.LastSynced, ""
	}
	return nil, nil, ""
}

func (s *Sandbox) startSync(sc *phSchema) {
	now := s.now()
	sc.SyncStarted = &now
	sc.Cancelled = false
	src := s.ph.sources[sc.SourceID]
	job := &phJob{ID: uuidFor("ph-job", len(s.ph.jobs)+100), SourceID: sc.SourceID, SchemaID: sc.ID, Created: now, Rows: sc.Rows / 40}
	if src != nil {
		s.ph.jobs = append(s.ph.jobs, job)
	}
}

func (s *Sandbox) jobView(j *phJob) map[string]any {
	status, fin, errMsg := j.Status, j.Finished, j.Error
	if fin == nil { // a sync started through the API
		end := j.Created.Add(s.SyncDuration)
		sc := s.ph.schemas[j.SchemaID]
		switch {
		case s.now().Before(end):
			status = "Running"
		case sc != nil && sc.Failed != "":
			status, fin, errMsg = "Failed", &end, sc.Failed
		default:
			status, fin = "Completed", &end
		}
	}
	name := ""
	if sc := s.ph.schemas[j.SchemaID]; sc != nil {
		name = sc.Name
	}
	out := map[string]any{"id": j.ID, "created_at": ptime(j.Created), "created_by": nil, "status": status,
		"schema": map[string]any{"id": j.SchemaID, "name": name}, "rows_synced": 0, "latest_error": orNil(errMsg),
		"finished_at": nil, "workflow_id": "external-data-job-" + j.SchemaID, "workflow_run_id": j.ID}
	if fin != nil {
		out["finished_at"] = ptime(*fin)
		if status == "Completed" {
			out["rows_synced"] = j.Rows
		}
	}
	return out
}

func (s *Sandbox) schemaView(sc *phSchema) map[string]any {
	status, last, errMsg := s.schemaStatus(sc)
	var tbl any
	if sc.HasTable || (status == "Completed" && sc.SyncStarted != nil) {
		var cols []any
		for _, col := range sc.Columns {
			cols = append(cols, map[string]any{"key": col[0], "name": col[0], "type": col[1], "schema_valid": true})
		}
		tbl = map[string]any{"id": uuidFor("ph-table", sc.order+len(sc.ID)), "name": s.ph.tableName(sc), "format": "DeltaS3Wrapper",
			"row_count": sc.Rows, "columns": cols}
	}
	var lastS any
	if last != nil {
		lastS = ptime(*last)
	}
	return map[string]any{
		"id": sc.ID, "name": sc.Name, "label": nil, "table": tbl, "should_sync": sc.ShouldSync, "last_synced_at": lastS,
		"latest_error": orNil(errMsg), "incremental": sc.SyncType == "incremental", "status": status, "sync_type": sc.SyncType,
		"incremental_field": sc.IncrementalField, "incremental_field_type": sc.IncrementalFieldType,
		"sync_frequency": sc.SyncFrequency, "sync_time_of_day": sc.SyncTimeOfDay, "description": orNil(sc.Description),
		"primary_key_columns": anyList(sc.PrimaryKeys), "cdc_table_mode": sc.CDCMode,
	}
}

func (s *Sandbox) sourceView(src *phSource) map[string]any {
	var schemas []any
	status := "Completed"
	latestErr := src.LatestError
	var lastRun *time.Time
	for _, sc := range s.ph.schemasOf(src.ID) {
		v := s.schemaView(sc)
		schemas = append(schemas, v)
		switch v["status"] {
		case "Running":
			status = "Running"
		case "Failed":
			if status != "Running" {
				status = "Error"
			}
			if latestErr == "" {
				latestErr, _ = v["latest_error"].(string)
			}
		}
		if _, last, _ := s.schemaStatus(sc); last != nil && (lastRun == nil || last.After(*lastRun)) {
			lastRun = last
		}
	}
	if schemas == nil {
		schemas = []any{}
	}
	var lr any
	if lastRun != nil {
		lr = ptime(*lastRun)
	}
	return map[string]any{
		"id": src.ID, "created_at": ptime(src.Created), "created_by": orNil(src.CreatedBy), "created_via": src.CreatedVia,
		"status": status, "source_type": src.Type, "latest_error": orNil(latestErr), "prefix": orNil(src.Prefix),
		"description": orNil(src.Description), "access_method": src.AccessMethod, "engine": nil, "last_run_at": lr,
		"schemas": schemas, "job_inputs": src.JobInputs, "revenue_analytics_config": src.Revenue,
		"user_access_level": "editor", "supports_webhooks": src.Type == "Stripe",
	}
}

func phListSources(c *call) (int, any) {
	if err := c.project(); err != nil {
		return c.fail(err)
	}
	var srcs []*phSource
	q := strings.ToLower(c.query.Get("search"))
	for _, src := range c.s.ph.sources {
		if q != "" && !strings.Contains(strings.ToLower(src.Type+" "+src.Prefix+" "+src.Description), q) {
			continue
		}
		srcs = append(srcs, src)
	}
	sortBy(srcs, func(s *phSource) string { return s.Created.Format(time.RFC3339Nano) })
	slices.Reverse(srcs)
	limit, offset := c.queryInt("limit", 100), c.queryInt("offset", 0)
	var results []any
	for _, src := range page(srcs, offset, limit) {
		results = append(results, c.s.sourceView(src))
	}
	if results == nil {
		results = []any{}
	}
	out := map[string]any{"count": len(srcs), "next": nil, "previous": nil, "results": results}
	base := "http://posthog.sandbox.invalid" + c.r.URL.Path
	if offset+limit < len(srcs) {
		out["next"] = base + "?limit=" + itoa(limit) + "&offset=" + itoa(offset+limit)
	}
	if offset > 0 {
		out["previous"] = base + "?limit=" + itoa(limit) + "&offset=" + itoa(max(0, offset-limit))
	}
	return 200, out
}

func phCreateSource(c *call) (int, any) {
	if err := c.project(); err != nil {
		return c.fail(err)
	}
	b := c.bodyMap()
	typ := str(b, "source_type")
	payload, _ := b["payload"].(map[string]any)
	prefix := str(b, "prefix")
	for _, src := range c.s.ph.sources {
		if src.Type == typ && src.Prefix == prefix {
			return c.fail(&apiError{status: 400, fields: []fieldError{{loc: []any{"body", "prefix"}, code: "invalid_input",
				msg: "Prefix already exists for a " + typ + " source. Choose a different prefix."}}})
		}
	}
	inputs := map[string]any{}
	for k, v := range payload {
		if k != "schemas" {
			inputs[k] = v
		}
	}
	now := c.s.now()
	id := uuidFor("ph-source", c.s.nextID("ph.source", 0))
	src := &phSource{ID: id, Type: typ, Prefix: prefix, Description: str(b, "description"), Created: now,
		CreatedBy: "api@jaffle-shop.example", CreatedVia: "api", AccessMethod: "warehouse", JobInputs: inputs,
		Revenue: map[string]any{"enabled": typ == "Stripe", "include_invoiceless_charges": true}, order: len(c.s.ph.sources)}
	if am := str(b, "access_method"); am != "" {
		src.AccessMethod = am
	}
	if cv := str(b, "created_via"); cv != "" {
		src.CreatedVia = cv
	}
	c.s.ph.sources[id] = src
	// Tables: the ones the payload asks for, else the source type's defaults.
	want := map[string]map[string]any{}
	if arr, ok := payload["schemas"].([]any); ok {
		for _, x := range arr {
			if m, ok := x.(map[string]any); ok && str(m, "name") != "" {
				want[str(m, "name")] = m
			}
		}
	}
	tables := knownTables[typ]
	for i, t := range tables {
		sc := &phSchema{ID: uuidFor("ph-schema-"+id, i), SourceID: id, Name: t.name, Columns: t.cols, Rows: t.rows,
			PrimaryKeys: []string{t.pk}, order: i, ShouldSync: t.enabled, SyncType: "full_refresh", SyncFrequency: "6hour"}
		if t.incr != "" {
			sc.SyncType, sc.IncrementalField, sc.IncrementalFieldType = "incremental", t.incr, "datetime"
		}
		if len(want) > 0 {
			m, ok := want[t.name]
			sc.ShouldSync = ok && m["should_sync"] != false
			if ok {
				for _, k := range []string{"sync_type", "incremental_field", "incremental_field_type", "sync_frequency"} {
					if v, ok := m[k]; ok {
						switch k {
						case "sync_type":
							sc.SyncType = v
						case "incremental_field":
							sc.IncrementalField = v
						case "incremental_field_type":
							sc.IncrementalFieldType = v
						case "sync_frequency":
							sc.SyncFrequency = v
						}
					}
				}
			}
		}
		c.s.ph.schemas[sc.ID] = sc
		if sc.ShouldSync {
			c.s.startSync(sc)
		}
	}
	if len(tables) == 0 {
		for i, name := range sortedKeys(want) {
			sc := &phSchema{ID: uuidFor("ph-schema-"+id, i), SourceID: id, Name: name, order: i, ShouldSync: true,
				SyncType: "full_refresh", SyncFrequency: "6hour", Columns: [][2]string{{"id", "string"}}}
			c.s.ph.schemas[sc.ID] = sc
			c.s.startSync(sc)
		}
	}
	return 201, c.s.sourceView(src)
}

func phUpdateSource(c *call, src *phSource) (int, any) {
	b := c.bodyMap()
	if v, ok := b["description"]; ok {
		src.Description, _ = v.(string)
	}
	if v, ok := b["prefix"]; ok {
		src.Prefix, _ = v.(string)
	}
	if v := str(b, "access_method"); v != "" {
		src.AccessMethod = v
	}
	if v, ok := b["revenue_analytics_config"].(map[string]any); ok {
		for k, x := range v {
			src.Revenue[k] = x
		}
	}
	if v, ok := b["job_inputs"].(map[string]any); ok {
		if src.JobInputs == nil {
			src.JobInputs = map[string]any{}
		}
		for k, x := range v {
			src.JobInputs[k] = x
		}
		// New credentials: the next syncs succeed.
		for _, sc := range c.s.ph.schemasOf(src.ID) {
			sc.Failed = ""
		}
		src.LatestError = ""
	}
	return 200, c.s.sourceView(src)
}

// applySchemaUpdate applies the writable ExternalDataSchema fields of m.
func applySchemaUpdate(sc *phSchema, m map[string]any) *apiError {
	if v, ok := m["should_sync"].(bool); ok {
		sc.ShouldSync = v
	}
	for _, k := range []string{"sync_type", "incremental_field", "incremental_field_type", "sync_frequency", "sync_time_of_day", "cdc_table_mode"} {
		v, ok := m[k]
		if !ok {
			continue
		}
		switch k {
		case "sync_type":
			sc.SyncType = v
		case "incremental_field":
			sc.IncrementalField = v
		case "incremental_field_type":
			sc.IncrementalFieldType = v
		case "sync_frequency":
			sc.SyncFrequency = v
		case "sync_time_of_day":
			sc.SyncTimeOfDay = v
		case "cdc_table_mode":
			sc.CDCMode = v
		}
	}
	if d, ok := m["description"]; ok {
		sc.Description, _ = d.(string)
	}
	if (sc.SyncType == "incremental" || sc.SyncType == "append") && sc.IncrementalField == nil {
		return &apiError{status: 400, fields: []fieldError{{loc: []any{"body", "incremental_field"}, code: "invalid_input",
			msg: "incremental_field is required for incremental and append syncs."}}}
	}
	return nil
}

func phUpdateSchema(c *call, sc *phSchema) (int, any) {
	before := *sc
	if err := applySchemaUpdate(sc, c.bodyMap()); err != nil {
		*sc = before
		return c.fail(err)
	}
	return 200, c.s.schemaView(sc)
}

func phBulkUpdate(c *call, src *phSource) (int, any) {
	b := c.bodyMap()
	items, _ := b["schemas"].([]any)
	type upd struct {
		sc *phSchema
		m  map[string]any
	}
	var todo []upd
	for _, it := range items {
		m, _ := it.(map[string]any)
		sc := c.s.ph.schemas[strings.ToLower(str(m, "id"))]
		if sc == nil || sc.SourceID != src.ID {
			return c.fail(&apiError{status: 400, fields: []fieldError{{loc: []any{"body", "schemas", "id"}, code: "invalid_input",
				msg: "Schema " + str(m, "id") + " does not belong to this source."}}})
		}
		todo = append(todo, upd{sc, m})
	}
	for _, u := range todo {
		before := *u.sc
		if err := applySchemaUpdate(u.sc, u.m); err != nil {
			*u.sc = before
			return c.fail(err)
		}
	}
	all := c.s.ph.schemasOf(src.ID)
	q := strings.ToLower(c.query.Get("search"))
	var filtered []*phSchema
	for _, sc := range all {
		if q == "" || strings.Contains(strings.ToLower(sc.Name), q) {
			filtered = append(filtered, sc)
		}
	}
	var results []any
	for _, sc := range page(filtered, c.queryInt("offset", 0), c.queryInt("limit", 100)) {
		results = append(results, c.s.schemaView(sc))
	}
	if results == nil {
		results = []any{}
	}
	return 200, map[string]any{"count": len(filtered), "next": nil, "previous": nil, "results": results}
}

func phJobs(c *call, src *phSource) (int, any) {
	var jobs []*phJob
	for _, j := range c.s.ph.jobs {
		if j.SourceID == src.ID {
			jobs = append(jobs, j)
		}
	}
	sortBy(jobs, func(j *phJob) string { return j.Created.Format(time.RFC3339Nano) })
	slices.Reverse(jobs)
	out := []any{}
	for _, j := range jobs {
		if _, ok := c.s.ph.schemas[j.SchemaID]; !ok {
			continue
		}
		out = append(out, c.s.jobView(j))
	}
	return 200, out
}
