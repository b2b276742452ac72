#!/usr/bin/env bash
# Event loops beyond select(): examples/epoll.c and examples/libuv.c drive
# thousands of concurrent verified streams through the socket-callback
# interface (og_http_set_socket_fns / og_http_socket_action) against the
# gateway stand-ins: 2,000 streams in the normal build (beyond
# FD_SETSIZE: the highest socket must be above 1023), 200 under ASan.
. "$(dirname "$0")/lib.sh"
# before the stand-ins start: they inherit the limit
ulimit -n "$(ulimit -Hn)" 2>/dev/null
. "$ROOT/tests/integration/llm_lib.sh"
BUILD=${OG_BUILD:-$ROOT/build}
N=2000
case "$BUILD" in *asan*) N=200 ;; esac
CHUNKS=10
# one descriptor a stream plus slack
NOFILE=$(ulimit -n)
if [ "$NOFILE" != unlimited ] && [ "$NOFILE" -lt $((N + 200)) ]; then
  N=$((NOFILE - 200))
  echo "note: RLIMIT_NOFILE hard limit is $NOFILE; scaled down to $N streams"
fi
# each stream lasts ~2.5 s (a frame every 0.25 s), so that they overlap
ctl 0 '{"bench_delay": 0.25}'
ctl 1 '{"bench_delay": 0.25}'

for ex in epoll libuv; do
  bin=$BUILD/bin/example_$ex
  [ -x "$bin" ] || fail "example_$ex not built"
  OUT=$("$bin" "$OG_RPC_URL" "$OG_TEE_REGISTRY" "$N" "bench/bench-$CHUNKS" 2>"$W/err")
  RC=$?
  [ "$RC" = 0 ] || fail "example_$ex $N streams: exit $RC: $(head -3 "$W/err") $OUT"
  # bench-N: N content chunks and the final chunk
  grep -q "^$N requests, 0 failed, $N verified, $((N * (CHUNKS + 1))) chunks, highest fd [0-9]*$" <<<"$OUT" \
    || fail "example_$ex: $OUT"
  FD=${OUT##* }
  if [ "$N" -ge 2000 ]; then
    [ "$FD" -ge 1024 ] || fail "example_$ex: highest fd $FD, not beyond FD_SETSIZE"
  fi
  ok "example_$ex: $N concurrent verified streams (highest fd $FD)"
done
echo "$TESTS_RUN checks passed"
