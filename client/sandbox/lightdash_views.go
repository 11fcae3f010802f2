package sandbox

import (
	"slices"
	"strings"
	"time"
)

// Lightdash views: the JSON shapes of users, spaces, charts, dashboards...

func (s *Sandbox) ldUserView(u *ldUser) map[string]any {
	return map[string]any{"userUuid": u.UUID, "userId": u.ID, "email": u.Email, "firstName": u.First, "lastName": u.Last,
		"organizationUuid": ldOrgUUID, "organizationName": s.ld.org["name"], "organizationCreatedAt": ptime(ldOrgCreated),
		"isTrackingAnonymized": false, "isMarketingOptedIn": false, "isSetupComplete": true, "role": u.Role, "isActive": u.Active,
		"isPending": u.Pending, "createdAt": ptime(u.Created), "updatedAt": ptime(u.Created), "timezone": nil}
}

func (s *Sandbox) ldEmailStatus() map[string]any {
	u := s.ld.users[s.ld.me]
	out := map[string]any{"email": u.Email, "isVerified": s.ld.verified}
	if exp := s.ld.emailOTP; exp != nil {
		out["otp"] = map[string]any{"createdAt": ptime(exp.Add(-15 * time.Minute)), "numberOfAttempts": 0,
			"expiresAt": ptime(*exp), "isExpired": !s.now().Before(*exp), "isMaxAttempts": false}
	}
	return out
}

func (s *Sandbox) ldMember(u *ldUser) map[string]any {
	return map[string]any{"userUuid": u.UUID, "firstName": u.First, "lastName": u.Last, "email": u.Email,
		"organizationUuid": ldOrgUUID, "role": u.Role, "isActive": u.Active, "isInviteExpired": false, "isPending": u.Pending,
		"userCreatedAt": ptime(u.Created), "userUpdatedAt": ptime(u.Created)}
}

func (s *Sandbox) ldDomains() map[string]any {
	out := copyMap(s.ld.domains)
	out["organizationUuid"] = ldOrgUUID
	return out
}

// ldGroupView is a Group, or with members > 0 a GroupWithMembers listing
// up to that many of its members.
func (s *Sandbox) ldGroupView(g *ldGroup, members int) map[string]any {
	out := map[string]any{"uuid": g.UUID, "name": g.Name, "createdAt": ptime(g.Created), "updatedAt": ptime(g.Created),
		"organizationUuid": ldOrgUUID, "createdByUserUuid": nil, "updatedByUserUuid": nil}
	if members > 0 {
		list := []any{}
		for _, id := range g.Members {
			if u := s.ld.users[id]; u != nil && len(list) < members {
				list = append(list, map[string]any{"userUuid": u.UUID, "email": u.Email, "firstName": u.First, "lastName": u.Last})
			}
		}
		out["members"] = list
		out["memberUuids"] = anyList(g.Members)
	}
	return out
}

func (s *Sandbox) ldProjects() []*ldProj {
	var ps []*ldProj
	for _, p := range s.ld.projects {
		ps = append(ps, p)
	}
	sortBy(ps, func(p *ldProj) string { return p.UUID })
	return ps
}

func (s *Sandbox) ldProjectView(p *ldProj) map[string]any {
	out := map[string]any{
		"projectUuid": p.UUID, "name": p.Name, "type": p.Type, "organizationUuid": ldOrgUUID, "dbtVersion": "v1.7",
		"dbtConnection": map[string]any{"type": "github", "repository": "jaffle-labs/jaffle_shop", "branch": "main",
			"project_sub_path": "/", "host_domain": "github.com", "target": "prod", "environment": []any{},
			"personal_access_token": canaryLightdashDbtPAT},
		"warehouseConnection": map[string]any{"type": "snowflake", "account": "jaffle-xy12345", "database": "ANALYTICS",
			"warehouse": "TRANSFORMING", "schema": "MARTS", "role": "LIGHTDASH_ROLE", "requireUserCredentials": false,
			"clientSessionKeepAlive": false, "threads": 4, "startOfWeek": nil},
	}
	if p.Type == "PREVIEW" {
		out["dbtConnection"].(map[string]any)["branch"] = "feature/exclude-test-orders"
		out["dbtConnection"].(map[string]any)["target"] = "dev"
		out["warehouseConnection"].(map[string]any)["schema"] = "MARTS"
		out["warehouseConnection"].(map[string]any)["warehouse"] = "DEV_WH"
	}
	if p.Upstream != "" {
		out["upstreamProjectUuid"] = p.Upstream
	}
	return out
}

