package server

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/datastack-mcp/datastack-mcp/dbt"
	"github.com/datastack-mcp/datastack-mcp/tools"
	"github.com/datastack-mcp/datastack-mcp/tools/review"
)

// withReview adds review_dbt_changes to extra when two dbt projects or
// more are configured (production's and a pull request's); it reports
// whether it did.
func withReview(extra *[]*tools.Tool, conns *connections, available []*tools.Tool, wait time.Duration) (bool, error) {
	if conns.dbt == nil || len(conns.dbt.Names()) < 2 {
		return false, nil
	}
	t, err := review.Tool(conns.list, available, review.Options{DBT: conns.dbt, Warehouses: conns.warehouses, ProjectWarehouse: conns.dbtWH, Wait: wait})
	if err != nil {
		return false, err
	}
	*extra = append(*extra, t)
	return true, nil
}

// dbtWarehouses maps each dbt project naming a warehouse connection to
// it; a name that is no configured connection is an error.
func dbtWarehouses(projects []dbt.Config, warehouses []string) (map[string]string, error) {
	out := map[string]string{}
	for _, p := range projects {
		if p.Warehouse == "" {
			continue
		}
		if !slices.Contains(warehouses, p.Warehouse) {
			known := "none is configured"
			if len(warehouses) > 0 {
				known = "configured: " + strings.Join(warehouses, ", ")
			}
			return nil, fmt.Errorf("config file: dbt project %s: warehouse %q is not a warehouse connection (%s)", p.Name, p.Warehouse, known)
		}
		out[p.Name] = p.Warehouse
	}
	return out, nil
}
