#!/usr/bin/env bash
# Starts a throwaway single-node Ceph (1 monitor, 1 memstore OSD, no mgr) and radosgw (beast) on 127.0.0.1, a real
# S3 server for the tests. Install the binaries first with eng/servers/rgw/install.sh; stop with stop.sh.
#
# Everything (ceph.conf, keyrings, mon store, logs, PIDs) lives under the state directory; nothing goes to /etc or
# /var. The OSD keeps all object data in RAM (memstore), so it is gone when the server stops.
#
# Settings (environment):
#   WHARF_RGW_DIR            state directory          (default: <repo>/artifacts/servers/rgw)
#   WHARF_RGW_PORT           S3 port on 127.0.0.1     (default: 7480)
#   WHARF_RGW_MON_V2_PORT    monitor msgr2 port       (default: 40300)
#   WHARF_RGW_MON_V1_PORT    monitor msgr1 port       (default: 40789)
#   WHARF_RGW_MEMSTORE_BYTES RAM cap of the OSD       (default: 2 GiB)
#   WHARF_RGW_TIMEOUT        seconds to wait per step (default: 120)
#
# On success it writes $WHARF_RGW_DIR/env, to be sourced, exporting WHARF_S3_ENDPOINT, WHARF_S3_ACCESS_KEY,
# WHARF_S3_SECRET_KEY and WHARF_S3_REGION. Use path-style addressing. If a previous run is still recorded (crashed
# or never stopped), it is stopped first. On failure the processes started here are stopped, the logs are kept in
# $WHARF_RGW_DIR/log, and the script exits non-zero.
set -eEuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
DIR=$(realpath -m "${WHARF_RGW_DIR:-$REPO/artifacts/servers/rgw}")
PORT=${WHARF_RGW_PORT:-7480}
MON_V2=${WHARF_RGW_MON_V2_PORT:-40300}
MON_V1=${WHARF_RGW_MON_V1_PORT:-40789}
MEM_BYTES=${WHARF_RGW_MEMSTORE_BYTES:-2147483648}
TIMEOUT=${WHARF_RGW_TIMEOUT:-120}
S3_UID=wharf-tests
S3_ACCESS=WHARFTESTACCESSKEY01
S3_SECRET=wharf-test-secret-key-0123456789abcdefghij
S3_REGION=us-east-1
ENDPOINT=http://127.0.0.1:$PORT

t0=$(date +%s%N)
log() { local ms=$(( ($(date +%s%N) - t0) / 1000000 )); printf '[rgw %3d.%03ds] %s\n' $((ms / 1000)) $((ms % 1000)) "$*"; }

# Prints the last lines of a log to stderr, stops what was started here, keeps the logs, exits 1.
fail() {
  trap - ERR
  # Inside a command substitution: leave the report to the main shell, whose ERR trap fires next.
  [ "$BASH_SUBSHELL" -eq 0 ] || exit 1
  echo "rgw start: FAILED: $*" >&2
  local f
  for f in "$DIR"/log/*.out "$DIR"/log/*.log; do
    [ -s "$f" ] && [ "${f##*/}" != probe.out ] || continue
    echo "---- last lines of $f" >&2
    tail -n 8 "$f" | cut -c 1-300 >&2
  done
  WHARF_RGW_DIR=$DIR WHARF_RGW_KEEP=1 bash "$HERE/stop.sh" >&2 || true
  echo "rgw start: logs kept in $DIR/log (stop.sh removes them)" >&2
  exit 1
}
trap 'fail "command failed at start.sh line $LINENO"' ERR

for bin in ceph-mon ceph-osd radosgw radosgw-admin ceph ceph-authtool monmaptool curl; do
  command -v "$bin" >/dev/null 2>&1 || { echo "rgw start: $bin not found; run eng/servers/rgw/install.sh" >&2; exit 1; }
done

# A previous run that crashed or was never stopped must not block this one: stop exactly what it recorded.
if [ -e "$DIR/pids" ]; then
  echo "rgw start: $DIR/pids exists (previous run not stopped); stopping it first"
  WHARF_RGW_DIR=$DIR bash "$HERE/stop.sh"
fi

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$PORT" "$MON_V2" "$MON_V1"; do
  if port_busy "$p"; then
    echo "rgw start: 127.0.0.1:$p is already in use by another process (not recorded in $DIR/pids);" \
      "free it or choose other ports (WHARF_RGW_PORT, WHARF_RGW_MON_V2_PORT, WHARF_RGW_MON_V1_PORT)" >&2
    exit 1
  fi
