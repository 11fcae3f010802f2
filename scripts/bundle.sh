#!/usr/bin/env bash
# Builds the Claude Desktop bundle (MCP Bundle, .mcpb) of mcp-server:
#
#   scripts/bundle.sh                # build the binaries (scripts/release.sh), pack, validate, smoke-test
#   SKIP_BUILD=1 scripts/bundle.sh   # reuse the binaries already in dist/
#
# The bundle holds packaging/mcpb/manifest.json (its version set to the
# release's), the macOS and Linux binaries (amd64, arm64) behind a launcher
# that picks the one for the machine, and the Windows amd64 binary (which
# Windows on Arm runs too). The mcpb CLI is the version pinned in
# packaging/mcpb/package-lock.json. After packing, the bundle is validated,
# unpacked again, and its binary for this machine is started with the
# sandbox on and sent an MCP initialize over stdio.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="${DIST_DIR:-dist}"
name="datastack-mcp"
bins=(linux-amd64 linux-arm64 darwin-amd64 darwin-arm64 windows-amd64.exe)

if [[ -z "${SKIP_BUILD:-}" ]]; then
  DIST_DIR="$out" TARGETS="linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64" scripts/release.sh
fi
version="$(cat "$out/VERSION" 2>/dev/null || echo "${VERSION:-}")"
[[ -n "$version" ]] || { echo "bundle.sh: no $out/VERSION; run scripts/release.sh first" >&2; exit 1; }
for b in "${bins[@]}"; do
  [[ -f "$out/$name-$b" ]] || { echo "bundle.sh: $out/$name-$b is missing; run scripts/release.sh" >&2; exit 1; }
done

(cd packaging/mcpb && npm ci --no-audit --no-fund --loglevel=error)
mcpb="$root/packaging/mcpb/node_modules/.bin/mcpb"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
stage="$work/stage"
mkdir -p "$stage/server"
# Bundle versions are semver without the leading v.
node -e '
  const fs = require("fs");
  const m = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  m.version = process.argv[2].replace(/^v/, "");
  fs.writeFileSync(process.argv[3], JSON.stringify(m, null, 2) + "\n");
' packaging/mcpb/manifest.json "$version" "$stage/manifest.json"
install -m 0755 packaging/mcpb/launch.sh "$stage/server/$name"
for b in "${bins[@]}"; do
  install -m 0755 "$out/$name-$b" "$stage/server/$name-$b"
done

"$mcpb" validate "$stage/manifest.json"
bundle="$out/$name-${version#v}.mcpb"
rm -f "$bundle"
"$mcpb" pack "$stage" "$bundle"
"$mcpb" info "$bundle"

# Smoke test: unpack the bundle and start its server with the sandbox on.
"$mcpb" unpack "$bundle" "$work/unpacked" >/dev/null
"$mcpb" validate "$work/unpacked/manifest.json"
init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bundle-smoke","version":"1"}}}'
list='{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{}}'
case "$(uname -s)" in
  Linux | Darwin) launcher=("$work/unpacked/server/$name") ;;
  *) launcher=("$work/unpacked/server/$name-windows-amd64.exe") ;;
esac
answer="$(printf '%s\n%s\n%s\n' "$init" '{"jsonrpc":"2.0","method":"notifications/initialized"}' "$list" |
  MCP_SANDBOX=true DATAFOLD_API_KEY='${user_config.datafold_api_key}' timeout 60 "${launcher[@]}" 2>"$work/stderr" || true)"
if ! grep -q '"serverInfo"' <<<"$answer" || ! grep -q '"diff_tables"' <<<"$answer"; then
  echo "bundle.sh: the bundled server did not answer initialize and tools/list:" >&2
  echo "$answer" >&2
  cat "$work/stderr" >&2
  exit 1
fi
echo "bundle.sh: $bundle validates and its server starts (sandbox): $(grep -o '"serverInfo":{[^}]*}' <<<"$answer")"
