#!/usr/bin/env bash
# The main job: runs the quick-start sample on the file-system default storage (objects under artifacts/sample/).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet run --project samples/QuickStart/QuickStart.csproj -c Release -- "$@"
