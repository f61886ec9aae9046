#!/usr/bin/env python3
"""The node-vs-Janus benchmark on this machine (see bench/README.md).

For each number of points N it starts a fresh `bridgecast serve` (1280x720,
30 fps, 1.5 Mbit/s with x264's CBR filler, capture stamp on) and runs the
load generator against it; then a fresh Janus (streaming plugin, one RTP
mountpoint) fed the same program by `program_feeder`, with the same load
generator attached through Janus's WebSocket API. CPU and memory come from
/proc/<pid>/stat and /proc/<pid>/status, sampled once a second over the
load generator's steady window. Then bench/agenda_latency with 67 clients.
Prints a markdown report and writes JSON, the report and a PNG plot to --out.

Python 3 standard library only; the plot needs gnuplot (gnuplot-nox).
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
PROGRAM = {"width": 1280, "height": 720, "fps": 30, "video_kbps": 1500}
JANUS_MOUNTPOINT = 1


def log(text):
    print(f"[bench {datetime.datetime.now(datetime.timezone.utc):%H:%M:%S}] {text}",
          file=sys.stderr, flush=True)


def percentile(values, p):
    """Nearest rank, as in the C++ benches; None without values."""
    if not values:
        return None
    v = sorted(values)
    rank = max(1, min(len(v), int(-(-p * len(v) // 1))))
    return v[rank - 1]


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


# --- /proc ------------------------------------------------------------------


def cpu_ticks(pid):
    """utime + stime of a process, in clock ticks (all its threads)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0])
            elif key == "Threads":
                out[key] = int(value)
    return out


def machine_busy_ticks():
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    idle = cpu[3] + cpu[4]
    return sum(cpu) - idle, sum(cpu)


class Sampler:
    """Samples named processes once a second between start() and stop()."""

    def __init__(self, pids):
        self.pids = pids
        self.cpu = {name: [] for name in pids}  # % of one core, per second
        self.rss = {name: [] for name in pids}  # MB
        self.total = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self._t0 = time.monotonic()
        self._ticks0 = {n: cpu_ticks(p) for n, p in self.pids.items()}
        self._machine0 = machine_busy_ticks()
        self._thread.start()

    def _run(self):
        last_t = self._t0
        last = dict(self._ticks0)
        while not self._stop.wait(1.0):
            now = time.monotonic()
            for name, pid in self.pids.items():
                try:
                    ticks = cpu_ticks(pid)
                    self.rss[name].append(status(pid).get("VmRSS", 0) / 1024)
                except OSError:
                    continue
                self.cpu[name].append(100.0 * (ticks - last[name]) / CLK_TCK / (now - last_t))
                last[name] = ticks
            last_t = now

    def stop(self):
        self._stop.set()
        self._thread.join()
        elapsed = time.monotonic() - self._t0
        busy1, all1 = machine_busy_ticks()
        busy0, all0 = self._machine0
        result = {"window_s": round(elapsed, 2),
                  "machine_busy_pct_of_2_cores": round(100.0 * (busy1 - busy0) / max(1, all1 - all0), 1)}
        for name, pid in self.pids.items():
            try:
                st = status(pid)
                total = 100.0 * (cpu_ticks(pid) - self._ticks0[name]) / CLK_TCK / elapsed
            except OSError:
                st, total = {}, None
            result[name] = {
                "cpu_pct": None if total is None else round(total, 1),
                "cpu_pct_p50": percentile(self.cpu[name], 0.5),
                "cpu_pct_p95": percentile(self.cpu[name], 0.95),
                "rss_mb_p50": percentile(self.rss[name], 0.5),
                "hwm_mb": st.get("VmHWM", 0) / 1024 if st else None,
                "threads": st.get("Threads"),
            }
        return result


# --- processes ----------------------------------------------------------------


LIVE_CHILDREN = []


class Stopped(Exception):
    """SIGINT or SIGTERM: stop every child, then exit."""


def on_signal(signum, _frame):
    raise Stopped(signal.Signals(signum).name)


