// End-to-end test of the bridge-point page (web/join.html, web/static/point.js)
// in Debian's Chromium, driven by playwright-core, against the real node.
//
// Isolation: the node and the browser run in a private network namespace that
// has only a loopback interface, so neither the WebRTC media nor anything
// else the two programs send (Chromium's background requests, libnice's UPnP
// discovery) can reach a non-loopback address. The test also checks that every
// ICE candidate exchanged is a loopback one.
//
// Needs: node >= 20, chromium, util-linux (unshare, nsenter), iproute2 (ip),
// root or unprivileged user namespaces; `npm ci` in this directory.
// Env: BRIDGECAST_BIN (node binary), CHROMIUM_BIN (default /usr/bin/chromium),
// BRIDGECAST_SCREENSHOT (optional path: where to save a screenshot of the page),
// BRIDGECAST_ARTIFACTS (optional directory: screenshots and the received
// pictures, to look at when a test fails),
// BRIDGECAST_NODE_LOG (optional path: where to write the node's whole output).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { chromium } from 'playwright-core';

import {
  BIN,
  CHROMIUM,
  checkTools,
  chromiumWrapper,
  nsenterArgs,
  holdNamespace,
  startNode as startNodeInNamespace,
  startNodeIn,
  stopNode,
} from './harness.mjs';

const SCREENSHOT = process.env.BRIDGECAST_SCREENSHOT || '';
const ARTIFACTS = process.env.BRIDGECAST_ARTIFACTS || '';
const NODE_LOG = process.env.BRIDGECAST_NODE_LOG || '';
const POINT = 'ha-noi';
const POINT_NAME = 'Thành ủy Hà Nội';
const VIDEO = { width: 640, height: 360, fps: 30 };

// Every wait is bounded, and all of them together by one deadline, so the
// whole file ends within about a minute even when the page never plays.
const DEADLINE = Date.now() + 60000;
const within = (ms) => Math.max(500, Math.min(ms, DEADLINE - Date.now()));

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridgecast-browser-'));
let nodeProc = null;
let nodeLog = '';
let context = null;
let origin = '';
let links = null;

// ---- the node, in a network namespace of its own --------------------------------------------

const stateDir = path.join(workDir, 'state');
const SERVE_ARGS = ['--state-dir', stateDir, '--ice-address', '127.0.0.1',
  '--video-size', `${VIDEO.width}x${VIDEO.height}`, '--video-kbps', '600', '--fps', String(VIDEO.fps)];
const logFile = NODE_LOG ? fs.openSync(NODE_LOG, 'w') : null;
function keepNodeOutput(d) {
  nodeLog = (nodeLog + d).slice(-20000);
  if (logFile !== null) fs.writeSync(logFile, d);
}

async function startNode() {
  const started = await startNodeInNamespace(SERVE_ARGS, keepNodeOutput);
  nodeProc = started.proc;
  origin = `https://127.0.0.1:${started.port}`;
  links = JSON.parse(fs.readFileSync(path.join(stateDir, 'join-links.json'), 'utf8'));
  return started.port;
}

// The certificate the node actually serves, fetched from inside its namespace.
function servedCertificate(port) {
  const script = `
    const s = require('node:tls').connect({ host: '127.0.0.1', port: ${port}, rejectUnauthorized: false }, () => {
      process.stdout.write(s.getPeerCertificate().raw.toString('base64'));
      s.end();
    });
    s.on('error', (e) => { console.error(e.message); process.exit(1); });
    setTimeout(() => process.exit(2), 5000).unref();`;
  const der = execFileSync('nsenter', [...nsenterArgs(nodeProc.pid), '--', process.execPath, '-e', script], {
    timeout: 10000,
    encoding: 'utf8',
  });
  return new crypto.X509Certificate(Buffer.from(der, 'base64'));
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

// ---- the page under test ----------------------------------------------------------------------

// Runs in the page before its own scripts: keeps the peer connections for
// getStats and counts the video frames the page presents.
function instrumentPage() {
  const probe = { pcs: [], frames: 0, firstFrameAt: null };
  window.__probe = probe;
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      probe.pcs.push(this);
    }
  };
  document.addEventListener('DOMContentLoaded', () => {
    const video = document.querySelector('video');
    if (!video || !video.requestVideoFrameCallback) return;
    const tick = (now) => {
      if (probe.firstFrameAt === null) probe.firstFrameAt = now;
      probe.frames += 1;
      video.requestVideoFrameCallback(tick);
    };
    video.requestVideoFrameCallback(tick);
  });
}

