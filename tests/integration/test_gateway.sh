#!/usr/bin/env bash
# The gateway stand-in (tests/devnet/gateway.py): vectors, routes, SSE shapes,
# signatures, faults, x402 payments and sessions, bench mode.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec "${PYTHON:-python3}" tests/devnet/test_gateway.py
