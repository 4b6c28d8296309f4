#!/usr/bin/env bash
# Demo mode: starts Zespan on a fresh data folder, loads ~2,000 realistic sessions through the real ingest API
# (bench/Zespan.DataGen), then prints the URL and API key and keeps the server running until Ctrl-C.
#   scripts/demo.sh                 # port 5080 (the next free one if 5080 is taken), 2,000 sessions
#   PORT=5090 SESSIONS=500 scripts/demo.sh
# It builds only when a source file changed since its last build, refuses a PORT= that is taken, and checks that
# the server answering is the one it started (it must accept this run's freshly generated API key).
set -euo pipefail
cd "$(dirname "$0")/.."
SESSIONS="${SESSIONS:-2000}"
SEED="${SEED:-42}"

# port_busy <port>: true when something accepts connections on the loopback port.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if [[ -n "${PORT:-}" ]]; then
  if port_busy "$PORT"; then
    echo "Port $PORT is already in use (another Zespan, perhaps the quick start's server?). Stop it, or choose another: PORT=5090 scripts/demo.sh" >&2
    exit 1
  fi
else
  PORT=5080
  while port_busy "$PORT"; do PORT=$((PORT + 1)); done
  [[ "$PORT" != 5080 ]] && echo "Port 5080 is in use; the demo uses port $PORT." >&2
fi

# Build only when something the two programs are built from is newer than the last build's stamp.
stamp=artifacts/.demo-build-stamp
changed() {
  [[ ! -f "$stamp" || ! -f artifacts/server/Zespan.Server.dll || ! -f artifacts/datagen/Zespan.DataGen.dll ]] && return 0
  [[ -n "$(find src bench/Zespan.DataGen Directory.Build.props Directory.Packages.props global.json \
            -newer "$stamp" -not -path '*/bin/*' -not -path '*/obj/*' -print -quit)" ]]
}
if changed; then
  echo "Building the server and the data generator (the first build takes a minute or two)..." >&2
  dotnet build src/Zespan.Server -c Release -o artifacts/server -nologo -v quiet >&2
  dotnet build bench/Zespan.DataGen -c Release -o artifacts/datagen -nologo -v quiet >&2
  touch "$stamp"
else
  echo "Nothing changed since the last build; starting at once." >&2
fi

DATA="$(mktemp -d "${TMPDIR:-/tmp}/zespan-demo-XXXXXX")"
KEY="zsp_demo_$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
PASSWORD="demo-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
URL="http://127.0.0.1:${PORT}"

ZESPAN_DATA="$DATA" ZESPAN_API_KEY="$KEY" ZESPAN_ADMIN_PASSWORD="$PASSWORD" dotnet artifacts/server/Zespan.Server.dll --urls "$URL" > "$DATA/server.log" 2>&1 &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null || true' EXIT INT TERM

# Ready when the server answers this run's key: its key is new, so no other server accepts it.
ready=""
for _ in $(seq 1 300); do
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "The server did not start; its log:" >&2; tail -20 "$DATA/server.log" >&2; exit 1; }
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" "$URL/api/v1/sessions?limit=1" || true)
  if [[ "$status" == 200 ]]; then ready=1; break; fi
  if [[ "$status" == 401 ]]; then
    echo "Another server answers on $URL (it refused this demo's key). Choose another port: PORT=5090 scripts/demo.sh" >&2
    exit 1
  fi
  sleep 0.2
done
[[ -n "$ready" ]] || { echo "The server did not answer within 60 s; see $DATA/server.log" >&2; exit 1; }

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