// Every WebSocket the page opens, with its frames decoded.
function recordSockets(page) {
  const sockets = [];
  page.on('websocket', (ws) => {
    const record = { url: ws.url(), sent: [], received: [], closed: false };
    sockets.push(record);
    const decode = (f) => {
      try {
        return JSON.parse(typeof f.payload === 'string' ? f.payload : f.payload.toString());
      } catch {
        return { type: '(not json)' };
      }
    };
    ws.on('framesent', (f) => record.sent.push(decode(f)));
    ws.on('framereceived', (f) => record.received.push(decode(f)));
    ws.on('close', () => {
      record.closed = true;
    });
  });
  return sockets;
}

function candidateAddress(line) {
  // candidate:<foundation> <component> <transport> <priority> <address> <port> typ ...
  const fields = line.replace(/^a=/, '').trim().split(/\s+/);
  assert.ok(fields.length >= 8 && fields[0].startsWith('candidate:'), `not a candidate: ${line}`);
  return fields[4];
}

function isLoopback(address) {
  return /^127\.\d+\.\d+\.\d+$/.test(address) || address === '::1';
}

async function sample(page) {
  return page.evaluate(async () => {
    const video = document.getElementById('program');
    const pc = window.__probe.pcs.at(-1);
    const out = {
      state: document.body.dataset.state,
      width: video.videoWidth,
      height: video.videoHeight,
      currentTime: video.currentTime,
      totalVideoFrames: video.getVideoPlaybackQuality().totalVideoFrames,
      presentedFrames: window.__probe.frames,
      at: performance.now(),
      firstFrameAt: window.__probe.firstFrameAt,
      videoBytes: 0,
      framesDecoded: 0,
      audioPackets: 0,
      pair: null,
    };
    const stats = await pc.getStats();
    stats.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') {
        out.videoBytes += s.bytesReceived;
        out.framesDecoded += s.framesDecoded;
      }
      if (s.type === 'inbound-rtp' && s.kind === 'audio') out.audioPackets += s.packetsReceived;
      if (s.type === 'transport' && s.selectedCandidatePairId) {
        const pair = stats.get(s.selectedCandidatePairId);
        out.pair = {
          state: pair.state,
          local: stats.get(pair.localCandidateId).address,
          remote: stats.get(pair.remoteCandidateId).address,
        };
      }
    });
    return out;
  });
}

// ---- what the page shows and plays ----------------------------------------------------------

// The program's picture is videotestsrc pattern=smpte: in its top two thirds
// seven bars, named here by the channels they light (grey, yellow, cyan,
// green, magenta, red, blue), scrolling left (horizontal-speed=2) and
// wrapping round; a clock ticks at the bottom right, the capture stamp sits
// in the top rows.
const BARS = ['rgb', 'rg', 'gb', 'g', 'rb', 'r', 'b'];

// The frame the <video> element shows, drawn into a canvas: one row across
// the bars, a coarse grid of the whole frame, and the frame as a PNG.
async function grabPicture(page) {
  return page.evaluate(() => {
    const video = document.getElementById('program');
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const g = canvas.getContext('2d', { willReadFrequently: true });
    g.drawImage(video, 0, 0);
    const { width, height } = canvas;
    const rowY = Math.round(height * 0.3);
    const row = Array.from(g.getImageData(0, rowY, width, 1).data);
    const all = g.getImageData(0, 0, width, height).data;
    const grid = [];
    for (let y = 4; y < height; y += 8) {
      for (let x = 4; x < width; x += 8) {
        const i = (y * width + x) * 4;
        grid.push(all[i], all[i + 1], all[i + 2]);
      }
    }
    return { width, height, rowY, row, grid, png: canvas.toDataURL('image/png') };
  });
}

