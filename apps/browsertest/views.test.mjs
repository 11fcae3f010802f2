// Drives the built views (apps/dist) in headless Chromium through the test
// host page (host.html), fed with tool results recorded from the sandbox
// (fixtures/), and checks the rendered DOM and the calls the views make
// through the host. Screenshots go to screenshots/.
//
//   npm test            (CHROMIUM=/path/to/chromium to use another binary)
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "..", "dist");
const shots = join(here, "screenshots");
mkdirSync(shots, { recursive: true });
const html = (name) => readFileSync(join(dist, name), "utf8");
const fixture = (name) => JSON.parse(readFileSync(join(here, "fixtures", name), "utf8"));

let browser;
before(async () => {
  // playwright gives the browser a fresh temporary profile (--user-data-dir) itself.
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"],
  });
});
after(async () => {
  await browser?.close();
});

// open loads a view in the host page and waits until it has rendered the
// given selector. opts: {view, fixture | result, arguments, theme, width, responses}.
async function open(opts) {
  const context = await browser.newContext({
    viewport: { width: opts.width || 1200, height: 900 }, deviceScaleFactor: 1,
    colorScheme: opts.theme === "dark" ? "dark" : "light",
  });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await page.goto(pathToFileURL(join(here, "host.html")).href);
  const fx = opts.fixture ? fixture(opts.fixture) : null;
  await page.evaluate((o) => window.host.start(o), {
    html: html(opts.view), tool: opts.tool || (fx && fx.tool), theme: opts.theme || "light",
    arguments: opts.arguments || (fx && fx.arguments), result: opts.result === null ? undefined : (opts.result || (fx && fx.result)),
    responses: opts.responses || {},
  });
  const view = page.frameLocator("#view");
  if (opts.waitFor) {
    try {
      await view.locator(opts.waitFor).first().waitFor({ timeout: 15000 });
    } catch (err) {
      throw new Error(`${opts.view}: ${opts.waitFor} did not render; page errors: ${JSON.stringify(errors)}; ${err.message}`);
    }
  }
  return { page, view, errors, context, calls: () => page.evaluate(() => window.host.calls.slice()) };
}

async function settle(page) {
  // Two animation frames: the views draw edges and report their size in rAF.
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
  await page.frameLocator("#view").locator("body").evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
}

async function shot(page, name) {
  // A viewport as tall as the host page, so the whole view is painted.
  const height = await page.evaluate(() => Math.ceil(document.documentElement.scrollHeight));
  await page.setViewportSize({ width: page.viewportSize().width, height: Math.max(300, height) });
  await settle(page);
  await page.locator(".frame").screenshot({ path: join(shots, name) });
}

async function waitForCall(t, name) {
  for (;;) {
    const c = (await t.calls()).find((x) => x.name === name);
    if (c) return c;
    await t.page.waitForFunction((n) => window.host.calls.some((x) => x.name === n), name);
  }
}

