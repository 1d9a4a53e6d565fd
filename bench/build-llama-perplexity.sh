#!/usr/bin/env bash
# Builds the llama.cpp reference `llama-perplexity` from the exact source node-llama-cpp runs
# (node_modules/node-llama-cpp/llama/gitRelease.bundle, llama.cpp v0.4.0, commit 80fb11ac) into a folder outside the
# repository, and prints the binary's path on its last line. Idempotent: a finished build is only reported, an
# interrupted one is resumed. bench/eval.ts looks for the binary at the same default place.
#
#   bench/build-llama-perplexity.sh           # into ../cache/llama.cpp next to the repository, or $LLAMA_CPP_DIR
#   LLAMA_PERPLEXITY=$(bench/build-llama-perplexity.sh | tail -n 1) npm run bench:eval
#
# Steps (all offline): git fetch the bundle into a bare repository, git archive it into source/, cmake configure
# without network features or web UI, build only the llama-perplexity target at -j$BUILD_JOBS (default 2) under
# `nice -n 19`. About 8 minutes on 2 idle cores; much longer on a loaded machine.
set -euo pipefail

repository="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bundle="$repository/node_modules/node-llama-cpp/llama/gitRelease.bundle"
target="${LLAMA_CPP_DIR:-$repository/../cache/llama.cpp}"
jobs="${BUILD_JOBS:-2}"

if [[ -x "$target/source/build/bin/llama-perplexity" ]]; then
  echo "llama-perplexity is already built" >&2
  echo "$(cd "$target" && pwd)/source/build/bin/llama-perplexity"
  exit 0
fi
[[ -f "$bundle" ]] || { echo "missing $bundle (run npm ci first)" >&2; exit 1; }

mkdir -p "$target"
target="$(cd "$target" && pwd)"

if [[ ! -d "$target/source" ]]; then
  rm -rf "$target/bundle.git" "$target/source.partial"
  git init --quiet --bare "$target/bundle.git"
  git --git-dir="$target/bundle.git" fetch --quiet "$bundle" HEAD:refs/heads/main
  mkdir "$target/source.partial"
  git --git-dir="$target/bundle.git" archive main | tar -x -C "$target/source.partial"
  mv "$target/source.partial" "$target/source" # only a complete tree is ever called source/
fi

cd "$target/source"
if [[ ! -f build/CMakeCache.txt ]]; then
  nice -n 19 cmake -B build -DCMAKE_BUILD_TYPE=Release -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF \
    -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_UI=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF >&2
fi
nice -n 19 cmake --build build -j"$jobs" --target llama-perplexity >&2
echo "$target/source/build/bin/llama-perplexity"
