// Diff view of diff_tables and get_diff_result: the verdict at a glance
// (rows only on each side, differing rows and values, duplicate and null
// keys, per-column match, schema changes), sample rows side by side when
// the answer or Datafold has them, the running and failed states, and the
// verdict's next steps as buttons that call the tools through the host.
// A Datafold diff is named by its diff_id; a diff of the user's own
// databases (warehouse sides, run by the server) by its handle, and its
// samples come in the engine's shape (see localSampleRows).
"use strict";

const S = {
  tool: "diff_tables",
  input: null,
  started: 0, // when the input arrived (ms)
  v: null, // the DiffVerdict
  error: "", // an error result without a verdict
  cancelled: "",
  steps: {}, // index -> {state, text}
  samples: null, // {rows, from} loaded on demand
  samplesState: "", // "", "loading", "none", "error"
  samplesText: "",
  checking: false,
  autoChecks: 0,
};
const MAX_AUTO_CHECKS = 5;
const app = document.getElementById("app");
let tick = 0;
let autoTimer = 0;

const STATUS = {
  running: ["Running", "info"], done: ["Done", "ok"], failed: ["Failed", "bad"],
  cancelled: ["Cancelled", "bad"], needs_action: ["Needs action in Datafold", "warn"],
};
const RESULT = { identical: ["Identical", "ok"], different: ["Different", "warn"], empty: ["Both sides empty", ""] };

function sideLabel(s) {
  if (!s) return "";
  const what = s.table || (s.query ? "query: " + s.query.replace(/\s+/g, " ").slice(0, 120) : "");
  return s.filter ? `${what} where ${s.filter.replace(/\s+/g, " ").slice(0, 120)}` : what;
}

// local says whether a verdict (or a call's arguments) is a diff of the
// user's own databases.
function local(v) { return !!(v && (v.handle || v.local || (v.a && v.a.warehouse))); }

// diffArgs are get_diff_result's arguments for a verdict.
function diffArgs(v) { return v.handle ? { handle: v.handle } : { diff_id: v.diff_id }; }

function n(x) { return typeof x === "number" ? x : 0; }

function render() {
  app.replaceChildren();
  if (S.v) { verdict(S.v); return; }
  if (S.error) { app.append(header(null), h("div", { class: "banner bad", "data-test": "error" }, h("b", null, "The diff could not run"), h("div", { class: "err" }, S.error))); return; }
  if (S.cancelled) { app.append(header(null), h("div", { class: "banner warn", "data-test": "cancelled" }, "The call was cancelled" + (S.cancelled === true ? "." : ": " + S.cancelled))); return; }
  if (S.input) { app.append(header(null), pendingBox()); return; }
  app.append(h("div", { class: "empty" }, h("div", { class: "row", style: { justifyContent: "center" } }, h("div", { class: "spinner" }), h("span", null, "Waiting for the diff…"))));
}

function header(v) {
  let pill = null;
  if (v) {
    const [label, cls] = v.status === "done" ? (RESULT[v.result] || [v.result || "Done", "ok"]) : (STATUS[v.status] || [v.status, ""]);
    pill = h("span", { class: `pill verdict-pill ${cls}`, "data-test": "verdict" }, label);
  } else if (!S.error && !S.cancelled) {
    pill = h("span", { class: "pill verdict-pill info", "data-test": "verdict" }, "Running");
  }
  const id = v ? v.diff_id : S.input && S.input.diff_id;
  const a = v ? v.a : S.input && S.input.a;
  const b = v ? v.b : S.input && S.input.b;
  const bSide = Object.assign({}, b);
  if (a && !bSide.table && !bSide.query) bSide.table = a.table;
  if (a && bSide.data_source === undefined && !bSide.warehouse) { bSide.data_source = a.data_source; bSide.warehouse = a.warehouse; }
  const src = (s) => s && (s.warehouse ? "warehouse " + s.warehouse : s.data_source !== undefined ? String(s.data_source) : s.data_source_id !== undefined ? "data source " + s.data_source_id : "");
  const title = id ? `Data diff #${id}` : local(v || S.input) || (S.input && S.input.handle) ? "Warehouse diff" : "Data diff";
  const key = v ? v.primary_key : S.input && S.input.primary_key;
  return h("div", null,
    h("div", { class: "head" },
      h("div", { class: "grow" },
        h("h1", null, title, pill, v && v.local ? h("span", { class: "pill", "data-test": "algorithm" }, v.local.algorithm + " diff") : null),
        key && key.length ? h("div", { class: "muted", style: { marginTop: "2px" } }, "Key: ", h("code", null, key.join(", "))) : null),
      v && v.url ? h("button", { "data-test": "open-datafold", onclick: () => Bridge.openLink(v.url).catch(() => {}) }, "Open in Datafold ↗") : null),
    a || b ? h("div", { class: "sides" },
      h("div", { class: "side", "data-test": "side-a" }, h("div", { class: "lbl" }, "A · ", src(a) || "baseline"), h("div", { class: "tbl" }, sideLabel(a))),
      h("div", { class: "side", "data-test": "side-b" }, h("div", { class: "lbl" }, "B · ", src(bSide) || "compared"), h("div", { class: "tbl" }, sideLabel(bSide)))) : null);
}

