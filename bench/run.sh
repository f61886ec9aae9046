#!/usr/bin/env bash
# The whole node-vs-Janus benchmark on this machine, one command:
#   bench/run.sh [--quick] [--out DIR] [other bench/run.py options]
# Installs what is missing (Janus, gnuplot), builds the node and the bench
# tools into ./build, then runs bench/run.py: a markdown table on stdout,
# JSON, the table and a PNG plot in DIR (default build/bench-results/).
set -euo pipefail
cd "$(dirname "$0")/.."
# Progress goes to stderr: stdout is the report alone.
deploy/install-deps.sh bench >&2
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target bridgecast loadgen program_feeder agenda_latency >&2
exec python3 bench/run.py "$@"
