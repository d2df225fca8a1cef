#!/usr/bin/env bash
# Packs the Wharf packages and runs tests/PackageConsumption against them, as an outside consumer would: the
# project references the packages (not the projects) from artifacts/packages and restores them into a private
# folder, which is deleted first so that a re-pack of the same version is never served from a cache.
# Results: TRX in ${WHARF_TEST_RESULTS:-artifacts/test-results}/package-consumption.trx.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

rm -rf artifacts/packages artifacts/consumer-packages

echo "==> dotnet pack Packages.sln -c Release"
dotnet pack Packages.sln -c Release --nologo --verbosity quiet

echo "==> dotnet test tests/PackageConsumption (packed packages)"
dotnet test tests/PackageConsumption/PackageConsumption.Tests.csproj -c Release \
  --logger "trx;LogFileName=package-consumption.trx" \
  --results-directory "${WHARF_TEST_RESULTS:-artifacts/test-results}"
