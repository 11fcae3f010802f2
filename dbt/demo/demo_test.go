package demo

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/dbt"
	"github.com/datastack-mcp/datastack-mcp/dbt/manifest"
)

// warehouseFrom is the sandbox warehouse's column lineage
// (client/sandbox/warehouse.go, "From"), as SCHEMA.table.column.
var warehouseFrom = map[string][]string{
	"stg_orders.order_id":             {"RAW.orders.id"},
	"stg_orders.customer_id":          {"RAW.orders.user_id"},
	"stg_orders.order_date":           {"RAW.orders.order_date"},
	"stg_orders.status":               {"RAW.orders.status"},
	"stg_customers.customer_id":       {"RAW.customers.id"},
	"stg_customers.first_name":        {"RAW.customers.first_name"},
	"stg_customers.last_name":         {"RAW.customers.last_name"},
	"stg_customers.email":             {"RAW.customers.email"},
	"stg_payments.payment_id":         {"RAW.payments.id"},
	"stg_payments.order_id":           {"RAW.payments.order_id"},
	"stg_payments.payment_method":     {"RAW.payments.payment_method"},
	"stg_payments.amount":             {"RAW.payments.amount"},
	"fct_orders.order_id":             {"STAGING.stg_orders.order_id"},
	"fct_orders.customer_id":          {"STAGING.stg_orders.customer_id"},
	"fct_orders.order_date":           {"STAGING.stg_orders.order_date"},
	"fct_orders.status":               {"STAGING.stg_orders.status"},
	"fct_orders.credit_card_amount":   {"STAGING.stg_payments.amount", "STAGING.stg_payments.payment_method"},
	"fct_orders.coupon_amount":        {"STAGING.stg_payments.amount", "STAGING.stg_payments.payment_method"},
	"fct_orders.bank_transfer_amount": {"STAGING.stg_payments.amount", "STAGING.stg_payments.payment_method"},
	"fct_orders.gift_card_amount":     {"STAGING.stg_payments.amount", "STAGING.stg_payments.payment_method"},
	"fct_orders.amount":               {"STAGING.stg_payments.amount"},
	"dim_customers.customer_id":       {"STAGING.stg_customers.customer_id"},
	"dim_customers.first_name":        {"STAGING.stg_customers.first_name"},
	"dim_customers.last_name":         {"STAGING.stg_customers.last_name"},
	"dim_customers.email":             {"STAGING.stg_customers.email"},
	"dim_customers.first_order":       {"MARTS.fct_orders.order_date"},
	"dim_customers.most_recent_order": {"MARTS.fct_orders.order_date"},
	"dim_customers.number_of_orders":  {"MARTS.fct_orders.order_id"},
	"dim_customers.lifetime_value":    {"MARTS.fct_orders.amount"},
}

var demoModels = []string{"stg_orders", "stg_customers", "stg_payments", "fct_orders", "dim_customers"}

// lineage returns model.column -> SCHEMA.table.column of every source.
func lineage(t *testing.T, s *dbt.Snapshot) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, m := range demoModels {
		l, err := s.ColumnLineage(m)
		require.NoError(t, err)
		require.Equal(t, dbt.LevelColumn, l.Level, "%s: %s", m, l.Reason)
		require.Empty(t, l.Unresolved, m)
		for _, c := range l.Columns {
			var srcs []string
			for _, src := range c.Sources {
				rel := strings.SplitN(src.Relation, ".", 2)[1]
				srcs = append(srcs, rel+"."+strings.ToLower(src.Column))
			}
			sort.Strings(srcs)
			out[m+"."+strings.ToLower(c.Name)] = srcs
		}
	}
	return out
}

