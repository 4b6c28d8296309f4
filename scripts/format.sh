#!/usr/bin/env bash
# Keeps the one C# style of .editorconfig. `scripts/format.sh` rewrites files; `scripts/format.sh --check` only
# reports (exit 1 on a difference) and is what scripts/test.sh runs.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--check" ]; then
  dotnet format whitespace Zespan.slnx --verify-no-changes
else
  dotnet format whitespace Zespan.slnx
fi
