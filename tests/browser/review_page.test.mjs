// End-to-end test of the review page (web/review.html, web/static/review.js,
// hls.js) in Debian's Chromium against the real node: a conference is recorded
// for ~18 s with two agenda items, a question and a floor grant, then the page
// plays the session as HLS with sound, lists the question, draws the floor
// grant as a range under the player and lists it as a speaking turn, jumps to
// the second item's chapter and marks it as the one playing, jumps to the
// speaking turn — and no URL it loads or shows carries the token.
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
import { accessibilitySmoke } from './staff_fixture.mjs';

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridgecast-review-'));
const stateDir = path.join(workDir, 'state');
let nodeProc = null;
let nodeLog = '';
let browser = null;
let origin = '';

function links() {
  return JSON.parse(fs.readFileSync(path.join(stateDir, 'join-links.json'), 'utf8'));
}

function token(role) {
  return execFileSync(BIN, ['token', '--conference', links().conference.id, '--role', role,
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

// A bridge point joins over a WebSocket the page keeps open (window.point).
function joinPoint(page, pointToken) {
  return page.evaluate(async (pointToken) => {
    const ws = new WebSocket(`wss://${location.host}/ws`, 'bridgecast.v1');
    await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
    const welcomed = new Promise((resolve) => {
      ws.onmessage = (e) => { if (JSON.parse(e.data).type === 'welcome') resolve(); };
    });
    ws.send(JSON.stringify({ type: 'hello', token: pointToken }));
    await welcomed;
    window.point = ws;
  }, pointToken);
}

function pointAsks(page, text) {
  return page.evaluate((text) => new Promise((resolve) => {
    window.point.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.type === 'ack' || m.type === 'error') resolve(m);
    };
    window.point.send(JSON.stringify({ type: 'command', id: 'q', command: { type: 'question.submit', text } }));
  }), text);
}

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
    const point = links().points[0];
    await joinPoint(page, point.token);
    const started = await chairCommands(page, chair, [{ type: 'conference.start' }, { type: 'agenda.start' }], 3000);
    const asked = await pointAsks(page, 'Đề nghị làm rõ Điều 5?');
    const floor = await chairCommands(page, chair, [{ type: 'floor.grant', point: point.point },
      { type: 'floor.revoke' }], 3000);
    const next = await chairCommands(page, chair, [{ type: 'agenda.next' }], 6000);
    for (const reply of [...started, asked, ...floor, ...next]) {
      assert.equal(reply.type, 'ack', JSON.stringify(reply));
    }

    const review = await browser.newPage();
    const loaded = [];
    review.on('request', (r) => loaded.push(r.url()));
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
    // The token left the address bar, and no request of the page or its player carried it.
    assert.ok(!review.url().includes('token'), review.url());
    const withToken = loaded.filter((url) => url.includes('token'));
    assert.deepEqual(withToken, []);
    assert.ok(loaded.some((url) => url.endsWith('/index.m3u8')), loaded.join('\n'));
    assert.ok(!(await review.getAttribute('#minutes', 'href')).includes('token'));
    // The question, a jump into the recording, named by the point.
    const markers = await review.$$eval('#markers button', (buttons) => buttons.map((b) => b.textContent));
    assert.equal(markers.length, 1, JSON.stringify(markers));
    assert.ok(markers[0].includes(`Câu hỏi của ${point.name}: Đề nghị làm rõ Điều 5?`), markers[0]);
    // The floor grant: a ~3 s range on the track under the player, named by
    // the point on hover, and a speaking turn in the list.
    const turns = await review.$$eval('#speaking button', (buttons) => buttons.map((b) =>
      ({ text: b.textContent, start: Number(b.dataset.start), end: Number(b.dataset.end) })));
    assert.equal(turns.length, 1, JSON.stringify(turns));
    assert.ok(turns[0].text.includes(`${point.name}, đến `), turns[0].text);
    assert.match(turns[0].text, /\((2|3|4) giây\)$/);
    assert.ok(turns[0].end - turns[0].start >= 2000 && turns[0].end - turns[0].start <= 4500, JSON.stringify(turns));
    assert.ok(turns[0].start > chapters[0].start, JSON.stringify({ turns, chapters }));
    assert.equal(await review.textContent('#speaking-title'), 'Lượt phát biểu');
    const span = await review.$eval('#track .turn', (b) => ({ title: b.title, label: b.getAttribute('aria-label'),
      start: Number(b.dataset.start), box: b.getBoundingClientRect().toJSON(),
      track: b.parentElement.getBoundingClientRect().toJSON(), colour: getComputedStyle(b).backgroundColor }));
    assert.ok(span.title.startsWith(`${point.name}: `), span.title);
    assert.equal(span.label, span.title);
    assert.equal(span.start, turns[0].start);
    assert.ok(span.box.width >= 6 && span.box.left > span.track.left && span.box.right < span.track.right,
      JSON.stringify(span));
    assert.notEqual(span.colour, 'rgba(0, 0, 0, 0)');
    // The minutes say the same turn in words, with its length.
    const minutesHtml = await review.evaluate(async () => (await fetch(document.getElementById('minutes').href)).text());
    assert.match(minutesHtml, new RegExp(`Phát biểu: ${point.name}, \\d\\d:\\d\\d:\\d\\d–\\d\\d:\\d\\d:\\d\\d \\(\\d giây\\)`));
    // Sound is on.
    assert.equal(await review.evaluate(() => document.getElementById('player').muted), false);
    // English on request, and back.
    await review.selectOption('#lang', 'en');
    assert.equal(await review.textContent('#chapters-title'), 'Agenda items');
    assert.equal(await review.textContent('#speaking-title'), 'Speaking turns');
    assert.ok((await review.getAttribute('#track .turn', 'title')).startsWith(`${point.name}: `));
    assert.ok((await review.textContent('#markers li:nth-child(1) button')).includes(`Question from ${point.name}`));
    await review.selectOption('#lang', 'vi');
    assert.equal(await review.textContent('#markers-title'), 'Câu hỏi');
    assert.equal(await review.textContent('#title'), links().conference.title);

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
    // The chapter being played is the one marked.
    assert.equal(await review.getAttribute('#chapters li:nth-child(2) button', 'aria-current'), 'true');
    assert.equal(await review.getAttribute('#chapters li:nth-child(1) button', 'aria-current'), null);
    // Every control named; the chapters, the markers, the minutes and the
    // language reachable with Tab.
    await accessibilitySmoke(review, ['#chapters li:nth-child(2) button', '#markers li:nth-child(1) button',
      '#speaking li:nth-child(1) button', '#track .turn', '#minutes', '#lang']);
    // The span jumps to where the turn starts, and is then the one marked.
    await review.click('#track .turn');
    await review.waitForFunction((start) => {
      const v = document.getElementById('player');
      return !v.seeking && v.currentTime >= start / 1000 - 0.5 && v.currentTime < start / 1000 + 2;
    }, turns[0].start, { timeout: 10000 });
    await review.waitForFunction(() =>
      document.querySelector('#track .turn').getAttribute('aria-current') === 'true' &&
      document.querySelector('#speaking button').getAttribute('aria-current') === 'true', null, { timeout: 5000 });
    // Screenshots for people to look at: build/test-artifacts/.
    const artifacts = path.resolve(path.dirname(BIN), '..', 'test-artifacts');
    fs.mkdirSync(artifacts, { recursive: true });
    for (const [width, height] of [[1366, 768], [390, 844]]) {
      await review.setViewportSize({ width, height });
      await review.screenshot({ path: path.join(artifacts, `review-${width}x${height}.png`), fullPage: true });
    }
  } catch (e) {
    e.message += `\n--- console ---\n${consoleLines.join('\n')}\n--- node log ---\n${nodeLog.slice(-3000)}`;
    throw e;
  }
});
