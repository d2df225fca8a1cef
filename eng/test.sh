#!/usr/bin/env bash
# Runs every test on a fresh machine: builds the solution, installs and starts the real servers the tests need
# (eng/servers/: Ceph radosgw for S3, Azurite for Azure Blob), runs every test project, packs the packages and tests
# the packed .nupkg files, stops the servers, then prints one line: "N passed, N failed".
# Installing the servers needs root (apt-get) when their binaries are missing; see eng/servers/*/install.sh.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
results="$PWD/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"
export WHARF_TEST_RESULTS="$results"
status=0

# Real servers. Each runs from its own state directory under artifacts/servers/ and is stopped before the summary;
# the EXIT trap stops it too when the script ends early (error, Ctrl-C, SIGTERM). A run killed with SIGKILL leaves
# it running: the next start.sh stops that stale instance first.
export WHARF_RGW_DIR="${WHARF_RGW_DIR:-$PWD/artifacts/servers/rgw}"
export WHARF_AZURITE_DIR="${WHARF_AZURITE_DIR:-$PWD/artifacts/servers/azurite}"
# For tests that run a second, private Azurite (their own WHARF_AZURITE_DIR and WHARF_AZURITE_PORT), e.g. outages.
export WHARF_AZURITE_START="$PWD/eng/servers/azurite/start.sh" WHARF_AZURITE_STOP="$PWD/eng/servers/azurite/stop.sh"
rgw_started=0
azurite_started=0
# When a test failed, keep the servers' logs with the results before stop.sh removes their state directories: a
# server-side fault (a 400 with no body, a crash) is otherwise impossible to diagnose after the run.
keep_server_logs() {
  local name dir
  for name in rgw azurite; do
    dir=$([ "$name" = rgw ] && echo "$WHARF_RGW_DIR" || echo "$WHARF_AZURITE_DIR")
    if [ -d "$dir/log" ]; then
      mkdir -p "$results/servers" && cp -r "$dir/log" "$results/servers/$name-log" &&
        echo "== servers: $name logs kept in $results/servers/$name-log" >&2
    fi
  done
}
stop_servers() {
  if [ "$azurite_started" -eq 1 ]; then
    azurite_started=0
    echo "== servers: stop azurite"
    bash eng/servers/azurite/stop.sh
  fi
  if [ "$rgw_started" -eq 1 ]; then
    rgw_started=0
    echo "== servers: stop rgw"
    bash eng/servers/rgw/stop.sh
  fi
}
trap stop_servers EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

start_rgw() {
  echo "== servers: rgw"
  bash eng/servers/rgw/install.sh || { echo "== servers: rgw install FAILED" >&2; return 1; }
  rgw_started=1
  if ! bash eng/servers/rgw/start.sh; then
    echo "== servers: rgw start FAILED" >&2
    if [ -d "$WHARF_RGW_DIR/log" ]; then
      mkdir -p "$results/servers" && cp -r "$WHARF_RGW_DIR/log" "$results/servers/rgw-log" &&
        echo "== servers: rgw logs copied to $results/servers/rgw-log" >&2
    fi
    return 1
  fi
  # shellcheck source=/dev/null
  source "$WHARF_RGW_DIR/env"
}

start_azurite() {
  echo "== servers: azurite"
  bash eng/servers/azurite/install.sh || { echo "== servers: azurite install FAILED" >&2; return 1; }
  azurite_started=1
  if ! bash eng/servers/azurite/start.sh; then
    echo "== servers: azurite start FAILED" >&2
    if [ -d "$WHARF_AZURITE_DIR/log" ]; then
      mkdir -p "$results/servers" && cp -r "$WHARF_AZURITE_DIR/log" "$results/servers/azurite-log" &&
        echo "== servers: azurite logs copied to $results/servers/azurite-log" >&2
    fi
    return 1
  fi
  # shellcheck source=/dev/null
  source "$WHARF_AZURITE_DIR/env"
}

echo "== build"
build_ok=1
dotnet build Packages.sln -c Release -warnaserror || { status=1; build_ok=0; }

if [ "$build_ok" -eq 1 ]; then
  if ! start_rgw; then
    # Run the tests anyway, pointed at the endpoint that should have been there, so that the S3 tests fail
    # visibly (connection refused) instead of being skipped; the run is red either way.
    status=1
    export WHARF_S3_ENDPOINT="http://127.0.0.1:${WHARF_RGW_PORT:-7480}" WHARF_S3_REGION=us-east-1 \
      WHARF_S3_ACCESS_KEY=rgw-not-started WHARF_S3_SECRET_KEY=rgw-not-started
  fi
  if ! start_azurite; then
    # Same for Azure Blob: the well-known development account at the endpoint that should have answered.
    status=1
    export WHARF_AZURE_ENDPOINT="http://127.0.0.1:${WHARF_AZURITE_PORT:-10000}/devstoreaccount1" \
      WHARF_AZURE_ACCOUNT=devstoreaccount1 \
      WHARF_AZURE_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
  fi

  # The real-world corpus of tests/StaticManifest.Corpus.Tests: front-end packages pinned by eng/corpus/package-lock.json.
  # Without it those tests fail (they never skip), and the run is red.
  echo "== corpus"
  if corpus_dir=$(bash eng/corpus/install.sh); then
    export WHARF_CORPUS_DIR="$corpus_dir"
  else
    echo "== corpus install FAILED" >&2
    status=1
    unset WHARF_CORPUS_DIR
  fi

  echo "== test (solution)"
  dotnet test Packages.sln -c Release --no-build --logger trx --results-directory "$results" || status=1

  echo "== test (packed packages)"
  bash eng/test-packages.sh || status=1

  [ "$status" -eq 0 ] || keep_server_logs
  stop_servers
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