func (s *Sandbox) ldProjectMember(p *ldProj, u *ldUser, role string) map[string]any {
	return map[string]any{"projectUuid": p.UUID, "userUuid": u.UUID, "email": u.Email, "firstName": u.First, "lastName": u.Last, "role": role}
}

func (s *Sandbox) ldDeleteUser(id string) {
	delete(s.ld.users, id)
	s.ld.userOrder = slices.DeleteFunc(s.ld.userOrder, func(x string) bool { return x == id })
	for _, p := range s.ld.projects {
		delete(p.Access, id)
	}
	for _, sp := range s.ld.spaces {
		delete(sp.Access, id)
	}
	for _, g := range s.ld.groups {
		g.Members = slices.DeleteFunc(g.Members, func(x string) bool { return x == id })
	}
}

func (s *Sandbox) ldChartsOf(project, space string) []*ldChart {
	var out []*ldChart
	for _, ch := range s.ld.charts {
		if ch.Project == project && (space == "" || ch.Space == space) {
			out = append(out, ch)
		}
	}
	sortBy(out, func(c *ldChart) string { return c.UUID })
	return out
}

func (s *Sandbox) ldSpacesOf(project string) []*ldSpace {
	var out []*ldSpace
	for _, sp := range s.ld.spaces {
		if sp.Project == project {
			out = append(out, sp)
		}
	}
	sortBy(out, func(sp *ldSpace) string { return sp.Name + sp.UUID })
	return out
}

func (s *Sandbox) ldUpdatedBy(uid string) any {
	u := s.ld.users[uid]
	if u == nil {
		return nil
	}
	return map[string]any{"userUuid": u.UUID, "firstName": u.First, "lastName": u.Last}
}

func (s *Sandbox) ldValidationSummaries(chart, dashboard string) []any {
	out := []any{}
	for _, v := range s.ld.validations {
		if s.ld.dismissed[v.ID] || (chart != "" && v.Chart != chart) || (dashboard != "" && v.Dashboard != dashboard) || (chart == "" && dashboard == "") {
			continue
		}
		out = append(out, map[string]any{"validationId": v.ID, "error": v.Error, "createdAt": ptime(v.Created)})
	}
	return out
}

func (s *Sandbox) ldChartSummary(ch *ldChart) map[string]any {
	sp := s.ld.spaces[ch.Space]
	out := map[string]any{"uuid": ch.UUID, "name": ch.Name, "description": ch.Description, "spaceUuid": ch.Space, "spaceName": "",
		"projectUuid": ch.Project, "organizationUuid": ldOrgUUID, "pinnedListUuid": nil, "dashboardUuid": nil, "dashboardName": nil,
		"chartKind": ch.Kind, "chartType": ch.Type}
	if sp != nil {
		out["spaceName"] = sp.Name
	}
	if d := s.ld.dashboards[ch.Dashboard]; d != nil {
		out["dashboardUuid"], out["dashboardName"] = d.UUID, d.Name
	}
	return out
}

func (s *Sandbox) ldSpaceQuery(ch *ldChart) map[string]any {
	out := s.ldChartSummary(ch)
	out["updatedAt"] = ptime(ch.Updated)
	out["updatedByUser"] = s.ldUpdatedBy(ch.UpdatedBy)
	out["pinnedListOrder"] = nil
	out["views"] = ch.Views
	out["firstViewedAt"] = ptime(ch.Updated.Add(-90 * 24 * time.Hour))
	out["validationErrors"] = s.ldValidationSummaries(ch.UUID, "")
	return out
}

