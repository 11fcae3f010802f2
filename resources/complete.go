package resources

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/client"
	"github.com/datastack-mcp/datastack-mcp/schemas"
	"github.com/datastack-mcp/datastack-mcp/tools"
	"github.com/datastack-mcp/datastack-mcp/tools/databases"
)

// Completions (completion/complete) for template and prompt arguments,
// fed from the live APIs through the generated tools and kept in the
// short cache:
//
//	connection          the provider's connections
//	direction           downstream, upstream
//	data_source_id      Datafold data sources (match the id or the name)
//	table_path          warehouse tables Datafold has lineage for, found
//	column_path         from the Lightdash explores' tables and the tables
//	                    of Datafold data diffs, then their lineage both ways
//	projectUuid         Lightdash projects (id or name)
//	table, field        Lightdash catalog tables, and a table's fields
//	project_id          PostHog: the connection's default, the projects
//	                    (posthog_list_projects, id or name), @current
//	source_id, schema_id PostHog sources and their schemas of project_id
//	                    (default: the connection's, else @current)
//	id                  PDC data sources (id or name)
//
// A typed value matches a candidate that starts with it or whose label
// (name, table name, table.column) contains it, case-insensitively.
// Arguments already chosen (context.arguments) narrow the candidates: the
// connection, the data source of a path, the project of a table, the
// table of a field.

// maxCompletions is the protocol's bound on values per answer.
const maxCompletions = 100

// maxSeeds bounds the tables whose lineage is read to find table paths.
const maxSeeds = 25

type candidate struct{ value, label string }

// CompleteResource completes argument arg (typed so far: value) of a
// template (or a concrete URI) of the catalog; chosen are the arguments
// already given.
func (c *Catalog) CompleteResource(ctx context.Context, uri, arg, value string, chosen map[string]string) *tools.Completion {
	r := routeByTemplate(uri)
	if r == nil {
		if p, err := parse(uri); err == nil {
			r = p.route
		}
	}
	if r == nil || len(c.connsFor(r)) == 0 || r.read != nil && !c.allowedIn(ctx, r) {
		return &tools.Completion{Values: []string{}}
	}
	conn := c.pickConn(r.provider, c.connNames(r), chosen[r.auth()])
	return c.completion(value, c.candidates(ctx, r.provider, conn, arg, chosen, c.connNames(r)))
}

// CompletePrompt completes an argument of investigate_lineage.
func (c *Catalog) CompletePrompt(ctx context.Context, prompt, arg, value string, chosen map[string]string) *tools.Completion {
	if prompt != PromptName || c.impact == nil {
		return &tools.Completion{Values: []string{}}
	}
	var names []string
	for _, conn := range c.conns[schemas.Datafold] {
		names = append(names, conn.Name)
	}
	conn := c.pickConn(schemas.Datafold, names, chosen["connection"])
	name := arg
	if name == "target" {
		name = "path"
	}
	return c.completion(value, c.candidates(ctx, schemas.Datafold, conn, name, chosen, names))
}

func (c *Catalog) pickConn(provider string, names []string, given string) string {
	if contains(names, given) {
		return given
	}
	if len(names) > 0 {
		return names[0]
	}
	return ""
}

// completion filters candidates by the typed value.
func (c *Catalog) completion(typed string, cands []candidate) *tools.Completion {
	t := strings.ToLower(typed)
	var values []string
	seen := map[string]bool{}
	for _, cd := range cands {
		v := strings.ToLower(cd.value)
		if cd.value == "" || seen[cd.value] || !(strings.HasPrefix(v, t) || strings.Contains(strings.ToLower(cd.label), t)) {
			continue
		}
		seen[cd.value] = true
		values = append(values, cd.value)
	}
	out := &tools.Completion{Values: values, Total: len(values)}
	if len(values) > maxCompletions {
		out.Values, out.HasMore = values[:maxCompletions], true
	}
	if out.Values == nil {
		out.Values = []string{}
	}
	return out
}

