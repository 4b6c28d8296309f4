#!/usr/bin/env bash
# The OpenTelemetry JS clients' suite on the newest Node LTS with every client at its newest, resolved together now as
# a user installing them today would (no lockfile): catches a release of an instrumentation, of the OpenTelemetry SDK
# or of `openai` that silently stops a call from being recorded. Runs in a temporary copy, so package.json and the
# lockfile stay as pinned (the pinned run is `npm ci && npm test`).
# Left out: Langfuse's SDK (@langfuse/otel 5.x declares OpenTelemetry JS 2.x as its peers, which cannot be installed
# beside the newest, 3.x; someone installing it gets 2.x, which the pinned run tests), and the OpenTelemetry packages
# the tests take from the Node SDK itself (sdk-trace-base, sdk-logs, api-logs: renamed or moved in 3.x).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"          # tests/otel-js
repo="$(cd "$here/../.." && pwd)"
export ZESPAN_SERVER_DLL="${ZESPAN_SERVER_DLL:-$repo/artifacts/server/Zespan.Server.dll}"
node_bin="$("$repo/scripts/newest-node-lts.sh")"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$here" && tar --exclude=./node_modules -cf - .) | (cd "$work" && tar -xf -)
cd "$work"
export PATH="$node_bin:$PATH"
node -e '
const fs = require("fs");
const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));
const dependencies = {};
for (const name of Object.keys(pkg.dependencies))
  if (!name.startsWith("@langfuse/") && !["@opentelemetry/sdk-trace-base", "@opentelemetry/sdk-logs", "@opentelemetry/api-logs"].includes(name))
    dependencies[name] = "latest";
dependencies["@ai-sdk/otel"] = "latest"; // AI SDK 7 sends telemetry only through it
pkg.dependencies = dependencies;
fs.writeFileSync("package.json", JSON.stringify(pkg, null, 2));'
rm -f package-lock.json
npm install --no-audit --no-fund > /dev/null
version_of() { node -e "const fs = require('fs'); console.log(JSON.parse(fs.readFileSync('node_modules/$1/package.json', 'utf8')).version)"; }
echo "OpenTelemetry JS clients on Node $(node --version): openai $(version_of openai), @opentelemetry/sdk-node $(version_of @opentelemetry/sdk-node)," \
  "@opentelemetry/instrumentation-openai $(version_of @opentelemetry/instrumentation-openai)," \
  "@arizeai/openinference-instrumentation-openai $(version_of @arizeai/openinference-instrumentation-openai), ai $(version_of ai), @ai-sdk/otel $(version_of @ai-sdk/otel)," \
  "@anthropic-ai/sdk $(version_of @anthropic-ai/sdk), @arizeai/openinference-instrumentation-anthropic $(version_of @arizeai/openinference-instrumentation-anthropic)"
node --test --test-reporter=tap $(ls test/*.test.cjs | grep -v langfuse)
