#!/usr/bin/env bash
# Install Casebook for this user only (no root): the one-folder program, a `casebook`
# command, the menu entry and its icon. Run it again to update; --uninstall to remove.
#
#   install-desktop.sh [--uninstall] [PROGRAM_FOLDER]
#
# PROGRAM_FOLDER is the bundle made by `make bundle` (the folder holding the `casebook`
# program); by default ./Casebook beside this script (the unpacked Linux download), else
# dist/Casebook in the checkout. Where things go (XDG_DATA_HOME defaults to ~/.local/share):
#   ~/.local/opt/Casebook/                           the program
#   ~/.local/bin/casebook                            a link to it
#   $XDG_DATA_HOME/applications/casebook.desktop     the menu entry
#   $XDG_DATA_HOME/icons/hicolor/scalable/apps/casebook.svg
# Case stores live in $XDG_DATA_HOME/Casebook and are never touched, not even by --uninstall.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
data_home=${XDG_DATA_HOME:-$HOME/.local/share}
program_dir=$HOME/.local/opt/Casebook
bin_link=$HOME/.local/bin/casebook
entry=$data_home/applications/casebook.desktop
icon=$data_home/icons/hicolor/scalable/apps/casebook.svg

refresh_menus() {
  if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$data_home/applications" || true
  fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$data_home/icons/hicolor/index.theme" ]; then
    gtk-update-icon-cache -q -t "$data_home/icons/hicolor" || true
  fi
}

if [ "${1:-}" = "--uninstall" ]; then
  rm -rf "$program_dir"
  rm -f "$entry" "$icon"
  if [ -L "$bin_link" ]; then rm -f "$bin_link"; fi
  refresh_menus
  echo "Casebook is removed. Your case stores are still in $data_home/Casebook."
  exit 0
fi

bundle=${1:-}
if [ -z "$bundle" ]; then
  for candidate in "$here/Casebook" "$here/../dist/Casebook"; do
    if [ -x "$candidate/casebook" ]; then bundle=$candidate; break; fi
  done
fi
if [ -z "$bundle" ] || [ ! -x "$bundle/casebook" ]; then
  echo "No Casebook program folder found: give its path (make bundle makes dist/Casebook)." >&2
  exit 1
fi
bundle=$(cd "$bundle" && pwd)
desktop_file=$here/casebook.desktop
icon_file=$here/casebook.svg
[ -f "$icon_file" ] || icon_file=$here/../resources/icons/casebook.svg

mkdir -p "$(dirname "$program_dir")" "$(dirname "$bin_link")" "$(dirname "$entry")" "$(dirname "$icon")"
if [ "$bundle" != "$program_dir" ]; then
  staging=$program_dir.new
  rm -rf "$staging"
  cp -a "$bundle" "$staging"
  rm -rf "$program_dir"
  mv "$staging" "$program_dir"
fi
ln -sfn "$program_dir/casebook" "$bin_link"
cp "$icon_file" "$icon"
# The menu entry runs the program by its full path: ~/.local/bin may not be on the
# desktop session's PATH.
sed -e "s|^Exec=.*|Exec=$program_dir/casebook|" -e "s|^TryExec=.*|TryExec=$program_dir/casebook|" \
  "$desktop_file" > "$entry.tmp"
mv "$entry.tmp" "$entry"
chmod 644 "$entry" "$icon"
refresh_menus
echo "Casebook is installed for $(id -un): find it in the applications menu, or run $bin_link"
