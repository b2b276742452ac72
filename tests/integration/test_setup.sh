#!/usr/bin/env bash
# Set-up on a fresh machine: deps.sh installs every tool the build stages
# call, and a configure that failed half-way does not break later runs.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT

pkgs=$(sed -n '/^APT_PACKAGES="/,/"$/p' scripts/deps.sh | tr -d '"' | sed 's/APT_PACKAGES=//')
# the sanitizer and fuzz builds configure with the command `clang`, which
# the Debian package `clang` provides (clang-14 alone installs clang-14)
grep -q -- '-DCMAKE_C_COMPILER=clang ' scripts/run-tests.sh || fail "run-tests.sh no longer uses clang?"
grep -qw clang <<<"$pkgs" || fail "deps.sh does not install the clang package"
for lib in $(sed -n 's/.*pkg_check_modules([A-Z_]* \(REQUIRED \)\?IMPORTED_TARGET *\(.*\))/\2/p' CMakeLists.txt); do
  for m in $lib; do
    p=$(dpkg -S "$(pkg-config --variable=pcfiledir "$m")/$m.pc" 2>/dev/null | cut -d: -f1)
    [ -n "$p" ] || continue   # not from a Debian package here
    grep -qw "${p%%:*}" <<<"$pkgs" || fail "deps.sh lacks $p (pkg-config $m)"
  done
done
grep -q -- '-qq' scripts/deps.sh && fail "deps.sh hides apt's progress"
ok "deps.sh installs the compilers and every library CMake looks for"

# a configure that fails (here: no such compiler) leaves nothing behind ...
scripts/configure.sh "$T/b" -DCMAKE_C_COMPILER=/nonexistent/cc >/dev/null 2>&1 && fail "configure with no compiler passed"
[ ! -f "$T/b/CMakeCache.txt" ] || fail "a failed configure left its CMakeCache.txt"
# ... and a half-done folder (a cache without a Makefile) is configured again
mkdir -p "$T/c"; echo "CMAKE_C_COMPILER:FILEPATH=/nonexistent/cc" >"$T/c/CMakeCache.txt"
scripts/configure.sh "$T/c" -DOG_TESTS=OFF >/dev/null 2>&1 || fail "configure did not recover from a half-done folder"
[ -f "$T/c/Makefile" ] || fail "no Makefile after recovery"
ok "a failed or half-done configure is recovered from"
echo "$TESTS_RUN checks passed"
