#!/usr/bin/env bash
# Puts a working mediasoup-worker binary where mediasoup's JS looks for it by default
# (node_modules/mediasoup/worker/out/Release/mediasoup-worker). Tries, in order:
#   1. the binary already there,
#   2. our cache for this mediasoup version and platform,
#   3. mediasoup's own prebuilt release (needs GitHub; skipped fast when unreachable),
#   4. an offline build against Debian's libraries (see subprojects/README.md).
# Every candidate must pass mediasoup's own sanity check: run with an empty environment,
# a working worker exits with status 41 (it refuses to start without MEDIASOUP_VERSION).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
pkg="$root/node_modules/mediasoup"
[ -f "$pkg/package.json" ] || { echo "provide-worker: $pkg is missing; run npm ci first" >&2; exit 1; }

version=$(node -p "require('$pkg/package.json').version")
platform=$(node -p "process.platform + '-' + process.arch")
target="$pkg/worker/out/Release/mediasoup-worker"
cache_root="${SHOWREC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/showrec}"
cache="$cache_root/mediasoup-worker/$version-$platform"

log() { echo "[setup:mediasoup] $*"; }

worker_ok() {
  [ -x "$1" ] || return 1
  local status=0
  env -i "$1" >/dev/null 2>&1 || status=$?
  [ "$status" -eq 41 ]
}

install_from() {
  mkdir -p "$(dirname "$target")" "$cache"
  [ "$1" -ef "$cache/mediasoup-worker" ] || install -m 0755 "$1" "$cache/mediasoup-worker"
  install -m 0755 "$cache/mediasoup-worker" "$target"
  log "mediasoup-worker $version ready ($2)"
}

try_prebuilt() {
  local base="${MEDIASOUP_WORKER_PREBUILT_DOWNLOAD_BASE_URL:-https://github.com/versatica/mediasoup/releases/download}"
  local url="$base/$version/mediasoup-worker-$version-$platform.tgz"
  local tmp; tmp=$(mktemp -d)
  log "trying the prebuilt worker: $url"
  if node -e '
      const [url, out] = process.argv.slice(1);
      fetch(url, { signal: AbortSignal.timeout(60000) })
        .then(async (res) => {
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
          require("fs").writeFileSync(out, Buffer.from(await res.arrayBuffer()));
        })
        .catch((err) => { console.error(`[setup:mediasoup] no prebuilt worker: ${err.cause?.code ?? err.message}`); process.exit(1); });
    ' "$url" "$tmp/worker.tgz" && tar -xzf "$tmp/worker.tgz" -C "$tmp" && worker_ok "$tmp/mediasoup-worker"; then
    install_from "$tmp/mediasoup-worker" "prebuilt"
    rm -rf "$tmp"
    return 0
  fi
  rm -rf "$tmp"
  return 1
}

build_offline() {
  local tools="$cache_root/tools/meson-1.12.1"
  if [ ! -d "$tools/mesonbuild" ]; then
    log "installing meson 1.12.1 into $tools"
    mkdir -p "$cache_root/tools"
    # --retries 0: where PyPI is unreachable, fall through to the machine's own index at once.
    python3 -m pip install --retries 0 --target "$tools" meson==1.12.1 >"$cache_root/tools/pip.log" 2>&1 ||
      { tail -20 "$cache_root/tools/pip.log" >&2; exit 1; }
  fi
  local src="$cache/build/worker"
  rm -rf "$cache/build"
  mkdir -p "$cache/build"
  cp -r "$pkg/worker" "$src"
  rm -rf "$src/out"
  local wrap dir
  for wrap in "$src"/subprojects/*.wrap; do
    name=$(basename "$wrap" .wrap)
    [ -d "$here/subprojects/$name" ] || continue
    dir=$(sed -n 's/^directory *= *//p' "$wrap")
    cp -r "$here/subprojects/$name" "$src/subprojects/$dir"
  done
  log "building mediasoup-worker $version from Debian's libraries (a few minutes on 2 cores)"
  (
    cd "$src"
    PYTHONPATH="$tools" python3 -m mesonbuild.mesonmain setup --buildtype=release \
      --wrap-mode=nodownload out >"$cache/build/meson-setup.log" 2>&1 ||
      { tail -30 "$cache/build/meson-setup.log" >&2; exit 1; }
    ninja -C out mediasoup-worker >"$cache/build/ninja.log" 2>&1 ||
      { tail -30 "$cache/build/ninja.log" >&2; exit 1; }
  )
  worker_ok "$src/out/mediasoup-worker" || { log "the built worker fails its sanity check" >&2; return 1; }
  install_from "$src/out/mediasoup-worker" "built offline"
  rm -rf "$cache/build"
}

if worker_ok "$target"; then
  exit 0
fi
if worker_ok "$cache/mediasoup-worker"; then
  install_from "$cache/mediasoup-worker" "cached"
  exit 0
fi
if [ "${SHOWREC_MEDIASOUP_BUILD:-auto}" != "offline" ] && try_prebuilt; then
  exit 0
fi
build_offline
