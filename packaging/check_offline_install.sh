#!/usr/bin/env bash
# The end-to-end proof of the offline bundle, rerunnable after every `make bundle`:
# unpack it, install it with no network at all (unshare -n), run `clausewise demo` with no network,
# and check that the local model's answer cites a document and page.
#   bash packaging/check_offline_install.sh [ARCHIVE]      (default: the newest one in dist/)
# Runs as a fresh user would: a new empty HOME, the system's PATH and Python. Needs unshare -n
# (root, or unprivileged user namespaces). Removes everything it made when it ends.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { printf 'check_offline_install.sh: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f s", b - a }'; }

ARCHIVE=${1:-$(ls -t dist/clausewise-offline-*-linux-x86_64.tar.gz 2>/dev/null | head -n1)}
[ -f "$ARCHIVE" ] || fail "no bundle: run make bundle first, or name the archive"
unshare -n true 2>/dev/null || fail "unshare -n does not work here (needs root or user namespaces)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cw-offline-check.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# A laptop's user: nothing from this checkout, its virtualenv or its pip settings.
export HOME=$WORK/home PATH=/usr/local/bin:/usr/bin:/bin
unset XDG_DATA_HOME CLAUSEWISE_HOME CLAUSEWISE_MODELS VIRTUAL_ENV PYTHONPATH PYTHON
mkdir -p "$HOME"
PREFIX=$WORK/prefix

t0=$(now)
tar -C "$WORK" -xzf "$ARCHIVE"
t1=$(now)
BUNDLE=$(echo "$WORK"/clausewise-offline-*-linux-x86_64)
(cd "$BUNDLE" && unshare -n ./install.sh "$PREFIX")
t2=$(now)
(cd "$HOME" && unshare -n "$PREFIX/bin/clausewise" demo) 2>&1 | tee "$WORK/demo.txt"
t3=$(now)
# The desktop half: Qt, its PDF module and the window's code load from the installed environment.
QT_QPA_PLATFORM=offscreen unshare -n "$PREFIX/lib/clausewise/venv/bin/python" -I -c \
  'import PySide6.QtPdf, PySide6.QtWidgets, ui.main_window; print("desktop app modules load")' \
  || fail "the installed program cannot load its desktop window's modules"

# The answer's sources are printed as: [1] northwind-supply-agreement.md, p. 3: "quote"
grep -A20 '^Sources:' "$WORK/demo.txt" | grep -qE '^\[[0-9]+\] .+, p\. [^:]+: "' \
  || fail "the demo's answer cites no document and page (output above)"

echo
echo "Offline install proven: $(basename "$ARCHIVE")"
echo "  archive:     $(du -h "$ARCHIVE" | cut -f1)    wheelhouse: $(du -sh "$BUNDLE/wheelhouse" | cut -f1)"
echo "  installed:   $(du -sh "$PREFIX" | cut -f1) in $PREFIX"
echo "  unpack:      $(took "$t0" "$t1")"
echo "  install:     $(took "$t1" "$t2")   (unshare -n: no network)"
echo "  demo:        $(took "$t2" "$t3")   (unshare -n: no network)"
echo "  cited:       $(grep -A20 '^Sources:' "$WORK/demo.txt" | grep -m1 -E '^\[[0-9]+\] ')"
