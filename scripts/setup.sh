#!/usr/bin/env bash
# Installs what the test suites need beyond the .NET SDK, Node and Python: Debian's Chromium for the browser tests and
# PostgreSQL for the shared control plane's tests (they start a private cluster of their own on a free port),
# ClickHouse + ZooKeeper and libchdb for the ClickHouse storage suite.
# Playwright never downloads its own browser here; it drives /usr/bin/chromium.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ]; then
    echo "Installing Debian's ${missing[*]} for the tests..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "The tests need ${missing[*]}: run 'sudo apt-get install -y ${missing[*]}'." >&2
    exit 1
  fi
fi

# The ClickHouse suite: Debian's clickhouse-server and ZooKeeper for its two-shard cluster (the suite starts and stops
# it), and libchdb (ClickHouse 26 from npm) for the dialect check. Both steps do nothing when already installed.
"$(dirname "$0")/clickhouse-cluster.sh" install
"$(dirname "$0")/install-chdb.sh" > /dev/null