class Child:
    """A child process with its stdout read line by line on a thread."""

    def __init__(self, name, argv, log_path, env=None):
        LIVE_CHILDREN.append(self)
        self.name = name
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self.log,
                                     stdin=subprocess.DEVNULL, env=env, start_new_session=True)
        self.lines = []
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    @property
    def pid(self):
        return self.proc.pid

    def _read(self):
        for raw in self.proc.stdout:
            line = raw.decode(errors="replace").rstrip("\n")
            self.log.write(b"[stdout] " + raw)
            with self._cond:
                self.lines.append(line)
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def wait_line(self, predicate, timeout):
        """The first stdout line matching `predicate`, or None on timeout/exit."""
        deadline = time.monotonic() + timeout
        seen = 0
        with self._cond:
            while True:
                for line in self.lines[seen:]:
                    if predicate(line):
                        return line
                seen = len(self.lines)
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self._reader.is_alive()):
                    return None
                self._cond.wait(min(left, 0.5))

    def stop(self, timeout=15):
        if self in LIVE_CHILDREN:
            LIVE_CHILDREN.remove(self)
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                log(f"{self.name} did not stop within {timeout} s: SIGKILL")
                self.proc.kill()
                self.proc.wait()
        self._reader.join(5)
        self.log.close()
        return self.proc.returncode


def local_ipv4():
    """(interface, address) of the first global IPv4 address of this host.

    Janus 1.1.2 never gathers ICE candidates on a loopback interface, so its
    media uses this host's own address instead; the kernel routes traffic to a
    local address through the loopback device (`ip route get ADDR`: `local ...
    dev lo`), so nothing leaves the machine."""
    out = subprocess.run(["ip", "-4", "-o", "addr", "show", "scope", "global"],
                         capture_output=True, text=True).stdout.split()
    if "inet" not in out:
        sys.exit("Janus needs a non-loopback IPv4 address on this host for its ICE candidates")
    i = out.index("inet")
    return out[i - 1], out[i + 1].split("/")[0]


