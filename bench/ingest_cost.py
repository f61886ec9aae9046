#!/usr/bin/env python3
"""What a program source costs the node (docs/ingest.md, "Cost").

For each case it starts a fresh `bridgecast serve` (program 1280x720, 30 fps,
1.5 Mbit/s; no points, recorder off) with one ingest source, feeds that
source from a separate gst-launch-1.0 process where it needs one, waits until
the source is on air, and samples the node's CPU from /proc/<pid>/stat over a
window. The feeder's own CPU is not counted. Prints a markdown table.

  bench/ingest_cost.py [--bin build/app/bridgecast] [--window 15]

Python 3 standard library only. Loopback only; every wait is bounded.
"""

import argparse
import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port(kind):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def srt_feed(port, width, height, fps, profile="high"):
    return ["gst-launch-1.0", "-q", "videotestsrc", "is-live=true", "pattern=ball",
            "!", f"video/x-raw,width={width},height={height},framerate={fps}/1",
            # ultrafast writes constrained baseline whatever profile is asked for;
            # superfast uses CABAC: a real High profile stream.
            "!", "x264enc", "tune=zerolatency",
            f"speed-preset={'ultrafast' if profile == 'constrained-baseline' else 'superfast'}",
            f"key-int-max={fps}",
            "bitrate=1500", "!", f"video/x-h264,profile={profile}",
            "!", "h264parse", "!", "queue", "!", "mux.",
            "audiotestsrc", "is-live=true", "wave=sine", "freq=440", "!", "audioconvert",
            "!", "avenc_aac", "!", "aacparse", "!", "queue", "!", "mux.",
            "mpegtsmux", "name=mux", "alignment=7",
            "!", "srtsink", f"uri=srt://127.0.0.1:{port}?mode=caller"]


def program_status(port, token):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    request = urllib.request.Request(f"https://127.0.0.1:{port}/api/program",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, context=context, timeout=5) as r:
        return json.load(r)


def run_case(binary, window, name, source, feed):
    with tempfile.TemporaryDirectory(prefix="bc-ingest-") as root:
        config = os.path.join(root, "config.json")
        with open(config, "w") as f:
            json.dump({"program": {"width": 1280, "height": 720, "fps": 30, "video_kbps": 1500},
                       "ingest": {"sources": [source], "on_air": source["id"]}}, f)
        node_log = open(os.path.join(root, "node.log"), "w+")
        node = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:0", "--state-dir",
                                 os.path.join(root, "state"), "--config", config],
                                stdout=subprocess.PIPE, stderr=node_log, text=True)
        feeder = None
        try:
            port = None
            deadline = time.time() + 20
            while time.time() < deadline and port is None:
                line = node.stdout.readline()
                if "listening on https://" in line:
                    port = int(line.rsplit(":", 1)[1])
            if port is None:
                raise RuntimeError("the node did not start")
            token = open(os.path.join(root, "state", "operator-token")).read().strip()
            if feed:
                feeder = subprocess.Popen(feed, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL)
            expect_slate = source.get("kind") == "srt" and not feed
            deadline = time.time() + 30
            status = {}
            while time.time() < deadline:
                status = program_status(port, token)
                if expect_slate or status.get("on_air") == source["id"]:
                    break
                time.sleep(0.2)
            else:
                raise RuntimeError(f"{name}: not on air: {status}")
            time.sleep(4)  # settle (a pass-through starts at the source's keyframe)
            start_cpu, start = cpu_seconds(node.pid), time.time()
            time.sleep(window)
            used = cpu_seconds(node.pid) - start_cpu
            share = 100 * used / (time.time() - start)
            status = program_status(port, token)
            entry = status["sources"][0]
            return {"case": name, "node_cpu_percent": round(share, 1),
                    "on_air": status.get("on_air"), "input": entry.get("input", ""),
                    "encoding": entry.get("encoding", "")}
        finally:
            for p in (feeder, node):
                if p and p.poll() is None:
                    p.terminate()
                    try:
                        p.wait(10)
                    except subprocess.TimeoutExpired:
                        p.kill()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default="build/app/bridgecast")
    parser.add_argument("--window", type=float, default=15)
    args = parser.parse_args()
    udp = socket.SOCK_DGRAM
    cases = [
        ("test pattern (the default)", {"id": "bars", "kind": "test_pattern"}, None),
        ("slate only (source down)",
         {"id": "hall", "kind": "srt", "uri": f"srt://127.0.0.1:{free_port(udp)}?mode=listener"},
         None),
    ]
    for width, height, fps, profile in ((1280, 720, 30, "constrained-baseline"),
                                        (1280, 720, 30, "high"), (1920, 1080, 30, "high"),
                                        (1920, 1080, 50, "high")):
        port = free_port(udp)
        cases.append((f"SRT H.264 {profile} {width}x{height} {fps} fps",
                      {"id": "hall", "kind": "srt",
                       "uri": f"srt://127.0.0.1:{port}?mode=listener"},
                      srt_feed(port, width, height, fps, profile)))
    rows = []
    for name, source, feed in cases:
        print(f"[ingest bench] {name}", file=sys.stderr, flush=True)
        rows.append(run_case(args.bin, args.window, name, source, feed))
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    print(f"Program 1280x720 30 fps, 1.5 Mbit/s; node CPU over {args.window:.0f} s "
          f"(100% = one core); load average {' '.join(load)}.\n")
    print("| case | node CPU | on air | input | encoding |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['case']} | {r['node_cpu_percent']} % | {r['on_air'] or 'slate'} | "
              f"{r['input']} | {r['encoding']} |")


if __name__ == "__main__":
    main()
