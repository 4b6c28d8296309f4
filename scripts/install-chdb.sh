#!/usr/bin/env bash
# Installs libchdb — the ClickHouse 26 engine as an in-process library (npm @chdb/lib-linux-x64-gnu, ~530 MB) — that the
# ClickHouse dialect check runs every statement on, once, into $ZESPAN_CHDB_CACHE (default ~/.cache/zespan/chdb-VERSION),
# and prints the library's path. scripts/setup.sh runs it; the test suite runs it too when the library is missing.
set -euo pipefail
version=26.5.3
cache=${ZESPAN_CHDB_CACHE:-$HOME/.cache/zespan/chdb-$version}
library=$cache/node_modules/@chdb/lib-linux-x64-gnu/libchdb.so
if [ ! -f "$library" ]; then
  echo "install-chdb: installing @chdb/lib-linux-x64-gnu@$version into $cache (npm)" >&2
  mkdir -p "$cache"
  npm install --prefix "$cache" --no-save --no-audit --no-fund --no-package-lock "@chdb/lib-linux-x64-gnu@$version" >&2
fi
[ -f "$library" ] || { echo "install-chdb: $library is missing after npm install" >&2; exit 1; }
echo "$library"
