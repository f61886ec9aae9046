// End-to-end test of the review page (web/review.html, web/static/review.js,
// hls.js) in Debian's Chromium against the real node: a conference is recorded
// for ~12 s with two agenda items, then the page plays the session as HLS and
// jumps to the second item's chapter.
//
// Isolation as in point_page.test.mjs (harness.mjs): node and browser share a private
// network namespace with only a loopback interface.
// Needs: node >= 20, chromium, util-linux, iproute2, root or user namespaces;
// `npm ci` in this directory. Env: BRIDGECAST_BIN, CHROMIUM_BIN.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { chromium } from 'playwright-core';

import { BIN, chromiumWrapper, startNode, stopNode } from './harness.mjs';

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridgecast-review-'));
const stateDir = path.join(workDir, 'state');
let nodeProc = null;
let nodeLog = '';
let browser = null;
let origin = '';

function token(role) {
  const links = JSON.parse(fs.readFileSync(path.join(stateDir, 'join-links.json'), 'utf8'));
  return execFileSync(BIN, ['token', '--conference', links.conference.id, '--role', role,
    '--state-dir', stateDir], { encoding: 'utf8', timeout: 10000 }).trim();
}

before(async () => {
  assert.ok(fs.existsSync(BIN), `node binary not found: ${BIN} (set BRIDGECAST_BIN)`);
  const started = await startNode(
    ['--state-dir', stateDir, '--ice-address', '127.0.0.1', '--video-size', '320x180', '--video-kbps', '300'],
    (d) => { nodeLog = (nodeLog + d).slice(-20000); },
  );
  nodeProc = started.proc;
  origin = `https://127.0.0.1:${started.port}`;
  browser = await chromium.launch({
    executablePath: chromiumWrapper(workDir, nodeProc.pid),
    headless: true,
    timeout: 15000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--ignore-certificate-errors',
      '--autoplay-policy=no-user-gesture-required'],
  });
});

after(async () => {
  if (browser) await browser.close().catch(() => {});
  await stopNode(nodeProc);
  fs.rmSync(workDir, { recursive: true, force: true });
});

// The chair's commands over the page's own WebSocket, one every `gapMs`.
function chairCommands(page, chair, commands, gapMs) {
  return page.evaluate(async ({ chair, commands, gapMs }) => {
    const ws = new WebSocket(`wss://${location.host}/ws`, 'bridgecast.v1');
    const replies = [];
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.type === 'ack' || m.type === 'error') replies.push(m);
    };
    await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
    ws.send(JSON.stringify({ type: 'hello', token: chair }));
    for (const [i, command] of commands.entries()) {
      ws.send(JSON.stringify({ type: 'command', id: i, command }));
      await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
    ws.close();
    return replies;
  }, { chair, commands, gapMs });
}

test('the review page plays a recorded session and jumps to an agenda item', { timeout: 90000 }, async () => {
  const page = await browser.newPage();
  const consoleLines = [];
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
  try {
    // Without a token the page asks for one.
    await page.goto(`${origin}/review`, { timeout: 10000 });
    await page.waitForFunction(() => document.body.dataset.state === 'login', null, { timeout: 5000 });

    const chair = token('chair');
    const started = await chairCommands(page, chair, [{ type: 'conference.start' }, { type: 'agenda.start' }], 6000);
    const next = await chairCommands(page, chair, [{ type: 'agenda.next' }], 6000);
    for (const reply of [...started, ...next]) assert.equal(reply.type, 'ack', JSON.stringify(reply));

    const review = await browser.newPage();
    review.on('console', (m) => consoleLines.push(`review ${m.type()}: ${m.text()}`));
    review.on('pageerror', (e) => consoleLines.push(`review pageerror: ${e.message}`));
    await review.goto(`${origin}/review#token=${token('reviewer')}`, { timeout: 10000 });
    await review.waitForFunction(() => ['ready', 'playing', 'error'].includes(document.body.dataset.state), null,
      { timeout: 20000 });
    assert.notEqual(await review.evaluate(() => document.body.dataset.state), 'error',
      await review.textContent('#error-text'));
    const chapters = await review.$$eval('#chapters button', (buttons) =>
      buttons.map((b) => ({ item: b.dataset.item, start: Number(b.dataset.start) })));
    assert.equal(chapters.length, 2, JSON.stringify(chapters));
    assert.ok(chapters[1].start > chapters[0].start + 4000, JSON.stringify(chapters));
    assert.equal(await review.isVisible('#minutes'), true);

    await review.click('#chapters li:nth-child(2) button');
    await review.waitForFunction((start) => {
      const v = document.getElementById('player');
      return !v.seeking && v.currentTime >= start / 1000 - 0.5;
    }, chapters[1].start, { timeout: 10000 });
    const sample = () => review.evaluate(() => {
      const v = document.getElementById('player');
      return { time: v.currentTime, frames: v.getVideoPlaybackQuality().totalVideoFrames, width: v.videoWidth };
    });
    const a = await sample();
    await sleep(2000);
    const b = await sample();
    assert.equal(b.width, 320);
    assert.ok(a.time >= chapters[1].start / 1000 - 0.5, `sought to ${a.time} s for ${chapters[1].start} ms`);
    assert.ok(b.time - a.time >= 1, `currentTime ${a.time} → ${b.time}`);
    assert.ok(b.frames - a.frames >= 15, `frames ${a.frames} → ${b.frames}`);
  } catch (e) {
    e.message += `\n--- console ---\n${consoleLines.join('\n')}\n--- node log ---\n${nodeLog.slice(-3000)}`;
    throw e;
  }
});