// The channels a pixel lights ('' for black), or null for a colour in between.
function litChannels(r, g, b) {
  const levels = [r, g, b].map((v) => (v >= 140 ? 1 : v <= 70 ? 0 : null));
  if (levels.includes(null)) return null;
  return ['r', 'g', 'b'].filter((_, i) => levels[i]).join('');
}

// The row as runs of one bar colour, at least 6 px wide (edges blur with
// chroma subsampling; a stray pixel inside a bar does not split it), and
// the share of pixels that belong to a run.
function barsInRow(row) {
  const runs = [];
  let covered = 0;
  const width = row.length / 4;
  for (let x = 0; x < width; ) {
    const color = litChannels(row[4 * x], row[4 * x + 1], row[4 * x + 2]);
    let end = x + 1;
    while (end < width && litChannels(row[4 * end], row[4 * end + 1], row[4 * end + 2]) === color) end += 1;
    if (color !== null && end - x >= 6) {
      if (runs.at(-1)?.color === color) runs.at(-1).to = end;
      else runs.push({ color, from: x, to: end });
      covered += end - x;
    }
    x = end;
  }
  return { runs, covered: covered / width };
}

// Fails unless `picture` shows the SMPTE bars in their order.
function assertColourBars(picture) {
  const { runs, covered } = barsInRow(picture.row);
  const seen = runs.map((r) => r.color);
  const detail = `row y=${picture.rowY}: ${runs.map((r) => `${r.color || 'black'}@${r.from}-${r.to}`).join(' ')}`;
  assert.ok(covered >= 0.9, `only ${Math.round(covered * 100)}% of the row is bar colours; ${detail}`);
  assert.ok(seen.every((c) => BARS.includes(c)), `a colour that is no bar; ${detail}`);
  assert.ok(new Set(seen).size >= 6, `fewer than 6 of the 7 bars; ${detail}`);
  for (let i = 1; i < seen.length; i += 1) {
    const expected = BARS[(BARS.indexOf(seen[i - 1]) + 1) % BARS.length];
    assert.equal(seen[i], expected, `bars out of order; ${detail}`);
  }
}

// Share of the grid's points whose colour moved by more than 40 in a channel.
function changedShare(a, b) {
  let changed = 0;
  for (let i = 0; i < a.grid.length; i += 3) {
    if ([0, 1, 2].some((c) => Math.abs(a.grid[i + c] - b.grid[i + c]) > 40)) changed += 1;
  }
  return changed / (a.grid.length / 3);
}

// Listens to the program's decoded audio for `ms` through WebAudio, in blocks
// of 2048 samples: each block's peak and RMS. The <video> keeps playing the
// stream (without an element playing it, WebAudio gets silence).
async function listen(page, ms) {
  return page.evaluate(async (ms) => {
    const video = document.getElementById('program');
    const ctx = new AudioContext();
    await ctx.resume();
    const source = ctx.createMediaStreamSource(video.srcObject);
    const tap = ctx.createScriptProcessor(2048, 1, 1);
    const blocks = [];
    tap.onaudioprocess = (e) => {
      const x = e.inputBuffer.getChannelData(0);
      let peak = 0;
      let sum = 0;
      for (const v of x) {
        peak = Math.max(peak, Math.abs(v));
        sum += v * v;
      }
      blocks.push({ t: e.playbackTime, peak, rms: Math.sqrt(sum / x.length) });
    };
    source.connect(tap);
    tap.connect(ctx.destination);
    await new Promise((resolve) => setTimeout(resolve, ms));
    source.disconnect();
    tap.disconnect();
    const state = ctx.state;
    await ctx.close();
    return { state, blocks };
  }, ms);
}

// Ticks heard: runs of loud blocks, separated by more than half a second.
function ticksIn(blocks) {
  const ticks = [];
  for (const b of blocks) {
    if (b.rms < 0.02) continue;
    if (!ticks.length || b.t - ticks.at(-1).t > 0.5) ticks.push({ t: b.t, peak: b.peak });
  }
  return ticks;
}