function pendingBox() {
  const secs = Math.max(0, Math.round((Date.now() - S.started) / 1000));
  const what = S.tool === "get_diff_result" ? "Waiting for the verdict" : local(S.input) ? "Comparing the two sides in your databases" : "Comparing the two sides in Datafold";
  return h("div", { class: "banner info", "data-test": "running" },
    h("div", { class: "row" }, h("div", { class: "spinner" }), h("b", null, what + "…"), h("span", { class: "grow" }), h("span", { class: "muted", "data-test": "elapsed" }, `${secs} s`)),
    h("div", { class: "progress" }, h("span")));
}

function verdict(v) {
  app.append(header(v));
  if (v.summary) app.append(h("p", { class: "summary", "data-test": "summary" }, v.summary));
  if (v.status === "running") app.append(runningBox(v));
  if (v.status === "needs_action") app.append(h("div", { class: "banner warn", "data-test": "needs-action" },
    "Datafold is waiting for someone to confirm or sign in. Open the diff in Datafold, then check again.",
    h("div", { class: "actions", style: { marginTop: "6px" } }, checkButton(v))));
  if (v.status === "failed" || v.status === "cancelled") app.append(failure(v));
  if (v.status === "done") {
    app.append(tiles(v));
    app.append(rowsSection(v));
    if (v.values || (v.columns_with_differences || []).length) app.append(columnsSection(v));
    app.append(schemaSection(v));
    if (v.result === "different") app.append(samplesSection(v));
  }
  if ((v.next || []).length) app.append(nextSection(v));
  if (v.sampled) app.append(h("p", { class: "faint" }, "Counts are from a sample of the rows."));
  if (v.local) app.append(h("p", { class: "faint", "data-test": "local-cost" },
    `Ran in your databases as a ${v.local.algorithm} diff: ${fmtInt(v.local.queries)} queries, ${fmtInt(v.local.rows_fetched)} rows fetched` +
    (typeof v.local.seconds === "number" ? `, ${v.local.seconds} s` : "") + (v.rerun ? " (run again: the server answering did not hold the diff)." : ".")));
}

function runningBox(v) {
  const wait = v.retry_after_seconds || 10;
  return h("div", { class: "banner info", "data-test": "running" },
    h("div", { class: "row wrap" }, h("div", { class: "spinner" }),
      h("b", { class: "grow" }, `Still running after ${v.waited_seconds || 0} s.`),
      S.autoChecks < MAX_AUTO_CHECKS && !S.checking ? h("span", { class: "muted" }, `checking again in about ${wait} s`) : null,
      checkButton(v)),
    h("div", { class: "progress" }, h("span")));
}

function checkButton(v) {
  return h("button", { class: "primary", "data-test": "check-now", disabled: S.checking, onclick: () => checkNow(diffArgs(v)) },
    S.checking ? "Checking…" : "Check now");
}

