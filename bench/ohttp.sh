#!/usr/bin/env bash
# Confidential mode next to its peers, in one run:
# 1. library level: bench_ohttp (our HPKE/OHTTP on OpenSSL EVP; a
#    100,000-chunk stream into the assembler in clear vs chunked OHTTP) and
#    bench/hpke_peer.mjs (@hpke/core), with the ratios;
# 2. the command: `chat --stream --relay-url` against bench_ohttp_peer (a C
#    relay + recipient) next to the same stream in clear, text and --json
#    (bench/runner.py's cli_ohttp, on a devnet started by bench/run.sh).
# Usage: bench/ohttp.sh [BUILD_DIR] [REQUESTS]   (BENCH_REPS: runs, 7)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-$ROOT/build}
N=${2:-2000}
c=$("$B/bin/bench_ohttp" --requests "$N" --chunks 100000)
p=$(cd "$ROOT" && node bench/hpke_peer.mjs "$N")
echo "ours:  $c"
echo "peer:  $p"
python3 - "$c" "$p" <<'PY'
import json, sys
c, p = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print("seal+open per request: @hpke/core / ours = %.1fx" %
      (p["seal_open_us_per_request"] / c["seal_open_us_per_request"]))
r = c["confidential_s"] / c["clear_s"]
print("100,000-chunk stream into the assembler: confidential / clear = %.2fx "
      "(library level; the 1.5x target is the command's, below)" % r)
PY

echo
BUILD=$B BENCH_ONLY=cli_ohttp BENCH_TEES=1 BENCH_REPS=${BENCH_REPS:-7} \
  bash "$ROOT/bench/run.sh"
