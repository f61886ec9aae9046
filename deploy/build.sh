#!/usr/bin/env bash
# Configures and builds into ./build. Extra arguments go to CMake.
set -euo pipefail
cd "$(dirname "$0")/.."
# hls.js (embedded into the binary for the review page), pinned by web/package-lock.json.
if [ ! -f web/node_modules/hls.js/dist/hls.light.min.js ]; then
  npm ci --prefix web --ignore-scripts --no-audit --no-fund >/dev/null
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build build -j"$(nproc)"
