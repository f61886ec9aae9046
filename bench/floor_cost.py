#!/usr/bin/env python3
"""What the floor costs the node (docs/floor.md, docs/performance.md).

Starts `bridgecast serve` (program 1280x720, 30 fps, 1.5 Mbit/s, the default
test pattern; recorder off), a native point that will speak (`bridgecast
point --uplink-colour`: a 640x360 25 fps test camera and a tone), and a chair
over WSS. Samples the node's CPU and threads from /proc/<pid> over a window
with the point connected but not speaking, then again once the chair has
granted it the floor and the program shows it (`program` message, state
live). Twice: without the hall's return, and with it and a desk reading it
over SRT (gst-launch-1.0 srtsrc). The points' and the desk's own CPU is not
counted. Prints a markdown table.

  bench/floor_cost.py [--bin build/app/bridgecast] [--window 15]

Python 3 standard library only. Loopback only; every wait is bounded.
"""

import argparse
import base64
import json
import os
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time

from ingest_cost import cpu_seconds, free_port


def threads(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return 0


class Chair:
    """A minimal WebSocket client (RFC 6455: masked text frames out, pings
    answered) that keeps the node's `program` messages."""

    def __init__(self, port, token):
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        raw = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock = context.wrap_socket(raw, server_hostname="127.0.0.1")
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                           "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                           "Sec-WebSocket-Protocol: bridgecast.v1\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise RuntimeError("the node closed the WebSocket upgrade")
            head += chunk
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError(f"no WebSocket: {head[:80]!r}")
        self.lock = threading.Lock()
        self.messages = []
        self.next_id = 0
        self.send({"type": "hello", "token": token})
        threading.Thread(target=self._read, daemon=True).start()

    def _frame(self, opcode, payload):
        mask = os.urandom(4)
        n = len(payload)
        head = bytes([0x80 | opcode])
        if n < 126:
            head += bytes([0x80 | n])
        else:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        with self.lock:
            self.sock.sendall(head + mask + body)

    def send(self, message):
        self._frame(0x1, json.dumps(message).encode())

    def _exact(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    def _read(self):
        self.sock.settimeout(None)
        try:
            while True:
                b0, b1 = self._exact(2)
                n = b1 & 0x7F
                if n == 126:
                    n = struct.unpack(">H", self._exact(2))[0]
                elif n == 127:
                    n = struct.unpack(">Q", self._exact(8))[0]
                payload = self._exact(n)
                opcode = b0 & 0x0F
                if opcode == 0x9:
                    self._frame(0xA, payload)
                elif opcode == 0x1:
                    self.messages.append(json.loads(payload))
                elif opcode == 0x8:
                    return
        except (EOFError, OSError):
            return

    def command(self, command, timeout=10):
        self.next_id += 1
        self.send({"type": "command", "id": self.next_id, "command": command})
        return self.wait(lambda m: m.get("id") == self.next_id and m.get("type") in ("ack", "error"),
                         timeout)

    def wait(self, match, timeout, after=0):
        """The first message from index `after` on that matches, or None."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            for m in list(self.messages)[after:]:
                if match(m):
                    return m
            time.sleep(0.05)
        return None


def sample(pid, window):
    start_cpu, start = cpu_seconds(pid), time.time()
    time.sleep(window)
    return round(100 * (cpu_seconds(pid) - start_cpu) / (time.time() - start), 1), threads(pid)


def run(binary, window, with_return):
    rows = []
    with tempfile.TemporaryDirectory(prefix="bc-floor-") as root:
        config = os.path.join(root, "config.json")
        settings = {"program": {"width": 1280, "height": 720, "fps": 30, "video_kbps": 1500}}
        return_port = free_port(socket.SOCK_DGRAM)
        if with_return:
            settings["floor"] = {"return_srt": f"srt://127.0.0.1:{return_port}?mode=listener"}
        with open(config, "w") as f:
            json.dump(settings, f)
        state = os.path.join(root, "state")
        node = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:0", "--state-dir", state,
                                 "--ice-address", "127.0.0.1", "--config", config],
                                stdout=subprocess.PIPE, stderr=open(os.path.join(root, "node.log"), "w"),
                                text=True)
        others = []
        try:
            port = None
            deadline = time.time() + 20
            while time.time() < deadline and port is None:
                line = node.stdout.readline()
                if "listening on https://" in line:
                    port = int(line.rsplit(":", 1)[1])
            if port is None:
                raise RuntimeError("the node did not start")
            links = json.load(open(os.path.join(state, "join-links.json")))
            point = links["points"][0]["point"]
            token = subprocess.run([binary, "token", "--conference", links["conference"]["id"],
                                    "--role", "chair", "--state-dir", state],
                                   capture_output=True, text=True, timeout=10).stdout.strip()
            others.append(subprocess.Popen(
                [binary, "point", "--links", os.path.join(state, "join-links.json"), "--point",
                 point, "--headless", "--ice-address", "127.0.0.1", "--uplink-colour", "2060c0",
                 "--duration", str(int(4 * window + 60))],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            if with_return:
                others.append(subprocess.Popen(
                    ["gst-launch-1.0", "-q", "srtsrc",
                     f"uri=srt://127.0.0.1:{return_port}?mode=caller", "!", "fakesink"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            chair = Chair(port, token)
            if not chair.wait(lambda m: m.get("type") == "snapshot", 10):
                raise RuntimeError("no snapshot for the chair")
            if (chair.command({"type": "conference.start"}) or {}).get("type") != "ack":
                raise RuntimeError("conference.start refused")
            deadline = time.time() + 20
            while (chair.command({"type": "floor.grant", "point": point}) or {}).get("type") != "ack":
                if time.time() > deadline:
                    raise RuntimeError("the point never joined")
                time.sleep(1)
            chair.command({"type": "floor.revoke"})
            time.sleep(4)
            label = "with the hall's return (a desk reading it)" if with_return else "no return"
            cpu, n = sample(node.pid, window)
            rows.append((f"point connected, nobody speaking; {label}", cpu, n))
            seen = len(chair.messages)
            chair.command({"type": "floor.grant", "point": point})
            live = chair.wait(lambda m: m.get("type") == "program" and m.get("floor")
                              and m["floor"].get("state") == "live", 15, after=seen)
            if not live:
                raise RuntimeError("the speaker never went live")
            time.sleep(3)
            cpu, n = sample(node.pid, window)
            rows.append((f"one point speaking (640x360 25 fps camera); {label}", cpu, n))
            return rows
        finally:
            for p in others + [node]:
                if p.poll() is None:
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
    rows = []
    for with_return in (False, True):
        print(f"[floor bench] return {'on' if with_return else 'off'}", file=sys.stderr, flush=True)
        rows += run(args.bin, args.window, with_return)
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    print(f"Program 1280x720 30 fps, 1.5 Mbit/s, one point connected; node CPU over "
          f"{args.window:.0f} s (100% = one core); load average {' '.join(load)}.\n")
    print("| case | node CPU | node threads |")
    print("|---|---|---|")
    for name, cpu, n in rows:
        print(f"| {name} | {cpu} % | {n} |")


if __name__ == "__main__":
    main()
