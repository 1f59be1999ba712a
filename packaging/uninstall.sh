#!/usr/bin/env bash
# Removes Clausewise from PREFIX:   ./uninstall.sh PREFIX [--purge-data]
# Removes the program, the launcher, the icon and the menu entries. The user's collections, indexes
# and settings stay unless --purge-data is given (then the data folder of the user running this).
set -euo pipefail

say() { printf '%s\n' "$*"; }
usage() { say "usage: ./uninstall.sh PREFIX [--purge-data]   (the PREFIX given to install.sh)"; exit 2; }

PREFIX= PURGE=
for arg in "$@"; do
  case $arg in
    --purge-data) PURGE=1 ;;
    -*) usage ;;
    *) [ -z "$PREFIX" ] || usage; PREFIX=$arg ;;
  esac
done
[ -n "$PREFIX" ] || usage
case $PREFIX in /*) ;; *) PREFIX=$PWD/$PREFIX ;; esac
PREFIX=${PREFIX%/}

APP=$PREFIX/lib/clausewise
LAUNCHER=$PREFIX/bin/clausewise
ICON=$PREFIX/share/icons/hicolor/scalable/apps/clausewise.svg
MENU=$PREFIX/share/applications/clausewise.desktop
USER_MENU=${XDG_DATA_HOME:-$HOME/.local/share}/applications/clausewise.desktop
DATA=${CLAUSEWISE_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/Clausewise}

removed=0
remove() { rm -rf -- "$1"; say "removed $1"; removed=1; }

# Stale staging folders of an installer that was killed count as part of the program.
for path in "$APP" "$APP".partial-* "$APP".old-* "$ICON" "$MENU"; do
  if [ -e "$path" ]; then remove "$path"; fi
done
# Only our own launcher: `pip install --user` could have put another clausewise in ~/.local/bin.
if [ -f "$LAUNCHER" ]; then
  if grep -q '^# Clausewise launcher, written by install.sh' "$LAUNCHER"; then remove "$LAUNCHER"
  else say "kept $LAUNCHER: install.sh did not write it"; fi
fi
# The user's menu entry only if it starts this PREFIX's launcher (another install may own it).
if [ -f "$USER_MENU" ] && grep -q "^Exec=\"\{0,1\}$LAUNCHER\"\{0,1\}\$" "$USER_MENU"; then remove "$USER_MENU"; fi
# The folders install.sh made, where they are empty now; never PREFIX's other contents.
for dir in share/icons/hicolor/scalable/apps share/icons/hicolor/scalable share/icons/hicolor share/icons \
           share/applications share bin lib ""; do
  rmdir "$PREFIX/$dir" 2>/dev/null || true
done

if [ "$removed" = 0 ]; then
  say "Clausewise was not installed in $PREFIX: nothing to remove there."
else
  say "Clausewise is uninstalled from $PREFIX."
fi

if [ -z "$PURGE" ]; then
  if [ -d "$DATA" ]; then
    say "Your data was kept: $DATA (collections, indexes, settings)."
    say "To remove it as well: ./uninstall.sh $PREFIX --purge-data"
  fi
elif [ ! -d "$DATA" ]; then
  say "There is no Clausewise data to remove at $DATA."
else
  # A mistyped CLAUSEWISE_HOME must not take a whole home folder with it.
  real=$(cd "$DATA" && pwd -P)
  case $real in
    / | "$(cd "$HOME" && pwd -P)" | "$(cd "$PREFIX" 2>/dev/null && pwd -P)")
      say "Not removing $DATA: it is not a Clausewise data folder of its own (check CLAUSEWISE_HOME)." >&2
      exit 1 ;;
  esac
  rm -rf -- "$DATA"
  say "Removed your Clausewise data: $DATA (collections, indexes, settings)."
  exit 0
fi
[ "$removed" = 1 ]