def wait_tcp(port, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


# --- the systems under test ---------------------------------------------------


def bench_conference(work, points):
    """The bundled reference conference with extra points, so N may exceed 67."""
    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "deploy",
                          "conferences", "conference-2023-11-16.json")
    with open(source, encoding="utf-8") as f:
        conference = json.load(f)
    conference["id"] = "bench-" + conference["id"]
    existing = len(conference["bridge_points"])
    for i in range(existing, points):
        conference["bridge_points"].append(
            {"id": f"bench-{i + 1:03d}", "name": f"Bench point {i + 1}", "kind": "province"})
    path = os.path.join(work, "conference.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(conference, f, ensure_ascii=False)
    return path


class Node:
    name = "bridgecast"

    def __init__(self, args, work, conference):
        self.args, self.work, self.conference = args, work, conference

    def start(self, tag):
        state = tempfile.mkdtemp(prefix="state-", dir=self.work)
        argv = [self.args.bridgecast, "--log-level", "warn", "serve", "--listen", "127.0.0.1:0",
                "--state-dir", state, "--ice-address", "127.0.0.1", "--conference", self.conference,
                "--video-size", f"{PROGRAM['width']}x{PROGRAM['height']}", "--fps",
                str(PROGRAM["fps"]), "--video-kbps", str(PROGRAM["video_kbps"]), "--cbr-filler",
                "--capture-stamp"]
        self.proc = Child("bridgecast", argv, os.path.join(self.args.out, f"logs/{tag}-node.log"))
        if not self.proc.wait_line(lambda l: "listening on https://" in l, 30):
            raise RuntimeError("bridgecast did not start (see its log)")
        self.links = os.path.join(state, "join-links.json")
        return {"system": self.proc.pid}

    def target(self):
        return ["--links", self.links]

    def stop(self):
        self.proc.stop()


JANUS_JCFG = """general: {{
\tconfigs_folder = "{d}"
\tplugins_folder = "{d}/plugins"
\ttransports_folder = "{d}/transports"
\tevents_folder = "{d}/events"
\tloggers_folder = "{d}/loggers"
\tdebug_level = 3
\tserver_name = "bench"
\tsession_timeout = 60
}}
certificates: {{
}}
media: {{
\trtp_port_range = "20000-40000"
}}
nat: {{
\tnice_debug = false
\tice_enforce_list = "lo"
\tignore_mdns = true
}}
plugins: {{
}}
transports: {{
}}
events: {{
\tbroadcast = false
}}
"""

JANUS_WS = """general: {{
\tjson = "plain"
\tws = true
\tws_port = {port}
\tws_ip = "127.0.0.1"
\twss = false
}}
admin: {{
\tadmin_ws = false
\tadmin_wss = false
}}
"""

JANUS_STREAMING = """general: {{
}}
bench: {{
\ttype = "rtp"
\tid = {id}
\tdescription = "bridgecast program"
\taudio = true
\tvideo = true
\taudioport = {aport}
\taudiopt = 111
\taudiocodec = "opus"
\tvideoport = {vport}
\tvideopt = 96
\tvideocodec = "h264"
\tvideofmtp = "profile-level-id=42e01f;packetization-mode=1"
\tsecret = "bench"
}}
"""


class Janus:
    name = "janus"
    lib = "/usr/lib/x86_64-linux-gnu/janus"

    def __init__(self, args, work):
        self.args, self.work = args, work
        self.iface, self.address = local_ipv4()

    def start(self, tag):
        d = tempfile.mkdtemp(prefix="janus-", dir=self.work)
        for folder, keep in (("plugins", "libjanus_streaming.so"),
                             ("transports", "libjanus_websockets.so"),
                             ("events", None), ("loggers", None)):
            os.makedirs(os.path.join(d, folder))
            if keep:
                os.symlink(os.path.join(self.lib, folder, keep), os.path.join(d, folder, keep))
        self.port = free_port()
        vport, aport = free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_DGRAM)
        with open(os.path.join(d, "janus.jcfg"), "w") as f:
            f.write(JANUS_JCFG.format(d=d, iface=self.iface))
        with open(os.path.join(d, "janus.transport.websockets.jcfg"), "w") as f:
            f.write(JANUS_WS.format(port=self.port))
        with open(os.path.join(d, "janus.plugin.streaming.jcfg"), "w") as f:
            f.write(JANUS_STREAMING.format(id=JANUS_MOUNTPOINT, vport=vport, aport=aport))
        self.janus = Child("janus", [self.args.janus, "-F", d, "-C", os.path.join(d, "janus.jcfg"),
                                     "-o", "-d", "3"],
                           os.path.join(self.args.out, f"logs/{tag}-janus.log"))
        if not wait_tcp(self.port, 20):
            self.janus.stop()
            raise RuntimeError("janus did not open its WebSocket port (see its log)")
        self.feeder = Child("program_feeder",
                            [self.args.feeder, "--video-port", str(vport), "--audio-port", str(aport),
                             "--width", str(PROGRAM["width"]), "--height", str(PROGRAM["height"]),
                             "--fps", str(PROGRAM["fps"]), "--video-kbps",
                             str(PROGRAM["video_kbps"]), "--cbr-filler"],
                            os.path.join(self.args.out, f"logs/{tag}-feeder.log"))
        if not self.feeder.wait_line(lambda l: l == "FEEDING", 20):
            self.stop()
            raise RuntimeError("program_feeder did not start (see its log)")
        time.sleep(1)  # the mountpoint sees its first keyframe
        return {"system": self.janus.pid, "feeder": self.feeder.pid}

    def target(self):
        return ["--janus-port", str(self.port), "--janus-mountpoint", str(JANUS_MOUNTPOINT),
                "--ice-address", self.address]

    def stop(self):
        self.feeder.stop()
        self.janus.stop()