function saveArtifact(name, data) {
  if (!ARTIFACTS) return;
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  fs.writeFileSync(path.join(ARTIFACTS, name), data);
}

function savePicture(name, picture) {
  saveArtifact(name, Buffer.from(picture.png.replace(/^data:image\/png;base64,/, ''), 'base64'));
}

function forgeToken(token) {
  // Change a character in the middle of the signature (not the last one, whose
  // low bits are padding that a decoder may ignore).
  const dot = token.lastIndexOf('.');
  const i = dot + 10;
  const swapped = token[i] === 'A' ? 'B' : 'A';
  return token.slice(0, i) + swapped + token.slice(i + 1);
}

// ---- setup and teardown -----------------------------------------------------------------------

before(async () => {
  assert.ok(fs.existsSync(BIN), `node binary not found: ${BIN} (set BRIDGECAST_BIN)`);
  assert.ok(fs.existsSync(CHROMIUM), `chromium not found: ${CHROMIUM} (set CHROMIUM_BIN)`);
  checkTools();
  const port = await startNode();

  const cert = servedCertificate(port);
  assert.equal(cert.fingerprint256, links.certificate_sha256, 'served certificate is not the one in join-links.json');
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  const spkiHash = crypto.createHash('sha256').update(spki).digest('base64');

  context = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(workDir, 'profile-')), {
    executablePath: chromiumWrapper(workDir, nodeProc.pid),
    headless: true,
    timeout: 15000,
    viewport: { width: 1280, height: 800 },
    locale: 'vi-VN',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      // WebAudio runs without a click, as in a kiosk at the point.
      '--autoplay-policy=no-user-gesture-required',
      // ICE: offer the loopback address, as itself (no mDNS name).
      '--allow-loopback-in-peer-connection',
      '--disable-features=WebRtcHideLocalIpsWithMdns',
      // Trust exactly the node's self-signed certificate.
      `--ignore-certificate-errors-spki-list=${spkiHash}`,
    ],
  });
  await context.addInitScript(instrumentPage);
});

after(async () => {
  if (context) await withTimeout(context.close(), 5000, 'closing the browser').catch(() => {});
  await stopNode(nodeProc);
  fs.rmSync(workDir, { recursive: true, force: true });
});

async function openPage(t) {
  const page = await context.newPage();
  const sockets = recordSockets(page);
  const consoleLines = [];
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => consoleLines.push(`request failed: ${r.url().split('#')[0]}: ${r.failure()?.errorText}`));
  t.after(async () => {
    await page.close().catch(() => {});
  });
  return { page, sockets, consoleLines };
}

// Adds the node's log and the page's console to a failure.
async function explain(work, ...consoleLines) {
  try {
    await work();
  } catch (e) {
    e.message += `\n--- page console ---\n${consoleLines.flat().join('\n')}\n--- node log (tail) ---\n${nodeLog.slice(-4000)}`;
    throw e;
  }
}

// ---- tests ------------------------------------------------------------------------------------

