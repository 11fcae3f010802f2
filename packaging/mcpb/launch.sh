#!/bin/sh
# Starts the bundled datastack-mcp binary for this OS and CPU (macOS and
# Linux; Windows runs the .exe directly). Settings the user left empty are
# unset (so is a "${user_config.…}" placeholder a host left unexpanded), and
# the sandbox toggle (true/false) becomes MCP_SANDBOX=1 or unset.
dir=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
case "$(uname -s)" in
  Darwin) os=darwin ;;
  Linux) os=linux ;;
  *) echo "datastack-mcp: unsupported operating system $(uname -s)" >&2; exit 1 ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 ;;
  arm64 | aarch64) arch=arm64 ;;
  *) echo "datastack-mcp: unsupported CPU $(uname -m)" >&2; exit 1 ;;
esac
case "${MCP_SANDBOX:-}" in
  1 | true | TRUE | True) MCP_SANDBOX=1; export MCP_SANDBOX ;;
  *) unset MCP_SANDBOX ;;
esac
for v in DATAFOLD_API_KEY POSTHOG_API_KEY LIGHTDASH_API_KEY LIGHTDASH_URL PDC_URL PDC_USERNAME PDC_PASSWORD DBT_PROJECT_DIR WAREHOUSE_DSN; do
  eval "val=\${$v:-}"
  case "$val" in "" | '${user_config.'*) unset "$v" ;; esac
done
exec "$dir/datastack-mcp-$os-$arch" "$@"