describe("lineage view", () => {
  test("small graph: counts, grouping, details on click, expand through the host", async () => {
    const fx = fixture("lineage-small.json");
    const ans = fx.result.structuredContent;
    const t = await open({
      view: "lineage.html", fixture: "lineage-small.json", waitFor: "[data-test=graph] .card",
      responses: { lineage_impact: fixture("lineage-small.json").result },
    });
    const { view, page } = t;
    assert.equal(await view.locator("[data-test=status]").textContent(), "Complete");
    assert.equal(await view.locator("[data-test=truncated]").count(), 0);
    // Every node is shown (no fan-out is over the limit) and counted.
    assert.equal(await view.locator(".card[data-id]:not(.more)").count(), ans.nodes.length);
    for (const [kind, key] of [["table", "tables"], ["column", "columns"], ["lightdash_field", "lightdash_fields"], ["lightdash_chart", "lightdash_charts"], ["lightdash_dashboard", "lightdash_dashboards"], ["lightdash_explore", "lightdash_explores"]]) {
      assert.equal(await view.locator(`[data-test=counts] .chip[data-kind=${kind}]`).getAttribute("data-count"), String(ans.counts[key]), kind);
    }
    // The dbt Cloud BI integration is grouped as a dbt node, Looker as BI.
    assert.equal(await view.locator(`.card[data-kind=dbt]`).count(), 1);
    assert.equal(await view.locator(`.card[data-kind=bi_integration]`).count(), 1);
    // Lanes run left to right: root, depth 1, then Lightdash.
    const lanes = await view.locator(".lane").evaluateAll((ls) => ls.map((l) => l.dataset.lane));
    assert.deepEqual(lanes.slice(0, 2), ["d0", "d1"]);
    assert.ok(lanes.indexOf("l0") > lanes.indexOf("d1") && lanes.indexOf("l3") > lanes.indexOf("l2"));
    // Edges are drawn.
    assert.equal(await view.locator("svg.edges path").count(), ans.edges.length);
    await shot(page, "lineage.png");

    // Click shows details: path, provider, Lightdash project.
    await view.locator('.card[data-id="lightdash:chart:4d5e6f70-8192-4a3b-8c4d-5e6f7a8b9c01"]').click();
    const details = view.locator("[data-test=details]");
    assert.match(await details.textContent(), /Revenue by month/);
    assert.match(await details.textContent(), /Lightdash/);
    assert.match(await details.textContent(), /Jaffle Shop/);
    assert.match(await details.textContent(), /Executive overview/); // its dashboard, as a relation
    assert.ok(await view.locator("svg.edges path.hot").count() >= 2);

    await view.locator('.card[data-id="datafold:table:ANALYTICS.MARTS.dim_customers"]').click();
    assert.match(await details.textContent(), /ANALYTICS\.MARTS\.dim_customers/);
    assert.match(await details.textContent(), /Datafold/);
    await shot(page, "lineage-details.png");

    // Expand calls lineage_impact through the host from that table.
    await view.locator("[data-test=expand]").click();
    const call = await waitForCall(t, "lineage_impact");
    assert.deepEqual(call.arguments, { data_source_id: 1, direction: "downstream", max_depth: 5, table_path: "ANALYTICS.MARTS.dim_customers" });
    await view.locator("[data-test=notice]").waitFor();
    assert.match(await view.locator("[data-test=notice]").textContent(), /Expanded dim_customers/);

    // Search narrows: matches highlighted, count shown.
    await view.locator("[data-test=search]").fill("revenue");
    assert.equal(await view.locator("[data-test=match-count]").textContent(), "2 matches");
    assert.equal(await view.locator(".card.match").count(), 2);
    assert.deepEqual(t.errors, []);
    await t.context.close();
  });

  test("300-node truncated graph: truncation notice, fan-out collapsed, load more", async () => {
    const fx = fixture("lineage-300.json");
    const ans = fx.result.structuredContent;
    const t = await open({ view: "lineage.html", fixture: "lineage-300.json", waitFor: "[data-test=graph] .card",
      responses: { lineage_impact: fixture("lineage-small.json").result } });
    const { view, page } = t;
    assert.equal(await view.locator("[data-test=status]").textContent(), "Truncated");
    const banner = view.locator("[data-test=truncated]");
    assert.match(await banner.textContent(), /Truncated: this answer shows 300 nodes/);
    assert.match(await banner.textContent(), /max_nodes 300/);
    assert.match(await banner.textContent(), /412 columns and tables in all/);
    // The root's 36 marts show 12 and "+24 more".
    const more = view.locator('.card.more[data-more-of="datafold:table:ANALYTICS.STAGING.stg_orders"]');
    assert.equal(await more.getAttribute("data-count"), "24");
    assert.match(await more.textContent(), /\+24 more/);
    const shown = await view.locator(".card[data-id]:not(.more)").count();
    assert.ok(shown < ans.nodes.length, `collapsed graph shows ${shown} of ${ans.nodes.length}`);
    await shot(page, "lineage-300.png");
    await more.click();
    const after = await view.locator(".card[data-id]:not(.more)").count();
    assert.ok(after > shown, `expanding shows more cards (${shown} -> ${after})`);
    assert.equal(await view.locator('.card.more[data-more-of="datafold:table:ANALYTICS.STAGING.stg_orders"]').count(), 0);
    // Frontier nodes are marked, and search finds nodes hidden in collapsed groups.
    assert.ok(await view.locator(".card.frontier").count() > 0 || (await view.locator("[data-test=expand-all]").count()) > 0);
    await view.locator("[data-test=search]").fill("exp_rpt_sales");
    assert.match(await view.locator("[data-test=match-count]").textContent(), /^\d+ match/);
    // Load more calls lineage_impact with the answer's next_arguments.
    await view.locator("[data-test=load-more]").click();
    const call = await waitForCall(t, "lineage_impact");
    assert.deepEqual(call.arguments, ans.continue.next_arguments);
    await view.locator("[data-test=status]", { hasText: "Complete" }).waitFor();
    assert.deepEqual(t.errors, []);
    await t.context.close();
  });

  test("dark theme renders", async () => {
    const t = await open({ view: "lineage.html", fixture: "lineage-small.json", theme: "dark", waitFor: "[data-test=graph] .card" });
    const bg = await t.view.locator("body").evaluate((b) => getComputedStyle(b).backgroundColor);
    assert.equal(bg, "rgb(21, 24, 30)");
    await t.view.locator('.card[data-id="datafold:column:ANALYTICS.MARTS.dim_customers.lifetime_value"]').click();
    await shot(t.page, "lineage-dark.png");
    await t.context.close();
  });

  test("an error result is shown as an error", async () => {
    const t = await open({ view: "lineage.html", tool: "lineage_impact", arguments: { data_source_id: 1, table_path: "X.Y.Z" },
      result: { isError: true, content: [{ type: "text", text: "lineage_impact: could not read the lineage of table X.Y.Z: not found" }] },
      waitFor: "[data-test=error]" });
    assert.match(await t.view.locator("[data-test=error]").textContent(), /could not read the lineage of table X\.Y\.Z/);
    await t.context.close();
  });
});

