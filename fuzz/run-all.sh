#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 600) one after the other, JOBS at a time
# (default 1), from the binaries `cargo +nightly fuzz build -O` made; logs go to
# fuzz/logs/<target>.log, crashes and hangs (-timeout=10 s per input) to fuzz/artifacts/.
#   fuzz/run-all.sh [SECONDS] [JOBS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}
jobs=${2:-1}
shift $(( $# > 2 ? 2 : $# ))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(manifest fragment decrypt playready ttml url_template session)
bin=target/x86_64-unknown-linux-gnu/release
mkdir -p logs
run_one() {
  local t=$1
  mkdir -p "corpus/$t" "artifacts/$t"
  "$bin/$t" "corpus/$t" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="artifacts/$t/" >"logs/$t.log" 2>&1 || true
  printf '%-13s %s executions, %s\n' "$t" \
    "$(grep -o 'number_of_executed_units: [0-9]*' "logs/$t.log" | grep -o '[0-9]*$' || echo '?')" \
    "$(ls "artifacts/$t" | wc -l | sed 's/$/ artifacts/')"
}
running=0
for t in "${targets[@]}"; do
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
done
wait
