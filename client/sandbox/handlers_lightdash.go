package sandbox

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Lightdash answers are wrapped in {"status": "ok", "results": ...}.
func ldOK(v any) (int, any) {
	if v == nil {
		return 200, map[string]any{"status": "ok"}
	}
	return 200, map[string]any{"status": "ok", "results": v}
}

// okEmpty is ApiSuccessEmpty: Lightdash leaves results undefined.
func okEmpty() (int, any) { return 200, map[string]any{"status": "ok"} }

func lightdashHandlers() map[string]handlerFunc {
	return map[string]handlerFunc{
		// My account
		"GetAuthenticatedUser": func(c *call) (int, any) { return ldOK(c.s.ldUserView(c.s.ld.users[c.s.ld.me])) },
		"RegisterUser":         ldRegister,
		"CreateEmailOneTimePasscode": func(c *call) (int, any) {
			exp := c.s.now().Add(15 * time.Minute)
			c.s.ld.emailOTP = &exp
			return ldOK(c.s.ldEmailStatus())
		},
		"GetEmailVerificationStatus": func(c *call) (int, any) {
			if c.query.Get("passcode") != "" && c.s.ld.emailOTP != nil && c.s.now().Before(*c.s.ld.emailOTP) {
				c.s.ld.verified = true
				c.s.ld.emailOTP = nil
			}
			return ldOK(c.s.ldEmailStatus())
		},
		"ListMyAvailableOrganizations": func(c *call) (int, any) {
			return ldOK([]any{map[string]any{"organizationUuid": ldOtherOrg, "name": "Jaffle Franchise Partners", "membersCount": 3}})
		},
		"JoinOrganization": func(c *call) (int, any) {
			if id := c.param("organizationUuid"); id != ldOtherOrg && id != ldOrgUUID {
				return c.fail(notFound("Organization %s not found or not allowed for your email domain", id))
			}
			return okEmpty()
		},
		// Destructive operations on the sandbox's own identity are
		// acknowledged but not applied, so the demo stays usable.
		"DeleteMe":                   func(c *call) (int, any) { return okEmpty() },
		"getWarehouseCredentials":    ldListCreds,
		"createWarehouseCredentials": ldCreateCreds,
		"updateWarehouseCredentials": withCreds(ldUpdateCreds),
		"deleteWarehouseCredentials": withCreds(func(c *call, cr *ldCreds) (int, any) {
			delete(c.s.ld.creds, cr.UUID)
			for _, p := range c.s.ld.projects {
				if p.CredPref == cr.UUID {
					p.CredPref = ""
				}
			}
			return okEmpty()
		}),
		"getLoginOptions": func(c *call) (int, any) {
			email := strings.ToLower(c.query.Get("email"))
			opts := []any{"email", "google"}
			if !strings.HasSuffix(email, "@jaffle-shop.example") {
				opts = []any{"email"}
			}
			return ldOK(map[string]any{"showOptions": opts, "forceRedirect": false})
		},
		// Organization
		"GetMyOrganization": func(c *call) (int, any) { return ldOK(c.s.ld.org) },
		// The sandbox user already has an organization; creating another is
		// acknowledged, not applied.
		"CreateOrganization": func(c *call) (int, any) { return okEmpty() },
		"UpdateMyOrganization": func(c *call) (int, any) {
			b := c.bodyMap()
			for _, k := range []string{"name", "chartColors", "defaultProjectUuid"} {
				if v, ok := b[k]; ok {
					c.s.ld.org[k] = v
				}
			}
			return okEmpty()
		},
		"DeleteMyOrganization": func(c *call) (int, any) {
			if c.param("organizationUuid") != ldOrgUUID {
				return c.fail(notFound("Organization %s not found", c.param("organizationUuid")))
			}
			return okEmpty() // acknowledged, not applied (see DeleteMe)
		},
		"ListOrganizationProjects": func(c *call) (int, any) {
			var out []any
			for _, p := range c.s.ldProjects() {
				var up any
				if p.Upstream != "" {
					up = p.Upstream
				}
				out = append(out, map[string]any{"projectUuid": p.UUID, "name": p.Name, "type": p.Type, "upstreamProjectUuid": up,
					"warehouseType": "snowflake", "requireUserCredentials": false})
			}
			return ldOK(out)
		},
		"ListOrganizationMembers":     ldListMembers,
		"GetOrganizationMemberByUuid": withUser(func(c *call, u *ldUser) (int, any) { return ldOK(c.s.ldMember(u)) }),
		"UpdateOrganizationMember": withUser(func(c *call, u *ldUser) (int, any) {
			u.Role = str(c.bodyMap(), "role")
			return ldOK(c.s.ldMember(u))
		}),
		"DeleteOrganizationMember": withUser(func(c *call, u *ldUser) (int, any) {
			if u.UUID == c.s.ld.me {
				return c.fail(badRequest("You cannot delete yourself from the organization"))
			}
			c.s.ldDeleteUser(u.UUID)
			return okEmpty()
		}),
		"ListOrganizationEmailDomains": func(c *call) (int, any) { return ldOK(c.s.ldDomains()) },
		"UpdateOrganizationEmailDomains": func(c *call) (int, any) {
			for k, v := range c.bodyMap() {
				c.s.ld.domains[k] = v
			}
			return ldOK(c.s.ldDomains())
		},
		"CreateGroupInOrganization": ldCreateGroup,
		"ListGroupsInOrganization":  ldListGroups,
		// Projects, explores
		"SetExplores": withProject(func(c *call, p *ldProj) (int, any) {
			explores, _ := c.body.([]any)
			return ldOK(map[string]any{"exploreCount": len(explores),
				"warnings": map[string]any{"exploresWithWarnings": []any{}, "warningExploreCount": 0, "warningCount": 0}})
		}),
		"GetExplores": withProject(func(c *call, p *ldProj) (int, any) {
			out := []any{}
			for _, name := range []string{"dim_customers", "fct_orders"} {
				t := p.explore(name)
				if t == nil {
					continue
				}
				out = append(out, map[string]any{"name": t.Name, "label": t.Label, "tags": []any{"jaffle_shop"},
					"databaseName": "ANALYTICS", "schemaName": "MARTS", "description": t.Description})
			}
			return ldOK(out)
		}),
		"GetExplore":   withExplore(func(c *call, p *ldProj, t *ldTable) (int, any) { return ldOK(ldExplore(t)) }),
		"CompileQuery": withExplore(ldCompileQuery),
		"GetProject":   withProject(func(c *call, p *ldProj) (int, any) { return ldOK(c.s.ldProjectView(p)) }),
		// The v2 async query API (lightdash_query.go)
		"executeAsyncMetricQuery": withProject(ldExecuteMetricQuery),
		"getAsyncQueryResults":    withQuery(ldGetQueryResults),
		"downloadResults":         withQuery(ldDownloadQueryResults),
		"ListChartsInProject": withProject(func(c *call, p *ldProj) (int, any) {
			out := []any{}
			for _, ch := range c.s.ldChartsOf(p.UUID, "") {
				out = append(out, c.s.ldSpaceQuery(ch))
			}
			return ldOK(out)
		}),
		"ListChartSummariesInProject": withProject(func(c *call, p *ldProj) (int, any) {
			out := []any{}
			for _, ch := range c.s.ldChartsOf(p.UUID, "") {
				out = append(out, c.s.ldChartSummary(ch))
			}
			return ldOK(out)
		}),
		"ListSpacesInProject": withProject(func(c *call, p *ldProj) (int, any) {
			out := []any{}
			for _, sp := range c.s.ldSpacesOf(p.UUID) {
				if sp.Private && sp.Access[c.s.ld.me] == "" {
					continue
				}
				out = append(out, c.s.ldSpaceSummary(sp))
			}
			return ldOK(out)
		}),
		"GetProjectAccessList": withProject(func(c *call, p *ldProj) (int, any) {
			out := []any{}
			for _, uid := range c.s.ld.userOrder {
				if role, ok := p.Access[uid]; ok {
					out = append(out, c.s.ldProjectMember(p, c.s.ld.users[uid], role))
				}
			}
			return ldOK(out)
		}),
		"GrantProjectAccessToUser": withProject(ldGrantProject),
		"GetProjectMemberAccess": withProjectUser(func(c *call, p *ldProj, u *ldUser, role string) (int, any) {
			return ldOK(c.s.ldProjectMember(p, u, role))
		}),
		"UpdateProjectAccessForUser": withProjectUser(func(c *call, p *ldProj, u *ldUser, role string) (int, any) {
			p.Access[u.UUID] = str(c.bodyMap(), "role")
			return okEmpty()
		}),
		"RevokeProjectAccessForUser": withProjectUser(func(c *call, p *ldProj, u *ldUser, role string) (int, any) {
			delete(p.Access, u.UUID)
			return okEmpty()
		}),
		"GetProjectGroupAccesses": withProject(func(c *call, p *ldProj) (int, any) {
			out := []any{}
			for _, g := range sortedKeys(p.GroupAccess) {
				out = append(out, map[string]any{"projectUuid": p.UUID, "groupUuid": g, "role": p.GroupAccess[g]})
			}
			return ldOK(out)
		}),
		"RunSqlQuery":             withProject(ldRunSQL),
		"CalculateTotalFromQuery": withProject(ldCalculateTotal),
		"getUserWarehouseCredentialsPreference": withProject(func(c *call, p *ldProj) (int, any) {
			if cr := c.s.ld.creds[p.CredPref]; cr != nil {
				return ldOK(c.s.ldCredsView(cr))
			}
			return 200, map[string]any{"status": "ok"}
		}),
		"updateUserWarehouseCredentialsPreference": withProject(func(c *call, p *ldProj) (int, any) {
			id := c.param("userWarehouseCredentialsUuid")
			if c.s.ld.creds[id] == nil {
				return c.fail(notFound("Warehouse credentials %s not found", id))
			}
			p.CredPref = id
			return okEmpty()
		}),
		"getCustomMetrics": withProject(func(c *call, p *ldProj) (int, any) {
			out := []any{}
			for _, ch := range c.s.ldChartsOf(p.UUID, "") {
				m := ch.CustomMetric
				if m == nil {
					continue
				}
				yml := fmt.Sprintf("- name: %s\n  columns:\n    - name: %s\n      meta:\n        metrics:\n          %s:\n            label: %s\n            type: %s\n",
					m["table"], m["baseDimensionName"], m["name"], m["label"], m["type"])
				out = append(out, map[string]any{"name": m["name"], "label": m["label"], "modelName": m["table"], "yml": yml,
					"chartLabel": ch.Name, "chartUrl": fmt.Sprintf("https://lightdash.sandbox.invalid/projects/%s/saved/%s", p.UUID, ch.UUID)})
			}
			return ldOK(out)
		}),
		"updateProjectMetadata": withProject(func(c *call, p *ldProj) (int, any) {
			b := c.bodyMap()
			if v, ok := b["upstreamProjectUuid"]; ok {
				up, _ := v.(string)
				if up != "" && c.s.ld.projects[up] == nil {
					return c.fail(notFound("Project %s not found", up))
				}
				p.Upstream = up
			}
			return okEmpty()
		}),
		"ValidateProject": withProject(func(c *call, p *ldProj) (int, any) {
			return ldOK(map[string]any{"jobId": uuidFor("ld-validate", c.s.nextID("ld.job", 0))})
		}),
		"GetLatestValidationResults": withProject(func(c *call, p *ldProj) (int, any) {
			out := []any{}
			for _, v := range c.s.ld.validations {
				if v.Project == p.UUID && !c.s.ld.dismissed[v.ID] {
					out = append(out, c.s.ldValidationView(v))
				}
			}
			return ldOK(out)
		}),
		"DeleteValidationDismiss": withProject(func(c *call, p *ldProj) (int, any) {
			// A validation's uuid, or its legacy integer id.
			id := c.param("validationIdOrUuid")
			for _, v := range c.s.ld.validations {
				if (itoa(v.ID) == id || ldValidationUUID(v.ID) == id) && v.Project == p.UUID && !c.s.ld.dismissed[v.ID] {
					c.s.ld.dismissed[v.ID] = true
					return 200, map[string]any{"status": "ok"}
				}
			}
			return c.fail(notFound("Validation error %s not found", id))
		}),
		// Spaces
		"CreateSpaceInProject": withProject(ldCreateSpace),
		"GetSpace":             withSpace(func(c *call, p *ldProj, sp *ldSpace) (int, any) { return ldOK(c.s.ldSpaceView(sp)) }),
		"DeleteSpace": withSpace(func(c *call, p *ldProj, sp *ldSpace) (int, any) {
			for id, ch := range c.s.ld.charts {
				if ch.Space == sp.UUID {
					delete(c.s.ld.charts, id)
				}
			}
			for id, d := range c.s.ld.dashboards {
				if d.Space == sp.UUID {
					delete(c.s.ld.dashboards, id)
				}
			}
			delete(c.s.ld.spaces, sp.UUID)
			return 204, nil
		}),
		"UpdateSpace": withSpace(func(c *call, p *ldProj, sp *ldSpace) (int, any) {
			b := c.bodyMap()
			sp.Name = str(b, "name")
			sp.Slug = slugify(sp.Name)
			if inherit, ok := b["inheritParentPermissions"].(bool); ok {
				sp.Private = !inherit
			}
			return ldOK(c.s.ldSpaceView(sp))
		}),
		"AddSpaceUserAccess": withSpace(func(c *call, p *ldProj, sp *ldSpace) (int, any) {
			b := c.bodyMap()
			uid := str(b, "userUuid")
			if c.s.ld.users[uid] == nil {
				return c.fail(notFound("User %s not found", uid))
			}
			sp.Access[uid] = str(b, "spaceRole")
			return okEmpty()
		}),
		"RevokeSpaceAccessForUser": withSpace(func(c *call, p *ldProj, sp *ldSpace) (int, any) {
			uid := c.param("userUuid")
			if _, ok := sp.Access[uid]; !ok {
				return c.fail(notFound("User %s has no direct access to space %s", uid, sp.Name))
			}
			delete(sp.Access, uid)
			return okEmpty()
		}),
		"AddSpaceGroupAccess": withSpace(func(c *call, p *ldProj, sp *ldSpace) (int, any) {
			b := c.bodyMap()
			gid := str(b, "groupUuid")
			if c.s.ld.groups[gid] == nil {
				return c.fail(notFound("Group %s not found", gid))
			}
			sp.Groups[gid] = str(b, "spaceRole")
			return okEmpty()
		}),
		"RevokeGroupSpaceAccess": withSpace(func(c *call, p *ldProj, sp *ldSpace) (int, any) {
			gid := c.param("groupUuid")
			if _, ok := sp.Groups[gid]; !ok {
				return c.fail(notFound("Group %s has no access to space %s", gid, sp.Name))
			}
			delete(sp.Groups, gid)
			return okEmpty()
		}),
		// Catalog
		"getCatalog":        withProject(ldCatalog),
		"getMetadata":       withCatalogTable(ldCatalogMetadata),
		"getAnalytics":      withCatalogTable(func(c *call, p *ldProj, t *ldTable) (int, any) { return ldOK(c.s.ldAnalytics(p, t, "")) }),
		"getAnalyticsField": withCatalogTable(ldAnalyticsField),
		// Comments
		"createComment": withDashboard(ldCreateComment),
		"getComments":   withDashboard(ldGetComments),
		"resolveComment": withDashboard(func(c *call, d *ldDashboard) (int, any) {
			cm := c.s.ldComment(d, c.param("dashboardTileUuidOrCommentId"))
			if cm == nil {
				return c.fail(notFound("Comment %s not found", c.param("dashboardTileUuidOrCommentId")))
			}
			cm.Resolved = true
			return 200, map[string]any{"status": "ok"}
		}),
		"deleteComment": withDashboard(func(c *call, d *ldDashboard) (int, any) {
			cm := c.s.ldComment(d, c.param("dashboardTileUuidOrCommentId"))
			if cm == nil {
				return c.fail(notFound("Comment %s not found", c.param("dashboardTileUuidOrCommentId")))
			}
			c.s.ld.comments = slices.DeleteFunc(c.s.ld.comments, func(x *ldComment) bool { return x == cm || x.ReplyTo == cm.ID })
			return 200, map[string]any{"status": "ok"}
		}),
		// Exports: the status of a Google Sheets export (uploadGsheet)
		"getCsvUrl": func(c *call) (int, any) {
			job := c.s.ld.gsheetJobs[c.param("jobId")]
			if job == nil {
				return c.fail(notFound("Job %s not found", c.param("jobId")))
			}
			return ldOK(map[string]any{"url": job["url"], "status": job["status"], "truncated": job["truncated"]})
		},
		// Dashboards
		"promoteDashboard":     withDashboard(ldPromote),
		"promoteDashboardDiff": withDashboard(ldPromoteDiff),
		// Integrations
		"getAccessToken": func(c *call) (int, any) { return ldOK("ya29.sandbox-gdrive-access-token-not-real") },
		"uploadGsheet": func(c *call) (int, any) {
			id := uuidFor("ld-gsheet", c.s.nextID("ld.job", 0))
			c.s.ld.gsheetJobs[id] = map[string]any{"status": "ready", "truncated": false, "project": str(c.bodyMap(), "projectUuid"),
				"url": "https://docs.google.com/spreadsheets/d/1sandbox" + strings.ReplaceAll(id, "-", "") + "/edit"}
			return ldOK(map[string]any{"jobId": id})
		},
	}
}

