package sandbox

import (
	"fmt"
	"strings"
)

func pdcHandlers() map[string]handlerFunc {
	return map[string]handlerFunc{
		"authToken":                  pdcAuth,
		"createDataSources":          pdcCreate,
		"getDataSourceById":          pdcGet,
		"updateDataSourceAttributes": pdcUpdate,
		"getDataSourcesByIds": func(c *call) (int, any) {
			var out []any
			seen := map[string]bool{}
			for _, id := range strList(c.bodyMap(), "ids") {
				if ds := c.s.pdc.sources[id]; ds != nil && !seen[id] {
					seen[id] = true
					out = append(out, ds)
				}
			}
			if out == nil {
				out = []any{}
			}
			return 200, map[string]any{"status": 200, "data": out}
		},
		"filterDataSources": pdcFilter,
	}
}

// pdcAuth is the Keycloak-style password login: any non-empty username and
// password pair works; the token is an HS256 JWT only this sandbox accepts.
func pdcAuth(c *call) (int, any) {
	user, pw := c.form.Get("username"), c.form.Get("password")
	if strings.TrimSpace(user) == "" || pw == "" {
		return c.fail(&apiError{status: 401, msg: "Invalid user credentials"})
	}
	ttl := c.s.TokenTTL
	now := c.s.now()
	return 200, map[string]any{"message": "OK", "data": map[string]any{
		"accessToken": c.s.issueJWT(user, now, ttl), "tokenType": "Bearer", "expiresIn": int(ttl.Seconds()),
		"expiresAt": ptime(now.Add(ttl)), "scope": c.form.Get("scope"),
	}}
}

func pdcGet(c *call) (int, any) {
	ds := c.s.pdc.sources[c.param("id")]
	if ds == nil {
		return c.fail(notFound("Data source with id %s not found", c.param("id")))
	}
	return 200, map[string]any{"status": 200, "data": ds}
}

func pdcCreate(c *call) (int, any) {
	var items []map[string]any
	switch b := c.body.(type) {
	case map[string]any:
		items = []map[string]any{b}
	case []any:
		for _, x := range b {
			if m, ok := x.(map[string]any); ok {
				items = append(items, m)
			}
		}
	}
	st := c.s.pdc
	names := map[string]bool{}
	for _, ds := range st.sources {
		names[strings.ToLower(str(ds, "resourceName"))] = true
	}
	for i, it := range items {
		for _, req := range []string{"resourceName", "databaseType"} {
			if strings.TrimSpace(str(it, req)) == "" {
				return c.fail(badRequest("[%d].%s is required", i, req))
			}
		}
		n := strings.ToLower(str(it, "resourceName"))
		if names[n] {
			return c.fail(badRequest("A data source named %q already exists", str(it, "resourceName")))
		}
		names[n] = true
	}
	var out []any
	for _, it := range items {
		ds := copyMap(it)
		pid := len(st.order) + 1
		id := fmt.Sprintf("6650a1f2c3d4e5f6%08x", 0x01234500+pid)
		ds["_id"], ds["pId"] = id, pid
		if str(ds, "fqdnId") == "" {
			ds["fqdnId"] = ds["resourceName"]
		}
		if str(ds, "status") == "" {
			ds["status"] = "ACTIVE"
		}
		if str(ds, "affinityId") == "" {
			ds["affinityId"] = "DEFAULT"
		}
		ds["createdAt"], ds["updatedAt"] = ptime(c.s.now()), ptime(c.s.now())
		st.sources[id] = ds
		st.order = append(st.order, id)
		out = append(out, ds)
	}
	return 201, map[string]any{"status": 201, "data": out}
}

func pdcUpdate(c *call) (int, any) {
	ds := c.s.pdc.sources[c.param("id")]
	if ds == nil {
		return c.fail(notFound("Data source with id %s not found", c.param("id")))
	}
	for k, v := range c.bodyMap() {
		if k == "_id" || k == "pId" {
			continue
		}
		ds[k] = v
	}
	ds["updatedAt"] = ptime(c.s.now())
	return 200, map[string]any{"status": 200, "data": ds}
}

// pdcFilter filters by resource name and database type (wildcards * and ?,
// case-insensitive; any listed pattern may match) and pages with skip/limit.
func pdcFilter(c *call) (int, any) {
	b := c.bodyMap()
	names, types := strList(b, "resourceNames"), strList(b, "databaseTypes")
	matchAny := func(pats []string, v string) bool {
		if len(pats) == 0 {
			return true
		}
		for _, p := range pats {
			if wildcardMatch(p, v) {
				return true
			}
		}
		return false
	}
	var found []any
	for _, id := range c.s.pdc.order {
		ds := c.s.pdc.sources[id]
		if ds == nil || !matchAny(names, str(ds, "resourceName")) || !matchAny(types, str(ds, "databaseType")) {
			continue
		}
		found = append(found, ds)
	}
	found = page(found, c.queryInt("skip", 0), c.queryInt("limit", 100))
	if found == nil {
		found = []any{}
	}
	return 200, map[string]any{"status": 200, "data": found}
}
