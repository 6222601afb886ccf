#!/usr/bin/env bash
# Start-up time to the first frame, and idle memory, of the real window under Xvfb.
#   bash crates/gui/benches/window.sh        (needs xvfb, libgl1-mesa-dri: see .ci/run)
# Uses the release binary; opens flows/openai-models.flow.json.
set -euo pipefail
cd "$(dirname "$0")/../../.."
cargo build --release -p switchyard >/dev/null 2>&1
bin=target/release/switchyard
home=$(mktemp -d)
Xvfb :96 -screen 0 1280x800x24 >/dev/null 2>&1 & xvfb=$!
trap 'kill $xvfb 2>/dev/null || true; rm -rf "$home"' EXIT
for _ in $(seq 50); do [ -e /tmp/.X11-unix/X96 ] && break; sleep 0.1; done
echo "start-up to first frame (5 runs):"
for _ in 1 2 3 4 5; do
  DISPLAY=:96 SWITCHYARD_HOME=$home "$bin" --report-first-frame flows/openai-models.flow.json 2>&1 | grep 'first frame'
done
DISPLAY=:96 SWITCHYARD_HOME=$home "$bin" flows/openai-models.flow.json >/dev/null 2>&1 & app=$!
sleep 3
echo "idle memory after 3 s: $(grep VmRSS /proc/$app/status)"
# Anonymous (heap, stacks, the GL driver's buffers) vs file-backed (the binary and the
# shared libraries' pages in use: libLLVM for Mesa's llvmpipe) vs shared (X11 MIT-SHM).
grep -E 'RssAnon|RssFile|RssShmem' /proc/$app/status | sed 's/^/  /'
echo "  largest mappings (resident kB):"
awk '/^[0-9a-f]+-[0-9a-f]+ /{name=($6 == "") ? "[anonymous]" : $6} /^Rss:/{rss[name]+=$2}
     END{for (n in rss) print rss[n], n}' /proc/$app/smaps | sort -rn | head -8 | sed 's/^/    /'
kill $app
