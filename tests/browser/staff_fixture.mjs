// What the staff page tests (console, operator, landing) share on top of
// harness.mjs: the node and Chromium in their private network namespace,
// tokens minted with `bridgecast token`, bridge points simulated by plain
// WebSockets inside a page, screenshots, and the accessibility smoke check.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { chromium } from 'playwright-core';

import { BIN, CHROMIUM, checkTools, chromiumWrapper, startNode, stopNode } from './harness.mjs';

// Screenshots go to build/test-artifacts (CMake passes the path).
export const ARTIFACTS =
  process.env.BRIDGECAST_ARTIFACTS ||
  path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../build/test-artifacts');

// `config`: an object written as the node's config file (`serve --config`),
// e.g. {ingest: {sources: [...]}}; none by default. `browserArgs`: more
// Chromium switches (e.g. fakeCaptureArgs()).
export async function startStaffFixture(prefix, serveArgs = [], config = null, browserArgs = []) {
  assert.ok(fs.existsSync(BIN), `node binary not found: ${BIN} (set BRIDGECAST_BIN)`);
  assert.ok(fs.existsSync(CHROMIUM), `chromium not found: ${CHROMIUM} (set CHROMIUM_BIN)`);
  checkTools();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `bridgecast-${prefix}-`));
  const stateDir = path.join(workDir, 'state');
  if (config) {
    const file = path.join(workDir, 'config.json');
    fs.writeFileSync(file, JSON.stringify(config));
    serveArgs = ['--config', file, ...serveArgs];
  }
  const f = { workDir, stateDir, nodeLog: '', browser: null, proc: null, origin: '', links: null };
  const started = await startNode(
    [
      '--state-dir',
      stateDir,
      '--ice-address',
      '127.0.0.1',
      '--video-size',
      '320x180',
      '--video-kbps',
      '300',
      ...serveArgs,
    ],
    (d) => {
      f.nodeLog = (f.nodeLog + d).slice(-20000);
    },
  );
  f.proc = started.proc;
  f.origin = `https://127.0.0.1:${started.port}`;
  f.links = JSON.parse(fs.readFileSync(path.join(stateDir, 'join-links.json'), 'utf8'));
  f.browser = await chromium.launch({
    executablePath: chromiumWrapper(workDir, f.proc.pid),
    headless: true,
    timeout: 15000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--ignore-certificate-errors',
      '--autoplay-policy=no-user-gesture-required',
      '--allow-loopback-in-peer-connection',
      '--disable-features=WebRtcHideLocalIpsWithMdns',
      ...browserArgs,
    ],
  });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return f;
}

