#!/usr/bin/env bash
# `make install PREFIX=...` lays out the command, both libraries, the public
# headers, opengradient.pc and the man page; a program builds against the
# installed copy with pkg-config alone and runs.
. "$(dirname "$0")/lib.sh"
BUILD=${OG_BUILD:-$ROOT/build}
# a sanitizer build installs an instrumented library that plain cc cannot link
case "$BUILD" in *asan*) echo "skipped for the ASan build"; exit 0 ;; esac
P=$(mktemp -d)
trap 'rm -rf "$P"' EXIT
cmake --install "$BUILD" --prefix "$P" >/dev/null || fail "cmake --install"
for f in bin/opengradient include/opengradient/og_client.h \
         include/opengradient/og_common.h share/man/man1/opengradient.1; do
  [ -f "$P/$f" ] || fail "missing $f"
done
LIBDIR=$(dirname "$(find "$P" -name opengradient.pc | head -1)")/..
[ -f "$LIBDIR/libopengradient.a" ] || fail "missing libopengradient.a"
ls "$LIBDIR"/libopengradient.so* >/dev/null 2>&1 || fail "missing libopengradient.so"
ok "install layout"

"$P/bin/opengradient" --version | grep -qx "opengradient 0.1.0" || fail "installed command"
ok "installed command runs"

export PKG_CONFIG_PATH="$LIBDIR/pkgconfig"
pkg-config --exists opengradient || fail "pkg-config cannot find opengradient"
# static library: jansson (public API) and the private dependencies
cc -o "$P/chat" "$ROOT/examples/chat.c" $(pkg-config --cflags opengradient) \
  "$LIBDIR/libopengradient.a" \
  $(pkg-config --libs libcurl openssl libsecp256k1 jansson nettle) \
  || fail "build an example against the installed static library"
cc -o "$P/chat_so" "$ROOT/examples/chat.c" $(pkg-config --cflags --libs opengradient) \
  -Wl,-rpath,"$LIBDIR" || fail "build against the installed shared library"
"$P/chat_so" 2>/dev/null; [ $? -eq 1 ] || fail "example usage exit code"
ok "pkg-config builds against the installed library (static and shared)"
echo "$TESTS_RUN checks passed"
