package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/datastack-mcp/datastack-mcp/schemas"
)

// pathOverrides gives the path parameters for operations whose success needs
// a value other than Examples() (Examples has one value per parameter name).
var pathOverrides = map[string]map[string]string{
	// resolve/delete take a comment id where createComment takes a tile uuid.
	"resolveComment": {"dashboardTileUuidOrCommentId": exampleCommentID},
	"deleteComment":  {"dashboardTileUuidOrCommentId": exampleCommentID},
}

// bodyOverrides are merged over the synthesized minimal bodies where the
// synthesized placeholder values would not refer to demo objects.
var bodyOverrides = map[string]any{
	"create_datadiff_api_v1_datadiffs_post": map[string]any{
		"data_source1_id": 1, "data_source2_id": 2, "pk_columns": []any{"order_id"},
		"table1": []any{"ANALYTICS", "MARTS", "fct_orders"}, "table2": []any{"ANALYTICS", "MARTS", "fct_orders"},
	},
	"execute_query_api_v1_data_sources__data_source_id__query_post": map[string]any{"query": "select * from ANALYTICS.MARTS.fct_orders limit 5"},
	"create_dbt_integration_api_v1_lineage_bi_dbt__post":            map[string]any{"ci_config_id": 1, "name": "dbt (staging)"},
	"create_monitor_metric_api_v1_monitors_create_metric_post":      map[string]any{"connection_id": 1},
	"create_monitor_schema_api_v1_monitors_create_schema_post":      map[string]any{"connection_id": 1},
	"create_monitor_test_api_v1_monitors_create_test_post":          map[string]any{"connection_id": 1},
	"external_data_sources_create":                                  map[string]any{"source_type": "Stripe", "payload": map[string]any{"stripe_secret_key": "sk_test_x"}},
	"getDataSourcesByIds":                                           map[string]any{"ids": []any{examplePDCID}},
	"RunSqlQuery":                                                   map[string]any{"sql": "select status, count(*) from ANALYTICS.MARTS.fct_orders group by 1"},
	"AddSpaceUserAccess":                                            map[string]any{"spaceRole": "viewer", "userUuid": exampleLightdashMemberUUID},
	"AddSpaceGroupAccess":                                           map[string]any{"spaceRole": "viewer", "groupUuid": exampleGroupUUID},
	"GrantProjectAccessToUser":                                      map[string]any{"email": "new.analyst@jaffle-shop.example", "role": "viewer", "sendEmail": false},
	"createComment":                                                 map[string]any{"text": "Looks off", "textHtml": "<p>Looks off</p>", "mentions": []any{}},
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
	require.Equal(t, 138, total)
}

// buildRequest makes a valid request for op: path parameters from Examples
// (or pathOverrides), required query parameters and a minimal body
// synthesized from the schemas (merged with bodyOverrides).
func buildRequest(t testing.TB, s *Sandbox, prov string, op *opInfo) *http.Request {
	t.Helper()
	ex := Examples()[prov]
	g := newSynth(specs[prov].is31(), "test")
	path := pathParamRE.ReplaceAllStringFunc(op.Path, func(m string) string {
		name := m[1 : len(m)-1]
		v, ok := pathOverrides[op.ID][name]
		if !ok {
			v, ok = ex[name]
		}
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

func TestExamplesCoverEveryPathParameter(t *testing.T) {
	sp, err := loadSpecs()
	require.NoError(t, err)
	for _, prov := range schemas.Providers {
		for _, op := range sp[prov].ops {
			for _, m := range pathParamRE.FindAllStringSubmatch(op.Path, -1) {
				_, ok := Examples()[prov][m[1]]
				require.True(t, ok || slices.Contains(sortedKeys(pathOverrides[op.ID]), m[1]), "%s %s: %s", prov, op.ID, m[1])
			}
		}
	}
	_ = strings.TrimSpace
}
