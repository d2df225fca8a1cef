#!/usr/bin/env bash
# Runs Wharf's BenchmarkDotNet suite from Release:
#   dotnet run -c Release --project benchmarks/Wharf.Benchmarks -- --filter '*' [extra args]
# Extra arguments are forwarded to BenchmarkDotNet; a --filter of your own replaces the default '*':
#   eng/benchmark.sh                          # everything
#   eng/benchmark.sh --filter '*Name*'        # one class
#   eng/benchmark.sh --join                   # everything, one combined table
# Results land in BenchmarkDotNet.Artifacts/results/ (git-ignored); scratch files go to the system temp folder.
#
# Azure mode: the Azure Blob benchmarks against an Azurite of their own, installed (eng/servers/azurite/install.sh)
# and started fresh for each run, stopped after it (and on exit, error or Ctrl-C):
#   eng/benchmark.sh azure                                # the three runs below, one after the other
#   eng/benchmark.sh azure --filter '*Azure*'             # BenchmarkDotNet, Azure classes only
#   eng/benchmark.sh azure --paired 2000 azure            # drift-free paired cross-check (azure-save, azure-open: half)
#   eng/benchmark.sh azure --requests azure               # HTTP requests per operation
# Any other arguments after "azure" go to the benchmark program as they are. A fresh server per run matters: Azurite
# frees deleted blobs' memory only every 10 minutes, and a save run writes gigabytes. The server's state directory and
# port are WHARF_BENCH_AZURITE_DIR (default artifacts/servers/azurite-bench) and WHARF_BENCH_AZURITE_PORT (default
# 10060), apart from the tests' Azurite (artifacts/servers/azurite, port 10000), which is left alone.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ ${1:-} == azure ]]; then
  shift
  export WHARF_AZURITE_DIR=${WHARF_BENCH_AZURITE_DIR:-$PWD/artifacts/servers/azurite-bench}
  export WHARF_AZURITE_PORT=${WHARF_BENCH_AZURITE_PORT:-10060}
  trap 'bash eng/servers/azurite/stop.sh >/dev/null || true' EXIT
  trap 'exit 130' INT TERM
  bash eng/servers/azurite/install.sh
  dotnet build -c Release benchmarks/Wharf.Benchmarks -nologo -v quiet
  run() {
    echo "== eng/benchmark.sh azure: $*"
    bash eng/servers/azurite/start.sh
    # shellcheck source=/dev/null
    source "$WHARF_AZURITE_DIR/env"
    dotnet run -c Release --no-build --project benchmarks/Wharf.Benchmarks -- "$@"
    bash eng/servers/azurite/stop.sh
  }
  if [[ $# -gt 0 ]]; then
    run "$@"
  else
    run --filter '*Azure*'
    run --paired 2000 azure
    run --requests azure
  fi
  exit 0
fi

filter=(--filter '*')
for arg in "$@"; do
  if [[ $arg == --filter || $arg == -f || $arg == --filter=* ]]; then
    filter=()
    break
  fi
done

exec dotnet run -c Release --project benchmarks/Wharf.Benchmarks -- "${filter[@]}" "$@"
