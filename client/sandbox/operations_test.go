package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/datastack-mcp/datastack-mcp/schemas"
	"github.com/stretchr/testify/require"
)

// bodyOverrides are merged over the synthesized minimal bodies where the
// synthesized placeholder values would not refer to demo objects.
var bodyOverrides = map[string]any{
	"create_datadiff_api_v1_datadiffs_post": map[string]any{
		"data_source1_id": 1, "data_source2_id": 2, "pk_columns": []any{"order_id"},
		"table1": []any{"ANALYTICS", "MARTS", "fct_orders"}, "table2": []any{"ANALYTICS", "MARTS", "fct_orders"},
	},
	"execute_query_api_v1_data_sources__data_source_id__query_post": map[string]any{"query": "select * from ANALYTICS.MARTS.fct_orders limit 5"},
	"create_dbt_integration_api_v1_lineage_bi_dbt__post":            map[string]any{"ci_config_id": 1, "name": "dbt (staging)"},
	"create_monitor_diff_api_v1_monitors_create_diff_post": map[string]any{"datadiff": map[string]any{
		"primary_key": []any{"order_id"},
		"dataset_a":   map[string]any{"connection_id": 1, "table": "ANALYTICS.MARTS.FCT_ORDERS"},
		"dataset_b":   map[string]any{"connection_id": 2, "table": "ANALYTICS.MARTS.FCT_ORDERS"},
	}},
	"create_monitor_metric_api_v1_monitors_create_metric_post": map[string]any{"connection_id": 1},
	"create_monitor_schema_api_v1_monitors_create_schema_post": map[string]any{"connection_id": 1},
	"create_monitor_test_api_v1_monitors_create_test_post":     map[string]any{"connection_id": 1},
	"external_data_sources_create":                             map[string]any{"source_type": "Stripe", "prefix": "billing_", "payload": map[string]any{"stripe_secret_key": "sk_test_x"}},
	"createDataSources":                                        map[string]any{"resourceName": "Marketing Events Bucket", "databaseType": "AWS"},
	"getDataSourcesByIds":                                      map[string]any{"ids": []any{pdcSnowflakeID, pdcS3ID}},
	"RunSqlQuery":                                              map[string]any{"sql": "select status, count(*) from ANALYTICS.MARTS.fct_orders group by 1"},
	"AddSpaceUserAccess":                                       map[string]any{"spaceRole": "viewer", "userUuid": ldUserBen},
	"AddSpaceGroupAccess":                                      map[string]any{"spaceRole": "viewer", "groupUuid": ldGroupAE},
	"GrantProjectAccessToUser":                                 map[string]any{"email": "new.analyst@jaffle-shop.example", "role": "viewer", "sendEmail": false},
	"RegisterUser":                                             map[string]any{"email": "new.user@jaffle-shop.example", "firstName": "New", "lastName": "User", "password": "correct-horse-9"},
	"CompileQuery":                                             map[string]any{"exploreName": "fct_orders", "dimensions": []any{"fct_orders_status"}, "metrics": []any{"fct_orders_order_count"}},
	"executeAsyncMetricQuery": map[string]any{"query": map[string]any{"exploreName": "fct_orders", "dimensions": []any{"fct_orders_status"},
		"metrics": []any{"fct_orders_order_count"}, "filters": map[string]any{}, "sorts": []any{}, "tableCalculations": []any{}, "limit": 10}},
	"CalculateTotalFromQuery": map[string]any{"explore": "fct_orders", "metricQuery": map[string]any{"exploreName": "fct_orders", "metrics": []any{"fct_orders_total_revenue"}}},
	// The published response schema only admits snowflake/bigquery/databricks
	// credentials (a tsoa artefact); see doc.go.
	"createWarehouseCredentials": map[string]any{"name": "Ana's Snowflake", "credentials": map[string]any{"type": "snowflake", "user": "ANA", "password": "pw"}},
	"updateWarehouseCredentials": map[string]any{"name": "Dana's Snowflake", "credentials": map[string]any{"type": "snowflake", "user": "DANA", "password": "pw"}},
	"createComment":              map[string]any{"text": "Looks off", "textHtml": "<p>Looks off</p>", "mentions": []any{}},
}

var pathParamRE = regexp.MustCompile(`\{([^}]+)\}`)

