// Both protocol eras with the official TypeScript SDK clients, over stdio and
// stateless streamable HTTP, against the product binary (no fixtures):
//
//   node eras.mjs path/to/mcp-server        (.ci/run builds it and runs this)
//
//   @modelcontextprotocol/sdk 1.32.2     initialize handshake: must negotiate 2025-11-25
//   @modelcontextprotocol/client 2.4.0   versionNegotiation "auto" (server/discover, then
//                                        per-request _meta): must negotiate 2026-07-28
//
// Each client lists the tools (all that --sandbox offers, none of the conformance fixtures),
// calls datafold_list_data_sources on the sandbox, lists the resources and
// reads one. Over HTTP the requests are recorded on the wire: the 2025 client
// must initialize; the 2026 client must call server/discover, never
// initialize, and carry the protocol version in every request's _meta and
// MCP-Protocol-Version header. Prints one line per client and transport; exits
// 1 on any failure.
import { spawn } from 'node:child_process';
import { once } from 'node:events';

import { execFileSync } from 'node:child_process';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as LegacyStdio } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as LegacyHTTP } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client, StreamableHTTPClientTransport, PROTOCOL_VERSION_META_KEY } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

const bin = process.argv[2];
if (!bin) {
  console.error('usage: node eras.mjs path/to/mcp-server');
  process.exit(2);
}
// What `mcp-server --sandbox` offers, as the binary itself lists it (mcp-server tools --sandbox):
// never a literal, so an operation added to a spec needs no edit here.
const TOOLS = JSON.parse(execFileSync(bin, ['tools', '--sandbox'], { env: { ...process.env, MCP_LOG_LEVEL: 'error' }, stdio: ['ignore', 'pipe', 'ignore'] })).length;
const FIXTURES = ['test_simple_text', 'test_tool_with_logging', 'test_tool_with_progress', 'test_sampling', 'json_schema_2020_12_tool'];
const env = { ...process.env, MCP_LOG_LEVEL: 'warn' };

function check(cond, what) {
  if (!cond) throw new Error(what);
}

