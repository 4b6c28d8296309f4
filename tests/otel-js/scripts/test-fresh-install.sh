#!/usr/bin/env bash
# The official openai instrumentation as a user sets it up today: docs/otel.md's `npm install` line run as written in
# an empty app (no versions, no lockfile: npm resolves what it resolves today, which is not what the pinned lockfile or
# every-package-at-latest gives), then the scenario its snippet describes. Catches a set-up that stores the calls but
# silently drops their prompts and completions, as two copies of @opentelemetry/api-logs did (docs/otel.md).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"          # tests/otel-js
repo="$(cd "$here/../.." && pwd)"
export ZESPAN_SERVER_DLL="${ZESPAN_SERVER_DLL:-$repo/artifacts/server/Zespan.Server.dll}"

install_line="$(grep -m1 -E '^npm install @opentelemetry/sdk-node ' "$repo/docs/otel.md")" \
  || { echo "docs/otel.md has no 'npm install @opentelemetry/sdk-node …' line"; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/test"
cp -r "$here/test/support" "$work/test/support"
cp "$here/test/openai-instrumentation-proto.test.cjs" "$work/test/"
cd "$work"
npm init -y > /dev/null
echo "$install_line"
# shellcheck disable=SC2086 # the line's words are the packages
${install_line} --no-audit --no-fund > /dev/null
version_of() { node -e "const fs = require('fs'); console.log(JSON.parse(fs.readFileSync('node_modules/$1/package.json', 'utf8')).version)"; }
copies=$(find node_modules -path '*/@opentelemetry/api-logs/package.json' | wc -l)
echo "Fresh install on Node $(node --version): openai $(version_of openai), @opentelemetry/sdk-node $(version_of @opentelemetry/sdk-node)," \
  "@opentelemetry/instrumentation-openai $(version_of @opentelemetry/instrumentation-openai), @opentelemetry/api-logs installed in $copies folders"
node --test --test-reporter=tap test/*.test.cjs
