#!/usr/bin/env bash
# Reproduces the StaticManifest performance targets (benchmarks/StaticManifest.Benchmarks/README.md):
#   eng/benchmark-static.sh tree         # install the npm tree (pinned by tree/package-lock.json) into artifacts/bench-static/tree
#   eng/benchmark-static.sh collect-fs   # targets 1 + 2: full collect vs cp -r + sha256sum; re-collects after one change
#   eng/benchmark-static.sh s3           # target 3: re-collects to S3 upload only what changed (starts and stops its own RGW)
#   eng/benchmark-static.sh compress     # target 4: collect with precompression, CPU time / wall time
#   eng/benchmark-static.sh recollect-compressed  # target 2 with default options: re-collects with a cache file vs a full compressed collect
#   eng/benchmark-static.sh resolver     # target 5: BenchmarkDotNet, IStaticAssetResolver.Resolve on a 10k-entry manifest
#   eng/benchmark-static.sh all          # all of the above, in that order (the default)
# Extra arguments after the command go to the harness (e.g. collect-fs --rounds 7, resolver --job short).
# Environment: BENCH_STATIC_DIR (default artifacts/bench-static), WHARF_RGW_DIR/WHARF_RGW_PORT/WHARF_RGW_MON_V2_PORT/
# WHARF_RGW_MON_V1_PORT for the RGW of the s3 step (defaults: /tmp/wharf-rgw-smbench, 7497, 3397, 6797).
# Each harness writes into a fresh work folder under BENCH_STATIC_DIR and removes it at the end; the tree is kept.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD
BENCH=$(realpath -m "${BENCH_STATIC_DIR:-$REPO/artifacts/bench-static}")
PROJECT=benchmarks/StaticManifest.Benchmarks
TREE=$BENCH/tree
EXE=$REPO/$PROJECT/bin/Release/net10.0/StaticManifest.Benchmarks

command=${1:-all}
[[ $# -gt 0 ]] && shift

log() { printf '[benchmark-static] %s\n' "$*" >&2; }

tree() {
  local lock stamp
  lock=$(sha256sum "$PROJECT/tree/package-lock.json" | cut -d' ' -f1)
  stamp=$BENCH/tree.stamp
  if [[ -d $TREE && -f $stamp && $(cat "$stamp") == "$lock" ]]; then
    log "tree up to date: $TREE ($(find "$TREE" -type f | wc -l) files, $(du -s --apparent-size -m "$TREE" | cut -f1) MB)"
    return
  fi
  log "installing the npm tree into $TREE (npm ci, pinned by $PROJECT/tree/package-lock.json)"
  rm -rf "$BENCH/npm" "$TREE" "$stamp"
  mkdir -p "$BENCH/npm"
  cp "$PROJECT/tree/package.json" "$PROJECT/tree/package-lock.json" "$BENCH/npm/"
  (cd "$BENCH/npm" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  mv "$BENCH/npm/node_modules" "$TREE"
  rm -rf "$BENCH/npm"
  # Dot entries (.bin, .package-lock.json, editor and CI folders) are ignored by the collector's default patterns;
  # removing them makes the baselines' cp -r and sha256sum see exactly the files the collector collects.
  find "$TREE" -name '.*' -prune -exec rm -rf {} +
  echo "$lock" > "$stamp"
  log "tree ready: $TREE ($(find "$TREE" -type f | wc -l) files, $(du -s --apparent-size -m "$TREE" | cut -f1) MB)"
}

build() {
  log "building $PROJECT (Release, -warnaserror)"
  dotnet build -c Release -warnaserror "$PROJECT" -v quiet -nologo >&2
}

machine() {
  log "machine: $(nproc) cores, $(uname -r), dotnet $(dotnet --version), commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo ' (+ uncommitted src changes)'), load $(cut -d' ' -f1-3 /proc/loadavg)"
}

collect_fs() { tree; build; machine; "$EXE" collect-fs --tree "$TREE" --work "$BENCH/work-fs" "$@"; }

compress() { tree; build; machine; "$EXE" compress --tree "$TREE" --work "$BENCH/work-compress" "$@"; }

recollect_compressed() { tree; build; machine; "$EXE" recollect-compressed --tree "$TREE" --work "$BENCH/work-recollect-compressed" "$@"; }

s3() {
  tree; build; machine
  export WHARF_RGW_DIR=${WHARF_RGW_DIR:-/tmp/wharf-rgw-smbench} WHARF_RGW_PORT=${WHARF_RGW_PORT:-7497}
  export WHARF_RGW_MON_V2_PORT=${WHARF_RGW_MON_V2_PORT:-3397} WHARF_RGW_MON_V1_PORT=${WHARF_RGW_MON_V1_PORT:-6797}
  local started=0
  if [[ -z ${WHARF_S3_ENDPOINT:-} ]]; then
    bash eng/servers/rgw/install.sh >&2
    bash eng/servers/rgw/start.sh >&2
    started=1
    # shellcheck disable=SC1091
    source "$WHARF_RGW_DIR/env"
  fi
  local rc=0
  "$EXE" s3 --tree "$TREE" --work "$BENCH/work-s3" "$@" || rc=$?
  if [[ $started == 1 ]]; then bash eng/servers/rgw/stop.sh >&2 || true; fi
  return $rc
}

resolver() {
  build; machine
  local filter=(--filter '*ResolverBenchmarks*')
  for arg in "$@"; do [[ $arg == --filter || $arg == -f ]] && filter=(); done
  "$EXE" "${filter[@]}" "$@"
}

mkdir -p "$BENCH"
case $command in
  tree) tree ;;
  collect-fs) collect_fs "$@" ;;
  s3) s3 "$@" ;;
  compress) compress "$@" ;;
  recollect-compressed) recollect_compressed "$@" ;;
  resolver) resolver "$@" ;;
  all) collect_fs; s3; compress; recollect_compressed; resolver ;;
  *) echo "usage: eng/benchmark-static.sh [tree|collect-fs|s3|compress|recollect-compressed|resolver|all] [harness arguments]" >&2; exit 2 ;;
esac