// candidates returns the possible values of one argument.
func (c *Catalog) candidates(ctx context.Context, provider, conn, name string, chosen map[string]string, conns []string) []candidate {
	switch name {
	case "connection":
		return plain(conns...)
	case "direction":
		return plain(directions...)
	case "include_tabular_nodes":
		return plain("true", "false")
	}
	switch provider {
	case schemas.Datafold:
		switch name {
		case "data_source_id":
			return c.datafoldSources(ctx, conn)
		case "table_path", "column_path", "path":
			var out []candidate
			for _, ds := range c.sourceIDs(ctx, conn, chosen["data_source_id"]) {
				for _, t := range c.datafoldTables(ctx, conn, ds) {
					if name != "column_path" {
						out = append(out, candidate{t.path, t.name})
					}
					if name != "table_path" {
						for _, col := range t.columns {
							out = append(out, candidate{client.JoinTablePath(append(client.SplitTablePath(t.path), col)), t.name + "." + col})
						}
					}
				}
			}
			return out
		}
	case schemas.Lightdash:
		switch name {
		case "projectUuid":
			var out []candidate
			for _, p := range c.lightdashProjects(ctx, conn) {
				out = append(out, candidate{str(p["projectUuid"]), str(p["name"])})
			}
			return out
		case "table", "field":
			return c.lightdashCatalog(ctx, conn, name, chosen)
		}
	case schemas.PostHog:
		return c.posthog(ctx, conn, name, chosen)
	case databases.Provider:
		return c.warehouseCandidates(ctx, conn, name, chosen)
	case dbtScheme:
		return c.dbtCandidates(conn, name, chosen, conns)
	case schemas.PDC:
		if name == "id" {
			ans, err := c.cached(ctx, schemas.PDC, conn, "pdc_filter_data_sources", map[string]any{"resourceNames": []any{"*"}, "limit": 100})
			if err != nil {
				return nil
			}
			var out []candidate
			for _, ds := range items(ans, "data") {
				id := str(ds["_id"])
				if id == "" {
					id = str(ds["id"])
				}
				out = append(out, candidate{id, str(ds["resourceName"])})
			}
			return out
		}
	}
	return nil
}

func plain(values ...string) []candidate {
	out := make([]candidate, len(values))
	for i, v := range values {
		out[i] = candidate{v, v}
	}
	return out
}

func (c *Catalog) datafoldSources(ctx context.Context, conn string) []candidate {
	ans, err := c.cached(ctx, schemas.Datafold, conn, "datafold_list_data_sources", map[string]any{})
	if err != nil {
		return nil
	}
	var out []candidate
	for _, ds := range items(ans, "items") {
		out = append(out, candidate{str(ds["id"]), str(ds["name"])})
	}
	return out
}

