// Lineage view of lineage_impact: the answer's nodes laid out left to right
// (warehouse lineage by depth, then the Lightdash explores, fields, charts
// and dashboards built on it, then the BI integrations), grouped by kind,
// searchable, with a node's details on click, large fan-outs collapsed, the
// answer's truncation shown, and nodes expandable with further
// lineage_impact calls through the host.
"use strict";

const FANOUT = 12; // children shown per node before "+N more"

const KINDS = {
  table: { one: "table", label: "Table", plural: "tables", badge: "T", color: "--k-table", lane: "depth" },
  column: { one: "column", label: "Column", plural: "columns", badge: "C", color: "--k-column", lane: "depth" },
  dbt: { one: "dbt node", label: "dbt node", plural: "dbt nodes", badge: "dbt", color: "--k-dbt", lane: "depth" },
  lightdash_explore: { one: "explore", label: "Lightdash explore", plural: "explores", badge: "E", color: "--k-explore", lane: 0 },
  lightdash_field: { one: "field", label: "Lightdash field", plural: "fields", badge: "F", color: "--k-field", lane: 1 },
  lightdash_chart: { one: "chart", label: "Lightdash chart", plural: "charts", badge: "Ch", color: "--k-chart", lane: 2 },
  lightdash_dashboard: { one: "dashboard", label: "Lightdash dashboard", plural: "dashboards", badge: "D", color: "--k-dashboard", lane: 3 },
  bi_integration: { one: "BI integration", label: "BI integration", plural: "BI integrations", badge: "BI", color: "--k-bi", lane: "bi" },
  other: { one: "other asset", label: "Asset", plural: "other assets", badge: "·", color: "--k-other", lane: "depth" },
};
const LIGHTDASH_LANES = ["Explores", "Fields", "Charts", "Dashboards"];
const KIND_ORDER = ["table", "column", "dbt", "lightdash_explore", "lightdash_field", "lightdash_chart", "lightdash_dashboard", "bi_integration", "other"];
const RELATIONS = {
  feeds: "feeds", base_table_of: "base table of", joined_into: "joined into",
  read_by: "read by", used_by: "used by", on_dashboard: "on dashboard",
};
const PROVIDERS = { datafold: "Datafold", lightdash: "Lightdash", posthog: "PostHog", pdc: "Pentaho Data Catalog", dbt: "dbt" };

// kindOf maps a node to one of KINDS: dbt models and dbt BI integrations
// are dbt nodes; unknown kinds fall back to "other".
function kindOf(n) {
  const k = String(n.kind || "");
  if (k.startsWith("dbt") || n.provider === "dbt") return "dbt";
  if (k === "bi_integration" && /dbt/i.test(n.integration_type || "")) return "dbt";
  return KINDS[k] ? k : "other";
}

const S = {
  input: null, // tool arguments
  answer: null, // the Impact
  nodes: new Map(), // id -> node
  edges: [], // {from, to, relation}
  edgeKeys: new Set(),
  frontier: new Set(),
  expanded: new Set(), // parents whose fan-out is shown whole
  selected: null,
  query: "",
  busy: "", // what a pending tool call does
  error: "", // an error result or failed call
  notice: "",
  toolName: "lineage_impact",
  added: 0, // nodes added by expanding
};

function setAnswer(a) {
  S.answer = a;
  S.nodes = new Map();
  S.edges = [];
  S.edgeKeys = new Set();
  S.expanded = new Set();
  S.added = 0;
  S.frontier = new Set((a.continue && a.continue.frontier) || []);
  for (const n of a.nodes || []) S.nodes.set(n.id, Object.assign({}, n));
  for (const e of a.edges || []) addEdge(e);
  if (S.selected && !S.nodes.has(S.selected)) S.selected = null;
}

function addEdge(e) {
  const key = e.from + "\u0000" + e.to + "\u0000" + e.relation;
  if (S.edgeKeys.has(key) || !S.nodes.has(e.from) || !S.nodes.has(e.to)) return;
  S.edgeKeys.add(key);
  S.edges.push({ from: e.from, to: e.to, relation: e.relation });
}

