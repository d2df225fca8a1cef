#!/usr/bin/env bash
# Runs Wharf's BenchmarkDotNet suite from Release:
#   dotnet run -c Release --project benchmarks/Wharf.Benchmarks -- --filter '*' [extra args]
# Extra arguments are forwarded to BenchmarkDotNet; a --filter of your own replaces the default '*':
#   eng/benchmark.sh                          # everything
#   eng/benchmark.sh --filter '*Name*'        # one class
#   eng/benchmark.sh --join                   # everything, one combined table
# Results land in BenchmarkDotNet.Artifacts/results/ (git-ignored); scratch files go to the system temp folder.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

filter=(--filter '*')
for arg in "$@"; do
  if [[ $arg == --filter || $arg == -f || $arg == --filter=* ]]; then
    filter=()
    break
  fi
done

exec dotnet run -c Release --project benchmarks/Wharf.Benchmarks -- "${filter[@]}" "$@"