func TestProdMatchesTheSandboxWarehouse(t *testing.T) {
	p, err := Prod()
	require.NoError(t, err)
	s, err := p.Snapshot()
	require.NoError(t, err)
	assert.Equal(t, warehouseFrom, lineage(t, s))

	g := s.Graph()
	assert.Equal(t, map[manifest.Kind]int{manifest.KindSource: 3, manifest.KindModel: 5, manifest.KindTest: 16,
		manifest.KindExposure: 2, manifest.KindSemanticModel: 1, manifest.KindMetric: 1}, g.Counts())
	assert.True(t, g.HasCatalog)
	assert.Equal(t, "snowflake", g.Meta.AdapterType)
	fct, err := s.Resolve("ANALYTICS.MARTS.FCT_ORDERS")
	require.NoError(t, err)
	assert.Equal(t, "model.jaffle_shop.fct_orders", fct.UniqueID)
	assert.Equal(t, "NUMBER(18,2)", fct.Column("amount").Type)
	assert.Equal(t, "Order total in dollars", fct.Column("amount").Description)
}

func TestDevIsPR42(t *testing.T) {
	p, err := Dev()
	require.NoError(t, err)
	s, err := p.Snapshot()
	require.NoError(t, err)
	got := lineage(t, s)
	// PR #42 rounds card payments of some orders: amount now also reads
	// the payment method and the order id.
	assert.Equal(t, []string{"RAW.payments.amount", "RAW.payments.order_id", "RAW.payments.payment_method"}, got["stg_payments.amount"])
	for k, want := range warehouseFrom {
		if k != "stg_payments.amount" {
			assert.Equal(t, want, got[k], k)
		}
	}
	status, err := s.ColumnLineage("stg_orders")
	require.NoError(t, err)
	assert.Equal(t, dbt.Transformation, status.Column("status").Sources[0].Kind, "status is mapped in dev")
}

func TestDemoImpact(t *testing.T) {
	set, err := Projects()
	require.NoError(t, err)
	assert.Equal(t, []string{ProdName, DevName}, set.Names())
	p, err := set.Get(ProdName)
	require.NoError(t, err)
	s, err := p.Snapshot()
	require.NoError(t, err)

	im, err := s.Impact("stripe.payments", manifest.ImpactOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{"exposure.jaffle_shop.executive_overview", "exposure.jaffle_shop.marketing_performance"}, im.Exposures)

	ci, err := s.ColumnImpact("stg_payments.amount", manifest.ImpactOptions{})
	require.NoError(t, err)
	var cols []string
	for _, c := range ci.Columns {
		cols = append(cols, c.Path)
	}
	assert.Equal(t, []string{"fct_orders.credit_card_amount", "fct_orders.coupon_amount", "fct_orders.bank_transfer_amount",
		"fct_orders.gift_card_amount", "fct_orders.amount", "dim_customers.lifetime_value"}, cols)
	assert.Equal(t, []string{"exposure.jaffle_shop.executive_overview", "exposure.jaffle_shop.marketing_performance"}, ci.Exposures)
	var tests []string
	for _, tt := range ci.Tests {
		tests = append(tests, tt.Name)
	}
	assert.Equal(t, []string{"not_null_fct_orders_amount", "test_lifetime_value_sums_orders"}, tests)

	ci, err = s.ColumnImpact("dim_customers.lifetime_value", manifest.ImpactOptions{Direction: manifest.Upstream})
	require.NoError(t, err)
	cols = nil
	for _, c := range ci.Columns {
		cols = append(cols, c.Path)
	}
	assert.Equal(t, []string{"fct_orders.amount", "stg_payments.amount", "stripe.payments.amount"}, cols)
}

func TestArtifactsLoadFromFilesToo(t *testing.T) {
	m, c := Artifacts(false)
	require.NotEmpty(t, m)
	require.NotEmpty(t, c)
	dir := t.TempDir()
	require.NoError(t, writeFile(dir+"/target/manifest.json", m))
	require.NoError(t, writeFile(dir+"/target/catalog.json", c))
	p, err := dbt.New(dbt.Config{Name: "files", Manifest: dir}, dbt.Options{})
	require.NoError(t, err)
	s, err := p.Snapshot()
	require.NoError(t, err)
	assert.True(t, s.Graph().HasCatalog)
	assert.Len(t, s.Graph().NodesOf(manifest.KindModel), 5)
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
