#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (unit,
# integration over loopback, and the browser test in headless Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh test
deploy/build.sh -DBUILD_TESTING=ON
npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
cd build
ctest --output-on-failure --timeout 600 "$@"