// TestEveryOperation sends a valid request to every operation of the four
// specs and validates the answer against the operation's response schema.
func TestEveryOperation(t *testing.T) {
	t.Parallel()
	sp, err := loadSpecs()
	require.NoError(t, err)
	total := 0
	for _, prov := range schemas.Providers {
		ids := sortedKeys(sp[prov].ops)
		total += len(ids)
		for _, id := range ids {
			op := sp[prov].ops[id]
			t.Run(prov+"/"+id, func(t *testing.T) {
				t.Parallel()
				s := newTestSandbox(t)
				req := buildRequest(t, s, prov, op)
				res := send(t, s, req)
				require.True(t, res.Status >= 200 && res.Status < 300, "%s %s -> %d %s", req.Method, req.URL, res.Status, res.Body)
				validateResponse(t, prov, res)
			})
		}
	}
	require.Equal(t, len(schemas.Catalog())+1, total) // every tool's operation, and PDC's login
}

// buildRequest makes a valid request for op: path parameters from Examples,
// required query parameters and a minimal body synthesized from the schemas
// (merged with bodyOverrides).
func buildRequest(t testing.TB, s *Sandbox, prov string, op *opInfo) *http.Request {
	t.Helper()
	ex := Examples()[prov]
	g := newSynth(testSpec(prov).is31(), "test")
	path := pathParamRE.ReplaceAllStringFunc(op.Path, func(m string) string {
		name := m[1 : len(m)-1]
		v, ok := ex[name]
		if !ok {
			t.Fatalf("%s: no example for path parameter %q", op.ID, name)
		}
		return url.PathEscape(v)
	})
	q := url.Values{}
	hdr := http.Header{}
	for _, pr := range op.Op.Parameters {
		p := pr.Value
		if !p.Required || p.In == "path" {
			continue
		}
		v := fmt.Sprint(g.gen(p.Schema, p.Name, 0))
		if p.Name == "email" {
			v = "demo@jaffle-shop.example"
		}
		switch p.In {
		case "query":
			q.Set(p.Name, v)
		case "header":
			hdr.Set(p.Name, v)
		}
	}
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var body []byte
	ct := ""
	if rb := op.Op.RequestBody; rb != nil && rb.Value != nil {
		_, override := bodyOverrides[op.ID]
		if rb.Value.Required || override {
			if mt := rb.Value.Content.Get("application/json"); mt != nil {
				v := g.gen(mt.Schema, "", 0)
				if o, ok := bodyOverrides[op.ID]; ok {
					v = merge(v, o)
				}
				body, _ = json.Marshal(v)
				ct = "application/json"
			} else if mt := rb.Value.Content.Get("application/x-www-form-urlencoded"); mt != nil {
				form := url.Values{}
				if m, ok := g.gen(mt.Schema, "", 0).(map[string]any); ok {
					for _, k := range sortedKeys(m) {
						form.Set(k, fmt.Sprint(m[k]))
					}
				}
				form.Set("username", "demo")
				form.Set("password", "demo")
				body = []byte(form.Encode())
				ct = "application/x-www-form-urlencoded"
			}
		}
	}
	req, err := http.NewRequest(op.Method, BaseURL(prov)+path, bytes.NewReader(body))
	require.NoError(t, err)
	if body == nil {
		req.Body = http.NoBody
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if prov == schemas.PDC {
		if op.ID != "authToken" {
			req.Header.Set("Authorization", "Bearer "+pdcToken(t, s))
		}
	} else {
		req.Header.Set("Authorization", testCreds[prov])
	}
	return req
}

// merge lays o over v (maps merged key by key, anything else replaced).
func merge(v, o any) any {
	vm, ok1 := v.(map[string]any)
	om, ok2 := o.(map[string]any)
	if !ok1 || !ok2 {
		return o
	}
	for k, ov := range om {
		vm[k] = merge(vm[k], ov)
	}
	return vm
}

// Every operation has curated behaviour (synth only completes answers).
func TestEveryOperationHasAHandler(t *testing.T) {
	s := newTestSandbox(t)
	for name, p := range s.providers {
		for id := range p.spec().ops {
			require.True(t, p.handlers[id] != nil, "%s %s has no handler", name, id)
		}
		for id := range p.handlers {
			require.True(t, p.spec().ops[id] != nil, "%s handler %s matches no operation", name, id)
		}
	}
	require.Equal(t, 404, httptestStatus(s.Handler("nope")))
}

func httptestStatus(h http.Handler) int {
	w := &captureWriter{h: http.Header{}}
	req, _ := http.NewRequest("GET", "http://x/", nil)
	h.ServeHTTP(w, req)
	return w.status
}

func TestExamplesCoverEveryPathParameter(t *testing.T) {
	sp, err := loadSpecs()
	require.NoError(t, err)
	for _, prov := range schemas.Providers {
		for _, op := range sp[prov].ops {
			for _, m := range pathParamRE.FindAllStringSubmatch(op.Path, -1) {
				_, ok := Examples()[prov][m[1]]
				require.True(t, ok, "%s %s: %s", prov, op.ID, m[1])
			}
		}
	}
}