// merge adds an expansion's answer, started at node at, to the graph:
// depths are shifted by at's depth.
function merge(at, a) {
  const base = at.depth || 0;
  let added = 0;
  for (const n of a.nodes || []) {
    if (S.nodes.has(n.id)) continue;
    const copy = Object.assign({}, n, { depth: base + (n.depth || 0), root: false, expandedFrom: at.id });
    S.nodes.set(n.id, copy);
    added++;
  }
  for (const e of a.edges || []) addEdge(e);
  S.frontier.delete(at.id);
  for (const f of (a.continue && a.continue.frontier) || []) if (S.nodes.has(f)) S.frontier.add(f);
  S.added += added;
  return added;
}

// ---- layout -------------------------------------------------------------

function lanesOf(nodes) {
  let maxDepth = 0;
  for (const n of nodes) if (KINDS[kindOf(n)].lane === "depth" && n.kind !== "bi_integration") maxDepth = Math.max(maxDepth, n.depth || 0);
  const laneKey = (n) => {
    const l = n.kind === "bi_integration" ? "bi" : KINDS[kindOf(n)].lane;
    if (l === "depth") return "d" + (n.depth || 0);
    if (l === "bi") return "bi";
    return "l" + l;
  };
  const keys = [];
  for (let d = 0; d <= maxDepth; d++) keys.push("d" + d);
  for (let i = 0; i < 4; i++) keys.push("l" + i);
  keys.push("bi");
  const title = (k) => {
    if (k === "bi") return "BI and dbt integrations";
    if (k[0] === "l") return "Lightdash " + LIGHTDASH_LANES[+k.slice(1)].toLowerCase();
    const d = +k.slice(1);
    if (d === 0) return "Root";
    return (S.answer && S.answer.direction === "upstream" ? "Upstream " : "Depth ") + d;
  };
  return { keys, laneKey, title };
}

function childrenOf() {
  const out = new Map();
  const inc = new Map();
  for (const e of S.edges) {
    if (!out.has(e.from)) out.set(e.from, []);
    out.get(e.from).push(e.to);
    inc.set(e.to, (inc.get(e.to) || 0) + 1);
  }
  return { out, inc };
}

function matches(n, q) {
  if (!q) return false;
  const hay = [n.name, n.path, n.id, KINDS[kindOf(n)].label, n.space, n.chart_kind, n.table].filter(Boolean).join(" ").toLowerCase();
  return q.split(/\s+/).every((w) => hay.includes(w));
}

// visibleGraph decides which nodes show: everything reached from the roots
// through shown edges, where a node with more than FANOUT children shows
// the first FANOUT (until expanded) and a "+N more" card for the rest.
// Search matches always show.
function visibleGraph() {
  const { out, inc } = childrenOf();
  const { laneKey } = lanesOf([...S.nodes.values()]);
  const order = (a, b) => {
    const na = S.nodes.get(a), nb = S.nodes.get(b);
    const ka = KIND_ORDER.indexOf(kindOf(na)), kb = KIND_ORDER.indexOf(kindOf(nb));
    if ((na.depth || 0) !== (nb.depth || 0)) return (na.depth || 0) - (nb.depth || 0);
    if (ka !== kb) return ka - kb;
    return String(na.name).localeCompare(String(nb.name));
  };
  const visible = new Set();
  const queue = [];
  for (const n of S.nodes.values()) {
    if (n.root || !inc.get(n.id)) { visible.add(n.id); queue.push(n.id); }
  }
  const overflow = new Map(); // parent -> kids beyond FANOUT
  while (queue.length) {
    const id = queue.shift();
    const kids = (out.get(id) || []).slice().sort(order);
    let shown = kids;
    if (kids.length > FANOUT && !S.expanded.has(id)) {
      shown = kids.slice(0, FANOUT);
      overflow.set(id, kids.slice(FANOUT));
    }
    for (const k of shown) if (!visible.has(k)) { visible.add(k); queue.push(k); }
  }
  const q = S.query.trim().toLowerCase();
  const hits = new Set();
  if (q) for (const n of S.nodes.values()) if (matches(n, q)) { hits.add(n.id); visible.add(n.id); }
  const more = [];
  for (const [parent, rest] of overflow) {
    const hidden = rest.filter((k) => !visible.has(k));
    if (!hidden.length) continue;
    const first = S.nodes.get(hidden[0]);
    more.push({ id: "more:" + parent, parent, count: hidden.length, lane: laneKey(first), kind: kindOf(first), depth: first.depth || 0 });
  }
  return { visible, hits, more, laneKey };
}