func (s *Sandbox) ldSpaceDashboard(d *ldDashboard) map[string]any {
	return map[string]any{"uuid": d.UUID, "name": d.Name, "description": d.Description, "updatedAt": ptime(d.Updated),
		"projectUuid": d.Project, "updatedByUser": s.ldUpdatedBy(d.UpdatedBy), "organizationUuid": ldOrgUUID,
		"spaceUuid": d.Space, "views": d.Views, "firstViewedAt": ptime(d.Updated.Add(-60 * 24 * time.Hour)),
		"pinnedListUuid": nil, "pinnedListOrder": nil, "validationErrors": s.ldValidationSummaries("", d.UUID)}
}

func (s *Sandbox) ldSpaceShare(sp *ldSpace, uid string) map[string]any {
	u := s.ld.users[uid]
	return map[string]any{"userUuid": uid, "firstName": u.First, "lastName": u.Last, "email": u.Email,
		"role": sp.Access[uid], "hasDirectAccess": true}
}

func (s *Sandbox) ldSpaceSummary(sp *ldSpace) map[string]any {
	charts := s.ldChartsOf(sp.Project, sp.UUID)
	dashes := 0
	for _, d := range s.ld.dashboards {
		if d.Space == sp.UUID {
			dashes++
		}
	}
	var access []any
	for _, uid := range sortedKeys(sp.Access) {
		if s.ld.users[uid] != nil {
			access = append(access, uid)
		}
	}
	if access == nil {
		access = []any{}
	}
	out := s.ldSpaceBase(sp)
	out["chartCount"], out["dashboardCount"], out["access"] = len(charts), dashes, access
	out["inheritsFromOrgOrProject"] = s.ldInherits(sp)
	if _, ok := sp.Access[s.ld.me]; ok {
		out["userAccess"] = s.ldSpaceShare(sp, s.ld.me)
	}
	return out
}

func (s *Sandbox) ldSpaceView(sp *ldSpace) map[string]any {
	var queries, dashboards, access, groups []any
	for _, ch := range s.ldChartsOf(sp.Project, sp.UUID) {
		queries = append(queries, s.ldSpaceQuery(ch))
	}
	var ds []*ldDashboard
	for _, d := range s.ld.dashboards {
		if d.Space == sp.UUID {
			ds = append(ds, d)
		}
	}
	sortBy(ds, func(d *ldDashboard) string { return d.UUID })
	for _, d := range ds {
		dashboards = append(dashboards, s.ldSpaceDashboard(d))
	}
	for _, uid := range sortedKeys(sp.Access) {
		if s.ld.users[uid] != nil {
			access = append(access, s.ldSpaceShare(sp, uid))
		}
	}
	for _, gid := range sortedKeys(sp.Groups) {
		if g := s.ld.groups[gid]; g != nil {
			groups = append(groups, map[string]any{"groupUuid": gid, "groupName": g.Name, "spaceRole": sp.Groups[gid]})
		}
	}
	orEmpty := func(x []any) []any {
		if x == nil {
			return []any{}
		}
		return x
	}
	var children, crumbs []any
	for _, c := range s.ldSpacesOf(sp.Project) {
		if c.Parent == sp.UUID {
			children = append(children, s.ldSpaceBase(c))
		}
	}
	for a := s.ld.spaces[sp.Parent]; a != nil; a = s.ld.spaces[a.Parent] {
		_, access := a.Access[s.ld.me]
		crumbs = append([]any{map[string]any{"uuid": a.UUID, "name": a.Name, "hasAccess": access || !a.Private}}, crumbs...)
	}
	out := s.ldSpaceBase(sp)
	delete(out, "childSpaceCount")
	delete(out, "appCount")
	for k, v := range map[string]any{"queries": orEmpty(queries), "dashboards": orEmpty(dashboards), "access": orEmpty(access),
		"groupsAccess": orEmpty(groups), "childSpaces": orEmpty(children), "breadcrumbs": orEmpty(crumbs),
		"inheritsFromOrgOrProject": s.ldInherits(sp), "colorPaletteUuid": nil} {
		out[k] = v
	}
	return out
}

