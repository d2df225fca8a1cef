#!/usr/bin/env bash
# Installs Ceph's radosgw, monitor and OSD from the distribution's packages (Debian 12: Ceph 16.2), for the
# throwaway S3 server that eng/servers/rgw/start.sh runs. Idempotent: does nothing when the binaries are present.
# Needs root (or passwordless sudo) when something must be installed. The packages start no daemons.
set -euo pipefail

need=(radosgw ceph-mon ceph-osd)
missing=()
for bin in "${need[@]}"; do
  command -v "$bin" >/dev/null 2>&1 || missing+=("$bin")
done
# start.sh also needs these; they come with the packages above (ceph-common) or are small.
for bin in ceph ceph-authtool monmaptool radosgw-admin curl; do
  command -v "$bin" >/dev/null 2>&1 || missing+=("$bin")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "rgw install: already installed ($(radosgw --version 2>/dev/null | awk '{print $3}' | head -n 1 || true)); nothing to do"
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
  else
    echo "rgw install: missing ${missing[*]} and not root (no passwordless sudo); install as root:" >&2
    echo "  apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd curl" >&2
    exit 1
  fi
fi

t0=$(date +%s)
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp "${TMPDIR:-/tmp}/wharf-rgw-install.XXXXXX")
if ! { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
       "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
         -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
         radosgw ceph-mon ceph-osd curl; } >"$log" 2>&1; then
  tail -n 30 "$log" >&2
  echo "rgw install: apt-get failed (missing: ${missing[*]}); full log in $log" >&2
  exit 1
fi
rm -f "$log"

for bin in "${need[@]}"; do
  command -v "$bin" >/dev/null 2>&1 || { echo "rgw install: $bin still missing after apt-get install" >&2; exit 1; }
done
echo "rgw install: installed radosgw ceph-mon ceph-osd ($(radosgw --version | awk '{print $3}' | head -n 1)) in $(( $(date +%s) - t0 )) s"