// ---- rendering ------------------------------------------------------------

const app = document.getElementById("app");

function badge(kind, n) {
  let text = KINDS[kind].badge;
  if (kind === "lightdash_field" && n && n.field_type) text = n.field_type === "metric" ? "M" : "D";
  return h("span", { class: "badge", style: { "--k": `var(${KINDS[kind].color})` } }, text);
}

function subtitle(n) {
  const k = kindOf(n);
  switch (k) {
    case "table": return (n.path || "").split(".").slice(0, -1).join(".") || "table";
    case "column": {
      const t = n.table && S.nodes.get(n.table);
      return t ? t.name : (n.path || "").split(".").slice(-2, -1)[0] || "column";
    }
    case "lightdash_field": return [n.table, n.field_type].filter(Boolean).join(" · ");
    case "lightdash_chart": return [n.chart_kind, n.space].filter(Boolean).join(" · ") || "chart";
    case "lightdash_explore": return "explore";
    case "lightdash_dashboard": return "dashboard";
    case "bi_integration": case "dbt": return [n.integration_type, n.status].filter(Boolean).join(" · ") || KINDS[k].label;
  }
  return n.kind || "";
}

function render() {
  app.replaceChildren();
  const a = S.answer;
  if (!a) {
    const what = S.input && (S.input.column_path || S.input.table_path);
    app.append(S.error ? errorBanner(S.error) : h("div", { class: "empty" },
      h("div", { class: "row", style: { justifyContent: "center" } }, h("div", { class: "spinner" }),
        h("span", null, what ? `Tracing lineage of ${what}…` : "Waiting for lineage_impact…"))));
    return;
  }
  app.append(header(a));
  if (a.truncated) app.append(truncation(a));
  if (a.errors && a.errors.length) app.append(h("div", { class: "banner bad", "data-test": "errors" },
    h("b", null, "Some lookups failed; the graph may miss nodes."), h("ul", null, a.errors.map((e) => h("li", null, e)))));
  if (S.error) app.append(errorBanner(S.error));
  if (S.notice) app.append(h("div", { class: "banner info", "data-test": "notice" }, S.notice));
  app.append(toolbar());
  const g = visibleGraph();
  app.append(h("div", { class: "main" }, graph(g), S.selected && S.nodes.has(S.selected) ? details() : null));
  if (a.notes && a.notes.length) app.append(h("details", { class: "faint", style: { marginTop: "10px" } },
    h("summary", null, `Notes (${a.notes.length})`), h("ul", null, a.notes.map((n) => h("li", null, n)))));
  requestAnimationFrame(drawEdges);
}

function errorBanner(text) {
  return h("div", { class: "banner bad", "data-test": "error" }, h("b", null, "lineage_impact failed"), h("div", null, text));
}

