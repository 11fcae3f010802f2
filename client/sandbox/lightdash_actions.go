package sandbox

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Lightdash operations that change state: accounts, credentials, groups,
// access, spaces, comments and dashboard promotion.

func ldRegister(c *call) (int, any) {
	b := c.bodyMap()
	email := strings.ToLower(str(b, "email"))
	if email == "" {
		// Activation with an invite code: the sandbox sends no invite emails,
		// so any non-empty code activates a new invited user.
		if strings.TrimSpace(str(b, "inviteCode")) == "" {
			return c.fail(notFound("Invite code not found or expired"))
		}
		email = fmt.Sprintf("invited.user%d@jaffle-shop.example", c.s.nextID("ld.invite", 0))
	}
	for _, u := range c.s.ld.users {
		if strings.EqualFold(u.Email, email) {
			return c.fail(&apiError{status: 409, msg: "Email already in use"})
		}
	}
	u := &ldUser{UUID: uuidFor("ld-user", c.s.nextID("ld.user", 0)), First: str(b, "firstName"), Last: str(b, "lastName"),
		Email: email, Role: "member", Active: true, ID: c.s.nextID("ld.userid", 4), Created: c.s.now()}
	c.s.ld.users[u.UUID] = u
	c.s.ld.userOrder = append(c.s.ld.userOrder, u.UUID)
	return ldOK(c.s.ldUserView(u))
}

func ldListCreds(c *call) (int, any) {
	var crs []*ldCreds
	for _, cr := range c.s.ld.creds {
		if cr.User == c.s.ld.me {
			crs = append(crs, cr)
		}
	}
	sortBy(crs, func(cr *ldCreds) string { return cr.UUID })
	out := []any{}
	for _, cr := range crs {
		out = append(out, c.s.ldCredsView(cr))
	}
	return ldOK(out)
}

func ldCreateCreds(c *call) (int, any) {
	b := c.bodyMap()
	cr := &ldCreds{UUID: uuidFor("ld-creds", c.s.nextID("ld.creds", 0)), User: c.s.ld.me, Created: c.s.now(), Updated: c.s.now()}
	applyCreds(cr, b)
	c.s.ld.creds[cr.UUID] = cr
	return ldOK(c.s.ldCredsView(cr))
}

// applyCreds stores name and credentials; secrets sent by the user are not
// echoed back (as Lightdash does).
func applyCreds(cr *ldCreds, b map[string]any) {
	if n := str(b, "name"); n != "" {
		cr.Name = n
	}
	if m, ok := b["credentials"].(map[string]any); ok {
		cr.Type = str(m, "type")
		cr.WUser = str(m, "user")
		cr.Password = ""
	}
}

func ldUpdateCreds(c *call, cr *ldCreds) (int, any) {
	applyCreds(cr, c.bodyMap())
	cr.Updated = c.s.now()
	return ldOK(c.s.ldCredsView(cr))
}

func ldCreateGroup(c *call) (int, any) {
	b := c.bodyMap()
	name := strings.TrimSpace(str(b, "name"))
	for _, g := range c.s.ld.groups {
		if strings.EqualFold(g.Name, name) {
			return c.fail(&apiError{status: 409, msg: fmt.Sprintf("Group %q already exists", name)})
		}
	}
	g := &ldGroup{UUID: uuidFor("ld-group", c.s.nextID("ld.group", 0)), Name: name, Created: c.s.now(), Members: []string{}}
	members, _ := b["members"].([]any)
	for _, m := range members {
		mm, _ := m.(map[string]any)
		uid := str(mm, "userUuid")
		if c.s.ld.users[uid] == nil {
			return c.fail(notFound("User %s not found", uid))
		}
		g.Members = append(g.Members, uid)
	}
	c.s.ld.groups[g.UUID] = g
	return ldOK(c.s.ldGroupView(g, len(g.Members)))
}