test('the point page joins, plays the program and keeps receiving it', { timeout: 45000 }, async (t) => {
  const { page, sockets, consoleLines } = await openPage(t);
  const point = links.points.find((p) => p.point === POINT);
  assert.ok(point, `join-links.json has no point ${POINT}`);
  assert.equal(point.name, POINT_NAME);
  assert.ok(point.url.startsWith(`${origin}/join#t=`), point.url);

  await explain(async () => {
    const started = Date.now();
    await page.goto(point.url, { timeout: within(10000) });
    await page.waitForFunction(() => document.body.dataset.state === 'playing', null, { timeout: within(20000) });
    const playingAfter = Date.now() - started;

    // The welcome message's texts.
    assert.equal(await page.textContent('#point'), POINT_NAME);
    assert.equal(await page.textContent('#conference'), links.conference.title);
    assert.equal(await page.title(), `${POINT_NAME} — bridgecast`);
    assert.equal(await page.isVisible('#error'), false);
    // This browser allows autoplay with sound: the program starts unmuted, no button needed.
    assert.equal(await page.evaluate(() => document.getElementById('program').muted), false);
    assert.equal(await page.isVisible('#unmute'), false, 'no unmute button when the sound is on');

    // The program: its size, both tracks, frames advancing, bytes arriving.
    await page.waitForFunction(() => window.__probe.frames > 0, null, { timeout: within(5000) });
    const a = await sample(page);
    assert.equal(a.width, VIDEO.width);
    assert.equal(a.height, VIDEO.height);
    const tracks = await page.evaluate(() => {
      const s = document.getElementById('program').srcObject;
      return { video: s.getVideoTracks().length, audio: s.getAudioTracks().length };
    });
    assert.deepEqual(tracks, { video: 1, audio: 1 });

    // The picture is the program's test pattern, and it moves.
    const before = await grabPicture(page);
    savePicture('point_page-frame-1.png', before);
    assert.equal(before.width, VIDEO.width);
    assertColourBars(before);
    // 3 s of the decoded sound: the program ticks once a second.
    const heard = await listen(page, 3000);
    const after = await grabPicture(page);
    savePicture('point_page-frame-2.png', after);
    assertColourBars(after);
    const changed = changedShare(before, after);
    assert.ok(changed >= 0.2, `the picture did not move in 3 s: ${Math.round(changed * 100)}% of it changed`);
    const ticks = ticksIn(heard.blocks);
    const quiet = heard.blocks.filter((x) => x.rms < 0.005).length;
    const audioDetail = `context ${heard.state}, ${heard.blocks.length} blocks, ticks at ${ticks.map((x) => `${x.t.toFixed(2)} s (peak ${x.peak.toFixed(3)})`).join(', ')}, ${quiet} quiet blocks`;
    assert.ok(heard.blocks.length >= 40, `WebAudio processed too little: ${audioDetail}`);
    assert.ok(ticks.length >= 2 && ticks.length <= 4, `expected a tick a second: ${audioDetail}`);
    assert.ok(Math.max(...ticks.map((x) => x.peak)) >= 0.05, `ticks too faint: ${audioDetail}`);
    assert.ok(quiet >= heard.blocks.length / 2, `no silence between the ticks: ${audioDetail}`);
    const b = await sample(page);
    assert.equal(b.state, 'playing');
    assert.ok(b.totalVideoFrames - a.totalVideoFrames >= 30, `decoded frames: ${a.totalVideoFrames} → ${b.totalVideoFrames}`);
    // And no more than the program made (5% and a few frames in flight at either sample).
    const made = (VIDEO.fps * (b.at - a.at)) / 1000;
    assert.ok(b.totalVideoFrames - a.totalVideoFrames <= 1.05 * made + 5,
      `decoded ${b.totalVideoFrames - a.totalVideoFrames} frames while the program made ${made.toFixed(1)}`);
    assert.ok(b.presentedFrames - a.presentedFrames >= 30, `presented frames: ${a.presentedFrames} → ${b.presentedFrames}`);
    assert.ok(b.currentTime - a.currentTime >= 2, `currentTime: ${a.currentTime} → ${b.currentTime}`);
    assert.ok(b.videoBytes - a.videoBytes >= 30000, `inbound video bytes: ${a.videoBytes} → ${b.videoBytes}`);
    assert.ok(b.audioPackets > a.audioPackets, `inbound audio packets: ${a.audioPackets} → ${b.audioPackets}`);

    // Loopback only: every candidate offered either way, and the pair in use.
    const messages = sockets.flatMap((s) => [...s.sent, ...s.received]);
    const offer = messages.find((m) => m.type === 'offer');
    const answer = messages.find((m) => m.type === 'answer');
    assert.ok(offer && answer, 'no offer/answer exchanged');
    const nodeCandidates = [
      ...offer.sdp.split(/\r?\n/).filter((l) => l.startsWith('a=candidate:')),
      ...sockets.flatMap((s) => s.received).filter((m) => m.type === 'ice' && m.candidate).map((m) => m.candidate),
    ];
    const pageCandidates = [
      ...answer.sdp.split(/\r?\n/).filter((l) => l.startsWith('a=candidate:')),
      ...sockets.flatMap((s) => s.sent).filter((m) => m.type === 'ice' && m.candidate).map((m) => m.candidate),
    ];
    assert.ok(nodeCandidates.length > 0 && pageCandidates.length > 0, 'candidates were not exchanged');
    for (const c of [...nodeCandidates, ...pageCandidates]) {
      assert.ok(isLoopback(candidateAddress(c)), `non-loopback candidate: ${c}`);
    }
    assert.equal(b.pair?.state, 'succeeded');
    assert.ok(isLoopback(b.pair.local) && isLoopback(b.pair.remote), JSON.stringify(b.pair));

    if (SCREENSHOT) await page.screenshot({ path: SCREENSHOT });
    saveArtifact('point_page.png', await page.screenshot());

    const firstFrame = await page.evaluate(() => window.__probe.firstFrameAt);
    t.diagnostic(`playing ${playingAfter} ms after navigation; first frame ${Math.round(firstFrame)} ms after navigation start`);
    t.diagnostic(`signaling sockets opened: ${sockets.length} (the first that got a welcome: #${sockets.findIndex((s) => s.received.some((m) => m.type === 'welcome')) + 1})`);
    t.diagnostic(`in ${((b.at - a.at) / 1000).toFixed(2)} s (${made.toFixed(1)} frames made): ${b.totalVideoFrames - a.totalVideoFrames} frames decoded, ${b.presentedFrames - a.presentedFrames} presented, ${b.videoBytes - a.videoBytes} video bytes`);
    t.diagnostic(`picture: ${Math.round(changed * 100)}% changed in 3 s; sound: ${audioDetail}`);
    t.diagnostic(`candidates: node ${nodeCandidates.length}, page ${pageCandidates.length}; pair ${b.pair.local} ↔ ${b.pair.remote}`);
  }, consoleLines);
});

