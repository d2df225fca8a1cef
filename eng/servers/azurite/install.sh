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

# --- Node.js, npm and curl (start.sh polls with curl) --------------------------------------------------------
# shellcheck source=SCRIPTDIR/../../lib/npm.sh
source "$REPO/eng/lib/npm.sh"
wharf_require_node "azurite install" node npm curl

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

wharf_lock_install_dir "$INSTALL"

if installed; then
  echo "azurite install: already installed (azurite $want, node $(node --version)) in $INSTALL; nothing to do"
  exit 0
fi

rm -f "$STAMP"
# Azurite 3.37 asks for node >= 22 but runs on 18 and 20: wharf_npm_ci turns engine-strict off.
wharf_npm_ci "azurite install" "$INSTALL" "$HERE"
got=$(have)
[ "$got" = "$want" ] || { echo "azurite install: npm ci installed azurite $got, expected $want" >&2; exit 1; }
echo "$lock_sum" > "$STAMP"
echo "azurite install: installed azurite $want (node $(node --version)) in $INSTALL in $(ms) ms"