function header(a) {
  const root = a.root || {};
  const dir = a.direction === "upstream" ? "Upstream lineage" : "Downstream impact";
  let status = h("span", { class: "pill ok", "data-test": "status" }, "Complete");
  if (a.truncated) status = h("span", { class: "pill warn", "data-test": "status" }, "Truncated");
  else if (!a.complete) status = h("span", { class: "pill bad", "data-test": "status" }, "Incomplete");
  const counts = {};
  for (const n of S.nodes.values()) if (!n.root) counts[kindOf(n)] = (counts[kindOf(n)] || 0) + 1;
  const chips = KIND_ORDER.filter((k) => counts[k]).map((k) => h("span", { class: "chip", "data-kind": k, "data-count": counts[k] },
    h("span", { class: "dot", style: { "--k": `var(${KINDS[k].color})` } }), h("b", null, fmtInt(counts[k])), " ", counts[k] === 1 ? KINDS[k].one : KINDS[k].plural));
  if (!chips.length) chips.push(h("span", { class: "chip" }, "Nothing reached"));
  return h("div", null,
    h("div", { class: "head" },
      h("div", { class: "grow" },
        h("h1", null, `${dir} of ${root.kind || "node"} `, h("span", { class: "path" }, root.path || "")),
        h("p", { class: "summary", "data-test": "summary" }, a.summary || "")),
      h("div", { class: "row" }, S.added ? h("span", { class: "pill info" }, `+${S.added} expanded`) : null, status)),
    h("div", { class: "chips", "data-test": "counts" }, chips,
      h("span", { class: "chip faint" }, `depth ${a.depth_reached} of ${a.max_depth}`)));
}

function truncation(a) {
  const c = a.continue || {};
  const next = c.next_arguments;
  const t = a.totals || {};
  const shown = (a.counts && (a.counts.columns || 0) + (a.counts.tables || 0)) || 0;
  const total = (t.columns || 0) + (t.tables || 0);
  return h("div", { class: "banner warn", "data-test": "truncated" },
    h("div", { class: "row wrap" },
      h("b", { class: "grow" }, `Truncated: this answer shows ${fmtInt(S.nodes.size)} nodes` +
        (total > shown ? `; the warehouse lineage has ${fmtInt(total)} columns and tables in all, ${fmtInt(shown)} shown.` : ".")),
      next ? h("button", { class: "primary", "data-test": "load-more", disabled: !!S.busy, onclick: () => loadMore(next) }, "Load more") : null),
    c.reasons && c.reasons.length ? h("ul", null, c.reasons.map((r) => h("li", null, r))) : null,
    c.hint ? h("div", { class: "muted", style: { marginTop: "4px" } }, "How to continue: " + c.hint) : null,
    S.frontier.size ? h("div", { class: "muted" }, `${fmtInt(S.frontier.size)} nodes where the walk stopped have a dashed border; select one and expand it.`) : null);
}

function toolbar() {
  const input = h("input", { type: "search", placeholder: "Search name, path or kind", value: S.query, "aria-label": "Search nodes", "data-test": "search" });
  input.addEventListener("input", () => { S.query = input.value; rerenderKeepFocus(); });
  input.addEventListener("keydown", (ev) => {
    if (ev.key !== "Enter") return;
    const { hits } = visibleGraph();
    const first = [...hits][0];
    if (first) select(first, true);
  });
  const g = visibleGraph();
  const info = S.query.trim() ? h("span", { class: "muted", "data-test": "match-count" }, `${g.hits.size} match${g.hits.size === 1 ? "" : "es"}`) : null;
  const collapsed = g.more.reduce((s, m) => s + m.count, 0);
  return h("div", { class: "toolbar" }, input, info, S.selected ? null : legend(), h("span", { class: "grow" }),
    S.busy ? h("span", { class: "row muted" }, h("span", { class: "spinner" }), S.busy) : null,
    collapsed ? h("button", { "data-test": "expand-all", onclick: () => { for (const m of g.more) S.expanded.add(m.parent); render(); } }, `Show ${fmtInt(collapsed)} collapsed`) : null,
    S.expanded.size ? h("button", { onclick: () => { S.expanded.clear(); render(); } }, "Collapse large groups") : null);
}

function rerenderKeepFocus() {
  const pos = document.activeElement && document.activeElement.selectionStart;
  render();
  const input = app.querySelector("input[type=search]");
  if (input) { input.focus(); if (pos != null) input.setSelectionRange(pos, pos); }
}