function failure(v) {
  const e = v.error || {};
  return h("div", { class: "banner bad", "data-test": "failure" },
    h("b", null, v.status === "cancelled" ? "The diff was cancelled" : "The diff failed"),
    h("div", { class: "err", "data-test": "error-text" }, e.type ? h("b", null, e.type + ": ") : null, e.message || "Datafold reported no reason."),
    e.retryable ? h("div", { class: "muted", style: { marginTop: "4px" } }, "Datafold says this error is retryable: running the diff again may succeed.") : null);
}

function tile(label, value, sub, test) {
  const zero = !value;
  return h("div", { class: `tile ${zero ? "zero" : "hot"}`, "data-test": test, "data-value": value },
    h("div", { class: "n" }, fmtInt(value)), h("div", { class: "l" }, label), sub ? h("div", { class: "s" }, sub) : null);
}

function tiles(v) {
  const vals = v.values || {};
  const schema = (v.a.columns_only_here || []).length + (v.b.columns_only_here || []).length + (v.type_mismatches || []).length;
  const dupes = n(v.a.duplicate_keys) + n(v.b.duplicate_keys);
  const nulls = n(v.a.null_keys) + n(v.b.null_keys);
  return h("div", { class: "tiles", "data-test": "tiles" },
    tile("rows only in A", n(v.a.rows_only_here), v.a.rows !== undefined ? `of ${fmtInt(v.a.rows)} in A` : "", "only-a"),
    tile("rows only in B", n(v.b.rows_only_here), v.b.rows !== undefined ? `of ${fmtInt(v.b.rows)} in B` : "", "only-b"),
    tile("rows with different values", n(vals.rows_with_differences), vals.rows_compared !== undefined ? `of ${fmtInt(vals.rows_compared)} matched by key` : "", "rows-diff"),
    tile("values differ", n(vals.values_with_differences), vals.columns_compared !== undefined ? `in ${vals.columns_with_differences} of ${vals.columns_compared} columns` : "", "values-diff"),
    tile("duplicate or null keys", dupes + nulls, `dup ${fmtInt(n(v.a.duplicate_keys))}/${fmtInt(n(v.b.duplicate_keys))} · null ${fmtInt(n(v.a.null_keys))}/${fmtInt(n(v.b.null_keys))} (A/B)`, "keys"),
    tile("schema changes", schema, schema ? "" : "same columns", "schema-changes"));
}

function rowsSection(v) {
  const vals = v.values || {};
  const diff = n(vals.rows_with_differences);
  const same = Math.max(0, n(vals.rows_compared) - diff);
  const onlyA = n(v.a.rows_only_here), onlyB = n(v.b.rows_only_here);
  const total = same + diff + onlyA + onlyB;
  if (!total) return h("section");
  const seg = (cls, x, title) => x ? h("span", { class: cls, title: `${title}: ${fmtInt(x)}`, style: { flexGrow: String(x), flexBasis: "0" } }) : null;
  const pct = (x) => total ? (100 * x / total).toFixed(x / total < 0.01 ? 2 : 1) + "%" : "";
  return h("section", { "data-test": "rows" },
    h("h2", null, "Rows", h("span", { class: "muted" }, `${fmtInt(total)} distinct keys across both sides`)),
    h("div", { class: "rowbar" }, seg("seg-same", same, "identical"), seg("seg-diff", diff, "different values"), seg("seg-a", onlyA, "only in A"), seg("seg-b", onlyB, "only in B")),
    h("div", { class: "rowlegend" },
      h("span", null, h("i", { class: "seg-same" }), `identical ${fmtInt(same)} (${pct(same)})`),
      h("span", null, h("i", { class: "seg-diff" }), `different ${fmtInt(diff)} (${pct(diff)})`),
      h("span", null, h("i", { class: "seg-a" }), `only in A ${fmtInt(onlyA)}`),
      h("span", null, h("i", { class: "seg-b" }), `only in B ${fmtInt(onlyB)}`)));
}

