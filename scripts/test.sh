#!/usr/bin/env bash
# Runs every test suite of the repository (server, storage, web UI in a real browser, the three SDKs)
# and ends with one line: "N passed, N failed". Exit status is non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
logs=$(mktemp -d)
passed=0
failed=0

# add_counts <passed> <failed> <suite>: a suite that crashed before reporting counts as one failure.
add_counts() {
  passed=$((passed + $1)); failed=$((failed + $2))
  echo "== $3: $1 passed, $2 failed" | tee -a "$logs/summary.log"
}

# Counts of a node --test run from its TAP log (its last "# pass N" / "# fail N"); a failed run without a fail count is one failure.
add_tap_counts() { # <log> <exit status> <suite name>
  local p f
  p=$(grep -E '^# pass [0-9]+' "$1" | tail -1 | awk '{print $3}'); f=$(grep -E '^# fail [0-9]+' "$1" | tail -1 | awk '{print $3}')
  p=${p:-0}; f=${f:-0}
  if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  add_counts "$p" "$f" "$3"
}

scripts/setup.sh || { add_counts 0 1 "setup"; }

echo "== Building the solution and the server the SDK suites start"
if ! dotnet build Zespan.slnx -c Release -nologo -v quiet > "$logs/build.log" 2>&1; then
  cat "$logs/build.log"; add_counts 0 1 "build"
fi
if scripts/build-server.sh > "$logs/server.log" 2>&1; then
  export ZESPAN_SERVER_DLL="$root/artifacts/server/Zespan.Server.dll"
else
  cat "$logs/server.log"; add_counts 0 1 "server build"
fi

echo "== C# style (scripts/format.sh --check, the .editorconfig rules)"
if scripts/format.sh --check > "$logs/format.log" 2>&1; then
  add_counts 1 0 "C# style"
else
  tail -20 "$logs/format.log"; add_counts 0 1 "C# style (run scripts/format.sh)"
fi

echo "== .NET suites (dotnet test Zespan.slnx)"
dotnet test Zespan.slnx -c Release --no-build -nologo 2>&1 | tee "$logs/dotnet.log"
dotnet_status=${PIPESTATUS[0]}
p=$(grep -E '^(Passed|Failed)!' "$logs/dotnet.log" | sed -E 's/.*Passed: +([0-9]+).*/\1/' | awk '{s+=$1} END {print s+0}')
f=$(grep -E '^(Passed|Failed)!' "$logs/dotnet.log" | sed -E 's/.*Failed: +([0-9]+),.*/\1/' | awk '{s+=$1} END {print s+0}')
[ -z "$p" ] && p=0; [ -z "$f" ] && f=0
if [ "$dotnet_status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
add_counts "$p" "$f" ".NET"

echo "== .NET SDK again, against the newest OpenAI, Microsoft.Extensions.AI and OpenTelemetry the feed serves"
scripts/test-sdk-newest-clients.sh 2>&1 | tee "$logs/dotnet-newest.log"
newest_status=${PIPESTATUS[0]}
p=$(grep -E '^(Passed|Failed)!' "$logs/dotnet-newest.log" | sed -E 's/.*Passed: +([0-9]+).*/\1/' | awk '{s+=$1} END {print s+0}')
f=$(grep -E '^(Passed|Failed)!' "$logs/dotnet-newest.log" | sed -E 's/.*Failed: +([0-9]+),.*/\1/' | awk '{s+=$1} END {print s+0}')
if [ "$newest_status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
add_counts "$p" "$f" ".NET SDK (newest clients)"

echo "== TypeScript SDK (cd sdk/js && npm ci && npm test)"
(cd sdk/js && npm ci --no-audit --no-fund && npm test) 2>&1 | tee "$logs/js.log"
add_tap_counts "$logs/js.log" "${PIPESTATUS[0]}" "TypeScript SDK"

echo "== TypeScript SDK on the newest Node LTS with openai@latest (sdk/js/scripts/test-newest.sh)"
sdk/js/scripts/test-newest.sh 2>&1 | tee "$logs/js-newest.log"
add_tap_counts "$logs/js-newest.log" "${PIPESTATUS[0]}" "TypeScript SDK (newest Node LTS, openai@latest)"

echo "== OpenTelemetry JS clients into the server (cd tests/otel-js && npm ci && npm test)"
(cd tests/otel-js && npm ci --no-audit --no-fund && npm test) 2>&1 | tee "$logs/oteljs.log"
add_tap_counts "$logs/oteljs.log" "${PIPESTATUS[0]}" "OpenTelemetry JS clients"

echo "== OpenTelemetry JS clients on the newest Node LTS with every client at its newest (tests/otel-js/scripts/test-newest.sh)"
tests/otel-js/scripts/test-newest.sh 2>&1 | tee "$logs/oteljs-newest.log"
add_tap_counts "$logs/oteljs-newest.log" "${PIPESTATUS[0]}" "OpenTelemetry JS clients (newest Node LTS, newest clients)"

echo "== The openai instrumentation installed as docs/otel.md says, unpinned (tests/otel-js/scripts/test-fresh-install.sh)"
tests/otel-js/scripts/test-fresh-install.sh 2>&1 | tee "$logs/oteljs-fresh.log"
add_tap_counts "$logs/oteljs-fresh.log" "${PIPESTATUS[0]}" "OpenTelemetry JS openai instrumentation (fresh install from docs/otel.md)"

echo "== Python SDK (cd sdk/python && python3 -m unittest discover -s tests -t .)"
(cd sdk/python && python3 -m unittest discover -s tests -t . -v) 2>&1 | tee "$logs/py.log"
py_status=${PIPESTATUS[0]}
total=$(grep -E '^Ran [0-9]+ tests?' "$logs/py.log" | tail -1 | awk '{print $2}'); total=${total:-0}
f=$(grep -E '^FAILED \(' "$logs/py.log" | tail -1 | grep -oE '(failures|errors)=[0-9]+' | cut -d= -f2 | awk '{s+=$1} END {print s+0}'); f=${f:-0}
s=$(grep -E '^(OK|FAILED) \(.*skipped=' "$logs/py.log" | tail -1 | grep -oE 'skipped=[0-9]+' | cut -d= -f2); s=${s:-0}
if [ "$py_status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
add_counts $((total - f - s)) "$f" "Python SDK"

# The suites must leave the tree as they found it (screenshots and data go to temporary folders).
dirty=$(git status --porcelain 2>/dev/null)
if [ -n "$dirty" ]; then
  echo "$dirty"; add_counts 0 1 "clean tree (the files above were changed or left by the tests)"
fi

# CI shows only the end of this output: repeat each suite's count and name every failed test here.
echo
echo "== Summary"
grep -h '^== .*passed, .*failed' "$logs/summary.log"
if [ "$failed" -ne 0 ]; then
  echo "== Failed tests"
  grep -hE '^\s*Failed [A-Za-z_][A-Za-z0-9_.]+' "$logs/dotnet.log" "$logs/dotnet-newest.log" 2>/dev/null | sed -E 's/^\s+//' | sort -u
  grep -hE '^\s*not ok ' "$logs/js.log" "$logs/js-newest.log" "$logs/oteljs.log" "$logs/oteljs-newest.log" "$logs/oteljs-fresh.log" 2>/dev/null
  grep -hE '^(FAIL|ERROR): ' "$logs/py.log" 2>/dev/null
fi
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