// sourceIDs is the chosen data source, or every one when none is chosen.
func (c *Catalog) sourceIDs(ctx context.Context, conn, chosen string) []int {
	if n, err := strconv.Atoi(chosen); err == nil && n > 0 {
		return []int{n}
	}
	var out []int
	for _, cd := range c.datafoldSources(ctx, conn) {
		if n, err := strconv.Atoi(cd.value); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// whTable is a warehouse table Datafold has lineage for.
type whTable struct {
	path, name string
	columns    []string
}

// datafoldTables finds the tables of a data source: Datafold's API lists
// no tables, so it starts from tables other answers name (the Lightdash
// explores' database.schema.table, the tables of Datafold data diffs on
// this data source) and adds every table of their lineage both ways, with
// the columns the lineage answers list. Seeds Datafold does not know are
// dropped.
func (c *Catalog) datafoldTables(ctx context.Context, conn string, ds int) []whTable {
	key := "tables/" + client.IdentityKey(ctx) + "/" + conn + "/" + strconv.Itoa(ds)
	if v, ok := c.cache.get(key); ok {
		return v.([]whTable)
	}
	var seeds []string
	addSeed := func(parts []string) {
		if p := client.JoinTablePath(parts); len(parts) > 0 && p != "" && !contains(seeds, p) {
			seeds = append(seeds, p)
		}
	}
	for _, lc := range c.conns[schemas.Lightdash] {
		for _, p := range c.lightdashProjects(ctx, lc.Name) {
			ans, err := c.cached(ctx, schemas.Lightdash, lc.Name, "lightdash_get_explores", map[string]any{"projectUuid": str(p["projectUuid"])})
			if err != nil {
				continue
			}
			for _, e := range items(ans, "results") {
				if db, sc, n := str(e["databaseName"]), str(e["schemaName"]), str(e["name"]); db != "" && sc != "" && n != "" {
					addSeed([]string{db, sc, n})
				}
			}
		}
	}
	if ans, err := c.cached(ctx, schemas.Datafold, conn, "datafold_list_data_diffs", map[string]any{"page_size": 100}); err == nil {
		for _, d := range items(ans, "results") {
			for _, side := range []string{"1", "2"} {
				if str(d["data_source"+side+"_id"]) != strconv.Itoa(ds) {
					continue
				}
				var parts []string
				list, _ := d["table"+side].([]any)
				for _, p := range list {
					parts = append(parts, str(p))
				}
				addSeed(parts)
			}
		}
	}
	if len(seeds) > maxSeeds {
		seeds = seeds[:maxSeeds]
	}
	found := map[string]*whTable{}
	for _, seed := range seeds {
		known := false
		for _, tool := range []string{"datafold_get_table_upstreams", "datafold_get_table_downstreams"} {
			ans, err := c.cached(ctx, schemas.Datafold, conn, tool, map[string]any{"data_connection_id": ds, "table_path": seed, "max_depth": 99})
			if err != nil {
				continue
			}
			known = true
			for _, t := range items(ans, "items") {
				var parts []string
				list, _ := t["path"].([]any)
				for _, p := range list {
					parts = append(parts, str(p))
				}
				if len(parts) == 0 {
					continue
				}
				path := client.JoinTablePath(parts)
				wt := found[path]
				if wt == nil {
					wt = &whTable{path: path, name: parts[len(parts)-1]}
					found[path] = wt
				}
				for _, col := range items(t, "columns") {
					if n := str(col["name"]); n != "" && !contains(wt.columns, n) {
						wt.columns = append(wt.columns, n)
					}
				}
			}
		}
		if known && found[seed] == nil {
			parts := client.SplitTablePath(seed)
			found[seed] = &whTable{path: seed, name: parts[len(parts)-1]}
		}
	}
	out := make([]whTable, 0, len(found))
	for _, t := range found {
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	c.cache.put(key, out)
	return out
}

func (c *Catalog) lightdashProjects(ctx context.Context, conn string) []map[string]any {
	ans, err := c.cached(ctx, schemas.Lightdash, conn, "lightdash_list_organization_projects", map[string]any{})
	if err != nil {
		return nil
	}
	return items(ans, "results")
}

// lightdashCatalog completes a Lightdash table (of the chosen project, or
// of every project) or a field (of the chosen table).
func (c *Catalog) lightdashCatalog(ctx context.Context, conn, name string, chosen map[string]string) []candidate {
	var projects []string
	if p := chosen["projectUuid"]; p != "" {
		projects = []string{p}
	} else {
		for _, p := range c.lightdashProjects(ctx, conn) {
			projects = append(projects, str(p["projectUuid"]))
		}
	}
	var out []candidate
	for _, p := range projects {
		args := map[string]any{"projectUuid": p, "type": "table"}
		if name == "field" {
			args["type"] = "field"
		}
		ans, err := c.cached(ctx, schemas.Lightdash, conn, "lightdash_get_catalog", args)
		if err != nil {
			continue
		}
		for _, it := range items(ans, "results") {
			if name == "table" {
				out = append(out, candidate{str(it["name"]), str(it["label"])})
				continue
			}
			if t := chosen["table"]; t != "" && !strings.EqualFold(str(it["tableName"]), t) {
				continue
			}
			out = append(out, candidate{str(it["name"]), str(it["tableName"]) + "." + str(it["name"]) + " " + str(it["label"])})
		}
	}
	return out
}

func (c *Catalog) posthog(ctx context.Context, conn, name string, chosen map[string]string) []candidate {
	var def string
	for _, pc := range c.conns[schemas.PostHog] {
		if pc.Name == conn {
			if v, ok := pc.Defaults["project_id"]; ok {
				def = str(v)
			}
		}
	}
	if name == "project_id" {
		return c.posthogProjects(ctx, conn, def)
	}
	project := chosen["project_id"]
	if project == "" {
		project = def
	}
	if project == "" {
		project = CurrentProject
	}
	if name != "source_id" && name != "schema_id" {
		return nil
	}
	ans, err := c.cached(ctx, schemas.PostHog, conn, "posthog_list_external_data_sources", map[string]any{"project_id": project})
	if err != nil {
		return nil
	}
	var out []candidate
	for _, s := range items(ans, "results") {
		if name == "source_id" {
			out = append(out, candidate{str(s["id"]), str(s["source_type"]) + " " + str(s["prefix"]) + " " + str(s["description"])})
			continue
		}
		for _, sc := range items(s, "schemas") {
			out = append(out, candidate{str(sc["id"]), str(s["source_type"]) + " " + str(sc["name"])})
		}
	}
	return out
}

// CurrentProject is how PostHog names the current project of the API key's
// user, wherever a project id goes.
const CurrentProject = "@current"

// posthogProjects are the candidates for a PostHog project_id: the
// connection's default first, then the projects the key's user can see
// (posthog_list_projects; matched by id or name), then @current.
func (c *Catalog) posthogProjects(ctx context.Context, conn, def string) []candidate {
	var out []candidate
	if def != "" {
		out = append(out, candidate{def, "default"})
	}
	if ans, err := c.cached(ctx, schemas.PostHog, conn, "posthog_list_projects", map[string]any{"limit": maxCompletions}); err == nil {
		for _, p := range items(ans, "results") {
			out = append(out, candidate{str(p["id"]), str(p["name"])})
		}
	}
	return append(out, candidate{CurrentProject, "current project of the API key's user"})
}
