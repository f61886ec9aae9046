// End-to-end test of the floor's uplink (docs/protocol.md, "The floor's
// uplink") with the real node on both sides: the chair grants the floor on
// the console to a point that raised its hand; that point's page
// (web/join.html) publishes its fake camera (solid blue) and microphone
// (660 Hz) over the node's uplink_offer; another point sees the blue in its
// program within a few seconds; after the revoke that point's program is the
// hall again and the speaker's camera is stopped. Before that, a point
// without a camera is heard only (its answer's video m-line inactive).
// Screenshots of the speaker's banner (self-view, level) into
// build/test-artifacts.
// floor_uplink_page.test.mjs tests the page's side alone, with a fake node.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  ARTIFACTS,
  fakeCaptureArgs,
  isBlue,
  mintToken,
  openPage,
  screenshots,
  startStaffFixture,
  stopStaffFixture,
  videoPixel,
} from './staff_fixture.mjs';

const T = { timeout: 10000 }; // two shared cores, an encoder and Chromium
const mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridgecast-uplink-media-'));
let f = null;

let chair = null;
const lines = []; // the pages' console lines, for a failure's message

before(async () => {
  f = await startStaffFixture('floor-uplink', [], null, fakeCaptureArgs(mediaDir));
  chair = await openPage(f, lines, 'console');
  await chair.goto(`${f.origin}/console#token=${mintToken(f, 'chair')}`, T);
  await chair.waitForSelector('body[data-status="live"]', T);
  await chair.click('[data-action="conference.start"]');
  await chair.waitForSelector('#phase[data-phase="live"]', T);
});
after(async () => {
  await stopStaffFixture(f);
  fs.rmSync(mediaDir, { recursive: true, force: true });
});

const link = (id) => f.links.points.find((p) => p.point === id).url;

// The uplink messages a page received from the node (and, in `sent`, sent to it).
function recordUplink(page, sent = []) {
  const received = [];
  const keep = (list) => (fr) => {
    try {
      const m = JSON.parse(String(fr.payload));
      if (typeof m.type === 'string' && m.type.startsWith('uplink_')) list.push(m);
    } catch {
      // not JSON
    }
  };
  page.on('websocket', (ws) => {
    ws.on('framereceived', keep(received));
    ws.on('framesent', keep(sent));
  });
  return received;
}

// A point's page that keeps every stream it captures in window.__streams;
// `noCamera`: its browser has no camera (video requests fail NotFoundError).
async function openPoint(name, noCamera = false) {
  const page = await openPage(f, lines, name);
  await page.addInitScript((noCamera) => {
    const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    window.__streams = [];
    navigator.mediaDevices.getUserMedia = async (constraints) => {
      if (noCamera && constraints.video) throw new DOMException('Requested device not found', 'NotFoundError');
      const stream = await real(constraints);
      window.__streams.push(stream);
      return stream;
    };
  }, noCamera);
  return page;
}

async function grant(speaker, id, uplink) {
  await speaker.click('[data-action="hand.raise"]');
  await chair.waitForSelector(`#hands li[data-point="${id}"]`, T);
  await chair.click(`#hands li[data-point="${id}"] [data-action="floor.grant:${id}"]`);
  await speaker.waitForSelector('body[data-floor="mine"] #floor-banner:not([hidden])', T);
  for (const deadline = Date.now() + 10000; !uplink.some((m) => m.type === 'uplink_offer'); ) {
    assert.ok(Date.now() < deadline, 'the node sent no uplink_offer within 10 s of the grant');
    await speaker.waitForTimeout(100);
  }
  await speaker.waitForSelector('body[data-uplink="connected"]', { timeout: 20000 });
  assert.equal(await speaker.textContent('#uplink-state'), 'Đang phát biểu');
  // Mix-minus: the program's picture plays on muted, the uplink's sound plays.
  const sound = await speaker.evaluate(() => ({
    programMuted: document.getElementById('program').muted,
    programPaused: document.getElementById('program').paused,
    uplinkPlaying: !document.getElementById('uplink-audio').paused,
  }));
  assert.deepEqual(sound, { programMuted: true, programPaused: false, uplinkPlaying: true });
  await speaker.waitForFunction(() => Number(document.getElementById('mic-meter').getAttribute('aria-valuenow')) >= 30, null, T);
}

// The chair revokes: the speaker's capture ends, the program's sound comes back.
async function revoke(speaker, uplink) {
  await chair.click('[data-action="floor.revoke"]');
  await speaker.waitForSelector('body[data-floor="free"][data-uplink="idle"]', T);
  await speaker.waitForFunction(
    () => window.__streams.length > 0 && window.__streams.every((s) => s.getTracks().every((t) => t.readyState === 'ended')),
    null,
    T,
  );
  assert.equal(await speaker.evaluate(() => document.getElementById('program').muted), false, "the program's sound is back");
  for (const deadline = Date.now() + 5000; !uplink.some((m) => m.type === 'uplink_close'); ) {
    assert.ok(Date.now() < deadline, 'no uplink_close after the revoke');
    await speaker.waitForTimeout(100);
  }
  return speaker.evaluate(() => window.__streams.flatMap((s) => s.getTracks().map((t) => `${t.kind} ${t.readyState}`)));
}

