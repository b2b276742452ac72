#!/usr/bin/env bash
# Differential test: our canonical JSON writer, Python str() and the
# canonical request builder against CPython's json/str on a fixed-seed
# corpus (thousands of cases). Needs the example_canon helper built from
# examples/canon.c.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${OG_BUILD:-$here/../../build}
bin=$build/bin/example_canon
py=${PYTHON:-python3}
if [ ! -x "$bin" ]; then
  echo "missing $bin (build the examples)" >&2
  exit 1
fi
exec "$py" "$here/canon_oracle.py" "$bin" "${OG_ORACLE_CASES:-3000}"
