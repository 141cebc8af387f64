#!/usr/bin/env bash
# Make sure PYTHON can create a virtual environment; on Debian/Ubuntu that needs the
# python3.X-venv package (ensurepip), which a fresh machine may lack. Usage: ensure-venv.sh PYTHON
set -euo pipefail
python=$1
if "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then exit 0; fi
version=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
exec bash "$(dirname "$0")/apt-install.sh" "Python's venv module" "python$version-venv"
