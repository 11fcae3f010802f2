// Records real tool results from the server's sandbox over stdio into
// fixtures/, for the browser test to feed the views:
//
//   node record-fixtures.mjs              # runs `go run ./cmd/mcp-server --sandbox`
//   MCP_SERVER=dist/datastack-mcp-linux-amd64 node record-fixtures.mjs
//   ONLY=diff-local.json node record-fixtures.mjs   # just that fixture
//
// The 300-node lineage fixture is synthesized by synth-fixtures.mjs.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import readline from "node:readline";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const server = process.env.MCP_SERVER;
const child = server
  ? spawn(resolve(root, server), ["--sandbox"], { cwd: root, stdio: ["pipe", "pipe", "inherit"] })
  : spawn("go", ["run", "./cmd/mcp-server", "--sandbox"], { cwd: root, stdio: ["pipe", "pipe", "inherit"] });

const waiting = new Map();
let next = 1;
readline.createInterface({ input: child.stdout }).on("line", (line) => {
  const msg = JSON.parse(line);
  if (msg.id !== undefined && waiting.has(msg.id)) {
    waiting.get(msg.id)(msg);
    waiting.delete(msg.id);
  }
});
function rpc(method, params) {
  const id = next++;
  child.stdin.write(JSON.stringify({ jsonrpc: "2.0", id, method, params }) + "\n");
  return new Promise((ok) => waiting.set(id, ok));
}

async function record(file, name, args) {
  if (process.env.ONLY && process.env.ONLY !== file) return;
  const res = await rpc("tools/call", { name, arguments: args });
  if (res.error) throw new Error(`${name}: ${JSON.stringify(res.error)}`);
  const fixture = { tool: name, arguments: args, result: res.result };
  writeFileSync(join(here, "fixtures", file), JSON.stringify(fixture, null, 2) + "\n");
  console.log(`fixtures/${file}: ${name} isError=${!!res.result.isError}`);
}

await rpc("initialize", { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "record-fixtures", version: "1" } });
child.stdin.write(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }) + "\n");

await record("lineage-small.json", "lineage_impact", { data_source_id: 1, column_path: "ANALYTICS.MARTS.fct_orders.amount" });
await record("diff-different.json", "diff_tables", {
  a: { data_source: "prod", table: "ANALYTICS.MARTS.fct_orders" },
  b: { data_source: "Snowflake (dev)" },
  primary_key: ["order_id"],
});
await record("diff-failed.json", "diff_tables", {
  a: { data_source: "prod", table: "ANALYTICS.MARTS.fct_orders" },
  b: { data_source: "dev", table: "ANALYTICS.MARTS.fct_orders_v2" },
  primary_key: ["order_id"],
});
await record("diff-local.json", "diff_tables", {
  a: { warehouse: "sandbox_prod", table: "fct_orders" },
  b: { warehouse: "sandbox_dev" },
  primary_key: ["order_id"],
});
child.stdin.end();
child.kill();
