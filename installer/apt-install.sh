#!/usr/bin/env bash
# Install Debian packages, as root or through sudo. Usage: apt-install.sh WHY PACKAGE...
# Used by ensure-libs.sh and ensure-venv.sh, which decide whether anything is missing.
set -euo pipefail
why=$1
shift
if ! command -v apt-get >/dev/null 2>&1; then
  echo "$why needs these packages; install them with your package manager: $*" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "$why needs these Debian packages; ask an administrator to install them: $*" >&2
    exit 1
  fi
fi
echo "Installing Debian packages $why needs: $*"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
