#!/usr/bin/env bash
# Builds the native engine: llama-server and llama-perplexity from the llama.cpp source that node-llama-cpp ships
# (node_modules/node-llama-cpp/llama/gitRelease.bundle, so outputs match the in-process engine), plus aiplus's own
# native tools (native/CMakeLists.txt), into ~/.cache/aiplus/native (or $AIPLUS_NATIVE_DIR). Skips the work when a build of the
# same source and the same native/ files is already there. Needs cmake >= 3.14, a C++17 compiler and git.
# AIPLUS_NATIVE_GPU=cuda|vulkan builds llama-server (and aiplus-score) with that GPU backend (needs nvcc, or the Vulkan
# SDK's glslc); unset: a CPU build.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${AIPLUS_NATIVE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/aiplus/native}
BUNDLE=$ROOT/node_modules/node-llama-cpp/llama/gitRelease.bundle
JOBS=${AIPLUS_NATIVE_JOBS:-$(nproc)}
[ -f "$BUNDLE" ] || { echo "build-native: $BUNDLE is missing (run npm ci first)" >&2; exit 1; }
command -v cmake >/dev/null || { echo "build-native: cmake is not installed" >&2; exit 1; }
GPU=${AIPLUS_NATIVE_GPU:-}
# A CPU build after a GPU one: the backends off again, and aiplus-score back on node-llama-cpp's prebuilt libraries.
GPU_FLAGS=(-DGGML_CUDA=OFF -DGGML_VULKAN=OFF -UAIPLUS_SCORE_PREBUILT_DIR)
case "$GPU" in
  "" | cpu) GPU="" ;;
  cuda)
    command -v nvcc >/dev/null || { echo "build-native: a CUDA build needs the CUDA toolkit (nvcc is not on PATH)" >&2; exit 1; }
    CUDA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v nvcc)")")")
    [ -n "$(find "$CUDA_HOME/" /usr/lib /usr/lib64 -name 'libcublas.so*' -print -quit 2>/dev/null)" ] \
      || { echo "build-native: a CUDA build needs cuBLAS (no libcublas.so in $CUDA_HOME or the system libraries)" >&2; exit 1; }
    GPU_FLAGS=(-DGGML_CUDA=ON -DGGML_VULKAN=OFF -DAIPLUS_SCORE_PREBUILT_DIR=)
    # Without a GPU on the build machine CMake cannot detect its architecture: build for the common ones.
    command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1 \
      || GPU_FLAGS+=("-DCMAKE_CUDA_ARCHITECTURES=${AIPLUS_CUDA_ARCHITECTURES:-75;80;86;89;90}") ;;
  vulkan)
    command -v glslc >/dev/null || { echo "build-native: a Vulkan build needs the Vulkan SDK (glslc is not on PATH)" >&2; exit 1; }
    GPU_FLAGS=(-DGGML_CUDA=OFF -DGGML_VULKAN=ON -DAIPLUS_SCORE_PREBUILT_DIR=) ;;
  *) echo "build-native: AIPLUS_NATIVE_GPU must be cuda or vulkan, not '$GPU'" >&2; exit 1 ;;
esac

mkdir -p "$OUT"
# One build at a time per output folder (two checkouts, or `npm test` next to `aiplus engine build`).
if command -v flock >/dev/null; then exec 9>"$OUT/.lock"; flock 9; fi

COMMIT=$(git bundle list-heads "$BUNDLE" | awk '/HEAD$/ {print $1; exit}')
# The stamp's fourth word, when there, is the GPU backend (the runtime offloads layers to it).
STAMP="$COMMIT $(cat native/CMakeLists.txt native/src/* 2>/dev/null | sha256sum | cut -c1-16) $(uname -m)${GPU:+ $GPU}"
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

# A build folder configured from another checkout of aiplus (CMake refuses a cache made for another source folder):
# drop CMake's cache but keep the compiled objects, whose llama.cpp sources live in $SRC and have not moved.
if [ -f "$OUT/build/CMakeCache.txt" ] && ! grep -qxF "CMAKE_HOME_DIRECTORY:INTERNAL=$ROOT/native" "$OUT/build/CMakeCache.txt"; then
  echo "build-native: the build folder was configured from another checkout; reconfiguring it for $ROOT"
  rm -rf "$OUT/build/CMakeCache.txt" "$OUT/build/CMakeFiles"
fi

configure() {
  cmake -S native -B "$OUT/build" -DCMAKE_BUILD_TYPE=Release -DAIPLUS_LLAMA_SOURCE_DIR="$SRC" "${GPU_FLAGS[@]}" \
  -DBUILD_SHARED_LIBS=OFF -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_UI=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_COMMON=ON -DLLAMA_BUILD_APP=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_TOOLS=ON >"$OUT/configure.log" 2>&1
}
echo "build-native: configuring"
if ! configure; then
  echo "build-native: configuring failed; starting again from an empty build folder" >&2
  rm -rf "$OUT/build"
  configure || { tail -30 "$OUT/configure.log" >&2; echo "build-native: configuring failed (log: $OUT/configure.log)" >&2; exit 1; }
fi
TARGETS="llama-server llama-perplexity aiplus-score ${AIPLUS_NATIVE_EXTRA_TARGETS:-}"
echo "build-native: building $TARGETS with $JOBS jobs (about 8 minutes on 2 cores)"
# shellcheck disable=SC2086
cmake --build "$OUT/build" --config Release -j "$JOBS" --target $TARGETS >"$OUT/build.log" 2>&1 \
  || { tail -40 "$OUT/build.log" >&2; echo "build-native: compiling failed (log: $OUT/build.log)" >&2; exit 1; }
mkdir -p "$OUT/bin"
for target in $TARGETS; do
  built=$(find "$OUT/build" -type f -name "$target" -perm -u+x | head -1)
  cp "$built" "$OUT/bin/$target"
  # aiplus-score linked to node-llama-cpp's prebuilt libraries finds them in aiplus-score-libs/ beside it.
  if [ -d "$(dirname "$built")/$target-libs" ]; then
    rm -rf "$OUT/bin/$target-libs"; cp -r "$(dirname "$built")/$target-libs" "$OUT/bin/$target-libs"
  fi
done
echo "$STAMP" > "$OUT/bin/stamp"
echo "build-native: done ($OUT/bin)"