const mediaLines = (sdp) =>
  sdp
    .split(/\r?\n(?=m=)/)
    .slice(1)
    .map((section) => ({
      kind: section.slice(2, 7),
      port: Number(section.split(' ')[1]),
      direction: (/a=(sendonly|recvonly|sendrecv|inactive)/.exec(section) || [])[1],
    }));

// A horizontal line across the program, and its centre.
const LINE = [0.06, 0.19, 0.31, 0.44, 0.56, 0.69, 0.81, 0.94].map((x) => [x, 0.5]);
const CENTRE = [[0.5, 0.5]];

// Waits until `check(pixels)` holds `times` samples in a row (250 ms apart).
async function waitForPicture(page, points, check, times, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  let row = 0;
  let last = null;
  while (Date.now() < deadline) {
    last = await videoPixel(page, '#program', points);
    row = last && check(last) ? row + 1 : 0;
    if (row >= times) return Date.now();
    await page.waitForTimeout(250);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms; last ${JSON.stringify(last)}`);
}

const fail = (e) => {
  e.message += `\n--- pages ---\n${lines.join('\n')}\n--- node log (tail) ---\n${f.nodeLog.slice(-3000)}`;
  throw e;
};

test('a point without a camera is heard only', { timeout: 90000 }, async (t) => {
  const started = Date.now();
  const step = (what) => t.diagnostic(`${((Date.now() - started) / 1000).toFixed(1)} s: ${what}`);
  const speaker = await openPoint('point-c', true);
  const sent = [];
  const uplink = recordUplink(speaker, sent);
  try {
    await speaker.goto(link('da-nang'), T);
    await speaker.waitForSelector('body[data-state="playing"]', { timeout: 20000 });
    await grant(speaker, 'da-nang', uplink);
    const answer = sent.find((m) => m.type === 'uplink_answer');
    const lines = mediaLines(answer.sdp);
    const video = lines.find((m) => m.kind === 'video');
    const audio = lines.find((m) => m.kind === 'audio');
    assert.ok(video && (video.direction === 'inactive' || video.port === 0), `m-lines ${JSON.stringify(lines)}`);
    assert.equal(audio.direction, 'sendrecv');
    assert.match(await speaker.textContent('#floor-banner'), /Không có camera/);
    step('heard only');
    await speaker.screenshot({ path: `${ARTIFACTS}/floor-uplink-no-camera-1366x768.png` });
    assert.deepEqual(await revoke(speaker, uplink), ['audio ended']);
    step('revoked');
  } catch (e) {
    fail(e);
  } finally {
    await speaker.context().close();
  }
});

test('the floor publishes its camera and the other points see it', { timeout: 120000 }, async (t) => {
  const started = Date.now();
  const step = (what) => t.diagnostic(`${((Date.now() - started) / 1000).toFixed(1)} s: ${what}`);
  const speaker = await openPoint('point-a');
  const viewer = await openPage(f, lines, 'point-b');
  const uplink = recordUplink(speaker);
  try {
    await speaker.goto(link('ha-noi'), T);
    await viewer.goto(link('hai-phong'), T);
    await speaker.waitForSelector('body[data-state="playing"]', { timeout: 20000 });
    await viewer.waitForSelector('body[data-state="playing"]', { timeout: 20000 });
    // The hall (the test pattern's moving bars): never blue across the whole line.
    await waitForPicture(viewer, LINE, (px) => px.filter(isBlue).length <= 2, 1, 10000, 'the hall before the floor');
    assert.equal(await speaker.evaluate(() => window.__streams.length), 0, 'captured before the floor');
    step('both points play the hall');

    // The hand, the chair's grant; the speaker's page publishes.
    const granted = Date.now();
    await grant(speaker, 'ha-noi', uplink);
    step(`uplink connected ${Date.now() - granted} ms after the grant`);

    // The other point sees the speaker's blue in the centre of its program.
    const seen = await waitForPicture(viewer, CENTRE, (px) => isBlue(px[0]), 4, 10000, 'the speaker at the other point');
    step(`the other point sees the speaker ${seen - granted} ms after the grant`);
    await speaker.waitForFunction(() => document.querySelector('#floor-banner video.self-view')?.videoWidth > 0, null, T);
    for (const file of await screenshots(speaker, 'floor-uplink-speaker')) t.diagnostic(`screenshot ${file}`);
    await viewer.screenshot({ path: `${ARTIFACTS}/floor-uplink-viewer-1366x768.png` });

    // Revoked: the hall again at the other point, the speaker's camera off.
    const revoked = Date.now();
    const tracks = await revoke(speaker, uplink);
    assert.deepEqual(tracks.sort(), ['audio ended', 'video ended']);
    const hall = await waitForPicture(viewer, LINE, (px) => px.filter(isBlue).length <= 2, 2, 10000, 'the hall after the revoke');
    step(`the other point sees the hall ${hall - revoked} ms after the revoke`);
  } catch (e) {
    fail(e);
  }
});
