#!/usr/bin/env bash
# `make bench`: start a devnet with gateway stand-ins (no payment), run every
# bench next to its peers (bench/runner.py), print the ratios, write
# bench/out/results.md, and stop everything started here, even on failure.
#
# Environment (all optional): BUILD (build dir, default build), PYTHON,
# BENCH_ONLY (e.g. "sse,chat"), BENCH_REPS, BENCH_RUNS, BENCH_WARMUP,
# BENCH_SSE_N, BENCH_STREAMS, BENCH_STREAM_N, BENCH_TEES (default 2),
# BENCH_SCALE_STREAMS (4096), BENCH_SCALE_N (1000), BENCH_SCALE_REPS (1).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export PYTHON=${PYTHON:-python3}
BUILD=${BUILD:-build}
OUT=$ROOT/bench/out
RUN=$OUT/devnet
mkdir -p "$OUT"

# Thousands of concurrent streams (the scale bench) need as many
# descriptors in the client and in the stand-ins, which inherit this.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# The gateways must not ask for payment (benches and peers run without it);
# any extra stand-in switches from the caller's environment are dropped.
unset OG_GATEWAY_ARGS

started=0
runner=
# shellcheck disable=SC2317  # called from the traps
cleanup() {
  if [ -n "$runner" ]; then
    kill -TERM "$runner" 2>/dev/null || true
    wait "$runner" 2>/dev/null || true
  fi
  if [ "$started" = 1 ]; then
    "$PYTHON" tests/devnet/devnet.py stop --dir "$RUN" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

devnet_args=(--devnet-error "")
rm -rf "$RUN"
echo "bench: starting devnet with gateway stand-ins (${BENCH_TEES:-2} TEEs)"
started=1
if "$PYTHON" tests/devnet/devnet.py start --dir "$RUN" \
     --tees "${BENCH_TEES:-2}" --gateways >"$OUT/devnet.log" 2>&1; then
  set -a
  # shellcheck source=/dev/null
  . "$RUN/env"
  set +a
  devnet_args=(--devnet)
else
  why=$(grep -v '^\s*$' "$OUT/devnet.log" | tail -n 1)
  echo "bench: devnet did not start: $why (log: bench/out/devnet.log)"
  devnet_args=(--devnet-error "devnet did not start: ${why:-see bench/out/devnet.log}")
fi

# in the background and waited for, so that a signal runs the traps at once
"$PYTHON" bench/runner.py --build "$BUILD" --out bench/out \
  "${devnet_args[@]}" &
runner=$!
status=0
wait "$runner" || status=$?
runner=
exit "$status"