function columnsSection(v) {
  const cols = v.columns_with_differences || [];
  const vals = v.values || {};
  const matching = Math.max(0, n(vals.columns_compared) - n(vals.columns_with_differences));
  const hidden = Math.max(0, n(vals.columns_with_differences) - cols.length);
  // Matches near 100% would all look full: the bars start at a floor
  // (90%, 50% or 0%) low enough for every column, and say so.
  const lowest = Math.min(100, ...cols.map((c) => c.match_percent));
  const floor = lowest >= 90 ? 90 : lowest >= 50 ? 50 : 0;
  const width = (p) => Math.max(0, Math.min(100, (100 * (p - floor)) / (100 - floor)));
  return h("section", { "data-test": "columns" },
    h("h2", null, "Column match", h("span", { class: "muted" }, cols.length ? `${n(vals.columns_with_differences)} of ${n(vals.columns_compared)} compared columns differ` : "every compared column matches"),
      cols.length && floor ? h("span", { class: "faint", style: { marginLeft: "auto", fontWeight: 400, fontSize: "11px" }, "data-test": "scale" }, `bars span ${floor}%–100% match`) : null),
    cols.length ? h("div", { class: "cols" }, cols.map((c) => [
      h("div", { class: "c" }, c.column),
      h("div", { class: "bar", title: `${c.match_percent}% match`, "data-column": c.column, "data-match": c.match_percent }, h("span", { style: { width: width(c.match_percent).toFixed(2) + "%" } })),
      h("div", { class: "v" }, `${formatPct(c.match_percent)} match · ${fmtInt(c.values_different)} differ`),
    ])) : null,
    matching || hidden ? h("div", { class: "faint", style: { marginTop: "6px" } },
      [hidden ? `${hidden} more columns differ (the answer lists the ${cols.length} that differ most)` : "", matching ? `${matching} other compared column${matching === 1 ? "" : "s"} match 100%` : ""].filter(Boolean).join("; ") + ".") : null);
}

function formatPct(p) {
  if (typeof p !== "number") return "–";
  return (p >= 99.995 && p < 100 ? "99.99" : p.toFixed(p % 1 ? 2 : 0)) + "%";
}

function schemaSection(v) {
  const onlyA = v.a.columns_only_here || [], onlyB = v.b.columns_only_here || [], types = v.type_mismatches || [];
  if (!onlyA.length && !onlyB.length && !types.length) {
    return h("section", { "data-test": "schema" }, h("h2", null, "Schema"),
      h("div", { class: "muted" }, v.a.columns !== undefined ? `The same ${v.a.columns} columns on both sides.` : "No schema differences."));
  }
  const chips = (list, cls) => h("div", { class: "chips" }, list.map((c) => h("span", { class: `chip ${cls}` }, c)));
  return h("section", { "data-test": "schema" }, h("h2", null, "Schema changes"),
    h("div", { class: "schema" },
      onlyA.length ? [h("span", { class: "muted" }, "only in A"), chips(onlyA, "a")] : null,
      onlyB.length ? [h("span", { class: "muted" }, "only in B"), chips(onlyB, "b")] : null,
      types.length ? [h("span", { class: "muted" }, "type differs"), chips(types, "t")] : null));
}

// ---- samples -----------------------------------------------------------------

// sampleRows finds sample rows in an answer: an array under samples,
// sample_rows or diff_samples (or their rows), each {key, a, b} or
// {key, only_in, a|b}; or a warehouse diff's samples (localSampleRows).
function sampleRows(obj) {
  if (!obj || typeof obj !== "object") return null;
  for (const k of ["samples", "sample_rows", "diff_samples"]) {
    let s = obj[k];
    if (s && !Array.isArray(s) && Array.isArray(s.rows)) s = s.rows;
    if (Array.isArray(s) && s.length && typeof s[0] === "object") return s;
    const rows = localSampleRows(s, obj.primary_key || []);
    if (rows) return rows;
  }
  return null;
}

// LOCAL_KINDS are the lists of a warehouse diff's samples, in the order
// shown: rows whose values differ, rows on one side only, duplicated and
// NULL keys.
const LOCAL_KINDS = [
  ["differing", ""], ["only_in_a", "a"], ["only_in_b", "b"],
  ["duplicate_keys_a", "a"], ["duplicate_keys_b", "b"], ["null_keys_a", "a"], ["null_keys_b", "b"],
];