test('a forged token shows bad_token and is not retried', { timeout: 30000 }, async (t) => {
  const { page, sockets, consoleLines } = await openPage(t);
  const point = links.points.find((p) => p.point === POINT);
  const url = `${origin}/join#t=${forgeToken(point.token)}`;
  await explain(async () => {
    await page.goto(url, { timeout: within(10000) });
    await page.waitForFunction(() => document.body.dataset.state === 'error', null, { timeout: within(12000) });
    assert.equal(await page.evaluate(() => document.body.dataset.error), 'bad_token');
    assert.equal(await page.isVisible('#error'), true);
    assert.equal(await page.textContent('#error-code'), 'bad_token');
    assert.match(await page.textContent('#error-text'), /Mã truy cập không hợp lệ.*liên hệ ban tổ chức/);
    assert.equal(await page.isVisible('#retry'), false);
    assert.equal(await page.isVisible('#unmute'), false);
    assert.equal(await page.isVisible('#program'), false, 'the error takes the place of the picture');
    const rejected = sockets.flatMap((s) => s.received).find((m) => m.type === 'error');
    assert.equal(rejected?.code, 'bad_token');
    assert.equal(rejected?.fatal, true);
    assert.equal(await page.textContent('#point'), 'Điểm cầu', 'a rejected token must not get a welcome');

    const opened = sockets.length;
    await sleep(4000);
    assert.equal(sockets.length, opened, 'the page reconnected after a fatal bad_token');
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'error');
  }, consoleLines);
});

test('a second page for the same point replaces the first, which does not fight back', { timeout: 25000 }, async (t) => {
  const first = await openPage(t);
  const second = await openPage(t);
  const point = links.points.find((p) => p.point === 'hai-phong');
  await explain(async () => {
    await first.page.goto(point.url, { timeout: within(10000) });
    await first.page.waitForFunction(() => document.getElementById('point').textContent !== 'Điểm cầu', null, {
      timeout: within(10000),
    });
    await second.page.goto(point.url, { timeout: within(10000) });
    await first.page.waitForFunction(() => document.body.dataset.state === 'error', null, { timeout: within(10000) });
    assert.equal(await first.page.evaluate(() => document.body.dataset.error), 'replaced');
    assert.equal(await first.page.isVisible('#retry'), true, 'a replaced page offers to reconnect by hand');
    assert.equal(await first.page.isVisible('#unmute'), false);
    await second.page.waitForFunction(() => document.body.dataset.state === 'playing', null, { timeout: within(15000) });
    const opened = first.sockets.length;
    await sleep(2000);
    assert.equal(first.sockets.length, opened, 'the replaced page reconnected by itself');
    assert.equal(await second.page.evaluate(() => document.body.dataset.state), 'playing');
  }, first.consoleLines, second.consoleLines);
});