// ldListMembers lists the organization's members, optionally only those
// who can see a project or whose name or email contains searchQuery; with
// page or pageSize, one page of them with its pagination.
func ldListMembers(c *call) (int, any) {
	q := strings.ToLower(c.query.Get("searchQuery"))
	var p *ldProj
	if id := c.query.Get("projectUuid"); id != "" {
		if p = c.s.ld.projects[id]; p == nil {
			return c.fail(notFound("Project %s not found", id))
		}
	}
	var all []any
	for _, id := range c.s.ld.userOrder {
		u := c.s.ld.users[id]
		if u == nil || (p != nil && p.Access[id] == "" && !c.s.ldGroupAccess(p, id)) {
			continue
		}
		if q != "" && !strings.Contains(strings.ToLower(u.First+" "+u.Last+" "+u.Email), q) {
			continue
		}
		all = append(all, c.s.ldMember(u))
	}
	return ldOK(ldPaginate(c, all))
}

// ldGroupAccess reports whether one of uid's groups has access to p.
func (s *Sandbox) ldGroupAccess(p *ldProj, uid string) bool {
	for gid := range p.GroupAccess {
		if g := s.ld.groups[gid]; g != nil && slices.Contains(g.Members, uid) {
			return true
		}
	}
	return false
}

// ldListGroups lists the organization's groups by name, with up to
// includeMembers members each, optionally those whose name contains
// searchQuery; with page or pageSize, one page of them.
func ldListGroups(c *call) (int, any) {
	members := c.queryInt("includeMembers", 0)
	q := strings.ToLower(c.query.Get("searchQuery"))
	var gs []*ldGroup
	for _, g := range c.s.ld.groups {
		if q == "" || strings.Contains(strings.ToLower(g.Name), q) {
			gs = append(gs, g)
		}
	}
	sortBy(gs, func(g *ldGroup) string { return g.Name })
	var all []any
	for _, g := range gs {
		all = append(all, c.s.ldGroupView(g, members))
	}
	return ldOK(ldPaginate(c, all))
}

// ldPaginate is Lightdash's KnexPaginatedData: {data} for the whole list,
// or, when the request names a page or a pageSize, {data, pagination} for
// that page (pages start at 1).
func ldPaginate(c *call, all []any) map[string]any {
	if all == nil {
		all = []any{}
	}
	if c.query.Get("page") == "" && c.query.Get("pageSize") == "" {
		return map[string]any{"data": all}
	}
	pg, size := max(c.queryInt("page", 1), 1), max(c.queryInt("pageSize", 100), 1)
	data := page(all, (pg-1)*size, size)
	return map[string]any{"data": data, "pagination": map[string]any{"page": pg, "pageSize": size,
		"totalResults": len(all), "totalPageCount": (len(all) + size - 1) / size}}
}

func ldGrantProject(c *call, p *ldProj) (int, any) {
	b := c.bodyMap()
	email := strings.ToLower(str(b, "email"))
	var u *ldUser
	for _, x := range c.s.ld.users {
		if strings.EqualFold(x.Email, email) {
			u = x
		}
	}
	if u == nil { // invite
		name, _, _ := strings.Cut(email, "@")
		u = &ldUser{UUID: uuidFor("ld-user", c.s.nextID("ld.user", 0)), First: name, Last: "", Email: email, Role: "member",
			ID: c.s.nextID("ld.userid", 4), Created: c.s.now(), Pending: true}
		c.s.ld.users[u.UUID] = u
		c.s.ld.userOrder = append(c.s.ld.userOrder, u.UUID)
	}
	if _, ok := p.Access[u.UUID]; ok {
		return c.fail(&apiError{status: 409, msg: fmt.Sprintf("%s already has access to this project", email)})
	}
	p.Access[u.UUID] = str(b, "role")
	return okEmpty()
}

