#!/usr/bin/env bash
# Install the Debian packages for any missing shared library. Usage: ensure-libs.sh "LIBS" "DEBS"
# Prints nothing and changes nothing when every library is already present.
set -euo pipefail
libs=$1
debs=$2
[ "$(uname)" = Linux ] || exit 0
command -v ldconfig >/dev/null 2>&1 || [ -x /sbin/ldconfig ] || exit 0
LDCONFIG=$(command -v ldconfig || echo /sbin/ldconfig)
missing=0
for lib in $libs; do
  if ! "$LDCONFIG" -p | grep -q "$lib"; then missing=1; fi
done
[ "$missing" = 1 ] || exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Some libraries Qt needs are missing ($libs); install them with your package manager." >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "Qt needs these Debian packages; ask an administrator to install them: $debs" >&2
    exit 1
  fi
fi
echo "Installing Debian packages Qt needs: $debs"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $debs >/dev/null
