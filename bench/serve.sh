#!/usr/bin/env bash
# serve's benches (bench/serve_bench.py) on a fresh devnet without payment.
#   bench/serve.sh            (after a RelWithDebInfo build in build/)
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n "$(ulimit -Hn)"
W=$(mktemp -d)
trap 'python3 tests/devnet/devnet.py stop --dir "$W/d" >/dev/null 2>&1; rm -rf "$W"' EXIT
python3 tests/devnet/devnet.py start --dir "$W/d" --tees 1 --gateways >/dev/null
. "$W/d/env"
export OG_RPC_URL OG_TEE_REGISTRY
unset OG_PRIVATE_KEY
export OG_TEE_ID=$TEE_0_ID
python3 bench/serve_bench.py
