#!/usr/bin/env bash
# Pack dist/Casebook (from `make bundle`) as one file to hand to a Linux user:
# dist/Casebook-VERSION-linux-ARCH.tar.gz, holding the program folder, install.sh (this
# folder's install-desktop.sh), the menu entry and the icon. The user unpacks it and runs
# ./install.sh: a per-user install, no root.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x dist/Casebook/casebook ] || { echo "dist/Casebook is missing: run make bundle" >&2; exit 1; }
version=$(dist/Casebook/casebook --version | awk '{print $2}')
name=Casebook-$version-linux-$(uname -m)
stage=build/pack/$name
rm -rf build/pack
mkdir -p "$stage"
cp -a dist/Casebook "$stage/Casebook"
cp installer/install-desktop.sh "$stage/install.sh"
cp installer/casebook.desktop "$stage/casebook.desktop"
cp resources/icons/casebook.svg "$stage/casebook.svg"
chmod 755 "$stage/install.sh"
tar -C build/pack -czf "dist/$name.tar.gz" "$name"
echo "Packed dist/$name.tar.gz ($(du -h "dist/$name.tar.gz" | cut -f1)): unpack it and run ./install.sh"