done

# The state directory is wiped here and by stop.sh: refuse a non-empty directory that this script did not create.
MARKER=.wharf-rgw-state
if [ -d "$DIR" ] && [ ! -e "$DIR/$MARKER" ] && [ -n "$(ls -A "$DIR")" ]; then
  echo "rgw start: $DIR exists, is not empty and was not created by start.sh; refusing to wipe it" >&2
  exit 1
fi
rm -rf "$DIR"
mkdir -p "$DIR"/{run,log,mon.a,osd.0,rgw}
touch "$DIR/$MARKER"
CONF=$DIR/ceph.conf
KEYRING=$DIR/keyring
PIDS=$DIR/pids
FSID=$(cat /proc/sys/kernel/random/uuid)

cat > "$CONF" <<EOF
[global]
fsid = $FSID
mon host = [v2:127.0.0.1:$MON_V2,v1:127.0.0.1:$MON_V1]
mon initial members = a
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv6 = false
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = $KEYRING
run dir = $DIR/run
admin socket = $DIR/run/\$name.asok
log file = $DIR/log/\$name.log
pid file = $DIR/run/\$name.pid
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
mon data avail warn = 2
mon data avail crit = 1
osd max object name len = 460
osd max object namespace len = 64

[mon]
# Propose map changes sooner (default 1 s): radosgw creates its pools one by one at start.
paxos propose interval = 0.1
mon data = $DIR/mon.\$id

[osd]
osd data = $DIR/osd.\$id
keyring = $DIR/osd.\$id/keyring
osd objectstore = memstore
memstore device bytes = $MEM_BYTES
osd crush update on start = true

[client.rgw.gw]
keyring = $DIR/keyring.rgw
rgw data = $DIR/rgw
# tcp_nodelay: without it Nagle and the client's delayed ACK hold small responses for ~40 ms.
rgw frontends = beast endpoint=127.0.0.1:$PORT tcp_nodelay=1
rgw dns name = localhost
rgw enable usage log = false
rgw thread pool size = 64
EOF

C=(-c "$CONF")
# Starts a daemon in the foreground mode (-f) in the background and records "<pid> <name>" in $PIDS.
start_bg() {
  local name=$1; shift
  nohup "$@" > "$DIR/log/$name.out" 2>&1 < /dev/null &
  echo "$! $name" >> "$PIDS"
}
alive() { kill -0 "$(awk -v n="$1" '$2 == n { print $1 }' "$PIDS")" 2>/dev/null; }

# --- monitor ---------------------------------------------------------------------------------------------------
ceph-authtool --create-keyring "$KEYRING" --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool "$KEYRING" --gen-key -n client.admin \
  --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' --cap mds 'allow *' >/dev/null
monmaptool --create --clobber --fsid "$FSID" \
  --addv a "[v2:127.0.0.1:$MON_V2,v1:127.0.0.1:$MON_V1]" "$DIR/monmap" >/dev/null
ceph-mon "${C[@]}" -i a --mkfs --monmap "$DIR/monmap" --keyring "$KEYRING" > "$DIR/log/mon-mkfs.out" 2>&1
start_bg mon.a ceph-mon "${C[@]}" -i a -f
ceph "${C[@]}" --connect-timeout "$TIMEOUT" -s >/dev/null 2>"$DIR/log/mon-wait.out" ||
  fail "the monitor did not answer within ${TIMEOUT}s"
log "monitor answers on 127.0.0.1:$MON_V2"

# --- OSD (memstore: all data in RAM) ---------------------------------------------------------------------------
OSD_UUID=$(cat /proc/sys/kernel/random/uuid)
OSD_SECRET=$(ceph-authtool --gen-print-key)
echo "{\"cephx_secret\": \"$OSD_SECRET\"}" > "$DIR/osd-new.json"
OSD_ID=$(ceph "${C[@]}" osd new "$OSD_UUID" -i "$DIR/osd-new.json")
rm -f "$DIR/osd-new.json"
mkdir -p "$DIR/osd.$OSD_ID"
ceph-osd "${C[@]}" -i "$OSD_ID" --mkfs --key "$OSD_SECRET" --osd-uuid "$OSD_UUID" > "$DIR/log/osd-mkfs.out" 2>&1
printf '[osd.%s]\n\tkey = %s\n' "$OSD_ID" "$OSD_SECRET" > "$DIR/osd.$OSD_ID/keyring"
start_bg "osd.$OSD_ID" ceph-osd "${C[@]}" -i "$OSD_ID" -f
up=0
for ((i = 0; i < TIMEOUT * 2; i++)); do
  alive "osd.$OSD_ID" || fail "ceph-osd exited; see $DIR/log/osd.$OSD_ID.out"
  if ceph "${C[@]}" osd stat -f json 2>/dev/null | grep -q '"num_up_osds":1[,}]'; then up=1; break; fi
  sleep 0.5
