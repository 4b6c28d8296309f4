#!/usr/bin/env bash
# Demo mode: starts Zespan on a fresh data folder, loads ~2,000 realistic sessions through the real ingest API
# (bench/Zespan.DataGen), then prints the URL and API key and keeps the server running until Ctrl-C.
#   scripts/demo.sh                 # port 5080, 2,000 sessions
#   PORT=5090 SESSIONS=500 scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-5080}"
SESSIONS="${SESSIONS:-2000}"
SEED="${SEED:-42}"

echo "Building the server and the data generator (first run takes a minute)..." >&2
dotnet build src/Zespan.Server -c Release -o artifacts/server -nologo -v quiet >&2
dotnet build bench/Zespan.DataGen -c Release -o artifacts/datagen -nologo -v quiet >&2

DATA="$(mktemp -d "${TMPDIR:-/tmp}/zespan-demo-XXXXXX")"
KEY="zsp_demo_$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
PASSWORD="demo-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
URL="http://127.0.0.1:${PORT}"

ZESPAN_DATA="$DATA" ZESPAN_API_KEY="$KEY" ZESPAN_ADMIN_PASSWORD="$PASSWORD" dotnet artifacts/server/Zespan.Server.dll --urls "$URL" > "$DATA/server.log" 2>&1 &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null || true' EXIT INT TERM

for _ in $(seq 1 150); do
  curl -sf "$URL/health" > /dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "The server did not start; see $DATA/server.log" >&2; exit 1; }
  sleep 0.2
done

# 13 days: the default organisation is on the Free plan, which keeps 14 days.
dotnet artifacts/datagen/Zespan.DataGen.dll http --url "$URL" --key "$KEY" --sessions "$SESSIONS" --users 800 --days 13 --seed "$SEED" --concurrency 4

cat <<TEXT

Zespan demo is running.
  Sessions page:  $URL/sessions   (log in as admin / $PASSWORD)
  API:            curl -H "Authorization: Bearer $KEY" "$URL/api/v1/sessions?sort=costUsd&limit=5"
  API key:        $KEY
  Data folder:    $DATA
Press Ctrl-C to stop.
TEXT
wait "$SERVER_PID"
