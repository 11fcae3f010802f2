// Synthesizes the fixtures the sandbox cannot give (deterministic, no
// randomness): a 300-node lineage_impact answer cut by max_nodes, and
// variants of the recorded diff (with sample rows, still running).
//
//   node synth-fixtures.mjs
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const dir = join(dirname(fileURLToPath(import.meta.url)), "fixtures");
const write = (name, obj) => { writeFileSync(join(dir, name), JSON.stringify(obj, null, 2) + "\n"); console.log("fixtures/" + name); };
const read = (name) => JSON.parse(readFileSync(join(dir, name), "utf8"));

// ---- lineage-300.json --------------------------------------------------------
{
  const MAX = 300;
  const nodes = [];
  const edges = [];
  const project = { connection: "main", uuid: "2f0c6a1e-7b1d-4e55-9a43-1c2d3e4f5a6b", name: "Analytics", type: "DEFAULT" };
  const table = (path, depth, root) => ({ id: "datafold:table:" + path, kind: "table", provider: "datafold", name: path.split(".").pop(), path, depth, ...(root ? { root: true } : {}), connection: "main" });
  const add = (n) => { if (nodes.length < MAX || n.root) { nodes.push(n); return true; } return false; };
  const rootPath = "ANALYTICS.STAGING.stg_orders";
  add(table(rootPath, 0, true));
  const domains = ["finance", "marketing", "ops", "product", "sales", "support"];
  const d1 = [];
  for (let i = 0; i < 36; i++) {
    const p = `ANALYTICS.MARTS.${domains[i % domains.length]}_orders_${String(i + 1).padStart(2, "0")}`;
    add(table(p, 1)); d1.push(p);
    edges.push({ from: "datafold:table:" + rootPath, to: "datafold:table:" + p, relation: "feeds" });
  }
  const d2 = [];
  for (let i = 0; i < d1.length; i++) {
    const fan = i < 3 ? 16 : 3; // three marts with a large fan-out
    for (let j = 0; j < fan; j++) {
      const p = `ANALYTICS.REPORTING.rpt_${d1[i].split(".").pop()}_${j + 1}`;
      if (!add(table(p, 2))) break;
      d2.push(p);
      edges.push({ from: "datafold:table:" + d1[i], to: "datafold:table:" + p, relation: "feeds" });
    }
  }
  for (let i = 0; i < 57 && i < d2.length; i++) {
    const p = `ANALYTICS.EXPORTS.exp_${d2[i].split(".").pop()}`;
    if (!add(table(p, 3))) break;
    edges.push({ from: "datafold:table:" + d2[i], to: "datafold:table:" + p, relation: "feeds" });
  }
  // Lightdash explores and charts on the marts, dashboards for some charts.
  for (let i = 0; i < d1.length && nodes.length < MAX; i++) {
    if (i % 2) continue;
    const name = d1[i].split(".").pop();
    const eid = `lightdash:explore:${project.uuid}/${name}`;
    if (!add({ id: eid, kind: "lightdash_explore", provider: "lightdash", name, depth: 1, connection: "main", project_uuid: project.uuid })) break;
    edges.push({ from: "datafold:table:" + d1[i], to: eid, relation: "base_table_of" });
    for (let c = 0; c < 2; c++) {
      const cid = `lightdash:chart:c${i}-${c}`;
      const kinds = ["line", "bar", "table", "big_number"];
      if (!add({ id: cid, kind: "lightdash_chart", provider: "lightdash", name: `${name.replace(/_/g, " ")} ${["trend", "breakdown"][c]}`, depth: 1, connection: "main", project_uuid: project.uuid, chart_kind: kinds[(i + c) % 4], space: domains[i % domains.length] })) break;
      edges.push({ from: "datafold:table:" + d1[i], to: cid, relation: "used_by" });
      if (c === 0) {
        const did = `lightdash:dashboard:d${i % 5}`;
        if (!nodes.some((n) => n.id === did)) {
          if (!add({ id: did, kind: "lightdash_dashboard", provider: "lightdash", name: `${domains[i % 5][0].toUpperCase()}${domains[i % 5].slice(1)} weekly`, depth: 1, connection: "main", project_uuid: project.uuid })) break;
        }
        edges.push({ from: cid, to: did, relation: "on_dashboard" });
      }
    }
  }
  const ids = new Set(nodes.map((n) => n.id));
  const counts = { bi_integrations: 0, columns: 0, lightdash_charts: 0, lightdash_dashboards: 0, lightdash_explores: 0, lightdash_fields: 0, tables: 0 };
  for (const n of nodes) if (!n.root) counts[n.kind.replace(/^(.*)$/, "$1s")]++;
  const depthReached = Math.max(...nodes.map((n) => n.depth));
  const frontier = nodes.filter((n) => n.kind === "table" && n.depth === depthReached).map((n) => n.id).slice(0, 20);
  const next = { data_source_id: 7, direction: "downstream", max_depth: 5, max_nodes: 500, table_path: rootPath };
  write("lineage-300.json", {
    tool: "lineage_impact",
    arguments: { data_source_id: 7, table_path: rootPath, max_nodes: MAX },
    synthesized: true,
    result: {
      content: [{ type: "text", text: "(synthesized 300-node answer; see structuredContent)" }],
      structuredContent: {
        summary: `Changing table ${rootPath} (Datafold data source 7) reaches 0 columns and ${counts.tables} tables downstream (depth ${depthReached}); in Lightdash (1 project) ${counts.lightdash_explores} explores, 0 fields, ${counts.lightdash_charts} charts and ${counts.lightdash_dashboards} dashboards. The answer is truncated: call lineage_impact again with max_nodes 500 (next_arguments), or start new calls from the frontier nodes.`,
        root: { kind: "table", path: rootPath, data_source_id: 7, connection: "main" },
        direction: "downstream",
        nodes,
        edges: edges.filter((e) => ids.has(e.from) && ids.has(e.to)),
        counts,
        depth_reached: depthReached, max_depth: 5, max_nodes: MAX,
        totals: { columns: 0, tables: 412 },
        complete: false, truncated: true,
        continue: {
          reasons: [`max_nodes ${MAX}: the answer is full; nodes beyond it (and the Lightdash assets of tables not yet looked up) are left out`],
          frontier,
          hint: "call lineage_impact again with max_nodes 500 (next_arguments), or start new calls from the frontier nodes.",
          next_arguments: next,
        },
        lightdash_projects: [project],
        calls: 61,
      },
    },
  });
}

