#!/usr/bin/env bash
# Installs whatever showrec needs and is missing; takes seconds when nothing is.
#   infra/setup.sh              what `npm start` needs
#   infra/setup.sh --for-tests  plus Chromium for the browser tests, OpenStack Swift for the S3 ones
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

log() { echo "[setup] $*"; }

# Redis and ffmpeg run the stack, util-linux's setpriv ties its services to the launcher; the -dev
# libraries, pkg-config and ninja build the mediasoup worker offline
# (infra/mediasoup/provide-worker.sh) where its prebuilt binary can't be fetched; make builds the
# recorder's UDP receiver (node-gyp).
packages=(redis-server ffmpeg util-linux pkg-config ninja-build make
  libuv1-dev libssl-dev libsrtp2-dev libusrsctp-dev libabsl-dev nlohmann-json3-dev catch2)
if [ "${1:-}" = "--for-tests" ]; then
  # OpenStack Swift with its S3 API: the real object store the S3 backend is tested against;
  # iproute2 for the network namespaces that give show-server nodes hosts of their own.
  packages+=(chromium fonts-dejavu-core swift swift-proxy swift-object swift-container
    swift-account python3-swift memcached iproute2)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
sudo=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && sudo="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ] && [ -z "$sudo" ]; then
    log "need root (or sudo) to apt-get install: ${missing[*]}" >&2
    exit 1
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Swift reads its hash prefix and suffix from /etc/swift/swift.conf whatever its swift_dir says;
# the package ships the file only as swift.conf.dpkg-new.
if [ "${1:-}" = "--for-tests" ] && [ ! -f /etc/swift/swift.conf ]; then
  log "writing /etc/swift/swift.conf for the test object store"
  $sudo mkdir -p /etc/swift
  printf '[swift-hash]\nswift_hash_path_prefix = showrec\nswift_hash_path_suffix = showrec-tests\n\n[storage-policy:0]\nname = Policy-0\ndefault = yes\n' |
    $sudo tee /etc/swift/swift.conf >/dev/null
fi

# npm ci only when package-lock.json changed since the last install.
stamp="node_modules/.showrec-lock-sha256"
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  log "installing npm packages (npm ci)"
  # mediasoup's postinstall (where npm runs it) would download or build its worker; we provide
  # the worker below instead, and this variable makes that postinstall a no-op.
  MEDIASOUP_WORKER_BIN="$root/node_modules/mediasoup/worker/out/Release/mediasoup-worker" \
    npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi

bash infra/mediasoup/provide-worker.sh

# The recorder processes read their UDP through a native module (show-server/native); built again
# when its source or the Node it is built for changes.
native=show-server/native
stamp="$native/build/.showrec-source-sha256"
want="$(cat "$native/binding.gyp" "$native"/*.cc | sha256sum | cut -d' ' -f1) node-$(node -p process.version)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  log "building the recorder's UDP receiver ($native)"
  # Node's own headers where its install has them (no download); node-gyp fetches them otherwise.
  nodedir=$(node -p "require('path').resolve(process.execPath, '../..')")
  nodedir_flag=()
  [ -f "$nodedir/include/node/node_api.h" ] && nodedir_flag=(--nodedir="$nodedir")
  if ! (cd "$native" && ../../node_modules/.bin/node-gyp rebuild "${nodedir_flag[@]}" >build.log 2>&1); then
    tail -30 "$native/build.log" >&2
    log "could not build $native (log: $native/build.log)" >&2
    exit 1
  fi
  rm -f "$native/build.log"
  echo "$want" >"$stamp"
fi

# The kernel's default UDP receive buffer (208 KiB) holds under a second of one phone's video;
# a burst of keyframes into mediasoup's sockets overflows it and every take loses packets at
# once (bench/capture: 150 phones at 2.5 Mb/s lost 6.8 % at the default, none at 4 MiB).
# mediasoup 3.12 cannot size its sockets itself, so the default is raised for the host.
want_rmem=4194304
for key in net.core.rmem_max net.core.rmem_default; do
  have=$(cat "/proc/sys/${key//.//}" 2>/dev/null || echo 0)
  [ "$have" -ge "$want_rmem" ] && continue
  if [ "$(id -u)" -eq 0 ] && sysctl -q -w "$key=$want_rmem" 2>/dev/null; then
    log "raised $key from $have to $want_rmem"
    if [ -d /etc/sysctl.d ]; then
      printf 'net.core.rmem_max = %s\nnet.core.rmem_default = %s\n' "$want_rmem" "$want_rmem" \
        >/etc/sysctl.d/60-showrec-udp-buffers.conf
    fi
  else
    log "warning: $key is $have; run as root: sysctl -w $key=$want_rmem (phones lose packets under load)" >&2
  fi
done
