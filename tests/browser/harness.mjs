// What the browser tests share: the node started in a private network
// namespace that has only a loopback interface, and a wrapper that makes
// Chromium enter that namespace. Nothing either program sends can leave the
// machine, and the node's port is free whatever else runs here.
// Needs: util-linux (unshare, nsenter), iproute2 (ip), root or unprivileged
// user namespaces.

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const BIN = process.env.BRIDGECAST_BIN || '/work/main/build/app/bridgecast';
export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

const asRoot = process.getuid() === 0;
// Without root, a user namespace (mapped to root) is what allows the network one.
const UNSHARE = asRoot ? ['--net'] : ['--user', '--map-root-user', '--net'];

// nsenter arguments that join the namespaces of process `pid`.
export function nsenterArgs(pid) {
  const ns = [`--net=/proc/${pid}/ns/net`];
  return asRoot ? ns : [`--user=/proc/${pid}/ns/user`, ...ns, '--preserve-credentials'];
}

// Throws a readable error when namespaces cannot be made here, instead of a
// node that never starts listening.
export function checkTools() {
  try {
    execFileSync('unshare', [...UNSHARE, '--', 'ip', 'link', 'set', 'lo', 'up'], {
      stdio: 'pipe',
      timeout: 5000,
    });
  } catch (e) {
    throw new Error(
      'this test runs the node and Chromium in a private network namespace: it needs ' +
        'unshare/nsenter (util-linux), ip (iproute2) and root or user namespaces: ' +
        String(e.stderr || e.message).trim(),
    );
  }
}

const started = [];
process.on('exit', () => {
  for (const proc of started) {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  }
});

// Starts `BIN serve --listen 127.0.0.1:0 ...serveArgs` in a new network
// namespace; `onOutput` gets everything the node prints. Resolves with the
// process and the port it listens on; the process is killed if the test
// process exits first.
export async function startNode(serveArgs, onOutput = () => {}) {
  const proc = spawn(
    'unshare',
    [...UNSHARE, '--', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', BIN, 'serve',
      '--listen', '127.0.0.1:0', ...serveArgs],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return { proc, port: await listeningPort(proc, onOutput) };
}

// Starts `BIN serve --listen 127.0.0.1:PORT ...serveArgs` in the network
// namespace of process `pid` (a node restarting where the browser still
// reaches it). Resolves like startNode.
export async function startNodeIn(pid, port, serveArgs, onOutput = () => {}) {
  const proc = spawn(
    'nsenter',
    [...nsenterArgs(pid), '--', BIN, 'serve', '--listen', `127.0.0.1:${port}`, ...serveArgs],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return { proc, port: await listeningPort(proc, onOutput) };
}

// A process that keeps the network namespace of process `pid` alive after
// that process exits; resolves once it is inside. Killed when the test
// process exits.
export async function holdNamespace(pid) {
  const proc = spawn('nsenter', [...nsenterArgs(pid), '--', 'sleep', '600'], { stdio: 'ignore' });
  started.push(proc);
  const namespace = (p) => {
    try {
      return fs.readlinkSync(`/proc/${p}/ns/net`);
    } catch {
      return null;
    }
  };
  const target = namespace(pid);
  if (!target) throw new Error(`process ${pid} is gone`);
  for (const deadline = Date.now() + 5000; namespace(proc.pid) !== target; ) {
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error('could not enter the namespace');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return proc;
}

// The port a starting node reports, once it accepts connections.
async function listeningPort(proc, onOutput) {
  started.push(proc);
  proc.stderr.on('data', onOutput);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('node did not start listening in 10 s')), 10000);
    proc.stdout.on('data', (d) => {
      onOutput(d);
      out += d;
      const m = /^bridgecast listening on https:\/\/127\.0\.0\.1:(\d+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`node exited (${code ?? signal}) before listening`));
    });
  });
}

// SIGTERM, then SIGKILL after 3 s; resolves once the node has exited.
export function stopNode(proc) {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
  return exited.finally(() => clearTimeout(timer));
}

// A script in `dir` that runs Chromium inside the namespace of process `pid`.
// Chromium honours only the last of repeated --disable-features switches, so
// the wrapper merges Playwright's with the test's.
export function chromiumWrapper(dir, pid) {
  const file = path.join(dir, 'chromium-in-netns');
  const nsenter = nsenterArgs(pid).map((a) => `'${a}'`).join(' ');
  fs.writeFileSync(
    file,
    `#!/bin/sh
features=
for a in "$@"; do
  shift
  case "$a" in
    --disable-features=*) features="$features\${features:+,}\${a#--disable-features=}" ;;
    *) set -- "$@" "$a" ;;
  esac
done
exec nsenter ${nsenter} -- '${CHROMIUM}' "$@" \${features:+"--disable-features=$features"}
`,
    { mode: 0o755 },
  );
  return file;
}
