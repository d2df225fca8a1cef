# shellcheck shell=bash
# Shared by the scripts that install pinned npm trees (eng/servers/azurite/install.sh, eng/corpus/install.sh).
# Source it; every message goes to stderr, prefixed with the caller's name.

# wharf_require_node PREFIX BIN…: installs the missing ones of BIN… (node, npm, curl) from Debian's packages; needs
# root or passwordless sudo only when something is missing.
wharf_require_node() {
  local prefix=$1
  shift
  local missing=() packages=() bin sudo=() log
  for bin in "$@"; do
    command -v "$bin" >/dev/null 2>&1 || missing+=("$bin")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  for bin in "$@"; do
    packages+=("$([ "$bin" = node ] && echo nodejs || echo "$bin")")
  done
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      echo "$prefix: missing ${missing[*]} and not root (no passwordless sudo); install as root:" >&2
      echo "  apt-get install -y --no-install-recommends ${packages[*]}" >&2
      exit 1
    fi
  fi
  log=$(mktemp "${TMPDIR:-/tmp}/wharf-npm-apt.XXXXXX")
  if ! { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
         "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
           -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
           "${packages[@]}"; } >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "$prefix: apt-get failed (missing: ${missing[*]}); full log in $log" >&2
    exit 1
  fi
  rm -f "$log"
  for bin in "$@"; do
    command -v "$bin" >/dev/null 2>&1 || { echo "$prefix: $bin still missing after apt-get install" >&2; exit 1; }
  done
  echo "$prefix: installed ${packages[*]} (node $(node --version))" >&2
}

# wharf_lock_install_dir INSTALL: creates INSTALL and holds its lock (fd 9) until the script ends, so two installs
# into one folder (two checkouts' test runs) take turns.
wharf_lock_install_dir() {
  mkdir -p "$1"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$1/.lock"
    flock 9
  fi
}

# wharf_npm_ci PREFIX INSTALL SOURCE_DIR: a fresh `npm ci` of SOURCE_DIR's package.json + package-lock.json into
# INSTALL (the machine's configured registry; no install scripts, no update check, no engine-strict refusal).
wharf_npm_ci() {
  local prefix=$1 install=$2 source=$3 log
  rm -rf "$install/node_modules"
  cp "$source/package.json" "$source/package-lock.json" "$install/"
  log=$install/npm-ci.log
  if ! (cd "$install" && npm_config_update_notifier=false npm_config_engine_strict=false \
          npm ci --ignore-scripts --no-audit --no-fund --loglevel=warn) >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "$prefix: npm ci failed; full log in $log" >&2
    exit 1
  fi
}