function graph(g) {
  const nodes = [...S.nodes.values()].filter((n) => g.visible.has(n.id));
  const { keys, title } = lanesOf([...S.nodes.values()]);
  const byLane = new Map();
  for (const n of nodes) {
    const k = g.laneKey(n);
    if (!byLane.has(k)) byLane.set(k, []);
    byLane.get(k).push({ node: n });
  }
  for (const m of g.more) {
    if (!byLane.has(m.lane)) byLane.set(m.lane, []);
    byLane.get(m.lane).push({ more: m });
  }
  const q = S.query.trim();
  const canvas = h("div", { class: "canvas", "data-test": "graph" });
  canvas.append(h("svg", { class: "edges", xmlns: "http://www.w3.org/2000/svg" }));
  for (const key of keys) {
    const items = byLane.get(key);
    if (!items || !items.length) continue;
    const lane = h("div", { class: "lane", "data-lane": key }, h("div", { class: "lane-title" }, title(key)));
    const groups = new Map();
    for (const it of items) {
      const k = it.node ? kindOf(it.node) : it.more.kind;
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k).push(it);
    }
    const kinds = [...groups.keys()].sort((x, y) => KIND_ORDER.indexOf(x) - KIND_ORDER.indexOf(y));
    for (const k of kinds) {
      const list = groups.get(k).sort((x, y) => {
        if (x.more || y.more) return x.more ? 1 : -1;
        if (!!x.node.root !== !!y.node.root) return x.node.root ? -1 : 1;
        return String(x.node.name).localeCompare(String(y.node.name));
      });
      const n = list.reduce((s, it) => s + (it.node ? 1 : it.more.count), 0);
      if (kinds.length > 1 || key.startsWith("d")) lane.append(h("div", { class: "group-title" },
        h("span", { class: "dot", style: { "--k": `var(${KINDS[k].color})` } }), `${fmtInt(n)} ${n === 1 ? KINDS[k].one : KINDS[k].plural}`));
      for (const it of list) lane.append(it.node ? card(it.node, q && !g.hits.has(it.node.id), g.hits.has(it.node.id)) : moreCard(it.more));
    }
    canvas.append(lane);
  }
  return h("div", { class: "viewport", "data-test": "viewport" }, canvas);
}

function card(n, dim, hit) {
  const k = kindOf(n);
  const cls = ["card", n.root && "root", S.frontier.has(n.id) && "frontier", S.selected === n.id && "selected", hit && "match", dim && "dim"].filter(Boolean).join(" ");
  return h("button", { class: cls, "data-id": n.id, "data-kind": k, title: n.path || n.name, onclick: () => select(n.id) },
    badge(k, n),
    h("span", { class: "txt" },
      h("div", { class: "name" }, breakable(n.name || n.id)),
      h("div", { class: "sub" }, subtitle(n))),
    n.root ? h("span", { class: "tag" }, "root") : null);
}

// breakable lets long identifiers wrap after _ . / and - rather than
// anywhere.
function breakable(text) {
  return String(text).split(/(?<=[_./-])/).flatMap((part, i) => (i ? [h("wbr"), part] : [part]));
}

function moreCard(m) {
  return h("button", { class: "card more", "data-id": m.id, "data-more-of": m.parent, "data-count": m.count,
    title: `Show the other ${m.count} of this node's children`, onclick: () => { S.expanded.add(m.parent); render(); } },
  `+${fmtInt(m.count)} more`);
}

function select(id, scroll) {
  S.selected = S.selected === id && !scroll ? null : id;
  render();
  if (scroll) {
    const el = app.querySelector(`.card[data-id="${CSS.escape(id)}"]`);
    if (el) el.scrollIntoView({ block: "nearest", inline: "nearest" });
  }
}

