// The host side of MCP Apps, enough to drive a view in a test: it answers
// ui/initialize, sends the tool input and result, proxies tools/call to
// canned answers (recording every call), records ui/open-link, and sizes
// the iframe from ui/notifications/size-changed.
"use strict";
window.host = (() => {
  const frame = document.getElementById("view");
  const log = [];
  const calls = [];
  const links = [];
  let opts = {};
  let responses = {};

  function send(msg) { frame.contentWindow.postMessage(msg, "*"); }
  function notify(method, params) { send({ jsonrpc: "2.0", method, params }); }

  async function onMessage(ev) {
    if (ev.source !== frame.contentWindow) return;
    const m = ev.data;
    if (!m || m.jsonrpc !== "2.0") return;
    log.push(m);
    if (m.method === "ui/initialize") {
      send({ jsonrpc: "2.0", id: m.id, result: {
        protocolVersion: m.params.protocolVersion,
        hostInfo: { name: "datastack-test-host", version: "1" },
        hostCapabilities: { serverTools: {}, openLinks: {}, logging: {} },
        hostContext: { theme: opts.theme || "light", displayMode: "inline", platform: "web", locale: "en-US",
          toolInfo: { id: 1, tool: { name: opts.tool, inputSchema: { type: "object" } } },
          containerDimensions: { width: frame.clientWidth, maxHeight: 4000 } },
      } });
      return;
    }
    if (m.method === "ui/notifications/initialized") {
      if (opts.arguments) notify("ui/notifications/tool-input", { arguments: opts.arguments });
      if (opts.result) notify("ui/notifications/tool-result", opts.result);
      return;
    }
    if (m.method === "ui/notifications/size-changed") {
      if (m.params && m.params.height) frame.style.height = Math.min(m.params.height, 4000) + "px";
      return;
    }
    if (m.method === "tools/call") {
      calls.push({ name: m.params.name, arguments: m.params.arguments });
      let r = responses[m.params.name];
      if (typeof r === "function") r = r(m.params.arguments);
      if (r && r.error) { send({ jsonrpc: "2.0", id: m.id, error: r.error }); return; }
      if (r && r.delayMs) await new Promise((ok) => setTimeout(ok, r.delayMs));
      send({ jsonrpc: "2.0", id: m.id, result: (r && r.result) || r || { content: [{ type: "text", text: `answer of ${m.params.name}` }] } });
      return;
    }
    if (m.method === "ui/open-link") {
      links.push(m.params.url);
      send({ jsonrpc: "2.0", id: m.id, result: {} });
      return;
    }
    if (m.id !== undefined && m.method) send({ jsonrpc: "2.0", id: m.id, result: {} });
  }
  window.addEventListener("message", onMessage);

  return {
    log, calls, links,
    // start loads a view: {html, tool, arguments, result, theme, responses}.
    start(o) {
      opts = o;
      responses = o.responses || {};
      document.body.classList.toggle("dark", o.theme === "dark");
      frame.srcdoc = o.html;
    },
    respond(name, r) { responses[name] = r; },
    sendResult(result) { notify("ui/notifications/tool-result", result); },
    setTheme(theme) { document.body.classList.toggle("dark", theme === "dark"); notify("ui/notifications/host-context-changed", { theme }); },
  };
})();
