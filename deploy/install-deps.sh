#!/usr/bin/env bash
# Installs the Debian 12 packages bridgecast needs that are missing.
#   deploy/install-deps.sh run    build and run the node
#   deploy/install-deps.sh test   also what the test suite needs
#   deploy/install-deps.sh bench  also what bench/run.sh needs
set -euo pipefail

mode=${1:-run}
packages=(
  # build
  cmake g++ make pkg-config libglib2.0-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstreamer-plugins-bad1.0-dev
  libnice-dev libwebsockets-dev libwebsockets-evlib-glib libssl-dev
  nlohmann-json3-dev libcli11-dev libspdlog-dev libsqlite3-dev libutf8proc-dev
  # run: encoders, webrtcbin, ICE, text overlays
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-nice gstreamer1.0-x
  gstreamer1.0-alsa gstreamer1.0-pulseaudio fonts-dejavu-core openssl ca-certificates
)
# The build embeds hls.js from npm (web/package-lock.json).
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
if [[ $mode == bench ]]; then
  packages+=(janus gnuplot-nox)
fi
if [[ $mode == test ]]; then
  # ffmpeg: the independent decoder that judges recorded and received media.
  # gst-rtsp-server: the RTSP camera the ingest tests read from.
  packages+=(catch2 chromium iproute2 util-linux ffmpeg libgstrtspserver-1.0-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo=sudo
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
