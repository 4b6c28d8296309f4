#!/usr/bin/env bash
# Builds the Zespan server once into artifacts/server, where the SDK test suites find it (or set ZESPAN_SERVER_DLL).
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/Zespan.Server -c Release -o artifacts/server -nologo -v quiet "$@"
echo "$(pwd)/artifacts/server/Zespan.Server.dll"