// ldSpaceBase is a SpaceSummaryBase: a space's identity, place in the tree
// and counts.
func (s *Sandbox) ldSpaceBase(sp *ldSpace) map[string]any {
	children := 0
	for _, c := range s.ld.spaces {
		if c.Parent == sp.UUID {
			children++
		}
	}
	var parent any
	if sp.Parent != "" {
		parent = sp.Parent
	}
	return map[string]any{"uuid": sp.UUID, "name": sp.Name, "projectUuid": sp.Project, "organizationUuid": ldOrgUUID,
		"inheritParentPermissions": !sp.Private, "projectMemberAccessRole": nil, "parentSpaceUuid": parent, "path": s.ldSpacePath(sp),
		"pinnedListUuid": nil, "pinnedListOrder": nil, "slug": sp.Slug, "childSpaceCount": children, "appCount": 0,
		"chartCount": len(s.ldChartsOf(sp.Project, sp.UUID)), "dashboardCount": s.ldDashboardCount(sp)}
}

// ldSpacePath is a space's ltree path: its ancestors' slugs and its own,
// joined by dots (dashes become underscores).
func (s *Sandbox) ldSpacePath(sp *ldSpace) string {
	path := strings.ReplaceAll(sp.Slug, "-", "_")
	for a := s.ld.spaces[sp.Parent]; a != nil; a = s.ld.spaces[a.Parent] {
		path = strings.ReplaceAll(a.Slug, "-", "_") + "." + path
	}
	return path
}

func (s *Sandbox) ldDashboardCount(sp *ldSpace) int {
	n := 0
	for _, d := range s.ld.dashboards {
		if d.Space == sp.UUID {
			n++
		}
	}
	return n
}

// ldInherits reports whether a space's access comes from the organization
// or project: it and its ancestors all inherit their parent's permissions.
func (s *Sandbox) ldInherits(sp *ldSpace) bool {
	for a := sp; a != nil; a = s.ld.spaces[a.Parent] {
		if a.Private {
			return false
		}
	}
	return true
}

func (s *Sandbox) ldCredsView(cr *ldCreds) map[string]any {
	creds := map[string]any{"type": cr.Type}
	if cr.Type != "bigquery" && cr.Type != "databricks" {
		creds["user"] = cr.WUser
	}
	if cr.Password != "" {
		creds["password"] = cr.Password
	}
	return map[string]any{"uuid": cr.UUID, "userUuid": cr.User, "name": cr.Name, "createdAt": ptime(cr.Created),
		"updatedAt": ptime(cr.Updated), "credentials": creds}
}

func (s *Sandbox) ldValidationView(v *ldValidation) map[string]any {
	out := map[string]any{"validationId": v.ID, "createdAt": ptime(v.Created), "error": v.Error, "errorType": v.ErrorType,
		"fieldName": v.Field, "projectUuid": v.Project, "source": v.Source}
	if ch := s.ld.charts[v.Chart]; ch != nil {
		out["name"], out["chartName"], out["chartUuid"], out["chartKind"] = ch.Name, ch.Name, ch.UUID, ch.Kind
		out["spaceUuid"], out["chartViews"] = ch.Space, ch.Views
		out["lastUpdatedAt"] = ptime(ch.Updated)
		if u := s.ld.users[ch.UpdatedBy]; u != nil {
			out["lastUpdatedBy"] = u.First + " " + u.Last
		}
	}
	if d := s.ld.dashboards[v.Dashboard]; d != nil {
		out["name"], out["dashboardUuid"], out["spaceUuid"], out["dashboardViews"] = d.Name, d.UUID, d.Space, d.Views
		out["lastUpdatedAt"] = ptime(d.Updated)
		if u := s.ld.users[d.UpdatedBy]; u != nil {
			out["lastUpdatedBy"] = u.First + " " + u.Last
		}
	}
	if out["name"] == nil {
		out["name"] = v.Field
	}
	return out
}

func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