func ldCreateSpace(c *call, p *ldProj) (int, any) {
	b := c.bodyMap()
	sp := &ldSpace{UUID: uuidFor("ld-space", c.s.nextID("ld.space", 0)), Project: p.UUID, Name: str(b, "name"),
		Access: map[string]string{c.s.ld.me: "admin"}, Groups: map[string]string{}, Created: c.s.now()}
	sp.Slug = slugify(sp.Name)
	if parent := str(b, "parentSpaceUuid"); parent != "" {
		if ps := c.s.ld.spaces[parent]; ps == nil || ps.Project != p.UUID {
			return c.fail(notFound("Parent space %s not found", parent))
		}
		sp.Parent = parent
	}
	if inherit, ok := b["inheritParentPermissions"].(bool); ok {
		sp.Private = !inherit
	}
	if arr, ok := b["access"].([]any); ok {
		for _, a := range arr {
			m, _ := a.(map[string]any)
			if uid := str(m, "userUuid"); c.s.ld.users[uid] != nil {
				sp.Access[uid] = str(m, "role")
			}
		}
	}
	c.s.ld.spaces[sp.UUID] = sp
	return ldOK(c.s.ldSpaceView(sp))
}

// comments -------------------------------------------------------------------

func (s *Sandbox) ldComment(d *ldDashboard, id string) *ldComment {
	for _, cm := range s.ld.comments {
		if cm.ID == id && cm.Dashboard == d.UUID {
			return cm
		}
	}
	return nil
}

func ldCreateComment(c *call, d *ldDashboard) (int, any) {
	tile := c.param("dashboardTileUuidOrCommentId")
	if !slices.ContainsFunc(d.Tiles, func(t ldTile) bool { return t.UUID == tile }) {
		return c.fail(notFound("Tile %s not found on dashboard %s", tile, d.Name))
	}
	b := c.bodyMap()
	cm := &ldComment{ID: uuidFor("ld-comment", c.s.nextID("ld.comment", 0)), Dashboard: d.UUID, Tile: tile, Text: str(b, "text"),
		HTML: str(b, "textHtml"), User: c.s.ld.me, ReplyTo: str(b, "replyTo"), Mentions: strList(b, "mentions"), Created: c.s.now()}
	if cm.ReplyTo != "" && c.s.ldComment(d, cm.ReplyTo) == nil {
		return c.fail(notFound("Comment %s not found", cm.ReplyTo))
	}
	c.s.ld.comments = append(c.s.ld.comments, cm)
	return ldOK(cm.ID)
}

func (s *Sandbox) ldCommentView(cm *ldComment) map[string]any {
	name := "Unknown user"
	if u := s.ld.users[cm.User]; u != nil {
		name = u.First + " " + u.Last
	}
	out := map[string]any{"commentId": cm.ID, "text": cm.Text, "textHtml": cm.HTML, "createdAt": ptime(cm.Created),
		"user": map[string]any{"name": name}, "resolved": cm.Resolved, "canRemove": cm.User == s.ld.me, "mentions": anyList(cm.Mentions)}
	if cm.ReplyTo != "" {
		out["replyTo"] = cm.ReplyTo
	}
	return out
}

func ldGetComments(c *call, d *ldDashboard) (int, any) {
	out := map[string]any{}
	for _, cm := range c.s.ld.comments {
		if cm.Dashboard != d.UUID || cm.ReplyTo != "" {
			continue
		}
		v := c.s.ldCommentView(cm)
		var replies []any
		for _, r := range c.s.ld.comments {
			if r.ReplyTo == cm.ID {
				replies = append(replies, c.s.ldCommentView(r))
			}
		}
		if replies != nil {
			v["replies"] = replies
		}
		list, _ := out[cm.Tile].([]any)
		out[cm.Tile] = append(list, v)
	}
	return ldOK(out)
}

// dashboards & promotion -------------------------------------------------------

