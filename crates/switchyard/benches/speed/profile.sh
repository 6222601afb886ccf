#!/usr/bin/env bash
# Where `switchyard run` spends its time on the 1,000-block chain against nginx
# (findings in BENCHMARKS.md). Needs the release binaries run.sh builds,
# valgrind, strace and perf (Debian: valgrind strace linux-perf).
#
#   crates/switchyard/benches/speed/profile.sh OUT_DIR
#
# Writes into OUT_DIR:
#   perf-stat.txt         task-clock, context switches, CPU migrations (10 runs each) of
#                         switchyard (human, json), the floor and engine_probe (current-
#                         thread and multi-thread runtime);
#   strace.txt            system calls by kind, all threads (strace -f -c);
#   callgrind.*.out       instruction counts, all threads (valgrind --tool=callgrind),
#   callgrind.*.txt       and their annotations (inclusive and exclusive, by function);
#   perf.data, perf.txt   sampled profile (cpu-clock, 20 kHz, call graphs) of 20 runs.
# CARGO_TARGET_DIR is honoured.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
out="$(mkdir -p "${1:?usage: profile.sh OUT_DIR}" && cd "$1" && pwd)"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
switchyard="$target_dir/release/switchyard"
floor="$target_dir/release/examples/floor"
probe="$target_dir/release/examples/engine_probe"
for binary in "$switchyard" "$floor" "$probe"; do
  [ -x "$binary" ] || { echo "missing $binary: cargo build --release -p switchyard --bin switchyard --examples" >&2; exit 1; }
done

work="$(mktemp -d -t switchyard-profile.XXXXXX)"
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
mkdir -p "$work/nginx" "$work/home"
sed "s/@PORT@/$port/" "$here/nginx.conf" >"$work/nginx/nginx.conf"
nginx -p "$work/nginx" -c nginx.conf -e "$work/nginx/error.log" &
nginx_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 100); do
  python3 -c "import urllib.request; urllib.request.urlopen('$base/item/0').read()" 2>/dev/null && break
  sleep 0.05
done
python3 "$here/speed.py" generate "$work/flows" "$base"
export SWITCHYARD_HOME="$work/home"
chain="$work/flows/chain-1000.flow.json"

echo "== perf stat" >&2
: >"$out/perf-stat.txt"
stat_of() {
  echo "### $*" >>"$out/perf-stat.txt"
  perf stat -r 10 -e task-clock,context-switches,cpu-migrations,page-faults -- "$@" \
    >/dev/null 2>>"$out/perf-stat.txt"
}
stat_of "$switchyard" run "$chain"
stat_of "$switchyard" run --format json "$chain"
stat_of "$floor" "$base" 1000 chain
stat_of "$probe" "$chain" current json
stat_of "$probe" "$chain" multi json
stat_of "$switchyard" run "$work/flows/one.flow.json"
stat_of "$floor" "$base" 1 chain

echo "== strace -f -c" >&2
: >"$out/strace.txt"
for what in "$switchyard run $chain" "$floor $base 1000 chain" "$probe $chain current json"; do
  echo "### $what" >>"$out/strace.txt"
  # shellcheck disable=SC2086
  strace -f -c -o "$work/strace.tmp" $what >/dev/null 2>&1
  cat "$work/strace.tmp" >>"$out/strace.txt"
done

echo "== callgrind" >&2
callgrind() {
  local name="$1"
  shift
  valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.$name.out" "$@" >/dev/null 2>"$out/callgrind.$name.log"
  # `head` closes the pipe early: with pipefail that SIGPIPE is no failure.
  callgrind_annotate --inclusive=yes "$out/callgrind.$name.out" 2>/dev/null | head -120 >"$out/callgrind.$name.inclusive.txt" || true
  callgrind_annotate "$out/callgrind.$name.out" 2>/dev/null | head -120 >"$out/callgrind.$name.self.txt" || true
}
callgrind human "$switchyard" run "$chain"
callgrind json "$switchyard" run --format json "$chain"
callgrind floor "$floor" "$base" 1000 chain
callgrind probe-current "$probe" "$chain" current json
callgrind one "$switchyard" run "$work/flows/one.flow.json"

echo "== perf record" >&2
perf record -q -F 20000 -e cpu-clock -g -o "$out/perf.data" -- \
  bash -c "for i in \$(seq 20); do '$switchyard' run '$chain' >/dev/null 2>&1; done" 2>/dev/null
perf report -i "$out/perf.data" --no-children --sort dso,symbol --stdio 2>/dev/null | head -200 >"$out/perf.txt" || true
echo "profile written to $out" >&2
