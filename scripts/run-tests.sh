#!/usr/bin/env bash
# Test driver behind `make test`. Counts every test program and integration
# script it runs and ends with the plain line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
MODE=${1:-all}
BUILD=${BUILD:-build}
ASAN_BUILD=${ASAN_BUILD:-build-asan}
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
JOBS=$(nproc 2>/dev/null || echo 2)
export PYTHON=${PYTHON:-python3}
LOG=$ROOT/$BUILD/test-logs
mkdir -p "$LOG"

passed=0
failed=0
failures=()

record() { # name status
  if [ "$2" -eq 0 ]; then
    passed=$((passed + 1)); echo "PASS $1"
  else
    failed=$((failed + 1)); failures+=("$1"); echo "FAIL $1 (log: $LOG/$(echo "$1" | tr '/ ' '__').log)"
  fi
}

run_logged() { # name cmd...
  local name=$1; shift
  local log="$LOG/$(echo "$name" | tr '/ ' '__').log"
  "$@" >"$log" 2>&1
  local st=$?
  record "$name" $st
  [ $st -eq 0 ] || tail -n 30 "$log" | sed 's/^/    /'
}

unit_tests() { # builddir label [wrapper...]
  local dir=$1 label=$2; shift 2
  for t in "$dir"/bin/test_*; do
    [ -x "$t" ] || continue
    run_logged "$label/$(basename "$t")" "$@" "$t"
  done
}

integration_tests() { # builddir label
  local dir=$1 label=$2
  for t in tests/integration/test_*.sh; do
    [ -f "$t" ] || continue
    run_logged "$label/$(basename "$t" .sh)" env OG_BIN="$ROOT/$dir/bin/opengradient" \
      OG_BUILD="$ROOT/$dir" bash "$t"
  done
}

build_asan() {
  scripts/configure.sh "$ASAN_BUILD" -DCMAKE_C_COMPILER=clang \
    -DCMAKE_BUILD_TYPE=Debug -DOG_SANITIZE=ON || return 1
  cmake --build "$ASAN_BUILD" -j"$JOBS" >"$LOG/asan-build.log" 2>&1
}

build_fuzz() {
  scripts/configure.sh "$FUZZ_BUILD" -DCMAKE_C_COMPILER=clang \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOG_FUZZ=ON -DOG_TESTS=OFF || return 1
  cmake --build "$FUZZ_BUILD" -j"$JOBS" >"$LOG/fuzz-build.log" 2>&1
}

do_unit() { unit_tests "$BUILD" unit; }
do_integration() { integration_tests "$BUILD" integration; }
do_asan() {
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  if build_asan; then
    record "asan/build" 0
    unit_tests "$ASAN_BUILD" asan
    integration_tests "$ASAN_BUILD" asan-integration
  else
    record "asan/build" 1; tail -n 30 "$LOG/asan-build.log"
  fi
  unset ASAN_OPTIONS UBSAN_OPTIONS
}
do_valgrind() {
  unit_tests "$BUILD" valgrind valgrind -q --error-exitcode=9 \
    --leak-check=full --errors-for-leak-kinds=definite,indirect
}
do_fuzz() {
  if build_fuzz; then
    record "fuzz/build" 0
    for f in "$FUZZ_BUILD"/bin/fuzz_*; do
      [ -x "$f" ] || continue
      local name corpus
      name=$(basename "$f")
      corpus="$ROOT/$FUZZ_BUILD/corpus/$name"
      mkdir -p "$corpus"
      [ -d "tests/fuzz/corpus/$name" ] && cp -n tests/fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null
      run_logged "fuzz/$name" "$f" -max_total_time="$FUZZ_SECONDS" \
        -max_len=65536 -rss_limit_mb=2048 "$corpus"
    done
  else
    record "fuzz/build" 1; tail -n 30 "$LOG/fuzz-build.log"
  fi
}

case "$MODE" in
  unit) do_unit ;;
  integration) do_integration ;;
  asan) do_asan ;;
  valgrind) do_valgrind ;;
  fuzz) do_fuzz ;;
  all) do_unit; do_integration; do_asan; do_valgrind; do_fuzz ;;
  *) echo "usage: $0 all|unit|integration|asan|valgrind|fuzz" >&2; exit 2 ;;
esac

echo
[ ${#failures[@]} -eq 0 ] || printf 'failed: %s\n' "${failures[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