test('a link without a token shows an error and opens no socket', { timeout: 20000 }, async (t) => {
  const { page, sockets, consoleLines } = await openPage(t);
  await explain(async () => {
    await page.goto(`${origin}/join`, { timeout: within(10000) });
    await page.waitForFunction(() => document.body.dataset.state === 'error', null, { timeout: within(5000) });
    assert.equal(await page.evaluate(() => document.body.dataset.error), 'no_token');
    assert.equal(await page.textContent('#error-code'), 'no_token');
    await sleep(1000);
    assert.equal(sockets.length, 0);
  }, consoleLines);
});

// Last: it restarts the node. The page has to find it again by itself.
test('the page reconnects across a node restart and resumes from the last event', { timeout: 45000 }, async (t) => {
  const { page, sockets, consoleLines } = await openPage(t);
  const point = links.points.find((p) => p.point === 'da-nang');
  await explain(async () => {
    await page.goto(point.url, { timeout: within(10000) });
    await page.waitForFunction(() => document.body.dataset.state === 'playing', null, { timeout: within(15000) });
    await page.evaluate(() => {
      window.__sameDocument = true; // gone if the page reloads
    });
    const seen = sockets[0].received;
    const lastSeq = Math.max(
      ...seen.filter((m) => m.type === 'snapshot').map((m) => m.seq),
      ...seen.filter((m) => m.type === 'event').map((m) => m.event.seq),
    );

    // A crash: no goodbye to the page. The namespace outlives the node.
    const holder = await holdNamespace(nodeProc.pid);
    t.after(() => holder.kill('SIGKILL'));
    const port = new URL(origin).port;
    const killed = new Promise((resolve) => nodeProc.once('exit', resolve));
    nodeProc.kill('SIGKILL');
    await killed;
    await page.waitForFunction(() => document.body.dataset.state === 'reconnecting', null, { timeout: within(5000) });
    const restartedAt = Date.now();
    nodeProc = (await startNodeIn(holder.pid, port, SERVE_ARGS, keepNodeOutput)).proc;

    await page.waitForFunction(() => document.body.dataset.state === 'playing', null, { timeout: within(20000) });
    const playingAgain = Date.now() - restartedAt;
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page reloaded');
    const resumed = sockets.find((s) => s !== sockets[0] && s.received.some((m) => m.type === 'welcome'));
    assert.ok(resumed, 'no new signaling socket got a welcome');
    const hello = resumed.sent.find((m) => m.type === 'hello');
    assert.equal(hello.last_seq, lastSeq, 'hello must carry the last seq seen');
    // Only what was missed (the node's leave for the point after the crash and
    // its join now), no snapshot.
    assert.ok(!resumed.received.some((m) => m.type === 'snapshot'), 'resumed with a snapshot');
    const missed = resumed.received.filter((m) => m.type === 'event').map((m) => m.event);
    assert.ok(missed.length >= 1 && missed.every((e) => e.seq > lastSeq), JSON.stringify(missed));

    // The program again: frames presented, the bars on screen.
    const a = await sample(page);
    await page.waitForFunction((n) => window.__probe.frames > n + 15, a.presentedFrames, { timeout: within(5000) });
    const picture = await grabPicture(page);
    savePicture('point_page-after-restart.png', picture);
    assertColourBars(picture);
    t.diagnostic(`playing again ${playingAgain} ms after the node was restarted; ${sockets.length} sockets opened; missed events: ${missed.map((e) => `${e.seq} ${e.type}`).join(', ')}`);
  }, consoleLines);
});
