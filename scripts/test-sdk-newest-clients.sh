#!/usr/bin/env bash
# Runs the .NET SDK suite with OpenAI, Anthropic, Microsoft.Extensions.AI(.OpenAI) and OpenTelemetry resolved to the newest stable versions
# the NuGet feed serves today (floating versions, see tests/Zespan.Sdk.Tests/Zespan.Sdk.Tests.csproj), beside the
# pinned run of `dotnet test Zespan.slnx`. Prints the versions it resolved, then xunit's Passed!/Failed! line.
set -uo pipefail
cd "$(dirname "$0")/.."
project=tests/Zespan.Sdk.Tests
dotnet build "$project" -c Release -nologo -v quiet -p:ZespanClientVersions=latest || exit 1
# The resolved versions, from the restore's lock of this build (e.g. "OpenAI/2.15.0").
grep -oE '"(OpenAI|Anthropic|Microsoft\.Extensions\.AI|Microsoft\.Extensions\.AI\.OpenAI|Microsoft\.Extensions\.AI\.Abstractions|OpenTelemetry|OpenTelemetry\.Exporter\.OpenTelemetryProtocol)/[^"]+": \{' \
  "$project/obj/project.assets.json" | sed -E 's/"([^"]+)".*/resolved \1/' | sort -u
# The next build without the property restores the pinned versions again (restore inputs differ).
# The install-from-repository test does not depend on the client versions; the pinned run covers it.
dotnet test "$project" -c Release --no-build -nologo --filter "Category!=Install"