// localSampleRows turns a warehouse diff's samples into the view's rows:
// {only_in_a: [key], only_in_b: [key], differing: [{key, values: [{column,
// a, b}]}], duplicate_keys_a|b: [{key, rows}], null_keys_a|b: [key]}, a key
// being the values of primary_key in order. null when s is not that shape.
function localSampleRows(s, pk) {
  if (!s || typeof s !== "object" || Array.isArray(s) || !LOCAL_KINDS.some(([k]) => Array.isArray(s[k]))) return null;
  const keyOf = (k) => {
    const vals = Array.isArray(k) ? k : [k];
    const out = {};
    vals.forEach((x, i) => { out[pk[i] || `key${i + 1}`] = x; });
    return out;
  };
  const rows = [];
  for (const [kind, side] of LOCAL_KINDS) {
    for (const x of s[kind] || []) {
      if (kind === "differing") {
        const a = {}, b = {};
        for (const d of x.values || []) { a[d.column] = d.a; b[d.column] = d.b; }
        rows.push({ key: keyOf(x.key), a, b });
      } else if (kind.startsWith("only_in")) rows.push({ key: keyOf(x), only_in: side });
      else if (kind.startsWith("duplicate")) rows.push({ key: keyOf(x.key), dup_in: side, rows: x.rows });
      else rows.push({ key: keyOf(x), null_in: side });
    }
  }
  return rows.length ? rows : null;
}

function fmtVal(x) {
  if (x === null || x === undefined) return h("span", { class: "nul" }, x === null ? "null" : "—");
  return typeof x === "object" ? JSON.stringify(x) : String(x);
}

function same(x, y) { return JSON.stringify(x) === JSON.stringify(y); }