// lookups ------------------------------------------------------------------

func withProject(h func(*call, *ldProj) (int, any)) handlerFunc {
	return func(c *call) (int, any) {
		p := c.s.ld.projects[c.param("projectUuid")]
		if p == nil {
			return c.fail(notFound("Project %s not found", c.param("projectUuid")))
		}
		return h(c, p)
	}
}

func withExplore(h func(*call, *ldProj, *ldTable) (int, any)) handlerFunc {
	return withProject(func(c *call, p *ldProj) (int, any) {
		t := p.explore(c.param("exploreId"))
		if t == nil {
			return c.fail(notFound("Explore \"%s\" does not exist", c.param("exploreId")))
		}
		return h(c, p, t)
	})
}

func withCatalogTable(h func(*call, *ldProj, *ldTable) (int, any)) handlerFunc {
	return withProject(func(c *call, p *ldProj) (int, any) {
		t := p.explore(c.param("table"))
		if t == nil {
			return c.fail(notFound("Table \"%s\" not found in the catalog", c.param("table")))
		}
		return h(c, p, t)
	})
}

func withSpace(h func(*call, *ldProj, *ldSpace) (int, any)) handlerFunc {
	return withProject(func(c *call, p *ldProj) (int, any) {
		sp := c.s.ld.spaces[c.param("spaceUuid")]
		if sp == nil || sp.Project != p.UUID {
			return c.fail(notFound("Space %s not found", c.param("spaceUuid")))
		}
		return h(c, p, sp)
	})
}

