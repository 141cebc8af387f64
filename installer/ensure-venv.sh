#!/usr/bin/env bash
# Make sure PYTHON can create a virtual environment; on Debian/Ubuntu that needs the
# python3-venv package (ensurepip), which a fresh machine may lack. Usage: ensure-venv.sh PYTHON
set -euo pipefail
python=$1
if "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "$python cannot create virtual environments; install its venv module." >&2
  exit 1
fi
version=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "Python needs the Debian package python$version-venv; ask an administrator." >&2
    exit 1
  fi
fi
echo "Installing Debian's python$version-venv so Casebook can make its environment"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "python$version-venv" >/dev/null
