#!/usr/bin/env bash
# Runs the views' browser test: installs what it needs (Debian's chromium
# when /usr/bin/chromium is missing, playwright-core from the lock file;
# never a browser download), then drives the built views in headless
# Chromium. For CI: bash apps/browsertest/run.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

chromium="${CHROMIUM:-/usr/bin/chromium}"
if [[ ! -x "$chromium" ]]; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "run.sh: installing Debian's chromium" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "run.sh: $chromium is missing; install Debian's chromium package (or set CHROMIUM)" >&2
    exit 1
  fi
fi
export CHROMIUM="$chromium"

if [[ ! -d node_modules/playwright-core ]] || ! npm ls --silent >/dev/null 2>&1; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi
npm test
