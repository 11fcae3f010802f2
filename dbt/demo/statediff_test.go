package demo

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/dbt"
)

// PR #42 changes stg_orders and stg_payments, nothing else; the columns
// whose lineage changed are those its SQL rewrites.
func TestPR42StateDiff(t *testing.T) {
	prod, err := Prod()
	require.NoError(t, err)
	dev, err := Dev()
	require.NoError(t, err)
	base, err := prod.Snapshot()
	require.NoError(t, err)
	pr, err := dev.Snapshot()
	require.NoError(t, err)

	sd := dbt.CompareStates(base, pr)
	got := map[string][]string{}
	for _, c := range sd.Nodes {
		got[c.Name] = append([]string{c.Change}, c.Reasons...)
	}
	assert.Equal(t, map[string][]string{
		"stg_orders":   {dbt.ChangeModified, dbt.ReasonBody},
		"stg_payments": {dbt.ChangeModified, dbt.ReasonBody},
	}, got, "got changed nodes %v", got)

	lineage := map[string]string{}
	for _, id := range []string{"model.jaffle_shop.stg_orders", "model.jaffle_shop.stg_payments"} {
		lc, note := dbt.LineageChanges(base, pr, id)
		require.Empty(t, note, "lineage of %s", id)
		for _, c := range lc {
			lineage[c.Column] = c.Change + ": " + c.Base + " -> " + c.PR
		}
	}
	assert.Equal(t, map[string]string{
		"status": "lineage_changed: jaffle_shop.orders.status (copy) -> jaffle_shop.orders.status (transformation)",
		"amount": "lineage_changed: stripe.payments.amount (transformation) -> stripe.payments.amount (transformation), stripe.payments.order_id (transformation), stripe.payments.payment_method (transformation)",
	}, lineage, "got lineage changes %v", lineage)
	assert.Equal(t, []string{"order_id"}, dbt.TestedKey(pr.Graph(), "model.jaffle_shop.stg_orders"))
}
