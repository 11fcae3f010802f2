package impact

import (
	"fmt"
	"strconv"

	"github.com/datastack-mcp/datastack-mcp/providers"
)

// The Datafold BI integrations of lineage_impact. Datafold documents no
// shape for the list of integrations (GET /api/v1/lineage/bi/ answers an
// untyped schema); the only documented link between an integration and a
// data source is the bindings field of the Looker and Hightouch
// configurations (DataSourceBinding: remoteId and boundIds, the Datafold
// data source ids). So an integration is in the answer when its bindings
// name the data source, left out when they name others, and named in a
// note when it has no bindings: whether it indexes the data source is then
// not known, and the answer says so rather than guessing. (Integrations
// are never more than a pointer, their assets are not in Datafold's
// answers, so this leaves the answer complete.)

// impactMaxUnknownNamed is how many integrations of unknown binding a
// note names.
const impactMaxUnknownNamed = 8

// biIntegrations adds the Datafold BI integrations bound to data source ds.
func (r *impactRun) biIntegrations(conn string, ds int) {
	if r.cut {
		return
	}
	ans, err := r.call(providers.Datafold, conn, "datafold_list_bi_integrations", map[string]any{})
	if err != nil {
		r.fail("Datafold BI integrations: %v", err)
		return
	}
	list, ok := ans["items"].([]any)
	if !ok {
		r.note("Datafold's list of BI integrations did not come as a list, so which integrations index the data source is not known here.")
		return
	}
	found := 0
	var unknown []string
	for _, it := range list {
		m, _ := it.(map[string]any)
		if m == nil {
			continue
		}
		id := impactString(m["id"])
		name := impactString(m["name"])
		if name == "" {
			name = impactString(m["type"]) + " integration " + id
		}
		bound, known := impactBoundTo(m, ds)
		if !known {
			unknown = append(unknown, fmt.Sprintf("%s (%s, id %s)", name, impactOr(impactString(m["type"]), "type not given"), impactOr(id, "?")))
			continue
		}
		if !bound {
			continue
		}
		if r.addNode(ImpactNode{ID: "datafold:bi:" + id, Kind: KindBIIntegration, Provider: providers.Datafold, Name: name,
			Connection: conn, IntegrationType: impactString(m["type"]), Status: impactString(m["status"])}) {
			found++
		}
	}
	if found > 0 {
		r.note(fmt.Sprintf("The %s nodes are the Datafold BI integrations whose bindings name data source %d; Datafold's lineage answers do not name their assets, so which of their dashboards use the reached tables is not known here.", KindBIIntegration, ds))
	}
	if len(unknown) > 0 {
		named := unknown
		if len(named) > impactMaxUnknownNamed {
			named = append(named[:impactMaxUnknownNamed:impactMaxUnknownNamed], fmt.Sprintf("%d more", len(unknown)-impactMaxUnknownNamed))
		}
		r.note(fmt.Sprintf("Datafold's answer does not say which data sources %s (only the bindings of Looker and Hightouch integrations name data sources), so whether %s data source %d is not known and %s left out of the nodes.",
			impactJoinAnd(named)+map[bool]string{true: " indexes", false: " index"}[len(unknown) == 1],
			map[bool]string{true: "it uses", false: "they use"}[len(unknown) == 1], ds, map[bool]string{true: "it is", false: "they are"}[len(unknown) == 1]))
	}
}

// impactBoundTo reads an integration's bindings (bindings[].boundIds, the
// documented DataSourceBinding): known is false when there are none.
func impactBoundTo(m map[string]any, ds int) (bound, known bool) {
	bindings, ok := m["bindings"].([]any)
	if !ok || len(bindings) == 0 {
		return false, false
	}
	for _, b := range bindings {
		bm, _ := b.(map[string]any)
		ids, _ := bm["boundIds"].([]any)
		for _, e := range ids {
			if n, err := strconv.Atoi(impactString(e)); err == nil && n == ds {
				return true, true
			}
		}
	}
	return false, true
}