done
[ "$up" = 1 ] || fail "the OSD did not come up within ${TIMEOUT}s"
log "osd.$OSD_ID up (memstore, ${MEM_BYTES} bytes)"

# --- radosgw -----------------------------------------------------------------------------------------------------
ceph "${C[@]}" auth get-or-create client.rgw.gw mon 'allow rw' osd 'allow rwx' mgr 'allow rw' -o "$DIR/keyring.rgw"
start_bg rgw.gw radosgw "${C[@]}" -n client.rgw.gw -f
code=000
for ((i = 0; i < TIMEOUT * 2; i++)); do
  alive rgw.gw || fail "radosgw exited; see $DIR/log/rgw.gw.out"
  # Anonymous GET / answers 200 with an (empty) ListAllMyBucketsResult once the gateway serves S3.
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$ENDPOINT/" || true)
  [ "$code" = 200 ] && break
  sleep 0.5
done
[ "$code" = 200 ] || fail "radosgw did not answer GET $ENDPOINT/ within ${TIMEOUT}s (last HTTP code $code)"
log "radosgw answers on $ENDPOINT"

# --- S3 user -----------------------------------------------------------------------------------------------------
# --max-buckets 0 = no limit on the number of buckets (the default is 1000); owners may set ACLs on their buckets.
radosgw-admin "${C[@]}" user create --uid="$S3_UID" --display-name="Wharf tests" \
  --access-key="$S3_ACCESS" --secret-key="$S3_SECRET" --max-buckets=0 > "$DIR/log/user.json" 2>"$DIR/log/user.err" ||
  fail "radosgw-admin user create failed; see $DIR/log/user.err"

# Signed probe: the keys work, the user can create a bucket and set its ACL. The first bucket also creates the data
# and index pools, which would otherwise slow down (or time out) the first test.
s3() {  # method, path, extra curl args... ; prints the HTTP code
  local method=$1 path=$2; shift 2
  curl -s -o "$DIR/log/probe.out" -w '%{http_code}' --max-time 60 -X "$method" \
    --aws-sigv4 "aws:amz:$S3_REGION:s3" --user "$S3_ACCESS:$S3_SECRET" \
    -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' "$@" "$ENDPOINT$path" || true
}
probe=wharf-start-probe-$$
[ "$(s3 GET /)" = 200 ] || fail "signed GET / as $S3_UID was refused: $(cat "$DIR/log/probe.out")"
[ "$(s3 PUT "/$probe")" = 200 ] || fail "CreateBucket as $S3_UID was refused: $(cat "$DIR/log/probe.out")"
[ "$(s3 PUT "/$probe?acl=" -H 'x-amz-acl: public-read' -H 'Content-Length: 0')" = 200 ] ||
  fail "PutBucketAcl as $S3_UID was refused: $(cat "$DIR/log/probe.out")"
[ "$(s3 DELETE "/$probe")" = 204 ] || fail "DeleteBucket as $S3_UID was refused: $(cat "$DIR/log/probe.out")"
rm -f "$DIR/log/probe.out"
log "user $S3_UID can list, create buckets and set ACLs"

{
  printf 'export WHARF_S3_ENDPOINT=%q\n' "$ENDPOINT"
  printf 'export WHARF_S3_ACCESS_KEY=%q\n' "$S3_ACCESS"
  printf 'export WHARF_S3_SECRET_KEY=%q\n' "$S3_SECRET"
  printf 'export WHARF_S3_REGION=%q\n' "$S3_REGION"
} > "$DIR/env.tmp"
mv "$DIR/env.tmp" "$DIR/env"
trap - ERR
echo "rgw start: S3 on $ENDPOINT ready in $(( ($(date +%s%N) - t0) / 1000000 )) ms;" \
  "pids $(awk '{ printf "%s%s=%s", (NR > 1 ? " " : ""), $2, $1 }' "$PIDS"); env in $DIR/env"
