#!/usr/bin/env bash
# `make install PREFIX=...` lays out the command, both libraries, the public
# headers, opengradient.pc, the CMake package and the man page; the .so
# exports only og_* symbols; the version macros equal --version; a program
# (examples/chat.c) builds against the installed copy with pkg-config alone
# and with CMake's find_package alone, shared and static, and runs.
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

VER=$("$P/bin/opengradient" --version) || fail "installed command"
ok "installed command runs"

# only the documented API is exported
SO=$(ls "$LIBDIR"/libopengradient.so.*.*.* | head -1)
[ -L "$LIBDIR/libopengradient.so.1" ] || fail "SONAME link libopengradient.so.1"
objdump -p "$SO" | grep -q "SONAME *libopengradient.so.1$" || fail "SONAME"
nm -D --defined-only "$SO" | awk '{print $3}' > "$P/syms"
[ -s "$P/syms" ] || fail "no exported symbols"
grep -v '^og_' "$P/syms" && fail "exported symbols outside og_*"
grep -qx og_client_new "$P/syms" || fail "og_client_new not exported"
grep -qx og_http_socket_action "$P/syms" || fail "og_http_socket_action not exported"
grep -q '^llm_' "$P/syms" && fail "internal llm_* exported"
# every function the installed headers declare carries OG_API and is exported
"$PYTHON" - "$P/include/opengradient" "$P/syms" <<'PY' || fail "public headers vs exports"
import glob, re, sys
syms = set(open(sys.argv[2]).read().split())
bad = []
for h in glob.glob(sys.argv[1] + "/*.h"):
    for line in open(h):
        m = re.match(r"^(OG_API |extern OG_API )?[a-z_][a-z0-9_ ]*[ *]+(og_[a-z0-9_]+)(\(|;| )", line)
        if not m or line.startswith(("typedef", "#")):
            continue
        if not m.group(1):
            bad.append("%s: %s without OG_API" % (h.rsplit("/", 1)[1], m.group(2)))
        elif m.group(2) not in syms:
            bad.append("%s: %s not exported" % (h.rsplit("/", 1)[1], m.group(2)))
if bad:
    print("\n".join(bad)); sys.exit(1)
PY
ok "nm -D lists only og_* ($(wc -l < "$P/syms") symbols), every declared og_* function among them"

# version macros from the installed header equal the command's version
cat > "$P/ver.c" <<'EOF'
#include <stdio.h>
#include "opengradient/og_common.h"
#if OG_VERSION_NUM != OG_VERSION_MAJOR * 10000 + OG_VERSION_MINOR * 100 + OG_VERSION_PATCH
#error OG_VERSION_NUM
#endif
int main(void)
{
  printf("opengradient %d.%d.%d %d\n", OG_VERSION_MAJOR, OG_VERSION_MINOR,
         OG_VERSION_PATCH, OG_VERSION_NUM);
  return 0;
}
EOF
cc -I"$P/include" -o "$P/ver" "$P/ver.c" || fail "version macros"
read -r NAME V NUM < <("$P/ver")
[ "$NAME $V" = "$VER" ] || fail "version macros $V differ from --version ($VER)"
IFS=. read -r MA MI PA <<< "$V"
[ "$NUM" = $((MA * 10000 + MI * 100 + PA)) ] || fail "OG_VERSION_NUM $NUM"
ok "OG_VERSION_* = --version ($V, $NUM)"

export PKG_CONFIG_PATH="$LIBDIR/pkgconfig"
pkg-config --exists opengradient || fail "pkg-config cannot find opengradient"
# static library: jansson (public API) and the private dependencies
cc -o "$P/chat" "$ROOT/examples/chat.c" $(pkg-config --cflags opengradient) \
  "$LIBDIR/libopengradient.a" \
  $(pkg-config --libs libcurl openssl libsecp256k1 jansson nettle libcbor) \
  || fail "build an example against the installed static library"
cc -o "$P/chat_so" "$ROOT/examples/chat.c" $(pkg-config --cflags --libs opengradient) \
  -Wl,-rpath,"$LIBDIR" || fail "build against the installed shared library"
"$P/chat_so" 2>/dev/null; [ $? -eq 1 ] || fail "example usage exit code"
"$P/chat" 2>/dev/null; [ $? -eq 1 ] || fail "static example usage exit code"
ok "pkg-config builds against the installed library (static and shared)"

# CMake consumer: find_package(opengradient CONFIG) from the installed tree
unset PKG_CONFIG_PATH
cmake -S "$ROOT/tests/integration/consumer" -B "$P/cb" \
  -DCMAKE_PREFIX_PATH="$P" -DOG_EXAMPLE="$ROOT/examples/chat.c" \
  > "$P/cmake.log" 2>&1 || { cat "$P/cmake.log" >&2; fail "cmake consumer configure"; }
cmake --build "$P/cb" > "$P/cmake.log" 2>&1 || { cat "$P/cmake.log" >&2; fail "cmake consumer build"; }
"$P/cb/chat_cmake" 2>/dev/null; [ $? -eq 1 ] || fail "cmake consumer (shared) usage exit code"
ldd "$P/cb/chat_cmake" | grep -q "libopengradient.so.1 => $P/" \
  || fail "cmake consumer does not use the installed .so"
"$P/cb/chat_cmake_static" 2>/dev/null; [ $? -eq 1 ] || fail "cmake consumer (static) usage exit code"
ldd "$P/cb/chat_cmake_static" | grep -q libopengradient && fail "static consumer loads the .so"
ok "CMake find_package(opengradient) builds examples/chat.c (shared and static)"
echo "$TESTS_RUN checks passed"
