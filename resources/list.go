package resources

import (
	"context"
	"encoding/base64"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/schemas"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

// Listing: resources/list shows what can be enumerated cheaply, for every
// connection: the fixed lists (Datafold data sources and BI integrations,
// Lightdash projects, PDC data sources, the PostHog sources of a
// connection's default project) and, one upstream call each, the summary
// of every Datafold data source and the catalog of every Lightdash project.
// Everything else is reached through the templates.
//
// The list is sorted by URI and paged: a page holds at most
// Options.PageSize resources, and its cursor is the last URI shown
// (base64), so pages stay consistent when the list changes in between.

// Page returns the page of resources after cursor ("" for the first) and
// the cursor of the next page ("" when it is the last). A cursor it did
// not issue is an error, with an empty page.
func (c *Catalog) Page(ctx context.Context, cursor string) ([]tools.Resource, string, error) {
	after := ""
	if cursor != "" {
		b, err := base64.StdEncoding.DecodeString(cursor)
		if err != nil || !strings.Contains(string(b), "://") {
			return []tools.Resource{}, "", fmt.Errorf("invalid cursor %q: pass the nextCursor of the previous page", cursor)
		}
		after = string(b)
	}
	all := c.List(ctx)
	start := sort.Search(len(all), func(i int) bool { return all[i].URI > after })
	end := min(len(all), start+c.opts.PageSize)
	page := all[start:end]
	next := ""
	if end < len(all) {
		next = base64.StdEncoding.EncodeToString([]byte(page[len(page)-1].URI))
	}
	return page, next, nil
}

// List returns every listed resource, sorted by URI; resources whose tool
// the request's policy hides are left out.
func (c *Catalog) List(ctx context.Context) []tools.Resource {
	out := []tools.Resource{}
	add := func(r *route, v map[string]string, title, desc string) {
		out = append(out, tools.Resource{URI: r.URI(v), Name: r.name + ": " + title, Title: title, Description: desc, MIMEType: MIMEType})
	}
	for _, r := range c.served {
		if !c.allowedIn(ctx, r) {
			continue
		}
		for _, conn := range c.connsFor(r) {
			v := map[string]string{r.auth(): conn.Name}
			switch {
			case r.listed:
				add(r, v, fmt.Sprintf("%s (%s)", r.title, conn.Name), r.description)
			case r.name == "datafold-data-source-summary":
				c.listDatafoldSummaries(ctx, r, conn.Name, add)
			case r.name == "lightdash-catalog":
				c.listLightdashCatalogs(ctx, r, conn.Name, add)
			case r.name == "posthog-sources":
				if pid, ok := conn.Defaults["project_id"]; ok {
					v["project_id"] = fmt.Sprint(pid)
					add(r, v, fmt.Sprintf("%s: project %s (%s)", r.title, v["project_id"], conn.Name), r.description)
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URI < out[j].URI })
	return out
}

type addFunc func(r *route, v map[string]string, title, desc string)

func (c *Catalog) listDatafoldSummaries(ctx context.Context, r *route, conn string, add addFunc) {
	ans, err := c.cached(ctx, schemas.Datafold, conn, "datafold_list_data_sources", map[string]any{})
	if err != nil {
		c.log.Info("resources/list: Datafold data sources", "connection", conn, "err", err)
		return
	}
	for _, ds := range items(ans, "items") {
		id, name := str(ds["id"]), str(ds["name"])
		if id == "" {
			continue
		}
		add(r, map[string]string{"connection": conn, "data_source_id": id},
			fmt.Sprintf("Datafold data source %s: %s (%s)", id, name, conn),
			fmt.Sprintf("Summary of Datafold data source %s (%s, %s). Its lineage: datafold://%s/lineage/%s/tables/{table_path}/{direction}.", id, name, str(ds["type"]), conn, id))
	}
}

func (c *Catalog) listLightdashCatalogs(ctx context.Context, r *route, conn string, add addFunc) {
	ans, err := c.cached(ctx, schemas.Lightdash, conn, "lightdash_list_organization_projects", map[string]any{})
	if err != nil {
		c.log.Info("resources/list: Lightdash projects", "connection", conn, "err", err)
		return
	}
	for _, p := range items(ans, "results") {
		uuid, name := str(p["projectUuid"]), str(p["name"])
		if uuid == "" {
			continue
		}
		add(r, map[string]string{"connection": conn, "projectUuid": uuid},
			fmt.Sprintf("Lightdash catalog: %s (%s)", name, conn),
			fmt.Sprintf("The tables, dimensions and metrics of Lightdash project %s (%s, %s).", name, uuid, str(p["type"])))
	}
}

// items returns the objects of the array under key.
func items(ans map[string]any, key string) []map[string]any {
	list, _ := ans[key].([]any)
	var out []map[string]any
	for _, it := range list {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// str renders a JSON scalar as text ("" for null).
func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return fmt.Sprint(x)
	}
}