// ---- diff variants ----------------------------------------------------------------
{
  const rec = read("diff-different.json");
  const v = structuredClone(rec.result.structuredContent);
  // Sample rows in the shape the view reads: {key, a, b} per differing
  // row, {key, only_in, a|b} per row on one side only.
  const row = (id, amount, card, status) => ({ order_id: id, amount, credit_card_amount: card, status, customer_id: 1000 + (id % 97) });
  v.samples = [
    { key: { order_id: 10231 }, a: row(10231, 86.5, 86.5, "completed"), b: row(10231, 8650, 8650, "completed") },
    { key: { order_id: 10244 }, a: row(10244, 12.0, 12.0, "returned"), b: row(10244, 1200, 1200, "return_pending") },
    { key: { order_id: 10390 }, a: row(10390, 41.25, 41.25, "shipped"), b: row(10390, 4125, 4125, "shipped") },
    { key: { order_id: 11007 }, a: row(11007, 5.0, 0, "placed"), b: row(11007, 500, null, "placed") },
    { key: { order_id: 12877 }, only_in: "a", a: row(12877, 19.99, 19.99, "completed") },
    { key: { order_id: 130001 }, only_in: "b", b: row(130001, 2599, 2599, "placed") },
  ];
  write("diff-samples.json", { ...rec, synthesized: true, result: { ...rec.result, structuredContent: v } });

  const running = {
    status: "running", diff_id: v.diff_id, url: v.url,
    summary: `Datafold diff ${v.diff_id} is still running after 45 s. Call get_diff_result with diff_id ${v.diff_id} in about 45 s for the verdict.`,
    primary_key: v.primary_key,
    a: { data_source_id: v.a.data_source_id, data_source: v.a.data_source, table: v.a.table },
    b: { data_source_id: v.b.data_source_id, data_source: v.b.data_source, table: v.b.table },
    retry_after_seconds: 45, waited_seconds: 45,
    next: [{ tool: "get_diff_result", arguments: { diff_id: v.diff_id }, why: "the verdict; call in about 45 s" }],
  };
  write("diff-running.json", { ...rec, synthesized: true, result: { content: [{ type: "text", text: running.summary }], structuredContent: running } });
}

// ---- a warehouse diff still running (diff-local-running.json) ---------------------
{
  const rec = read("diff-local.json");
  const v = rec.result.structuredContent;
  const running = {
    status: "running", handle: v.handle,
    summary: "The warehouse diff is still running (at bisect level 1, 12 of 33) after 45 s and keeps running on this server. Call get_diff_result with its handle in about 45 s for the verdict.",
    primary_key: v.primary_key,
    a: { warehouse: v.a.warehouse, table: v.a.table },
    b: { warehouse: v.b.warehouse, table: v.b.table },
    retry_after_seconds: 45, waited_seconds: 45,
    next: [{ tool: "get_diff_result", arguments: { handle: v.handle }, why: "the verdict; call in about 45 s" }],
  };
  write("diff-local-running.json", { ...rec, synthesized: true, result: { content: [{ type: "text", text: "Warehouse diff: running.\n" + running.summary }], structuredContent: running } });
}
