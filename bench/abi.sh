#!/usr/bin/env bash
# ABI decode benchmark: our getActiveTEEs decoder (hex text -> og_tee
# structs) against viem's decodeFunctionResult on the same 1,000-entry
# reply, next to a plain hex pass and a memcpy. Runs the two sides in turn
# (RUNS times each, default 3) and prints medians and ratios; then, if
# valgrind is present, instructions per decoded TEE from callgrind.
# No timing is asserted. Env: BUILD (default build), RUNS, ENTRIES.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
RUNS=${RUNS:-3}
ENTRIES=${ENTRIES:-1000}
OUT=$BUILD/bench
mkdir -p "$OUT"
REPLY=$OUT/tee_reply_$ENTRIES.hex
BIN=$BUILD/bin/bench_abi_decode

[ -x "$BIN" ] || cmake --build "$BUILD" --target bench_abi_decode >/dev/null
[ -s "$REPLY" ] || node bench/gen_tee_reply.mjs "$REPLY" "$ENTRIES"

: >"$OUT/abi_ours.txt"
: >"$OUT/abi_viem.txt"
for i in $(seq "$RUNS"); do
  "$BIN" "$REPLY" >>"$OUT/abi_ours.txt"
  node bench/peers/viem_decode.mjs "$REPLY" >>"$OUT/abi_viem.txt"
done

col() { awk -v k="$1" '$1 == k { print $2 }' "$2"; } # key file
med() { # median of the numbers on stdin
  sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}

ours=$(col ours_ns "$OUT/abi_ours.txt" | med)
ids=$(col ours_with_ids_ns "$OUT/abi_ours.txt" | med)
dec=$(col decode_only_ns "$OUT/abi_ours.txt" | med)
hexp=$(col hexpass_ns "$OUT/abi_ours.txt" | med)
mcp=$(col memcpy_ns "$OUT/abi_ours.txt" | med)
viem=$(col viem_decode_ns "$OUT/abi_viem.txt" | med)
bytes=$(col reply_bytes "$OUT/abi_ours.txt" | med)
# ratios are taken per run (the two sides ran back to back, the passes
# of one run interleaved), then the median: steadier on a loaded machine
r_viem=$(paste <(col ours_ns "$OUT/abi_ours.txt") \
  <(col viem_decode_ns "$OUT/abi_viem.txt") | awk '{ print $2 / $1 }' | med)
r_hex=$(col ours_over_hexpass "$OUT/abi_ours.txt" | med)
r_mcp=$(paste <(col ours_ns "$OUT/abi_ours.txt") \
  <(col memcpy_ns "$OUT/abi_ours.txt") | awk '{ print $1 / $2 }' | med)

echo "getActiveTEEs reply: $ENTRIES entries (11-field), $bytes bytes," \
  "hex text in; medians of $RUNS runs"
awk -v o="$ours" -v i="$ids" -v d="$dec" -v h="$hexp" -v m="$mcp" -v v="$viem" \
  -v rv="$r_viem" -v rh="$r_hex" -v rm="$r_mcp" -v n="$ENTRIES" 'BEGIN {
  printf "  %-36s %10.3f ms  (%.0f ns/TEE)\n", "ours: hex + decode",
    o / 1e6, o / n
  printf "  %-36s %10.3f ms\n", "  decode alone (bytes -> structs)", d / 1e6
  printf "  %-36s %10.3f ms  (viem/this %.1f)\n", "ours + tee ids (Keccak per key)",
    i / 1e6, v / i
  printf "  %-36s %10.3f ms\n", "plain hex-to-bytes pass", h / 1e6
  printf "  %-36s %10.3f ms\n", "memcpy of the bytes", m / 1e6
  printf "  %-36s %10.3f ms\n", "viem decodeFunctionResult", v / 1e6
  printf "  ratio viem/ours     %8.2f\n", rv
  printf "  ratio ours/hexpass  %8.2f\n", rh
  printf "  ratio ours/memcpy   %8.1f\n", rm
}'

if command -v valgrind >/dev/null && [ "${CALLGRIND:-1}" != 0 ]; then
  for fn in og_registry_decode_tees og_keccak256 og_hex_decode; do
    valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.$fn" \
      --toggle-collect="$fn" "$BIN" --once "$REPLY" >/dev/null 2>&1
  done
  ir() { awk '/^(summary|totals):/ { print $2; exit }' "$OUT/callgrind.$1"; }
  awk -v d="$(ir og_registry_decode_tees)" -v k="$(ir og_keccak256)" \
    -v h="$(ir og_hex_decode)" -v n="$ENTRIES" 'BEGIN {
    printf "callgrind, instructions per TEE: decode %.0f (of which" \
      " keccak256(publicKey) %.0f, ABI work %.0f), hex pass %.0f," \
      " total %.0f\n", d / n, k / n, (d - k) / n, h / n, (d + h) / n
  }'
fi
