#!/usr/bin/env bash
# Installs the web app's locked dependencies (when the lock file changed) and builds web/dist,
# which the liyan binary embeds.
set -euo pipefail
cd "$(dirname "$0")/../web"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # `npm install` with the committed lock, not `npm ci`: this npm writes locks without the other
  # platforms' optional packages (rollup, esbuild), which `npm ci` then reports as out of sync.
  npm install --no-audit --no-fund
fi
npm run build
