#!/usr/bin/env bash
# Installs what is missing, builds, and runs the central node on its defaults:
# the test-pattern program, the bundled reference conference, a self-signed
# TLS certificate and state under ./var. Extra arguments go to `bridgecast serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh run
deploy/build.sh -DBUILD_TESTING=OFF
exec build/app/bridgecast serve --state-dir ./var "$@"