func (s *Sandbox) ldDashboardDAO(d *ldDashboard) map[string]any {
	var tiles []any
	for _, t := range d.Tiles {
		tile := map[string]any{"uuid": t.UUID, "type": t.Type, "x": t.X, "y": t.Y, "w": t.W, "h": t.H}
		switch t.Type {
		case "saved_chart":
			props := map[string]any{"savedChartUuid": t.Chart, "belongsToDashboard": false, "hideTitle": false, "chartName": nil, "lastVersionChartKind": nil}
			if ch := s.ld.charts[t.Chart]; ch != nil {
				props["chartName"], props["title"], props["lastVersionChartKind"] = ch.Name, ch.Name, ch.Kind
				props["belongsToDashboard"] = ch.Dashboard == d.UUID
			}
			tile["properties"] = props
		case "markdown":
			tile["properties"] = map[string]any{"title": t.Title, "content": t.Content}
		}
		tiles = append(tiles, tile)
	}
	if tiles == nil {
		tiles = []any{}
	}
	sp := s.ld.spaces[d.Space]
	spaceName := ""
	if sp != nil {
		spaceName = sp.Name
	}
	filters := d.Filters
	if filters == nil {
		filters = []any{}
	}
	return map[string]any{"uuid": d.UUID, "name": d.Name, "description": d.Description, "spaceUuid": d.Space, "spaceName": spaceName,
		"projectUuid": d.Project, "organizationUuid": ldOrgUUID, "pinnedListUuid": nil, "pinnedListOrder": nil,
		"dashboardVersionId": d.Version, "updatedAt": ptime(d.Updated), "tiles": tiles,
		"filters":       map[string]any{"dimensions": filters, "metrics": []any{}, "tableCalculations": []any{}},
		"updatedByUser": s.ldUpdatedBy(d.UpdatedBy), "views": d.Views, "firstViewedAt": ptime(d.Updated.Add(-60 * 24 * time.Hour)),
		"tabs": []any{}, "slug": slugify(d.Name)}
}

func (s *Sandbox) ldSavedChart(ch *ldChart) map[string]any {
	sp := s.ld.spaces[ch.Space]
	out := s.ldChartSummary(ch)
	out["tableName"] = ch.Explore
	out["updatedAt"] = ptime(ch.Updated)
	out["updatedByUser"] = s.ldUpdatedBy(ch.UpdatedBy)
	out["pinnedListOrder"] = nil
	out["slug"] = slugify(ch.Name)
	out["colorPalette"] = s.ld.org["chartColors"]
	filters := ch.Filters
	if filters == nil {
		filters = map[string]any{}
	}
	extra := []any{}
	if ch.CustomMetric != nil {
		extra = []any{ch.CustomMetric}
	}
	out["metricQuery"] = map[string]any{"exploreName": ch.Explore, "dimensions": anyList(ch.Dims), "metrics": anyList(ch.Metrics),
		"filters": filters, "sorts": ch.Sorts, "limit": 500, "tableCalculations": []any{}, "additionalMetrics": extra}
	out["chartConfig"] = map[string]any{"type": ch.Type}
	out["tableConfig"] = map[string]any{"columnOrder": anyList(append(slices.Clone(ch.Dims), ch.Metrics...))}
	if sp != nil {
		out["spaceSlug"] = sp.Slug
	}
	return out
}

// ldUpstream returns the upstream project of dashboard d's project, or
// Lightdash's answer to promoting without one (a NotFoundError worded for
// charts, as Lightdash words it for dashboards too).
func (c *call) ldUpstream(d *ldDashboard) (*ldProj, *apiError) {
	p := c.s.ld.projects[d.Project]
	if p == nil || p.Upstream == "" || c.s.ld.projects[p.Upstream] == nil {
		return nil, notFound("This chart does not have an upstream project")
	}
	return c.s.ld.projects[p.Upstream], nil
}