function details() {
  const n = S.selected && S.nodes.get(S.selected);
  if (!n) return null;
  const k = kindOf(n);
  const project = n.project_uuid && S.answer && (S.answer.lightdash_projects || []).find((p) => p.uuid === n.project_uuid);
  const rows = [
    ["Kind", KINDS[k].label + (k === "other" && n.kind ? ` (${n.kind})` : "")],
    ["Path", n.path && h("code", null, n.path)],
    ["Provider", PROVIDERS[n.provider] || n.provider],
    ["Depth", String(n.depth || 0) + (n.expandedFrom ? " (expanded)" : "")],
    ["Table", n.table && (S.nodes.get(n.table) ? S.nodes.get(n.table).path : n.table)],
    ["Field type", n.field_type],
    ["Chart", n.chart_kind],
    ["Space", n.space],
    ["Integration", n.integration_type],
    ["Status", n.status],
    ["Project", project ? project.name : n.project_uuid],
    ["Connection", n.connection],
    ["ID", h("code", null, n.id)],
  ].filter((r) => r[1]);
  const incoming = S.edges.filter((e) => e.to === n.id);
  const outgoing = S.edges.filter((e) => e.from === n.id);
  const rel = (title, list, other) => list.length ? h("div", { class: "rel" }, h("h3", null, `${title} (${list.length})`),
    h("ul", null, list.slice(0, 50).map((e) => {
      const o = S.nodes.get(e[other]);
      return h("li", null, h("span", { class: "r" }, RELATIONS[e.relation] || e.relation),
        h("button", { class: "link ellipsis", onclick: () => select(o.id, true) }, o.name || o.id));
    }), list.length > 50 ? h("li", { class: "faint" }, `… ${list.length - 50} more`) : null)) : null;
  const links = linksOf(n);
  const expandable = (k === "table" || k === "column") && n.path && !n.root;
  return h("aside", { class: "details", "data-test": "details", "data-id": n.id },
    h("h2", null, badge(k, n), h("span", null, n.name || n.id)),
    S.frontier.has(n.id) ? h("div", { class: "pill warn", style: { marginTop: "6px" } }, "lineage continues past this node") : null,
    h("dl", { class: "kv" }, rows.map(([t, v]) => [h("dt", null, t), h("dd", null, v)])),
    links.length ? h("div", { class: "rel" }, h("h3", null, "Links"), h("ul", null, links.map((l) =>
      h("li", null, h("button", { class: "link", "data-test": "open-link", onclick: () => Bridge.openLink(l.url).catch(() => {}) }, l.title || l.url))))) : null,
    rel(S.answer.direction === "upstream" ? "Feeds into" : "Fed by", incoming, "from"),
    rel(S.answer.direction === "upstream" ? "Computed from" : "Feeds", outgoing, "to"),
    h("div", { class: "actions" },
      expandable ? h("button", { class: S.frontier.has(n.id) ? "primary" : "", "data-test": "expand", disabled: !!S.busy, onclick: () => expand(n) },
        S.answer.direction === "upstream" ? "Trace upstream from here" : "Expand impact from here") : null,
      h("button", { onclick: () => { S.selected = null; render(); } }, "Close")));
}

