#!/usr/bin/env bash
# Whole-pipeline `--fast` playback, wall and CPU seconds, per decoder backend and thread
# count, next to GStreamer (playbin: mssdemux + avdec, fakesinks) in the same run, on the
# demo's 720p level (20 s, 500 frames, with its audio) and on a 1080p presentation made here
# (12 s, 300 frames, video only, x264 High 6 Mbit/s, 2 s fragments; not committed). Prints
# one table of medians; a failed run is reported on stderr.
#
#   tests/bench/peers.sh            RUNS=5 tests/bench/peers.sh
#
# Needs (installed if missing): gstreamer1.0-tools gstreamer1.0-plugins-bad (mssdemux)
# gstreamer1.0-plugins-good gstreamer1.0-libav, time, ffmpeg.
set -euo pipefail
cd "$(dirname "$0")/../.."
./x deps >/dev/null
missing=()
for p in gstreamer1.0-tools gstreamer1.0-plugins-bad gstreamer1.0-libav gstreamer1.0-plugins-good time ffmpeg; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=(); [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
cargo build --release -q -p player-embedded --bin smoothplay-headless -p player-tests --bin smoothplay-origin
runs=${RUNS:-3}
tmp=$(mktemp -d)
trap 'kill $origin 2>/dev/null; rm -rf "$tmp"' EXIT

# The 1080p presentation: 12 s of testsrc2, video only (ffmpeg's own manifest, which has no
# t=, is right when no AAC priming shifts the streams).
mkdir -p "$tmp/www"
ln -s "$PWD/assets/demo" "$tmp/www/demo"
ffmpeg -nostdin -loglevel error -y -f lavfi -i "testsrc2=size=1920x1080:rate=25:duration=12" \
  -c:v libx264 -preset veryfast -profile:v high -b:v 6M -maxrate 6M -bufsize 12M \
  -g 50 -keyint_min 50 -sc_threshold 0 -bf 0 -pix_fmt yuv420p \
  -min_frag_duration 2000000 -f smoothstreaming "$tmp/www/hd1080"

port=$((20000 + RANDOM % 20000))
target/release/smoothplay-origin "$tmp/www" --port "$port" >/dev/null &
origin=$!
sleep 0.5
base="http://127.0.0.1:$port"

# time_run OUT CMD... -> appends "wall cpu" to OUT
time_run() {
  local out=$1; shift
  if ! /usr/bin/time -f '%e %U %S' -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err"; then
    echo "peers.sh: failed: $* ($(tail -1 "$tmp/err"))" >&2
  fi
  read -r wall user sys < <(tail -1 "$tmp/time")
  python3 -c "import sys; w,u,s=map(float,sys.argv[1:]); print(w, u+s)" "$wall" "$user" "$sys" >> "$out"
}

# Each configuration: NAME|presentation|frames|command (alternating, so drift hits all alike).
configs=()
for pres in "demo 2 500" "hd1080 0 300"; do
  read -r name quality frames <<<"$pres"
  url="$base/$name/Manifest"
  sp=(target/release/smoothplay-headless play "$url" --fast --quality "$quality" --quiet)
  configs+=("$name|openh264, 1 thread|$frames|${sp[*]} --decoder openh264 --decode-threads 1")
  configs+=("$name|openh264, 2 fragments at once|$frames|${sp[*]} --decoder openh264 --decode-threads 2")
  configs+=("$name|openh264, 2 fragments, --budget 128M|$frames|${sp[*]} --decoder openh264 --decode-threads 2 --budget 128M")
  configs+=("$name|libav, 1 thread|$frames|${sp[*]} --decoder libav --decode-threads 1")
  configs+=("$name|libav, 2 frame threads (default)|$frames|${sp[*]} --decoder libav --decode-threads 2")
  configs+=("$name|gstreamer playbin (avdec)|$frames|gst-launch-1.0 -q playbin uri=$url connection-speed=100000 video-sink=fakesink\ sync=false audio-sink=fakesink\ sync=false")
done

for i in $(seq "$runs"); do
  for n in "${!configs[@]}"; do
    IFS='|' read -r _ _ _ cmd <<<"${configs[$n]}"
    eval "time_run $tmp/r$n $cmd"
  done
done

printf '%-8s %-36s %7s %8s %8s %8s\n' media player frames wall_s cpu_s fps
for n in "${!configs[@]}"; do
  IFS='|' read -r name label frames _ <<<"${configs[$n]}"
  python3 - "$tmp/r$n" "$name" "$label" "$frames" <<'PY'
import statistics, sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1])]
wall = statistics.median(r[0] for r in rows)
cpu = statistics.median(r[1] for r in rows)
frames = int(sys.argv[4])
print(f"{sys.argv[2]:<8} {sys.argv[3]:<36} {frames:>7} {wall:>8.2f} {cpu:>8.2f} {frames / wall:>8.0f}")
PY
done