func ldPromoteDiff(c *call, d *ldDashboard) (int, any) {
	if _, err := c.ldUpstream(d); err != nil {
		return c.fail(err)
	}
	up := c.s.ld.dashboards[d.Upstream]
	action := func(exists bool, changed bool) string {
		switch {
		case !exists:
			return "create"
		case changed:
			return "update"
		}
		return "no changes"
	}
	var charts []any
	for _, t := range d.Tiles {
		ch := c.s.ld.charts[t.Chart]
		if ch == nil {
			continue
		}
		upc := c.s.ld.charts[ch.Upstream]
		data := c.s.ldSavedChart(ch)
		data["oldUuid"] = ch.UUID
		changed := upc != nil && (upc.Description != ch.Description || upc.Name != ch.Name)
		charts = append(charts, map[string]any{"action": action(upc != nil, changed), "data": data})
	}
	dd := c.s.ldDashboardDAO(d)
	if sp := c.s.ld.spaces[d.Space]; sp != nil {
		dd["spaceSlug"] = sp.Slug
	}
	changed := up != nil && (up.Description != d.Description || up.Name != d.Name)
	var spaces []any
	if sp := c.s.ld.spaces[d.Space]; sp != nil {
		sum := c.s.ldSpaceSummary(sp)
		delete(sum, "userAccess")
		spaces = append(spaces, map[string]any{"action": action(sp.Upstream != "" && c.s.ld.spaces[sp.Upstream] != nil, false), "data": sum})
	}
	orEmpty := func(x []any) []any {
		if x == nil {
			return []any{}
		}
		return x
	}
	return ldOK(map[string]any{"charts": orEmpty(charts), "spaces": orEmpty(spaces),
		"dashboards": []any{map[string]any{"action": action(up != nil, changed), "data": dd}}})
}

func ldPromote(c *call, d *ldDashboard) (int, any) {
	upProj, err := c.ldUpstream(d)
	if err != nil {
		return c.fail(err)
	}
	now := c.s.now()
	// space
	sp := c.s.ld.spaces[d.Space]
	upSpace := ""
	if sp != nil && c.s.ld.spaces[sp.Upstream] != nil {
		upSpace = sp.Upstream
	} else {
		ns := &ldSpace{UUID: uuidFor("ld-space", c.s.nextID("ld.space", 0)), Project: upProj.UUID, Name: d.Name, Slug: slugify(d.Name),
			Access: map[string]string{c.s.ld.me: "admin"}, Groups: map[string]string{}, Created: now}
		if sp != nil {
			ns.Name, ns.Slug = sp.Name, sp.Slug
			sp.Upstream = ns.UUID
		}
		c.s.ld.spaces[ns.UUID] = ns
		upSpace = ns.UUID
	}
	// charts
	var tiles []ldTile
	promoted := map[*ldChart]*ldChart{} // upstream chart -> promoted one
	for _, t := range d.Tiles {
		nt := t
		if ch := c.s.ld.charts[t.Chart]; ch != nil {
			upc := c.s.ld.charts[ch.Upstream]
			if upc == nil {
				cp := *ch
				cp.UUID = uuidFor("ld-chart", c.s.nextID("ld.chart", 0))
				cp.Project, cp.Space, cp.Upstream = upProj.UUID, upSpace, ""
				upc = &cp
				c.s.ld.charts[cp.UUID] = upc
				ch.Upstream = cp.UUID
			}
			upc.Name, upc.Description, upc.Dims, upc.Metrics, upc.Kind, upc.Type = ch.Name, ch.Description, ch.Dims, ch.Metrics, ch.Kind, ch.Type
			promoted[upc] = ch
			upc.Updated, upc.UpdatedBy = now, c.s.ld.me
			nt.Chart = upc.UUID
		}
		tiles = append(tiles, nt)
	}
	up := c.s.ld.dashboards[d.Upstream]
	if up == nil {
		up = &ldDashboard{UUID: uuidFor("ld-dashboard", c.s.nextID("ld.dashboard", 0)), Project: upProj.UUID, Space: upSpace, Filters: []any{}}
		c.s.ld.dashboards[up.UUID] = up
		d.Upstream = up.UUID
	}
	keep := up.Tiles
	up.Name, up.Description, up.Updated, up.UpdatedBy = d.Name, d.Description, now, c.s.ld.me
	up.Version++
	// promotion replaces the promoted charts' tiles and keeps the others
	for _, t := range keep {
		if !slices.ContainsFunc(tiles, func(x ldTile) bool { return x.Chart == t.Chart }) {
			tiles = append(tiles, t)
		}
	}
	up.Tiles = tiles
	// A chart saved in the promoted dashboard is saved in the upstream one;
	// a chart saved in a space stays in its space.
	for upc, ch := range promoted {
		upc.Dashboard = ""
		if ch.Dashboard != "" {
			upc.Dashboard = up.UUID
		}
	}
	return ldOK(c.s.ldDashboardDAO(up))
}