describe("diff view", () => {
  test("different: verdict, tiles, column bars, next-step buttons call the host", async () => {
    const fx = fixture("diff-different.json");
    const v = fx.result.structuredContent;
    const t = await open({ view: "diff.html", fixture: "diff-different.json", waitFor: "[data-test=tiles]",
      responses: { datafold_get_data_diff_summary: { content: [{ type: "text", text: '{"id": 111, "status": "done", "result": "different"}' }], structuredContent: { id: 111, status: "done", result: "different" } } } });
    const { view, page } = t;
    assert.equal(await view.locator("[data-test=verdict]").textContent(), "Different");
    assert.match(await view.locator("h1").textContent(), /Data diff #111/);
    assert.equal(await view.locator("[data-test=only-a]").getAttribute("data-value"), String(v.a.rows_only_here));
    assert.equal(await view.locator("[data-test=only-b]").getAttribute("data-value"), String(v.b.rows_only_here));
    assert.equal(await view.locator("[data-test=rows-diff]").getAttribute("data-value"), String(v.values.rows_with_differences));
    assert.match(await view.locator("[data-test=only-a]").textContent(), /142.*of 125,430 in A/);
    assert.equal(await view.locator("[data-test=columns] .bar").count(), v.columns_with_differences.length);
    // Bars span 90–100% match: 99.1148% fills 91.15% of the bar.
    assert.equal(await view.locator('[data-test=columns] .bar[data-column="amount"]').getAttribute("data-match"), "99.1148");
    assert.match(await view.locator('[data-test=columns] .bar[data-column="amount"] > span').getAttribute("style"), /width: 91\.15%/);
    assert.match(await view.locator("[data-test=scale]").textContent(), /90%–100%/);
    assert.match(await view.locator("[data-test=schema]").textContent(), /same 9 columns/);
    assert.match(await view.locator("[data-test=side-a]").textContent(), /Snowflake \(prod\).*ANALYTICS\.MARTS\.fct_orders/);
    assert.equal(await view.locator("[data-test=step]").count(), v.next.length);
    await shot(page, "diff.png");

    // The first next step runs datafold_get_data_diff_summary through the host.
    await view.locator("[data-test=step] [data-test=run-step]").first().click();
    const call = await waitForCall(t, "datafold_get_data_diff_summary");
    assert.deepEqual(call.arguments, { datadiff_id: 111 });
    await view.locator("[data-test=step-output]").first().waitFor();
    assert.match(await view.locator("[data-test=step-output]").first().textContent(), /"status": "done"/);
    // Asking for sample rows calls the same tool; this answer has none.
    await view.locator("[data-test=load-samples]").click();
    await view.locator("[data-test=samples-none]").waitFor();
    // The Datafold link opens through the host.
    await view.locator("[data-test=open-datafold]").click();
    await page.waitForFunction(() => window.host.links.length === 1);
    assert.deepEqual(await page.evaluate(() => window.host.links), [v.url]);
    assert.deepEqual(t.errors, []);
    await t.context.close();
  });

  test("sample rows side by side", async () => {
    const t = await open({ view: "diff.html", fixture: "diff-samples.json", waitFor: "[data-test=samples] table" });
    const { view, page } = t;
    const text = await view.locator("[data-test=samples]").textContent();
    assert.match(text, /10231/);
    assert.match(text, /only in A.*amount 19\.99/);
    assert.match(text, /only in B.*amount 2599/);
    assert.ok(await view.locator("[data-test=samples] td.d").count() >= 8, "differing values are highlighted");
    await view.locator("[data-test=samples]").scrollIntoViewIfNeeded();
    await shot(page, "diff-samples.png");
    await t.context.close();
  });

  test("failed: error and next steps", async () => {
    const fx = fixture("diff-failed.json");
    const t = await open({ view: "diff.html", fixture: "diff-failed.json", waitFor: "[data-test=failure]" });
    const { view, page } = t;
    assert.equal(await view.locator("[data-test=verdict]").textContent(), "Failed");
    assert.match(await view.locator("[data-test=error-text]").textContent(), /NoSuchTableException: Table 'ANALYTICS\.MARTS\.FCT_ORDERS_V2' does not exist/);
    assert.equal(await view.locator("[data-test=tiles]").count(), 0);
    assert.equal(await view.locator("[data-test=step]").count(), 2);
    await shot(page, "diff-failed.png");
    await view.locator("[data-test=run-step]").nth(1).click();
    const call = await waitForCall(t, "datafold_run_sql_query");
    assert.deepEqual(call.arguments, fx.result.structuredContent.next[1].arguments);
    await t.context.close();
  });

  test("running: progress while waiting, then check again through the host", async () => {
    const fx = fixture("diff-different.json");
    const t = await open({ view: "diff.html", fixture: "diff-different.json", result: null, waitFor: "[data-test=running]",
      responses: { get_diff_result: fx.result } });
    const { view, page } = t;
    assert.equal(await view.locator("[data-test=verdict]").textContent(), "Running");
    assert.match(await view.locator("[data-test=running]").textContent(), /Comparing the two sides/);
    assert.match(await view.locator("[data-test=side-b]").textContent(), /Snowflake \(dev\).*ANALYTICS\.MARTS\.fct_orders/);
    await shot(page, "diff-pending.png");
    await page.evaluate((r) => window.host.sendResult(r), fixture("diff-running.json").result);
    await view.locator("[data-test=check-now]").waitFor();
    assert.match(await view.locator("[data-test=summary]").textContent(), /still running after 45 s/);
    await shot(page, "diff-running.png");
    await view.locator("[data-test=check-now]").click();
    const call = await waitForCall(t, "get_diff_result");
    assert.deepEqual(call.arguments, { diff_id: 111 });
    await view.locator("[data-test=verdict]", { hasText: "Different" }).waitFor();
    await t.context.close();
  });

  test("warehouse diff: rows only in A and B and differing values per column from its samples", async () => {
    const fx = fixture("diff-local.json");
    const v = fx.result.structuredContent;
    const t = await open({ view: "diff.html", fixture: "diff-local.json", waitFor: "[data-test=samples] table" });
    const { view, page } = t;
    assert.equal(await view.locator("[data-test=verdict]").textContent(), "Different");
    assert.match(await view.locator("h1").textContent(), /Warehouse diff/);
    assert.equal(await view.locator("[data-test=algorithm]").textContent(), `${v.local.algorithm} diff`);
    assert.equal(await view.locator("[data-test=open-datafold]").count(), 0, "no Datafold link for a diff of your own databases");
    assert.match(await view.locator("[data-test=side-a]").textContent(), /warehouse sandbox_prod.*main\.fct_orders/);
    assert.match(await view.locator("[data-test=side-b]").textContent(), /warehouse sandbox_dev.*main\.fct_orders/);
    assert.equal(await view.locator("[data-test=only-a]").getAttribute("data-value"), String(v.a.rows_only_here));
    const samples = view.locator("[data-test=samples]");
    assert.equal(await samples.locator("tr[data-kind=only-a]").count(), v.samples.only_in_a.length);
    assert.equal(await samples.locator("tr[data-kind=only-b]").count(), v.samples.only_in_b.length);
    const values = v.samples.differing.reduce((n, r) => n + r.values.length, 0);
    assert.equal(await samples.locator("tr[data-kind=differs]").count(), values, "one line per differing value");
    assert.equal(await samples.locator("td.d").count(), 2 * values, "both sides of each differing value highlighted");
    // The first differing row: its key, then each column with A's and B's value.
    const first = v.samples.differing[0];
    const line = samples.locator("tr[data-kind=differs]").first();
    assert.deepEqual(await line.locator("td").allTextContents(), [String(first.key[0]), first.values[0].column, String(first.values[0].a), String(first.values[0].b)]);
    assert.match(await samples.locator("tr[data-kind=only-a]").first().textContent(), new RegExp(`^${v.samples.only_in_a[0][0]}only in A`));
    assert.match(await samples.locator("thead").textContent(), /A · sandbox_prod.*B · sandbox_dev/);
    assert.match(await view.locator("[data-test=local-cost]").textContent(), new RegExp(`${v.local.algorithm} diff: ${v.local.queries} queries`));
    assert.ok(await view.locator("[data-test=step][data-tool=warehouse_query]").count() > 0);
    await samples.scrollIntoViewIfNeeded();
    await shot(page, "diff-local.png");
    assert.deepEqual(t.errors, []);
    await t.context.close();
  });

  test("warehouse diff: duplicate and NULL keys among its samples", async () => {
    const fx = fixture("diff-local.json");
    const v = structuredClone(fx.result.structuredContent);
    v.samples = { duplicate_keys_b: [{ key: [11], rows: 2 }], null_keys_b: [[null]], differing: [{ key: [7], values: [{ column: "amount", a: "21", b: null }] }] };
    const t = await open({ view: "diff.html", tool: "diff_tables", arguments: fx.arguments, result: { ...fx.result, structuredContent: v }, waitFor: "[data-test=samples] table" });
    const samples = t.view.locator("[data-test=samples]");
    assert.match(await samples.locator("tr[data-kind=duplicate]").textContent(), /^11duplicate key in B2 rows hold this key$/);
    assert.match(await samples.locator("tr[data-kind=null-key]").textContent(), /^nullNULL in the key in B/);
    assert.deepEqual(await samples.locator("tr[data-kind=differs] td").allTextContents(), ["7", "amount", "21", "null"]);
    assert.deepEqual(t.errors, []);
    await t.context.close();
  });

  test("warehouse diff running: progress, then check again with its handle", async () => {
    const fx = fixture("diff-local.json");
    const t = await open({ view: "diff.html", fixture: "diff-local.json", result: null, waitFor: "[data-test=running]",
      responses: { get_diff_result: fx.result } });
    const { view, page } = t;
    assert.match(await view.locator("[data-test=running]").textContent(), /Comparing the two sides in your databases/);
    assert.match(await view.locator("[data-test=side-b]").textContent(), /warehouse sandbox_dev.*fct_orders/, "b defaults to a's table");
    const running = fixture("diff-local-running.json").result;
    await page.evaluate((r) => window.host.sendResult(r), running);
    await view.locator("[data-test=check-now]").waitFor();
    assert.match(await view.locator("[data-test=summary]").textContent(), /still running \(at bisect level 1/);
    await view.locator("[data-test=check-now]").click();
    const call = await waitForCall(t, "get_diff_result");
    assert.deepEqual(call.arguments, { handle: running.structuredContent.handle });
    await view.locator("[data-test=verdict]", { hasText: "Different" }).waitFor();
    await view.locator("[data-test=samples] table").waitFor();
    assert.deepEqual(t.errors, []);
    await t.context.close();
  });

  test("dark theme renders", async () => {
    const t = await open({ view: "diff.html", fixture: "diff-samples.json", theme: "dark", waitFor: "[data-test=tiles]" });
    const bg = await t.view.locator("body").evaluate((b) => getComputedStyle(b).backgroundColor);
    assert.equal(bg, "rgb(21, 24, 30)");
    await shot(t.page, "diff-dark.png");
    await t.context.close();
  });
});