function samplesSection(v) {
  const rows = sampleRows(v) || (S.samples && S.samples.rows);
  const summaryStep = (v.next || []).findIndex((x) => x.tool === "datafold_get_data_diff_summary");
  const box = h("section", { "data-test": "samples" }, h("h2", null, "Sample rows", rows ? h("span", { class: "muted" }, `${rows.length} rows`) : null));
  if (!rows) {
    if (S.samplesState === "loading") box.append(h("div", { class: "row muted" }, h("span", { class: "spinner" }), "Asking Datafold for sample rows…"));
    else if (S.samplesState === "none" || S.samplesState === "error") {
      box.append(h("div", { class: "muted", "data-test": "samples-none" }, S.samplesState === "none" ? "Datafold's summary of this diff holds no sample rows." : "Datafold's summary could not be read."));
      if (S.samplesText) box.append(h("details", null, h("summary", { class: "faint" }, "What Datafold answered"), h("pre", { class: "out" }, S.samplesText.slice(0, 6000))));
    } else if (summaryStep >= 0 && Bridge.canCallTools()) {
      box.append(h("div", { class: "row" }, h("span", { class: "muted grow" }, "This verdict carries counts only."),
        h("button", { "data-test": "load-samples", onclick: () => loadSamples(v.next[summaryStep]) }, "Ask Datafold for sample rows")));
    } else box.append(h("div", { class: "muted" }, "This verdict carries counts only; the next steps below explain the differences."));
    return box;
  }
  const key = v.primary_key || [];
  const keyText = (r) => {
    const k = r.key;
    if (k && typeof k === "object") return Object.entries(k).map(([c, x]) => key.length === 1 ? String(x) : `${c}=${x}`).join(", ");
    if (k !== undefined) return String(k);
    const src = r.a || r.b || {};
    return key.map((c) => String(src[c])).join(", ");
  };
  const lines = [];
  for (const r of rows.slice(0, 50)) {
    if (r.dup_in || r.null_in) {
      const side = (r.dup_in || r.null_in).toUpperCase();
      lines.push(h("tr", { class: "only", "data-kind": r.dup_in ? "duplicate" : "null-key" }, h("td", { class: "k" }, keyText(r)),
        h("td", null, h("span", { class: "pill warn" }, r.dup_in ? `duplicate key in ${side}` : `NULL in the key in ${side}`)),
        h("td", { colspan: 2, class: "faint" }, r.dup_in ? `${fmtInt(r.rows)} rows hold this key` : "never matched")));
      continue;
    }
    const only = r.only_in || (r.a && !r.b ? "a" : r.b && !r.a ? "b" : "");
    if (only) {
      const vals = Object.entries(r[only] || {}).filter(([c]) => !key.includes(c)).map(([c, x]) => `${c} ${x === null ? "null" : typeof x === "object" ? JSON.stringify(x) : x}`);
      lines.push(h("tr", { class: "only", "data-kind": "only-" + only }, h("td", { class: "k" }, keyText(r)), h("td", null, h("span", { class: `pill ${only === "a" ? "info" : "bad"}` }, `only in ${only.toUpperCase()}`)),
        h("td", { colspan: 2, class: "faint" }, vals.join(" · "))));
      continue;
    }
    const cols = Object.keys(Object.assign({}, r.a, r.b)).filter((c) => !key.includes(c));
    const differing = cols.filter((c) => !same(r.a[c], r.b[c]));
    const show = differing.length ? differing : cols.slice(0, 3);
    show.forEach((c, i) => lines.push(h("tr", { "data-kind": "differs" },
      h("td", { class: "k" }, i === 0 ? keyText(r) : ""), h("td", { class: "k" }, c),
      h("td", { class: "a" + (differing.includes(c) ? " d" : "") }, fmtVal(r.a[c])),
      h("td", { class: "a" + (differing.includes(c) ? " d" : "") }, fmtVal(r.b[c])))));
  }
  box.append(h("div", { class: "samples" }, h("table", null,
    h("thead", null, h("tr", null, h("th", null, key.join(", ") || "key"), h("th", null, "column"), h("th", null, "A · " + (v.a.data_source || v.a.warehouse || "A")), h("th", null, "B · " + (v.b.data_source || v.b.warehouse || "B")))),
    h("tbody", null, lines))));
  if (rows.length > 50) box.append(h("div", { class: "faint" }, `First 50 of ${rows.length} sample rows.`));
  else if (local(v)) box.append(h("div", { class: "faint" }, "A few examples of each kind of difference; the counts above are complete."));
  return box;
}

async function loadSamples(step) {
  S.samplesState = "loading";
  render();
  try {
    const res = await Bridge.callTool(step.tool, step.arguments || {});
    const rows = sampleRows(structured(res));
    S.samplesText = resultText(res);
    if (res.isError) S.samplesState = "error";
    else if (rows) { S.samples = { rows }; S.samplesState = ""; }
    else S.samplesState = "none";
  } catch (err) {
    S.samplesState = "error";
    S.samplesText = String(err.message || err);
  }
  render();
}

// ---- next steps ------------------------------------------------------------------

const TOOL_LABELS = {
  datafold_get_data_diff_summary: "Datafold's summary",
  datafold_get_column_upstreams: "Column upstreams",
  datafold_get_column_downstreams: "Column downstreams",
  datafold_get_table_upstreams: "Table upstreams",
  datafold_get_table_downstreams: "Table downstreams",
  datafold_run_sql_query: "Run query",
  warehouse_query: "Run query",
  warehouse_describe_table: "Describe table",
  get_diff_result: "Check again",
};

function nextSection(v) {
  return h("section", { "data-test": "next" },
    h("h2", null, "Next steps", h("span", { class: "muted" }, "each runs a tool through your assistant's host")),
    h("div", { class: "next" }, v.next.map((x, i) => step(x, i))));
}