// Chromium switches that give every page a fake camera showing one solid
// colour (`color`, an ffmpeg colour such as "blue", 640x360) and a fake
// microphone playing a `hz` sine, with permission granted without a prompt.
// The Y4M and WAV files are made with ffmpeg in `dir`.
export function fakeCaptureArgs(dir, { color = 'blue', hz = 660 } = {}) {
  const video = path.join(dir, `camera-${color}.y4m`);
  const audio = path.join(dir, `microphone-${hz}.wav`);
  const ffmpeg = (args) => execFileSync('ffmpeg', ['-v', 'error', '-y', ...args], { stdio: 'pipe', timeout: 30000 });
  ffmpeg(['-f', 'lavfi', '-i', `color=c=${color}:s=640x360:r=25`, '-t', '2', '-pix_fmt', 'yuv420p', video]);
  ffmpeg(['-f', 'lavfi', '-i', `sine=frequency=${hz}:sample_rate=48000`, '-t', '5', '-ac', '1', audio]);
  return [
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-video-capture=${video}`,
    `--use-file-for-fake-audio-capture=${audio}`,
  ];
}

// The colour of `video`'s pixel at (x, y), fractions of its width and height,
// as [r, g, b]; null before it has a picture.
export function videoPixel(page, selector, points) {
  return page.evaluate(
    ({ selector, points }) => {
      const v = document.querySelector(selector);
      if (!v || !v.videoWidth) return null;
      const canvas = document.createElement('canvas');
      canvas.width = v.videoWidth;
      canvas.height = v.videoHeight;
      const g = canvas.getContext('2d', { willReadFrequently: true });
      g.drawImage(v, 0, 0);
      return points.map(([x, y]) => {
        const px = g.getImageData(Math.floor(x * (v.videoWidth - 1)), Math.floor(y * (v.videoHeight - 1)), 1, 1).data;
        return [px[0], px[1], px[2]];
      });
    },
    { selector, points },
  );
}

// Pure blue as a decoded video shows it (H.264 and VP8 move it a little).
export const isBlue = ([r, g, b]) => b > 150 && r < 90 && g < 90;

export async function stopStaffFixture(f) {
  if (!f) return;
  if (f.browser) await f.browser.close().catch(() => {});
  await stopNode(f.proc);
  fs.rmSync(f.workDir, { recursive: true, force: true });
}

export function mintToken(f, role, point) {
  const args = ['token', '--conference', f.links.conference.id, '--role', role, '--state-dir', f.stateDir];
  if (point) args.push('--point', point);
  return execFileSync(BIN, args, { encoding: 'utf8', timeout: 10000 }).trim();
}

// A page whose console lines and errors are kept for a failure's message.
export async function openPage(f, lines, name, viewport = { width: 1366, height: 768 }) {
  const context = await f.browser.newContext({ viewport, locale: 'vi-VN', acceptDownloads: true });
  const page = await context.newPage();
  page.on('console', (m) => lines.push(`${name} ${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => lines.push(`${name} pageerror: ${e.message}`));
  return page;
}

// Bridge points as plain WebSockets inside `page` (which must be on the
// node's origin): window.__points[id] = {ws, messages}.
export async function connectPoint(page, id, token) {
  await page.evaluate(
    async ({ id, token }) => {
      window.__points = window.__points || {};
      const ws = new WebSocket(`wss://${location.host}/ws`, 'bridgecast.v1');
      const p = { ws, messages: [], replies: new Map(), nextId: 1 };
      window.__points[id] = p;
      ws.onmessage = (e) => {
        const m = JSON.parse(e.data);
        p.messages.push(m);
        if ((m.type === 'ack' || m.type === 'error') && m.id !== undefined) p.replies.set(m.id, m);
      };
      await new Promise((resolve, reject) => {
        ws.onopen = resolve;
        ws.onerror = reject;
      });
      ws.send(JSON.stringify({ type: 'hello', token }));
      const t0 = Date.now();
      while (!p.messages.some((m) => m.type === 'snapshot' || m.type === 'error')) {
        if (Date.now() - t0 > 5000) throw new Error(`${id}: no snapshot`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    { id, token },
  );
}

// Sends a command from simulated point `id`; resolves with its ack or error.
export function pointCommand(page, id, command) {
  return page.evaluate(
    async ({ id, command }) => {
      const p = window.__points[id];
      const cid = p.nextId++;
      p.ws.send(JSON.stringify({ type: 'command', id: cid, command }));
      const t0 = Date.now();
      while (!p.replies.has(cid)) {
        if (Date.now() - t0 > 5000) throw new Error(`${id}: no reply to ${command.type}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return p.replies.get(cid);
    },
    { id, command },
  );
}

export function pointMessages(page, id) {
  return page.evaluate((id) => window.__points[id].messages, id);
}

// The chair rejects question `id` on the console page: open the reason
// field, type `reason`, Enter.
export async function rejectQuestion(page, id, reason) {
  await page.click(`#questions li[data-question="${id}"] [data-key="question.reject-open:${id}"]`);
  await page.waitForFunction((key) => document.activeElement?.dataset.key === key, `reason:${id}`, {
    timeout: 8000,
  });
  await page.keyboard.type(reason);
  await page.keyboard.press('Enter');
}

export async function screenshots(page, name) {
  const files = [];
  for (const [w, hgt] of [
    [1366, 768],
    [390, 844],
  ]) {
    await page.setViewportSize({ width: w, height: hgt });
    await page.waitForTimeout(300);
    const file = path.join(ARTIFACTS, `${name}-${w}x${hgt}.png`);
    await page.screenshot({ path: file });
    files.push(file);
    // The page must not scroll sideways at either size.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${name} at ${w}x${hgt}: ${overflow} px wider than the window`);
  }
  await page.setViewportSize({ width: 1366, height: 768 });
  return files;
}

// Every control has an accessible name, and Tab reaches each of `wanted`
// (CSS selectors) from the top of the page.
export async function accessibilitySmoke(page, wanted) {
  const unnamed = await page.evaluate(() => {
    const named = (el) =>
      (el.getAttribute('aria-label') || '').trim() ||
      (el.getAttribute('aria-labelledby') &&
        document.getElementById(el.getAttribute('aria-labelledby'))?.textContent.trim()) ||
      (el.labels && [...el.labels].some((l) => l.textContent.trim())) ||
      (el.tagName === 'BUTTON' && el.textContent.trim()) ||
      (el.tagName === 'A' && el.textContent.trim());
    return [...document.querySelectorAll('button, input, select, textarea, a[href]')]
      .filter((el) => el.offsetParent !== null && !named(el))
      .map((el) => el.outerHTML.slice(0, 120));
  });
  assert.deepEqual(unnamed, [], 'controls without an accessible name');
  await page.evaluate(() => document.activeElement?.blur());
  await page.evaluate(() => window.scrollTo(0, 0));
  const reached = new Set();
  for (let i = 0; i < 250 && reached.size < wanted.length; i++) {
    await page.keyboard.press('Tab');
    for (const sel of wanted) {
      if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, sel)) reached.add(sel);
    }
  }
  assert.deepEqual(
    wanted.filter((s) => !reached.has(s)),
    [],
    'not reachable with Tab',
  );
}
