#!/bin/bash
# OHTTP benches: seal+open per request next to @hpke/core (interleaved, 3
# rounds), and a 100,000-chunk sealed stream next to the same stream in the
# clear. Usage: BUILD=build bash bench/ohttp.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
N=${N:-2000}
for round in 1 2 3; do
  "$BUILD"/bin/bench_ohttp seal "$N"
  node bench/ohttp_hpke_core.mjs "$N"
done
"$BUILD"/bin/bench_ohttp stream 100000
