#!/usr/bin/env bash
# Installs Azurite (Microsoft's Azure Storage emulator; pinned by package.json + package-lock.json next to this script)
# with `npm ci` into $WHARF_AZURITE_INSTALL_DIR (default: <repo>/artifacts/servers/azurite-install), for the throwaway
# Azure Blob server that eng/servers/azurite/start.sh runs. Installs Node.js and npm from the distribution's packages
# first when they are missing (needs root or passwordless sudo only then).
#
# Idempotent: does nothing when the installed tree was made from this very lockfile and holds the pinned Azurite
# version; otherwise it reinstalls from scratch. npm ci uses the machine's configured npm registry (the lockfile names
# none) and runs no install scripts (Azurite needs none).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
INSTALL=$(realpath -m "${WHARF_AZURITE_INSTALL_DIR:-$REPO/artifacts/servers/azurite-install}")
LOCK=$HERE/package-lock.json
STAMP=$INSTALL/.wharf-azurite-installed   # sha256 of the lockfile the tree was installed from; written last
t0=$(date +%s%N)
ms() { echo $(( ($(date +%s%N) - t0) / 1000000 )); }

# --- Node.js and npm -------------------------------------------------------------------------------------------
missing=()
for bin in node npm curl; do
  command -v "$bin" >/dev/null 2>&1 || missing+=("$bin")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      echo "azurite install: missing ${missing[*]} and not root (no passwordless sudo); install as root:" >&2
      echo "  apt-get install -y --no-install-recommends nodejs npm curl" >&2
      exit 1
    fi
  fi
  log=$(mktemp "${TMPDIR:-/tmp}/wharf-azurite-apt.XXXXXX")
  if ! { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
         "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
           -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
           nodejs npm curl; } >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "azurite install: apt-get failed (missing: ${missing[*]}); full log in $log" >&2
    exit 1
  fi
  rm -f "$log"
  for bin in node npm curl; do
    command -v "$bin" >/dev/null 2>&1 || { echo "azurite install: $bin still missing after apt-get install" >&2; exit 1; }
  done
  echo "azurite install: installed nodejs npm curl (node $(node --version)) in $(ms) ms"
fi

# --- Azurite ---------------------------------------------------------------------------------------------------
# The pinned version, as the lockfile records it.
want=$(node -e 'console.log(require(process.argv[1]).packages["node_modules/azurite"].version)' "$LOCK")
have() { node -e 'try { console.log(require(process.argv[1]).version) } catch { console.log("none") }' \
  "$INSTALL/node_modules/azurite/package.json"; }
lock_sum=$(sha256sum "$LOCK" | awk '{ print $1 }')
installed() {
  [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$lock_sum" ] &&
    [ -f "$INSTALL/node_modules/azurite/dist/src/blob/main.js" ] && [ "$(have)" = "$want" ]
}

mkdir -p "$INSTALL"
# Two installs at once (say, two checkouts' test runs sharing WHARF_AZURITE_INSTALL_DIR) take turns.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$INSTALL/.lock"
  flock 9
fi

if installed; then
  echo "azurite install: already installed (azurite $want, node $(node --version)) in $INSTALL; nothing to do"
  exit 0
fi

rm -rf "$INSTALL/node_modules" "$STAMP"
cp "$HERE/package.json" "$LOCK" "$INSTALL/"
log=$INSTALL/npm-ci.log
# npm_config_*: no update check, no engine-strict refusal (Azurite 3.37 asks for node >= 22 but runs on 18 and 20).
if ! (cd "$INSTALL" && npm_config_update_notifier=false npm_config_engine_strict=false \
        npm ci --no-audit --no-fund --ignore-scripts --loglevel=warn) >"$log" 2>&1; then
  tail -n 30 "$log" >&2
  echo "azurite install: npm ci failed; full log in $log" >&2
  exit 1
fi
got=$(have)
[ "$got" = "$want" ] || { echo "azurite install: npm ci installed azurite $got, expected $want" >&2; exit 1; }
echo "$lock_sum" > "$STAMP"
echo "azurite install: installed azurite $want (node $(node --version)) in $INSTALL in $(ms) ms"
