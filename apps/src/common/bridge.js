// The view side of MCP Apps (io.modelcontextprotocol/ui): JSON-RPC 2.0 over
// postMessage with the host. The view asks ui/initialize, applies the host
// context (theme, style variables), says ui/notifications/initialized, then
// receives the tool input and result as notifications; it can call the
// server's tools (tools/call) and open links (ui/open-link) through the host.
"use strict";
const Bridge = (() => {
  const PROTOCOL = "2026-01-26";
  const pending = new Map();
  let nextId = 1;
  let handlers = {};
  let hostCapabilities = {};
  let hostContext = {};

  function post(msg) { window.parent.postMessage(msg, "*"); }

  function request(method, params, timeoutMs) {
    const id = nextId++;
    post({ jsonrpc: "2.0", id, method, params: params || {} });
    return new Promise((resolve, reject) => {
      let timer = null;
      if (timeoutMs) timer = setTimeout(() => { pending.delete(id); reject(new Error(method + " timed out")); }, timeoutMs);
      pending.set(id, { resolve, reject, timer });
    });
  }

  function notify(method, params) { post({ jsonrpc: "2.0", method, params: params || {} }); }

  function applyContext(ctx) {
    if (!ctx) return;
    hostContext = Object.assign({}, hostContext, ctx);
    const root = document.documentElement;
    if (ctx.theme === "light" || ctx.theme === "dark") root.dataset.theme = ctx.theme;
    const vars = ctx.styles && ctx.styles.variables;
    if (vars) for (const k of Object.keys(vars)) if (k.startsWith("--") && vars[k]) root.style.setProperty(k, vars[k]);
    if (handlers.context) handlers.context(hostContext);
  }

  function onMessage(ev) {
    if (ev.source !== window.parent) return;
    const m = ev.data;
    if (!m || typeof m !== "object" || m.jsonrpc !== "2.0") return;
    if (m.method === undefined && m.id !== undefined) {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (p.timer) clearTimeout(p.timer);
      if (m.error) p.reject(new Error(m.error.message || "error " + m.error.code));
      else p.resolve(m.result);
      return;
    }
    if (m.id !== undefined) { // a request from the host
      let result = {};
      if (m.method === "ui/resource-teardown" && handlers.teardown) handlers.teardown();
      else if (m.method !== "ping" && m.method !== "ui/resource-teardown") {
        post({ jsonrpc: "2.0", id: m.id, error: { code: -32601, message: "method not found: " + m.method } });
        return;
      }
      post({ jsonrpc: "2.0", id: m.id, result });
      return;
    }
    switch (m.method) {
      case "ui/notifications/tool-input": if (handlers.input) handlers.input((m.params && m.params.arguments) || {}); break;
      case "ui/notifications/tool-input-partial": if (handlers.partialInput) handlers.partialInput((m.params && m.params.arguments) || {}); break;
      case "ui/notifications/tool-result": if (handlers.result) handlers.result(m.params || {}); break;
      case "ui/notifications/tool-cancelled": if (handlers.cancelled) handlers.cancelled((m.params && m.params.reason) || ""); break;
      case "ui/notifications/host-context-changed": applyContext(m.params); break;
    }
  }

  let lastSize = "";
  function reportSize() {
    const el = document.documentElement;
    const size = { width: Math.ceil(el.scrollWidth), height: Math.ceil(el.scrollHeight) };
    const key = size.width + "x" + size.height;
    if (key === lastSize) return;
    lastSize = key;
    notify("ui/notifications/size-changed", size);
  }

  async function connect(appInfo, on) {
    handlers = on || {};
    window.addEventListener("message", onMessage);
    const res = await request("ui/initialize", { appInfo, appCapabilities: {}, protocolVersion: PROTOCOL });
    hostCapabilities = (res && res.hostCapabilities) || {};
    applyContext((res && res.hostContext) || {});
    notify("ui/notifications/initialized", {});
    if (typeof ResizeObserver === "function") new ResizeObserver(reportSize).observe(document.body);
    reportSize();
    return res;
  }

  // callTool runs one of the server's tools through the host and returns
  // its CallToolResult; a JSON-RPC error becomes a rejected promise.
  function callTool(name, args) { return request("tools/call", { name, arguments: args || {} }); }

  function openLink(url) { return request("ui/open-link", { url }); }

  function canCallTools() { return !!hostCapabilities.serverTools; }

  return { connect, callTool, openLink, canCallTools, context: () => hostContext };
})();

// Small DOM helpers shared by the views.
function h(tag, attrs, ...children) {
  const el = tag === "svg" ? document.createElementNS("http://www.w3.org/2000/svg", "svg") : document.createElement(tag);
  if (attrs) for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.setAttribute("class", v);
    else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "style" && typeof v === "object") {
      for (const [p, x] of Object.entries(v)) if (p.startsWith("--")) el.style.setProperty(p, x); else el.style[p] = x;
    }
    else if (k !== "xmlns") el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function fmtInt(n) { return typeof n === "number" ? n.toLocaleString("en-US") : "–"; }

// resultText joins the text blocks of a CallToolResult.
function resultText(res) {
  if (!res || !Array.isArray(res.content)) return "";
  return res.content.filter((c) => c && c.type === "text").map((c) => c.text).join("\n");
}

// structured returns the structured answer of a result: structuredContent,
// else the JSON of its text when the text is JSON.
function structured(res) {
  if (!res) return null;
  if (res.structuredContent && typeof res.structuredContent === "object") return res.structuredContent;
  const t = resultText(res).trim();
  if (t.startsWith("{")) { try { return JSON.parse(t); } catch (e) { /* not JSON */ } }
  return null;
}
