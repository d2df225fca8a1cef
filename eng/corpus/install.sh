#!/usr/bin/env bash
# Installs the real-world static-file corpus (published front-end packages pinned by package.json + package-lock.json
# next to this script: Bootstrap, Font Awesome, KaTeX, Leaflet, Bootstrap Icons, reveal.js, Fontsource Inter) with
# `npm ci` into $WHARF_CORPUS_INSTALL_DIR (default: <repo>/artifacts/corpus), for tests/StaticManifest.Corpus.Tests.
# Installs Node.js and npm from the distribution's packages first when they are missing (needs root or passwordless
# sudo only then).
#
# Idempotent: does nothing when the installed tree was made from this very lockfile and every locked package is there
# at its locked version; otherwise it reinstalls from scratch. npm ci uses the machine's configured npm registry (the
# lockfile names none: its "resolved" and "funding" fields are stripped) and runs no install scripts.
#
# Exports nothing. Progress goes to stderr; the one line on stdout is the node_modules folder the tests read through
# WHARF_CORPUS_DIR:  export WHARF_CORPUS_DIR=$(bash eng/corpus/install.sh)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
INSTALL=$(realpath -m "${WHARF_CORPUS_INSTALL_DIR:-$REPO/artifacts/corpus}")
LOCK=$HERE/package-lock.json
STAMP=$INSTALL/.wharf-corpus-installed   # sha256 of the lockfile the tree was installed from; written last
t0=$(date +%s%N)
ms() { echo $(( ($(date +%s%N) - t0) / 1000000 )); }
say() { echo "corpus install: $*" >&2; }

# --- Node.js and npm -------------------------------------------------------------------------------------------
# shellcheck source=SCRIPTDIR/../lib/npm.sh
source "$REPO/eng/lib/npm.sh"
wharf_require_node "corpus install" node npm

# --- The corpus ------------------------------------------------------------------------------------------------
lock_sum=$(sha256sum "$LOCK" | awk '{ print $1 }')
# Every package the lockfile pins is installed at its pinned version (prints what is not, exits 1 then).
check_tree() {
  # shellcheck disable=SC2016 # JavaScript, not shell: the ${…} are template literals
  node -e '
    const fs = require("fs"), path = require("path");
    const [lockFile, root] = process.argv.slice(1);
    const lock = JSON.parse(fs.readFileSync(lockFile, "utf8"));
    let bad = 0;
    for (const [where, pkg] of Object.entries(lock.packages)) {
      if (where === "") continue;
      let version = "none";
      try { version = JSON.parse(fs.readFileSync(path.join(root, where, "package.json"), "utf8")).version; } catch {}
      if (version !== pkg.version) { console.error(`  ${where}: ${version}, locked ${pkg.version}`); bad++; }
    }
    process.exit(bad ? 1 : 0);
  ' "$LOCK" "$INSTALL"
}
installed() {
  [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$lock_sum" ] && check_tree 2>/dev/null
}
versions() {
  # shellcheck disable=SC2016
  node -e '
    const lock = require(process.argv[1]);
    console.log(Object.keys(lock.packages[""].dependencies).map(n => `${n} ${lock.packages["node_modules/" + n].version}`).join(", "));
  ' "$LOCK"
}

wharf_lock_install_dir "$INSTALL"

if installed; then
  say "already installed ($(versions)) in $INSTALL; nothing to do"
  echo "$INSTALL/node_modules"
  exit 0
fi

rm -f "$STAMP"
wharf_npm_ci "corpus install" "$INSTALL" "$HERE"
if ! check_tree; then
  say "npm ci did not install the locked versions (above)"
  exit 1
fi
echo "$lock_sum" > "$STAMP"
say "installed $(versions) (node $(node --version)) in $INSTALL in $(ms) ms"
echo "$INSTALL/node_modules"