// startHTTP serves the product on a free loopback port; resolves its /mcp URL.
async function startHTTP() {
  const proc = spawn(bin, ['--sandbox', '--transport', 'http', '--addr', '127.0.0.1:0'], {
    env: { ...process.env, MCP_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start in 10 s: ' + log)), 10_000);
    proc.stderr.on('data', (b) => {
      log += b;
      const m = /url=(http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.on('exit', (code) => reject(new Error(`server exited (${code}): ${log}`)));
  });
  proc.stderr.resume();
  return {
    url,
    async stop() {
      proc.kill('SIGTERM');
      await once(proc, 'exit');
    },
  };
}

// wire records the JSON-RPC requests a client posts.
function wire() {
  const sent = [];
  return {
    sent,
    fetch: async (url, init) => {
      if (init?.method === 'POST' && typeof init.body === 'string') {
        const headers = new Headers(init.headers);
        for (const m of [JSON.parse(init.body)].flat()) {
          sent.push({ msg: m, header: headers.get('mcp-protocol-version') });
        }
      }
      return fetch(url, init);
    },
  };
}

// exercise lists, calls and reads: the same conversation in both eras.
async function exercise(client) {
  const tools = [];
  let cursor;
  do {
    const page = await client.listTools(cursor ? { cursor } : {});
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor);
  check(tools.length === TOOLS, `tools/list: ${tools.length} tools, want ${TOOLS}`);
  const names = new Set(tools.map((t) => t.name));
  check(!FIXTURES.some((f) => names.has(f)), 'tools/list offers a conformance fixture');
  check(tools.every((t) => t.description && t.inputSchema?.type === 'object'), 'a tool lacks a description or an object inputSchema');

  const res = await client.callTool({ name: 'datafold_list_data_sources', arguments: {} });
  check(!res.isError, 'datafold_list_data_sources: isError: ' + JSON.stringify(res.content).slice(0, 200));
  check(res.structuredContent && res.content?.[0]?.type === 'text', 'datafold_list_data_sources: no structured result');
  const text = res.content[0].text;
  check(/Snowflake/.test(text), 'datafold_list_data_sources: the sandbox data sources are missing');

  const bad = await client.callTool({ name: 'datafold_get_data_source', arguments: { data_source_id: 'one' } });
  check(bad.isError, 'a string for an integer argument is not an isError result');

  const { resources } = await client.listResources();
  check(resources.length > 0, 'resources/list is empty');
  const read = await client.readResource({ uri: resources[0].uri });
  check(read.contents?.[0]?.uri && (read.contents[0].text || read.contents[0].blob), `resources/read ${resources[0].uri}: no contents`);
  return `${tools.length} tools, datafold_list_data_sources ok, read ${resources[0].uri}`;
}

const results = [];
async function run(name, fn) {
  const t0 = Date.now();
  try {
    const line = await fn();
    results.push(true);
    console.log(`ok   ${name}: ${line} (${Date.now() - t0} ms)`);
  } catch (e) {
    results.push(false);
    console.log(`FAIL ${name}: ${e?.stack || e}`);
  }
}

const http = await startHTTP();
try {
  // --- 2025-11-25: @modelcontextprotocol/sdk 1.x, initialize handshake ---------
  const legacy = async (transport, w) => {
    let negotiated;
    const set = transport.setProtocolVersion?.bind(transport);
    transport.setProtocolVersion = (v) => {
      negotiated = v;
      set?.(v);
    };
    const client = new LegacyClient({ name: 'eras-sdk-1', version: '1' });
    await client.connect(transport);
    try {
      check(negotiated === '2025-11-25', `negotiated ${negotiated}, want 2025-11-25`);
      check(client.getServerVersion()?.name === 'datastack-mcp', 'server name is not datastack-mcp');
      const line = await exercise(client);
      if (w) {
        check(w.sent[0]?.msg.method === 'initialize', `first request ${w.sent[0]?.msg.method}, want initialize`);
        check(!w.sent.some((s) => s.msg.method === 'server/discover'), 'the 2025 client sent server/discover');
        const after = w.sent.slice(1).filter((s) => s.msg.method);
        check(after.every((s) => s.header === '2025-11-25'), 'a request after initialize lacks MCP-Protocol-Version: 2025-11-25');
      }
      return `negotiated ${negotiated}; ${line}`;
    } finally {
      await client.close();
    }
  };
  await run('sdk 1.32.2 (2025-11-25) stdio', () => legacy(new LegacyStdio({ command: bin, args: ['--sandbox'], env, stderr: 'ignore' })));
  await run('sdk 1.32.2 (2025-11-25) http ', () => {
    const w = wire();
    return legacy(new LegacyHTTP(new URL(http.url), { fetch: w.fetch }), w);
  });

  // --- 2026-07-28: @modelcontextprotocol/client 2.x, server/discover + _meta ---
  const modern = async (transport, w) => {
    const client = new Client({ name: 'eras-client-2', version: '1' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(transport);
    try {
      const negotiated = client.getNegotiatedProtocolVersion();
      check(negotiated === '2026-07-28', `negotiated ${negotiated}, want 2026-07-28`);
      check(client.getProtocolEra() === 'modern', `era ${client.getProtocolEra()}, want modern`);
      const line = await exercise(client);
      if (w) {
        const requests = w.sent.filter((s) => s.msg.method && s.msg.id !== undefined);
        check(requests[0]?.msg.method === 'server/discover', `first request ${requests[0]?.msg.method}, want server/discover`);
        check(!w.sent.some((s) => s.msg.method === 'initialize'), 'the 2026 client sent initialize');
        for (const s of requests) {
          check(s.msg.params?._meta?.[PROTOCOL_VERSION_META_KEY] === '2026-07-28', `${s.msg.method}: _meta lacks ${PROTOCOL_VERSION_META_KEY}`);
          check(s.header === '2026-07-28', `${s.msg.method}: MCP-Protocol-Version header ${s.header}`);
        }
        return `negotiated ${negotiated} (${requests.length} requests, each with _meta); ${line}`;
      }
      return `negotiated ${negotiated}; ${line}`;
    } finally {
      await client.close();
    }
  };
  await run('client 2.4.0 (2026-07-28) stdio', () => modern(new StdioClientTransport({ command: bin, args: ['--sandbox'], env, stderr: 'ignore' })));
  await run('client 2.4.0 (2026-07-28) http ', () => {
    const w = wire();
    return modern(new StreamableHTTPClientTransport(new URL(http.url), { fetch: w.fetch }), w);
  });
} finally {
  await http.stop();
}

const failed = results.filter((ok) => !ok).length;
console.log(`eras: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
