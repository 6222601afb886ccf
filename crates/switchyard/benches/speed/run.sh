#!/usr/bin/env bash
# Engine speed, measured against a real server: `switchyard run` next to a
# floor (examples/floor.rs: one reqwest client, current-thread runtime) and hurl, all
# against nginx on loopback. Prints a markdown table (kept in BENCHMARKS.md).
#
#   crates/switchyard/benches/speed/run.sh [ROUNDS]        (default 11 rounds)
#
# What it does:
#   1. installs nginx (Debian package) when missing, and hurl 8.0.1 with
#      `cargo install --locked` into target/bench-tools (once; skipped with a message
#      when it cannot be built: it needs libcurl4-openssl-dev libxml2-dev pkg-config libclang-dev);
#   2. builds `switchyard` and the floor example in release mode;
#   3. starts nginx with nginx.conf (next to this script) on a free loopback port, with
#      its pid file, logs and temp directories in a temporary directory, and stops it on
#      exit;
#   4. generates the flows and hurl files (speed.py generate) and measures (speed.py
#      measure): interleaved rounds, medians, ratios taken round by round.
#
# Environment: SKIP_BUILD=1 uses the release binaries already in target/release;
# NO_HURL=1 skips hurl; HURL=/path/to/hurl uses that hurl; CARGO_TARGET_DIR is honoured.
# A benchmark, never part of `cargo test` or CI.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
rounds="${1:-11}"
tools="$root/target/bench-tools"

if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  echo "== installing nginx (apt-get)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
fi
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"

hurl="${HURL:-}"
if [ -z "$hurl" ] && [ -z "${NO_HURL:-}" ]; then
  if [ ! -x "$tools/bin/hurl" ]; then
    echo "== building hurl 8.0.1 into $tools (once; takes many minutes; log: $tools/hurl-build.log)" >&2
    mkdir -p "$tools"
    if ! (cargo install --locked hurl --version 8.0.1 --root "$tools" >"$tools/hurl-build.log" 2>&1); then
      echo "!! hurl could not be built (needs: apt-get install libcurl4-openssl-dev libxml2-dev pkg-config libclang-dev);" >&2
      echo "!! see $tools/hurl-build.log. Measuring without hurl." >&2
    fi
  fi
  [ -x "$tools/bin/hurl" ] && hurl="$tools/bin/hurl"
fi
if [ -z "$hurl" ]; then
  echo "!! hurl is not available: the table has no hurl rows." >&2
fi

if [ -z "${SKIP_BUILD:-}" ]; then
  echo "== cargo build --release (switchyard and the floor)" >&2
  (cd "$root" && cargo build --release --locked -p switchyard --bin switchyard --example floor --example engine_probe) >&2
fi
target_dir="${CARGO_TARGET_DIR:-$root/target}"
switchyard="$target_dir/release/switchyard"
floor="$target_dir/release/examples/floor"

work="$(mktemp -d -t switchyard-speed.XXXXXX)"
nginx_pid=""
cleanup() {
  if [ -n "$nginx_pid" ]; then
    kill "$nginx_pid" 2>/dev/null || true
    wait "$nginx_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
mkdir -p "$work/nginx"
sed "s/@PORT@/$port/" "$here/nginx.conf" >"$work/nginx/nginx.conf"
"$nginx_bin" -p "$work/nginx" -c nginx.conf -e "$work/nginx/error.log" &
nginx_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 100); do
  if python3 -c "import urllib.request; urllib.request.urlopen('$base/item/0').read()" 2>/dev/null; then
    break
  fi
  sleep 0.05
done
echo "== nginx $("$nginx_bin" -v 2>&1 | sed 's/.*\///') on $base; ${hurl:+hurl $("$hurl" --version | head -1 | cut -d' ' -f2)}" >&2

python3 "$here/speed.py" generate "$work/flows" "$base"
python3 "$here/speed.py" measure "$work/flows" "$base" --switchyard "$switchyard" --floor "$floor" \
  ${hurl:+--hurl "$hurl"} --rounds "$rounds"
