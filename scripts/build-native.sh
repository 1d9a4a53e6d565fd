#!/usr/bin/env bash
# Builds the native engine: llama-server and llama-perplexity from the llama.cpp source that node-llama-cpp ships
# (node_modules/node-llama-cpp/llama/gitRelease.bundle, so outputs match the in-process engine), plus aiplus's own
# native tools (native/CMakeLists.txt), into ~/.cache/aiplus/native (or $AIPLUS_NATIVE_DIR). Skips the work when a build of the
# same source and the same native/ files is already there. Needs cmake >= 3.14, a C++17 compiler and git.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${AIPLUS_NATIVE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/aiplus/native}
BUNDLE=$ROOT/node_modules/node-llama-cpp/llama/gitRelease.bundle
JOBS=${AIPLUS_NATIVE_JOBS:-$(nproc)}
[ -f "$BUNDLE" ] || { echo "build-native: $BUNDLE is missing (run npm ci first)" >&2; exit 1; }
command -v cmake >/dev/null || { echo "build-native: cmake is not installed" >&2; exit 1; }

COMMIT=$(git bundle list-heads "$BUNDLE" | awk '/HEAD$/ {print $1; exit}')
STAMP="$COMMIT $(cat native/CMakeLists.txt native/src/* 2>/dev/null | sha256sum | cut -c1-16) $(uname -m)"
if [ -f "$OUT/bin/stamp" ] && [ "$(cat "$OUT/bin/stamp")" = "$STAMP" ] && [ -x "$OUT/bin/llama-server" ]; then
  echo "build-native: up to date ($OUT/bin)"
  exit 0
fi

SRC=$OUT/llama.cpp
if [ ! -f "$SRC/.commit" ] || [ "$(cat "$SRC/.commit")" != "$COMMIT" ]; then
  echo "build-native: extracting llama.cpp $COMMIT"
  rm -rf "$SRC" "$OUT/repo"; mkdir -p "$SRC"
  git init -q "$OUT/repo"
  git -C "$OUT/repo" fetch -q "$BUNDLE" "$COMMIT"
  git -C "$OUT/repo" archive "$COMMIT" | tar -x -C "$SRC"
  rm -rf "$OUT/repo"
  echo "$COMMIT" > "$SRC/.commit"
fi

echo "build-native: configuring"
cmake -S native -B "$OUT/build" -DCMAKE_BUILD_TYPE=Release -DAIPLUS_LLAMA_SOURCE_DIR="$SRC" \
  -DBUILD_SHARED_LIBS=OFF -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_UI=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_COMMON=ON -DLLAMA_BUILD_APP=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_TOOLS=ON >"$OUT/configure.log" 2>&1 \
  || { tail -30 "$OUT/configure.log" >&2; exit 1; }
TARGETS="llama-server llama-perplexity aiplus-score ${AIPLUS_NATIVE_EXTRA_TARGETS:-}"
echo "build-native: building $TARGETS with $JOBS jobs (about 8 minutes on 2 cores)"
# shellcheck disable=SC2086
cmake --build "$OUT/build" --config Release -j "$JOBS" --target $TARGETS >"$OUT/build.log" 2>&1 \
  || { tail -40 "$OUT/build.log" >&2; exit 1; }
mkdir -p "$OUT/bin"
for target in $TARGETS; do
  cp "$(find "$OUT/build" -type f -name "$target" -perm -u+x | head -1)" "$OUT/bin/$target"
done
echo "$STAMP" > "$OUT/bin/stamp"
echo "build-native: done ($OUT/bin)"