class Profile:
    """`perf record -e cpu-clock` on one process over the window (no hardware
    counters are needed): where its CPU goes, per shared object."""

    HZ = 499

    def __init__(self, args, pid, tag):
        self.path = os.path.join(args.out, f"perf/{tag}.data")
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        self.proc = subprocess.Popen(
            ["perf", "record", "-q", "-e", "cpu-clock", "-F", str(self.HZ), "-p", str(pid),
             "-o", self.path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self, cpu_pct):
        """{shared object: % of one core}: each object's share of the samples
        times the process's CPU from /proc over the same window."""
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        r = subprocess.run(["perf", "report", "-i", self.path, "--sort", "dso", "--stdio",
                            "--show-nr-samples", "-q"], capture_output=True, text=True)
        samples = {}
        for line in r.stdout.splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[0].endswith("%") and parts[1].isdigit():
                # ORC's JIT code lives in a temporary file with a random name.
                name = " ".join(parts[2:])
                name = "orc JIT code" if name.startswith("orcexec.") else name
                samples[name] = samples.get(name, 0) + int(parts[1])
        total = sum(samples.values()) or 1
        return {k: round(cpu_pct * v / total, 2) for k, v in samples.items()}


def run_step(args, system, n):
    tag = f"{system.name}-{n:03d}"
    log(f"{system.name}: N={n}")
    pids = system.start(tag)
    load_before = loadavg()
    report_path = os.path.join(args.out, f"steps/{tag}.json")
    try:
        gen = Child("loadgen", [args.loadgen, "--count", str(n), *system.target(),
                                "--fps", str(PROGRAM["fps"]), "--window", str(args.window),
                                "--settle", str(args.settle), "--join-timeout",
                                str(args.join_timeout), "--report", report_path],
                    os.path.join(args.out, f"logs/{tag}-loadgen.log"))
        limit = args.join_timeout + 15
        joined = gen.wait_line(lambda l: l.startswith("JOINED"), limit)
        started = joined and gen.wait_line(lambda l: l == "WINDOW_START", args.settle + 10)
        if not started:
            gen.stop()
            raise RuntimeError(f"the load generator did not reach its window ({tag})")
        sampler = Sampler({**pids, "loadgen": gen.pid})
        sampler.start()
        profile = Profile(args, pids["system"], tag) if args.perf else None
        ended = gen.wait_line(lambda l: l == "WINDOW_END", args.window + 15)
        usage = sampler.stop()
        if profile:
            usage["system"]["perf_by_dso_pct"] = profile.stop(usage["system"]["cpu_pct"])
        if not ended:
            gen.stop()
            raise RuntimeError(f"the load generator did not end its window ({tag})")
        try:
            gen.proc.wait(30)
        except subprocess.TimeoutExpired:
            pass
        gen.stop()
    finally:
        system.stop()
    with open(report_path) as f:
        points = json.load(f)
    summary = {k: v for k, v in points.items() if k != "points"}
    summary["joined_line"] = joined
    summary["usage"] = usage
    summary["loadavg_before"] = load_before
    summary["loadavg_after"] = loadavg()
    return summary


def agenda_latency(args):
    if args.quick:
        rounds = 10
    else:
        rounds = 30
    log(f"agenda_latency: 67 clients, {rounds} rounds")
    out = subprocess.run([args.agenda, "--clients", "67", "--rounds", str(rounds)],
                         capture_output=True, text=True, timeout=300)
    row = [l for l in out.stdout.splitlines() if l.startswith("| 67 ")]
    if not row:
        return {"error": out.stderr[-500:]}
    cells = [c.strip() for c in row[0].strip("|").split("|")]
    return {"clients": 67, "rounds_ok": cells[1], "all_reached_p50_ms": float(cells[2]),
            "all_reached_p99_ms": float(cells[3]), "per_client_p50_ms": float(cells[4]),
            "per_client_p99_ms": float(cells[5])}


# --- the report ---------------------------------------------------------------


def fmt(value, digits=1):
    return "–" if value is None else f"{value:.{digits}f}"


def share_pct(step):
    if not step or step["count"] == 0 or not step.get("frames_share"):
        return None
    return 100.0 * step["frames_share"]["min"]


def markdown(results):
    base = results["node_baseline_cpu_pct"]
    lines = ["| N | node CPU % p50 (p95) | fan-out CPU % | node RSS MB | frames % min | "
             "loadgen CPU % | Janus CPU % p50 (p95) | Janus + feeder CPU % | Janus RSS MB | "
             "Janus frames % min | loadgen CPU % (Janus) | fan-out / Janus | load avg |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in results["steps"]:
        b, j = row.get("bridgecast"), row.get("janus")
        bu = b["usage"] if b else None
        ju = j["usage"] if j else None
        fan = None if not bu or base is None else bu["system"]["cpu_pct"] - base
        ratio = None
        if fan is not None and ju and ju["system"]["cpu_pct"] and row["n"] > 0:
            ratio = fan / ju["system"]["cpu_pct"]
        load = (b or j or {}).get("loadavg_after", [None])[0]
        both = ju and ju["system"]["cpu_pct"] + ju["feeder"]["cpu_pct"]
        lines.append("| {} | {} ({}) | {} | {} | {} | {} | {} ({}) | {} | {} | {} | {} | {} | {} |".format(
            row["n"],
            fmt(bu and bu["system"]["cpu_pct_p50"]), fmt(bu and bu["system"]["cpu_pct_p95"]),
            fmt(fan), fmt(bu and bu["system"]["rss_mb_p50"]), fmt(share_pct(b)),
            fmt(bu and bu["loadgen"]["cpu_pct"]),
            fmt(ju and ju["system"]["cpu_pct_p50"]), fmt(ju and ju["system"]["cpu_pct_p95"]),
            fmt(both), fmt(ju and ju["system"]["rss_mb_p50"]), fmt(share_pct(j)),
            fmt(ju and ju["loadgen"]["cpu_pct"]), fmt(ratio, 2), fmt(load, 2)))
    out = "\n".join(lines) + "\n"

    out += "\n| | bridgecast | Janus | bridgecast / Janus |\n|---|---:|---:|---:|\n"
    for key, label in (("largest_n_99", "largest N with every point ≥ 99% of frames"),):
        b, j = results[key].get("bridgecast"), results[key].get("janus")
        out += f"| {label} | {b if b is not None else '–'} | {j if j is not None else '–'} | |\n"
    for metric, label, tail in (("join_ms", "join (connect → first frame) ms", "p95"),
                                ("glass_to_glass_ms", "glass-to-glass ms", "p95")):
        for n_label, step in (("N=1", results["at_n1"]), (f"N={results['join_n']}", results["at_join_n"])):
            b = (step.get("bridgecast") or {}).get(metric) or {}
            j = (step.get("janus") or {}).get(metric) or {}
            for q in ("p50", tail):
                ratio = b[q] / j[q] if b.get(q) and j.get(q) else None
                out += (f"| {label} {q}, {n_label} | {fmt(b.get(q))} | {fmt(j.get(q))} | "
                        f"{fmt(ratio, 2)} |\n")
    per_point = results.get("per_point_cpu_pct", {})
    out += (f"| CPU per extra point, % of a core (slope 0→{results['join_n']}) | "
            f"{fmt(per_point.get('bridgecast'), 2)} | {fmt(per_point.get('janus'), 2)} | "
            f"{fmt(per_point.get('ratio'), 2)} |\n")
    ag = results.get("agenda")
    if ag and "error" not in ag:
        out += (f"\nAgenda change → all 67 points: p50 {ag['all_reached_p50_ms']:.1f} ms, "
                f"p99 {ag['all_reached_p99_ms']:.1f} ms (per client p50 {ag['per_client_p50_ms']:.1f}, "
                f"p99 {ag['per_client_p99_ms']:.1f}; rounds ok {ag['rounds_ok']}).\n")
    m = results["machine"]
    out += (f"\n{m['cpus']} CPUs ({m['model']}), load average {m['loadavg_start'][0]:.2f} at the start, "
            f"{m['loadavg_end'][0]:.2f} at the end; program {PROGRAM['width']}x{PROGRAM['height']} "
            f"@ {PROGRAM['fps']} fps, {PROGRAM['video_kbps']} kbit/s CBR (x264 filler).\n")
    return out


def plot(results, out_dir):
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        log("no gnuplot: skipping the PNG (apt-get install gnuplot-nox)")
        return None
    data = os.path.join(out_dir, "cpu.dat")
    with open(data, "w") as f:
        f.write("# N node janus loadgen_node loadgen_janus\n")
        for row in results["steps"]:
            def cpu(system, proc):
                step = row.get(system)
                v = step and step["usage"][proc]["cpu_pct"]
                return "NaN" if v is None else f"{v:.1f}"
            f.write(f"{row['n']} {cpu('bridgecast', 'system')} {cpu('janus', 'system')} "
                    f"{cpu('bridgecast', 'loadgen')} {cpu('janus', 'loadgen')}\n")
    png = os.path.join(out_dir, "cpu-vs-points.png")
    script = f"""set terminal pngcairo size 900,560 noenhanced
set output '{png}'
set title 'CPU (% of one core) against points, 720p30 1.5 Mbit/s, 2 cores'
set xlabel 'points'
set ylabel '% of one core'
set key left top
set grid
plot '{data}' using 1:2 with linespoints lw 2 title 'bridgecast node', \\
     '{data}' using 1:3 with linespoints lw 2 title 'Janus (no encoder)', \\
     '{data}' using 1:4 with lines dt 2 title 'load generator (vs node)', \\
     '{data}' using 1:5 with lines dt 3 title 'load generator (vs Janus)'
"""
    r = subprocess.run([gnuplot], input=script, text=True, capture_output=True)
    if r.returncode != 0:
        # pngcairo may be missing from some builds: fall back to png.
        r = subprocess.run([gnuplot], input=script.replace("pngcairo", "png"), text=True,
                           capture_output=True)
    return png if r.returncode == 0 else None


def summarise(results):
    steps = results["steps"]
    base = next((r["bridgecast"]["usage"]["system"]["cpu_pct"] for r in steps
                 if r["n"] == 0 and r.get("bridgecast")), None)
    results["node_baseline_cpu_pct"] = base
    largest = {}
    for system in ("bridgecast", "janus"):
        ok = None
        for row in steps:
            step = row.get(system)
            if step is None or row["n"] == 0:
                continue
            if not step["all_points_ge_99"]:
                break
            ok = row["n"]
        largest[system] = ok
    results["largest_n_99"] = largest
    by_n = {r["n"]: r for r in steps}
    results["at_n1"] = by_n.get(1, {})
    join_n = 67 if 67 in by_n else max(by_n)
    results["join_n"] = join_n
    results["at_join_n"] = by_n.get(join_n, {})
    per_point = {}
    for system in ("bridgecast", "janus"):
        z, top = by_n.get(0, {}).get(system), by_n.get(join_n, {}).get(system)
        if z and top and join_n > 0:
            per_point[system] = (top["usage"]["system"]["cpu_pct"] -
                                 z["usage"]["system"]["cpu_pct"]) / join_n
    if per_point.get("bridgecast") and per_point.get("janus"):
        per_point["ratio"] = per_point["bridgecast"] / per_point["janus"]
    results["per_point_cpu_pct"] = per_point


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--build-dir", default=os.path.join(root, "build"))
    p.add_argument("--out", help="results folder (default BUILD_DIR/bench-results)")
    p.add_argument("--quick", action="store_true", help="N = 0 1 10, short windows")
    p.add_argument("--counts", type=int, nargs="+", help="exact N values (no sweep upwards)")
    p.add_argument("--cap", type=int, default=147, help="largest N of the sweep upwards")
    p.add_argument("--window", type=int, help="measured seconds per step (default 12, quick 5)")
    p.add_argument("--settle", type=int, help="seconds after the joins (default 4, quick 2)")
    p.add_argument("--join-timeout", type=int, default=30)
    p.add_argument("--budget-min", type=float, default=25, help="stop sweeping upwards after this")
    p.add_argument("--no-janus", action="store_true")
    p.add_argument("--perf", action="store_true",
                   help="profile the node and Janus per step (perf record -e cpu-clock)")
    p.add_argument("--no-agenda", action="store_true")
    p.add_argument("--janus", default=shutil.which("janus") or "/usr/bin/janus")
    p.add_argument("--render", metavar="JSON", help="only print the report of an earlier run")
    args = p.parse_args()
    if args.render:
        with open(args.render) as f:
            results = json.load(f)
        summarise(results)
        print(markdown(results))
        return
    args.out = os.path.abspath(args.out or os.path.join(args.build_dir, "bench-results"))
    args.window = args.window or (5 if args.quick else 12)
    args.settle = args.settle or (2 if args.quick else 4)
    args.bridgecast = os.path.join(args.build_dir, "app", "bridgecast")
    args.loadgen = os.path.join(args.build_dir, "bench", "loadgen")
    args.feeder = os.path.join(args.build_dir, "bench", "program_feeder")
    args.agenda = os.path.join(args.build_dir, "bench", "agenda_latency")
    for exe in (args.bridgecast, args.loadgen, args.feeder) + (() if args.no_agenda else (args.agenda,)):
        if not os.access(exe, os.X_OK):
            sys.exit(f"missing {exe}: build it first (bench/run.sh does)")
    if not args.no_janus and not os.access(args.janus, os.X_OK):
        sys.exit("janus is not installed (apt-get install janus), or pass --no-janus")
    # Background jobs of a non-interactive shell ignore SIGINT: take it back.
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    os.makedirs(os.path.join(args.out, "logs"), exist_ok=True)
    os.makedirs(os.path.join(args.out, "steps"), exist_ok=True)

    counts = args.counts or ([0, 1, 10] if args.quick else [0, 1, 10, 30, 67])
    sweep = not args.counts and not args.quick
    started = time.monotonic()
    model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    results = {"started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               "program": PROGRAM, "window_s": args.window, "quick": args.quick,
               "machine": {"cpus": os.cpu_count(), "model": model, "kernel": platform.release(),
                           "loadavg_start": loadavg()},
               "steps": []}
    work = tempfile.mkdtemp(prefix="bridgecast-bench-")
    try:
        conference = bench_conference(work, max(args.cap, max(counts)) + 1)
        systems = [Node(args, work, conference)] + ([] if args.no_janus else [Janus(args, work)])
        alive = {s.name: True for s in systems}
        n_list = list(counts)
        i = 0
        while i < len(n_list):
            n = n_list[i]
            row = {"n": n}
            for system in systems:
                if not alive[system.name]:
                    continue
                try:
                    row[system.name] = run_step(args, system, n)
                except RuntimeError as e:
                    log(f"{system.name} N={n}: {e}")
                    row[system.name + "_error"] = str(e)
                    alive[system.name] = False
                    continue
                step = row[system.name]
                log(f"{system.name} N={n}: CPU {step['usage']['system']['cpu_pct']}%, frames min "
                    f"{fmt(share_pct(step))}%, loadgen {step['usage']['loadgen']['cpu_pct']}%")
                if n > 0 and not step["all_points_ge_99"] and n >= max(counts):
                    alive[system.name] = False  # frames lost: this system's sweep ends here
            results["steps"].append(row)
            i += 1
            over_budget = time.monotonic() - started > args.budget_min * 60
            if (i == len(n_list) and sweep and any(alive.values()) and n + 20 <= args.cap
                    and not over_budget):
                n_list.append(n + 20)
        if not args.no_agenda:
            results["agenda"] = agenda_latency(args)
    except Stopped as e:
        log(f"{e}: stopping")
        raise SystemExit(130)
    finally:
        for child in list(LIVE_CHILDREN):
            child.stop(timeout=5)
        shutil.rmtree(work, ignore_errors=True)
    results["machine"]["loadavg_end"] = loadavg()
    results["duration_s"] = round(time.monotonic() - started)
    summarise(results)
    table = markdown(results)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    results["plot"] = plot(results, args.out)
    for name in (f"results-{stamp}.json", "latest.json"):
        with open(os.path.join(args.out, name), "w") as f:
            json.dump(results, f, indent=2)
    with open(os.path.join(args.out, "latest.md"), "w") as f:
        f.write(table)
    print(table)
    log(f"wrote {args.out}/latest.json, latest.md" + (f", {results['plot']}" if results["plot"] else ""))


if __name__ == "__main__":
    main()
