#!/usr/bin/env bash
# Headless --fast playback throughput of the demo's 720p level: smoothplay (frames/s, CPU
# seconds, decode vs everything else) next to GStreamer's playbin on the same origin.
# Needs: gstreamer1.0-tools gstreamer1.0-plugins-bad gstreamer1.0-libav (installed if missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
./x deps >/dev/null
for p in gstreamer1.0-tools gstreamer1.0-plugins-bad gstreamer1.0-libav gstreamer1.0-plugins-good time; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ -n "${missing[*]:-}" ]; then
  sudo=(); [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
cargo build --release -q -p player-embedded --bin smoothplay-headless -p player-tests --bin smoothplay-origin
port=$((20000 + RANDOM % 20000))
target/release/smoothplay-origin assets --port "$port" >/dev/null &
origin=$!
trap 'kill $origin 2>/dev/null' EXIT
sleep 0.5
url="http://127.0.0.1:$port/demo/Manifest"
runs=${RUNS:-3}
tmp=$(mktemp -d)

printf '%-12s %8s %8s %9s %9s %9s %11s\n' player frames wall_s cpu_s decode_s other_s other_%core
for i in $(seq "$runs"); do
  /usr/bin/time -f '%e %U %S' -o "$tmp/time" \
    target/release/smoothplay-headless play "$url" --fast --quality 2 --quiet --events "$tmp/ev" >/dev/null
  read -r wall user sys < "$tmp/time"
  python3 - "$tmp/ev" "$wall" "$user" "$sys" <<'PY'
import json, sys
ev, wall, user, sys_ = sys.argv[1], *map(float, sys.argv[2:])
s = [json.loads(l) for l in open(ev)][-1]
cpu = user + sys_
other = cpu - s["decode_s"]
print(f'{"smoothplay":<12} {s["frames_decoded"]:>8} {wall:>8.2f} {cpu:>9.2f} {s["decode_s"]:>9.2f} {other:>9.2f} {100*other/wall:>10.1f}%'
      f'   ({s["frames_decoded"]/wall:.0f} fps)')
PY
done
for i in $(seq "$runs"); do
  /usr/bin/time -f '%e %U %S' -o "$tmp/time" \
    gst-launch-1.0 -q playbin uri="$url" connection-speed=100000 \
      video-sink="fakesink sync=false" audio-sink="fakesink sync=false" >/dev/null 2>&1 || true
  read -r wall user sys < "$tmp/time"
  python3 -c "import sys; w,u,s=map(float,sys.argv[1:]); print(f'{\"gstreamer\":<12} {500:>8} {w:>8.2f} {u+s:>9.2f} {\"-\":>9} {\"-\":>9} {\"-\":>11}   ({500/w:.0f} fps)')" "$wall" "$user" "$sys"
done
rm -rf "$tmp"
