#!/usr/bin/env bash
# Install the Debian packages for any missing shared library. Usage: ensure-libs.sh "LIBS" "DEBS"
# Prints nothing and changes nothing when every library is already present.
set -euo pipefail
libs=$1
debs=$2
[ "$(uname)" = Linux ] || exit 0
LDCONFIG=$(command -v ldconfig || echo /sbin/ldconfig)
[ -x "$LDCONFIG" ] || exit 0
# Read the cache once and match in the shell: `ldconfig -p | grep -q` fails under pipefail
# whenever grep stops reading early and ldconfig dies of SIGPIPE.
cache=$("$LDCONFIG" -p 2>/dev/null) || cache=""
missing=0
for lib in $libs; do
  case $cache in
    *"$lib"*) ;;
    *) missing=1 ;;
  esac
done
[ "$missing" = 1 ] || exit 0
# shellcheck disable=SC2086 # one word per package
exec bash "$(dirname "$0")/apt-install.sh" "Qt" $debs
