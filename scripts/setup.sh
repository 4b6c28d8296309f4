#!/usr/bin/env bash
# Installs what the test suites need beyond the .NET SDK, Node and Python: Debian's Chromium for the browser tests.
# Playwright never downloads its own browser here; it drives /usr/bin/chromium.
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ]; then
    echo "Installing Debian's chromium for the browser tests..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "The browser tests need Chromium at /usr/bin/chromium: run 'sudo apt-get install -y chromium'." >&2
    exit 1
  fi
fi
