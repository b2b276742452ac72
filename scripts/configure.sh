#!/usr/bin/env bash
# configure.sh DIR [cmake args...]: configure a build folder once.
# A folder counts as configured only when CMake finished (its Makefile
# exists); a configure that failed half-way (a CMakeCache.txt without a
# Makefile, e.g. the compiler was missing) is cleared and run again, and
# a failure now clears what it left so the next run starts clean.
set -uo pipefail
dir=$1; shift
[ -f "$dir/Makefile" ] && exit 0
rm -rf "$dir/CMakeCache.txt" "$dir/CMakeFiles"
if ! cmake -S . -B "$dir" "$@" >/dev/null; then
  rm -rf "$dir/CMakeCache.txt" "$dir/CMakeFiles"
  echo "configure of $dir failed (see the CMake output above)" >&2
  exit 1
fi
