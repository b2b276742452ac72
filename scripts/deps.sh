#!/usr/bin/env bash
# Install what the build, tests and demo need, and only what is missing:
# Debian packages with apt-get, npm packages from the committed lockfile.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES="build-essential pkg-config cmake libcurl4-openssl-dev libssl-dev
libsecp256k1-dev libjansson-dev nettle-dev libcmocka-dev libmicrohttpd-dev libcbor-dev
libuv1-dev unicode-data clang libclang-rt-14-dev python3 python3-cryptography
openssl valgrind nodejs npm hyperfine jq xxd curl procps bsdutils"

missing=()
for p in $APT_PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    # node/npm may come from elsewhere than Debian; accept working commands
    case "$p" in
      nodejs) command -v node >/dev/null && continue ;;
      npm) command -v npm >/dev/null && continue ;;
      python3) command -v python3 >/dev/null && continue ;;
    esac
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  # apt's own progress stays visible: a fresh machine takes minutes here
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y \
    --no-install-recommends "${missing[@]}"
fi

# The Python stand-ins need the cryptography module in the python3 on PATH.
if ! python3 -c 'import cryptography' 2>/dev/null; then
  echo "deps: python3 on PATH lacks 'cryptography'; using /usr/bin/python3" >&2
fi

# npm packages (anvil, cast, solc, viem, @x402/evm, openai) from the lockfile.
stamp=node_modules/.og-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "deps: npm ci"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  cp package-lock.json "$stamp"
fi