func withUser(h func(*call, *ldUser) (int, any)) handlerFunc {
	return func(c *call) (int, any) {
		u := c.s.ld.users[c.param("userUuid")]
		if u == nil {
			return c.fail(notFound("User %s not found", c.param("userUuid")))
		}
		return h(c, u)
	}
}

func withProjectUser(h func(*call, *ldProj, *ldUser, string) (int, any)) handlerFunc {
	return withProject(func(c *call, p *ldProj) (int, any) {
		u := c.s.ld.users[c.param("userUuid")]
		role, ok := p.Access[c.param("userUuid")]
		if u == nil || !ok {
			return c.fail(notFound("User %s is not a member of project %s", c.param("userUuid"), p.Name))
		}
		return h(c, p, u, role)
	})
}

// withDashboard looks up the dashboard of the dashboardUuid path parameter,
// or of dashboardUuidOrSlug (a uuid, or a slug: the first dashboard by
// uuid that has it).
func withDashboard(h func(*call, *ldDashboard) (int, any)) handlerFunc {
	return func(c *call) (int, any) {
		id := c.param("dashboardUuid")
		if id == "" {
			id = c.param("dashboardUuidOrSlug")
		}
		d := c.s.ld.dashboards[id]
		if d == nil {
			for _, x := range sortedDashboards(c.s.ld.dashboards) {
				if slugify(x.Name) == id {
					d = x
					break
				}
			}
		}
		if d == nil {
			return c.fail(notFound("Dashboard %s not found", id))
		}
		return h(c, d)
	}
}

func withCreds(h func(*call, *ldCreds) (int, any)) handlerFunc {
	return func(c *call) (int, any) {
		cr := c.s.ld.creds[c.param("uuid")]
		if cr == nil || cr.User != c.s.ld.me {
			return c.fail(notFound("Warehouse credentials %s not found", c.param("uuid")))
		}
		return h(c, cr)
	}
}
