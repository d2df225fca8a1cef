#!/usr/bin/env bash
# Runs every test on a fresh machine: builds the solution, starts the real servers the tests need (none yet for
# the file-system backend; the S3 and Azure issues add Ceph RGW and Azurite here), runs every test project, packs
# the packages and tests the packed .nupkg files, then prints one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
results="$PWD/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"
export WHARF_TEST_RESULTS="$results"
status=0

echo "== build"
dotnet build Packages.sln -c Release -warnaserror || status=1

if [ "$status" -eq 0 ]; then
  echo "== test (solution)"
  dotnet test Packages.sln -c Release --no-build --logger trx --results-directory "$results" || status=1

  echo "== test (packed packages)"
  bash eng/test-packages.sh || status=1
fi

# Sum the counters of every TRX file; a run that produced no result file counts as a failure above.
passed=0
failed=0
for trx in "$results"/*.trx "$results"/**/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* timeout="\([0-9]*\)".*/\1/p' <<<"$counters")
  a=$(sed -n 's/.* aborted="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0} + ${a:-0}))
done

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # The build or a test host failed before any test could report: count it so the summary is not green.
  failed=1
fi

echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