// linksOf reads whatever links a node carries: url, link, or links (a list
// of {title, url} or a map of title to url).
function linksOf(n) {
  const out = [];
  const add = (title, url) => { if (typeof url === "string" && /^https?:\/\//.test(url)) out.push({ title, url }); };
  add("Open", n.url);
  add("Open", n.link);
  if (Array.isArray(n.links)) for (const l of n.links) add(l.title || l.name || l.rel, l.url || l.href);
  else if (n.links && typeof n.links === "object") for (const [t, u] of Object.entries(n.links)) add(t, u);
  return out;
}

function legend() {
  return h("div", { class: "legend" },
    ["table", "column", "dbt", "lightdash_explore", "lightdash_field", "lightdash_chart", "lightdash_dashboard", "bi_integration"].map((k) =>
      h("span", null, h("span", { class: "dot", style: { "--k": `var(${KINDS[k].color})` } }), KINDS[k].one)),
    h("span", { class: "faint" }, "· click a node for details"));
}

// drawEdges draws every edge between shown cards (and to "+N more" cards)
// as curves in the canvas's SVG, those of the selected node highlighted.
function drawEdges() {
  const canvas = app.querySelector(".canvas");
  if (!canvas) return;
  const svg = canvas.querySelector("svg.edges");
  const base = canvas.getBoundingClientRect();
  svg.setAttribute("width", canvas.scrollWidth);
  svg.setAttribute("height", canvas.scrollHeight);
  const pos = new Map();
  for (const el of canvas.querySelectorAll(".card")) {
    const r = el.getBoundingClientRect();
    pos.set(el.dataset.id, { l: r.left - base.left, r: r.right - base.left, y: r.top - base.top + r.height / 2 });
  }
  const paths = [];
  const sel = S.selected;
  const curve = (a, b) => {
    if (b.l > a.r) {
      const dx = Math.max(24, (b.l - a.r) / 2);
      return `M${a.r},${a.y} C${a.r + dx},${a.y} ${b.l - dx},${b.y} ${b.l},${b.y}`;
    }
    const x = Math.max(a.r, b.r) + 18; // same or earlier lane: loop on the right
    return `M${a.r},${a.y} C${x},${a.y} ${x},${b.y} ${b.r},${b.y}`;
  };
  for (const e of S.edges) {
    const a = pos.get(e.from), b = pos.get(e.to);
    if (!a || !b) continue;
    const hot = sel && (e.from === sel || e.to === sel);
    paths.push(`<path d="${curve(a, b)}" class="${hot ? "hot" : sel ? "dim" : ""}"/>`);
  }
  for (const el of canvas.querySelectorAll(".card.more")) {
    const a = pos.get(el.dataset.moreOf), b = pos.get(el.dataset.id);
    if (a && b) paths.push(`<path d="${curve(a, b)}" class="more${sel && sel === el.dataset.moreOf ? " hot" : ""}"/>`);
  }
  // Highlighted paths last, so they are drawn on top.
  paths.sort((x, y) => (x.includes("hot") ? 1 : 0) - (y.includes("hot") ? 1 : 0));
  svg.innerHTML = paths.join("");
}

// ---- calls through the host ---------------------------------------------------

async function runTool(label, args) {
  S.busy = label;
  S.error = "";
  S.notice = "";
  render();
  try {
    const res = await Bridge.callTool(S.toolName, args);
    const a = structured(res);
    if (res.isError || !a || !Array.isArray(a.nodes)) throw new Error(resultText(res) || "no lineage in the answer");
    return a;
  } catch (err) {
    S.error = String(err && err.message || err);
    return null;
  } finally {
    S.busy = "";
  }
}

function baseArgs() {
  const a = S.answer;
  const args = { data_source_id: a.root.data_source_id, direction: a.direction, max_depth: a.max_depth };
  if (S.input && S.input.connection) args.connection = S.input.connection;
  return args;
}

async function expand(n) {
  const args = baseArgs();
  args[kindOf(n) === "column" ? "column_path" : "table_path"] = n.path;
  const a = await runTool(`Expanding ${n.name}…`, args);
  if (a) {
    const added = merge(n, a);
    S.notice = added ? `Expanded ${n.name}: ${added} more node${added === 1 ? "" : "s"}.` : `Expanded ${n.name}: nothing new past it.`;
  }
  render();
}

async function loadMore(next) {
  const a = await runTool("Loading more…", next);
  if (a) { setAnswer(a); S.input = next; S.notice = "Loaded a larger answer."; }
  render();
}

// ---- wiring ----------------------------------------------------------------

let resizeTimer = 0;
new ResizeObserver(() => { cancelAnimationFrame(resizeTimer); resizeTimer = requestAnimationFrame(drawEdges); }).observe(app);

Bridge.connect({ name: "datastack-lineage", version: "1" }, {
  context: (ctx) => { if (ctx.toolInfo && ctx.toolInfo.tool && ctx.toolInfo.tool.name === "lineage_impact") S.toolName = ctx.toolInfo.tool.name; },
  input: (args) => { S.input = args; if (!S.answer) render(); },
  result: (res) => {
    const a = structured(res);
    if (!res.isError && a && Array.isArray(a.nodes)) { setAnswer(a); S.error = ""; }
    else S.error = resultText(res) || "The tool answered no lineage.";
    render();
  },
  cancelled: (reason) => { if (!S.answer) { S.error = "The call was cancelled" + (reason ? `: ${reason}` : "."); render(); } },
}).catch((err) => { S.error = "Could not connect to the host: " + err.message; render(); });
