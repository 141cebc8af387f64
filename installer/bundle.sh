#!/usr/bin/env bash
# Build the one-folder program dist/Casebook with PyInstaller. Usage: bundle.sh PYTHON DEV_PYTHON
#
# PyInstaller runs in a venv of its own (build/bundle-venv), not in the development venv:
# it packs whatever the environment it runs in holds, so the bundle gets Casebook as a
# wheel installs it (forms/ and resources/ inside the package) and its runtime
# dependencies, and none of the test tools. Those dependencies are pinned to the versions
# installed in the development venv (DEV_PYTHON), the ones the tests pass with.
set -euo pipefail
python=$1
dev_python=$2
cd "$(dirname "$0")/.."

PYINSTALLER_PINS=(pyinstaller==6.22.3 pyinstaller-hooks-contrib==2026.9)
venv=build/bundle-venv
root=$PWD
dist=${BUNDLE_DIST:-$root/dist}  # a test builds elsewhere, leaving dist/ alone
work=${BUNDLE_WORK:-$root/build/pyinstaller}
started=$SECONDS

if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
fi
mkdir -p build
"$dev_python" -m pip freeze --exclude-editable | grep -v -i '^casebook' > build/bundle-constraints.txt
"$venv/bin/python" -m pip install --quiet -c build/bundle-constraints.txt "${PYINSTALLER_PINS[@]}"
# setuptools builds in build/lib; a file removed from the checkout must not linger there.
rm -rf build/lib build/bdist.*
PYTHONWARNINGS=ignore "$venv/bin/python" -m pip install --quiet -c build/bundle-constraints.txt .
"$venv/bin/python" installer/make_icon.py build/casebook.ico
# From inside build/, so that `import desktop` finds the installed package, not the checkout.
(cd build && "$root/$venv/bin/python" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$dist" --workpath "$work" "$root/installer/casebook.spec")
echo "Built $dist/Casebook ($(du -sh "$dist/Casebook" | cut -f1)) in $((SECONDS - started)) s."
echo "Try it: $dist/Casebook/casebook --help"