function step(x, i) {
  const st = S.steps[i] || {};
  const args = x.arguments || {};
  const argText = Object.entries(args).map(([k, a]) => `${k}: ${typeof a === "string" ? a : JSON.stringify(a)}`).join(" · ");
  const label = st.state === "running" ? "Running…" : st.state ? "Run again" : "Run";
  return h("div", { class: `step ${st.state === "done" ? "done" : st.state === "failed" ? "failed" : ""}`, "data-test": "step", "data-tool": x.tool },
    h("div", { class: "top" },
      h("div", { class: "grow" },
        h("div", null, h("span", { class: "tool" }, TOOL_LABELS[x.tool] || x.tool), TOOL_LABELS[x.tool] ? h("span", { class: "faint mono" }, "  " + x.tool) : null),
        h("div", { class: "why" }, x.why),
        argText ? h("div", { class: "args" }, argText) : null),
      h("button", { class: i === 0 && !st.state ? "primary" : "", "data-test": "run-step", disabled: st.state === "running", onclick: () => runStep(x, i) }, label)),
    st.text ? h("details", { open: true }, h("summary", { class: st.state === "failed" ? "" : "faint" }, st.state === "failed" ? "Failed" : "Answer"),
      h("pre", { class: "out", "data-test": "step-output" }, st.text.slice(0, 8000) + (st.text.length > 8000 ? "\n…" : ""))) : null);
}

async function runStep(x, i) {
  S.steps[i] = { state: "running" };
  render();
  try {
    const res = await Bridge.callTool(x.tool, x.arguments || {});
    const v = structured(res);
    if ((x.tool === "get_diff_result" || x.tool === "diff_tables") && isVerdict(v)) { showVerdict(v, res); return; }
    S.steps[i] = { state: res.isError ? "failed" : "done", text: resultText(res) || JSON.stringify(res.structuredContent || {}, null, 2) };
  } catch (err) {
    S.steps[i] = { state: "failed", text: String(err.message || err) };
  }
  render();
}

// ---- verdict updates -------------------------------------------------------------

function isVerdict(v) { return v && typeof v === "object" && typeof v.status === "string" && ("diff_id" in v || "handle" in v || "local" in v); }

function showVerdict(v) {
  const changed = !S.v || S.v.diff_id !== v.diff_id || S.v.handle !== v.handle;
  S.v = v;
  S.error = "";
  if (changed) { S.steps = {}; S.samples = null; S.samplesState = ""; S.samplesText = ""; }
  clearTimeout(autoTimer);
  if (v.status === "running" && S.autoChecks < MAX_AUTO_CHECKS && Bridge.canCallTools()) {
    autoTimer = setTimeout(() => { S.autoChecks++; checkNow(diffArgs(v)); }, Math.max(5, v.retry_after_seconds || 10) * 1000);
  }
  render();
}

async function checkNow(args) {
  clearTimeout(autoTimer);
  S.checking = true;
  render();
  try {
    const res = await Bridge.callTool("get_diff_result", args);
    const v = structured(res);
    S.checking = false;
    if (isVerdict(v)) { showVerdict(v); return; }
    S.error = resultText(res) || "get_diff_result answered no verdict.";
    S.v = null;
  } catch (err) {
    S.checking = false;
    S.error = String(err.message || err);
    S.v = null;
  }
  render();
}

Bridge.connect({ name: "datastack-diff", version: "1" }, {
  context: (ctx) => { const t = ctx.toolInfo && ctx.toolInfo.tool; if (t && t.name) S.tool = t.name; },
  input: (args) => {
    S.input = args;
    S.started = Date.now();
    if (args && (args.diff_id || args.handle) && !args.a) S.tool = "get_diff_result";
    if (!S.v) {
      render();
      clearInterval(tick);
      tick = setInterval(() => {
        if (S.v || S.error) { clearInterval(tick); return; }
        const el = app.querySelector("[data-test=elapsed]");
        if (el) el.textContent = `${Math.round((Date.now() - S.started) / 1000)} s`;
      }, 1000);
    }
  },
  result: (res) => {
    clearInterval(tick);
    const v = structured(res);
    if (isVerdict(v)) showVerdict(v);
    else { S.error = resultText(res) || "The tool answered no verdict."; render(); }
  },
  cancelled: (reason) => { clearInterval(tick); if (!S.v) { S.cancelled = reason || true; render(); } },
}).catch((err) => { S.error = "Could not connect to the host: " + err.message; render(); });
