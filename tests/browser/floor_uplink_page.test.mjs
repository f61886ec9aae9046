// The floor's uplink on the bridge-point page (web/static/point_uplink.js,
// point_mix_minus.js, point_floor.js, mic_meter.js), against the real node
// for everything but the uplink itself: the chair grants and revokes the
// floor on the console, and the node's side of the uplink (uplink_offer,
// uplink_ice, uplink_state, uplink_close) is played by a fake node, a
// loopback RTCPeerConnection in another page, spliced into the point's
// WebSocket with page.routeWebSocket. Whatever the real node says or is told
// about the uplink stays out of it, so this tests the page alone, whether the
// node's side exists or not (floor_uplink.test.mjs tests the two together).
//
// Fake capture devices: a blue camera, a 660 Hz microphone. Checked: the
// permission is asked only once the floor is granted; the answer (camera
// sendonly, microphone sendrecv, H.264 or VP8) and the picture arriving at
// the fake node; the mix-minus (program muted, the uplink's sound playing);
// the banner (self-view, level, state, mute); revoke, uplink_close and a
// media_failed close stop every track; a point without a camera is heard
// only; a denied microphone says so in Vietnamese, answers nothing, and
// answers after "Thử lại".

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

before(async () => {
  f = await startStaffFixture('floor-uplink-page', [], null, fakeCaptureArgs(mediaDir));
});
after(async () => {
  await stopStaffFixture(f);
  fs.rmSync(mediaDir, { recursive: true, force: true });
});

const link = (id) => f.links.points.find((p) => p.point === id).url;
const isUplink = (m) => m && typeof m.type === 'string' && m.type.startsWith('uplink_');
const parse = (text) => {
  try {
    return JSON.parse(String(text));
  } catch {
    return null;
  }
};

// Every getUserMedia call and stream of the page, kept in window.__capture;
// `mode` 'no-camera' fails video requests (NotFoundError), 'denied' fails
// every request (NotAllowedError) until window.__allow() is called.
function captureSpy(mode) {
  const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  const c = { calls: [], streams: [], mode };
  window.__capture = c;
  window.__allow = () => {
    c.mode = '';
  };
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    c.calls.push({ at: Date.now(), video: Boolean(constraints.video), audio: Boolean(constraints.audio) });
    if (c.mode === 'denied') throw new DOMException('Permission denied', 'NotAllowedError');
    if (c.mode === 'no-camera' && constraints.video) throw new DOMException('Requested device not found', 'NotFoundError');
    const stream = await real(constraints);
    c.streams.push(stream);
    return stream;
  };
}

// The fake node's side of one uplink, in its own page: recvonly video
// (H.264 then VP8, as the node offers) and sendrecv audio (a 440 Hz tone
// standing for the mix-minus).
function fakeNodeScript() {
  window.chain = Promise.resolve();
  window.makeOffer = async () => {
    if (window.pc) window.pc.close();
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    window.pc = pc;
    window.answer = '';
    pc.onicecandidate = (e) => {
      if (e.candidate && e.candidate.candidate && window.pc === pc) {
        window.toPoint({ type: 'uplink_ice', candidate: e.candidate.candidate, sdpMLineIndex: e.candidate.sdpMLineIndex ?? 0 });
      }
    };
    pc.onconnectionstatechange = () => window.toPoint({ type: 'uplink_state', state: pc.connectionState });
    pc.ontrack = (e) => {
      if (e.track.kind !== 'video') return;
      document.getElementById('received')?.remove();
      const v = document.createElement('video');
      v.id = 'received';
      v.muted = true;
      v.srcObject = new MediaStream([e.track]);
      document.body.append(v);
      v.play().catch(() => {});
    };
    const video = pc.addTransceiver('video', { direction: 'recvonly' });
    const rank = (c) =>
      /h264/i.test(c.mimeType) ? (/packetization-mode=1/.test(c.sdpFmtpLine || '') ? 0 : 9) : /vp8/i.test(c.mimeType) ? 1 : /rtx/i.test(c.mimeType) ? 2 : 9;
    const codecs = RTCRtpReceiver.getCapabilities('video').codecs.filter((c) => rank(c) < 9);
    video.setCodecPreferences(codecs.sort((a, b) => rank(a) - rank(b)));
    const ctx = new AudioContext();
    const osc = ctx.createOscillator();
    osc.frequency.value = 440;
    const out = ctx.createMediaStreamDestination();
    osc.connect(out);
    osc.start();
    pc.addTransceiver(out.stream.getAudioTracks()[0], { direction: 'sendrecv', streams: [out.stream] });
    await pc.setLocalDescription();
    return pc.localDescription.sdp;
  };
  window.fromPoint = (m) => {
    const pc = window.pc;
    window.chain = window.chain.then(async () => {
      if (!pc || pc !== window.pc) return;
      if (m.type === 'uplink_answer') {
        window.answer = m.sdp;
        await pc.setRemoteDescription({ type: 'answer', sdp: m.sdp });
      } else if (m.type === 'uplink_ice') {
        await pc.addIceCandidate({ candidate: m.candidate, sdpMLineIndex: m.sdpMLineIndex });
      }
    });
  };
  // The codec of the video that arrives, e.g. "video/H264".
  window.videoCodec = async () => {
    const stats = await window.pc.getStats();
    let codec = '';
    stats.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video' && s.codecId) codec = stats.get(s.codecId)?.mimeType || '';
    });
    return codec;
  };
}

// A point page whose WebSocket carries the fake node's uplink instead of
// the real node's. Resolves with {page, node, sent, offer(), close(reason)}.
async function openPoint(lines, name, id, mode = '') {
  const page = await openPage(f, lines, name);
  const node = await openPage(f, lines, `${name}-fake-node`);
  await node.goto('about:blank');
  const sent = []; // the page's uplink messages
  let ws = null;
  await node.exposeFunction('toPoint', (m) => ws?.send(JSON.stringify(m)));
  await node.evaluate(fakeNodeScript);
  await page.routeWebSocket(/\/ws$/, (route) => {
    ws = route;
    const server = route.connectToServer();
    route.onMessage((text) => {
      const m = parse(text);
      if (!isUplink(m)) return server.send(text);
      sent.push(m);
      node.evaluate((m) => window.fromPoint(m), m).catch(() => {});
    });
    server.onMessage((text) => {
      if (!isUplink(parse(text))) route.send(text); // the real node's uplink, if any, is replaced
    });
  });
  await page.addInitScript(captureSpy, mode);
  await page.goto(link(id), T);
  await page.waitForSelector('body[data-state="playing"]', { timeout: 20000 });
  return {
    page,
    node,
    sent,
    async offer() {
      const sdp = await node.evaluate(() => window.makeOffer());
      ws.send(JSON.stringify({ type: 'uplink_offer', sdp }));
    },
    close(reason) {
      node.evaluate(() => window.pc?.close()).catch(() => {});
      ws.send(JSON.stringify({ type: 'uplink_close', reason }));
    },
  };
}

const capture = (page) =>
  page.evaluate(() => ({
    calls: window.__capture.calls.length,
    tracks: window.__capture.streams.flatMap((s) =>
      s.getTracks().map((t) => ({ kind: t.kind, state: t.readyState, enabled: t.enabled })),
    ),
  }));

const mediaLines = (sdp) =>
  sdp
    .split(/\r?\n(?=m=)/)
    .slice(1)
    .map((section) => ({
      kind: section.slice(2, 7),
      port: Number(section.split(' ')[1]),
      direction: (/a=(sendonly|recvonly|sendrecv|inactive)/.exec(section) || [])[1],
    }));

async function grant(chair, point, id) {
  await point.click('[data-action="hand.raise"]');
  await chair.waitForSelector(`#hands li[data-point="${id}"]`, T);
  await chair.click(`#hands li[data-point="${id}"] [data-action="floor.grant:${id}"]`);
  await point.waitForSelector('body[data-floor="mine"] #floor-banner:not([hidden])', T);
}

async function revoke(chair, point) {
  await chair.click('[data-action="floor.revoke"]');
  await point.waitForSelector('body[data-floor="free"]', T);
}

// After the floor: no banner, every captured track ended, the program's sound back.
async function assertStopped(point, what) {
  await point.waitForSelector('body[data-uplink="idle"]', T);
  assert.equal(await point.isVisible('#floor-banner'), false, `${what}: banner`);
  await point.waitForFunction(() => window.__capture.streams.every((s) => s.getTracks().every((t) => t.readyState === 'ended')), null, T);
  const sound = await point.evaluate(() => ({
    program: document.getElementById('program').muted,
    uplink: document.getElementById('uplink-audio').srcObject,
  }));
  assert.deepEqual(sound, { program: false, uplink: null }, `${what}: the program's sound is back`);
}

test('the point holding the floor publishes its camera and microphone', { timeout: 150000 }, async (t) => {
  const lines = [];
  const started = Date.now();
  const step = (what) => t.diagnostic(`${((Date.now() - started) / 1000).toFixed(1)} s: ${what}`);
  try {
    const chair = await openPage(f, lines, 'console');
    await chair.goto(`${f.origin}/console#token=${mintToken(f, 'chair')}`, T);
    await chair.waitForSelector('body[data-status="live"]', T);
    await chair.click('[data-action="conference.start"]');
    await chair.waitForSelector('#phase[data-phase="live"]', T);

    // Nothing is captured at page load.
    const a = await openPoint(lines, 'point-a', 'ha-noi');
    const { page } = a;
    await page.waitForTimeout(500);
    assert.equal((await capture(page)).calls, 0, 'getUserMedia before the floor');
    assert.equal(await page.getAttribute('body', 'data-uplink'), 'idle');

    // Granted: the browser is asked at once, before any offer.
    await grant(chair, page, 'ha-noi');
    await page.waitForFunction(() => window.__capture.calls.length > 0, null, T);
    await page.waitForSelector('body[data-uplink="connecting"]', T);
    assert.equal(await page.textContent('#uplink-state'), 'Đang kết nối…');
    step('granted, capturing');

    // The fake node offers; the page answers and sends its camera and microphone.
    await a.offer();
    await page.waitForSelector('body[data-uplink="connected"]', { timeout: 15000 });
    assert.equal(await page.textContent('#uplink-state'), 'Đang phát biểu');
    const answer = a.sent.find((m) => m.type === 'uplink_answer');
    assert.ok(answer, 'no uplink_answer');
    assert.deepEqual(
      mediaLines(answer.sdp).map((m) => `${m.kind} ${m.direction}`),
      ['video sendonly', 'audio sendrecv'],
    );
    assert.ok(a.sent.some((m) => m.type === 'uplink_ice' && /^candidate:/.test(m.candidate)), 'no uplink_ice');
    let blue = null;
    for (let i = 0; i < 40 && !blue?.every(isBlue); i++) {
      await page.waitForTimeout(250);
      blue = await videoPixel(a.node, '#received', [[0.5, 0.5], [0.2, 0.2]]);
    }
    assert.ok(blue?.every(isBlue), `the fake node's picture: ${JSON.stringify(blue)}`);
    const codec = await a.node.evaluate(() => window.videoCodec());
    const canH264 = await page.evaluate(() =>
      RTCRtpSender.getCapabilities('video').codecs.some((c) => /h264/i.test(c.mimeType)),
    );
    assert.equal(codec, canH264 ? 'video/H264' : 'video/VP8');
    step(`connected, ${codec}, the camera's blue arrives`);

    // Mix-minus: the program's picture plays on, its sound is held; the uplink's plays.
    const sound = await page.evaluate(() => {
      const program = document.getElementById('program');
      const uplink = document.getElementById('uplink-audio');
      return {
        programMuted: program.muted,
        programPaused: program.paused,
        uplinkTracks: uplink.srcObject?.getAudioTracks().length ?? 0,
        uplinkPaused: uplink.paused,
        uplinkMuted: uplink.muted,
      };
    });
    assert.deepEqual(sound, { programMuted: true, programPaused: false, uplinkTracks: 1, uplinkPaused: false, uplinkMuted: false });

    // The banner: self-view of the camera, a moving level, the mute switch.
    await page.waitForFunction(() => document.querySelector('#floor-banner video.self-view')?.videoWidth > 0, null, T);
    assert.equal(await page.evaluate(() => document.querySelector('#floor-banner video.self-view').muted), true);
    await page.waitForFunction(() => Number(document.getElementById('mic-meter').getAttribute('aria-valuenow')) >= 30, null, T);
    assert.equal(await page.textContent('#mic-mute'), 'Tắt micrô');
    const floorShots = await screenshots(page, 'point-uplink');
    for (const file of floorShots) t.diagnostic(`screenshot ${file}`);
    await page.locator('#floor-banner').screenshot({ path: `${ARTIFACTS}/point-uplink-banner.png` });
    await page.click('#mic-mute');
    // Under load the click's handler may run after click() returns.
    await page.waitForFunction(() => document.getElementById('mic-mute').getAttribute('aria-pressed') === 'true', null, T);
    assert.equal(await page.textContent('#mic-mute'), 'Bật micrô');
    assert.equal(await page.textContent('#uplink-state'), 'Đang phát biểu · micrô đang tắt');
    const muted = await capture(page);
    assert.ok(muted.tracks.filter((t) => t.kind === 'audio').every((t) => !t.enabled), 'the microphone is off');
    await page.waitForFunction(() => document.getElementById('mic-meter').getAttribute('aria-valuenow') === '0', null, T);
    await page.screenshot({ path: `${ARTIFACTS}/point-uplink-mic-off-1366x768.png` });
    await page.click('#mic-mute');
    await page.waitForFunction(() => Number(document.getElementById('mic-meter').getAttribute('aria-valuenow')) >= 30, null, T);
    step('banner: self-view, level, mute');

    // Revoked: camera and microphone off, the program's sound back.
    await revoke(chair, page);
    await assertStopped(page, 'revoked');
    assert.equal((await capture(page)).tracks.length, 2);
    step('revoked');

    // Granted again; the node closes the uplink (uplink_close), the floor stays.
    await grant(chair, page, 'ha-noi');
    await a.offer();
    await page.waitForSelector('body[data-uplink="connected"]', { timeout: 15000 });
    a.close('media_failed');
    await page.waitForSelector('body[data-uplink="failed"]', T);
    assert.match(await page.textContent('#uplink-error'), /Máy chủ không nhận được hình và tiếng/);
    assert.equal(await page.isVisible('#uplink-retry'), false);
    await page.waitForFunction(() => window.__capture.streams.every((s) => s.getTracks().every((t) => t.readyState === 'ended')), null, T);
    assert.equal(await page.evaluate(() => document.getElementById('program').muted), false);
    await revoke(chair, page);
    await assertStopped(page, 'after uplink_close');
    step('uplink_close');

    // A point without a camera is heard only: video inactive, a note instead of the self-view.
    const c = await openPoint(lines, 'point-c', 'da-nang', 'no-camera');
    await grant(chair, c.page, 'da-nang');
    await c.offer();
    await c.page.waitForSelector('body[data-uplink="connected"]', { timeout: 15000 });
    const heard = mediaLines(c.sent.find((m) => m.type === 'uplink_answer').sdp);
    assert.deepEqual(heard.map((m) => m.kind), ['video', 'audio']);
    assert.ok(heard[0].direction === 'inactive' || heard[0].port === 0, `video m-line ${JSON.stringify(heard[0])}`);
    assert.equal(heard[1].direction, 'sendrecv');
    assert.match(await c.page.textContent('#floor-banner'), /Không có camera: hội nghị chỉ nghe tiếng của điểm cầu/);
    assert.equal(await c.page.isVisible('#floor-banner video.self-view'), false);
    await c.page.waitForFunction(() => Number(document.getElementById('mic-meter').getAttribute('aria-valuenow')) >= 30, null, T);
    await c.page.screenshot({ path: `${ARTIFACTS}/point-uplink-no-camera-1366x768.png` });
    await revoke(chair, c.page);
    await assertStopped(c.page, 'no camera');
    step('no camera: heard only');

    // A denied microphone: said in Vietnamese, no answer, the chair still sees the floor held.
    const d = await openPoint(lines, 'point-d', 'can-tho', 'denied');
    await grant(chair, d.page, 'can-tho');
    await d.offer();
    await d.page.waitForSelector('body[data-uplink="failed"]', T);
    assert.match(await d.page.textContent('#uplink-error'), /Trình duyệt đã chặn micrô/);
    assert.equal(await d.page.textContent('#uplink-retry'), 'Thử lại');
    await d.page.waitForTimeout(500);
    assert.equal(d.sent.filter((m) => m.type === 'uplink_answer').length, 0, 'answered without a microphone');
    assert.match(await chair.textContent('#floor'), /Cần Thơ/);
    for (const [w, hgt] of [[1366, 768], [390, 844]]) {
      await d.page.setViewportSize({ width: w, height: hgt });
      await d.page.screenshot({ path: `${ARTIFACTS}/point-uplink-denied-${w}x${hgt}.png` });
    }
    await d.page.setViewportSize({ width: 1366, height: 768 });
    // Allowed in the browser's settings, then "Thử lại": the same offer is answered.
    await d.page.evaluate(() => window.__allow());
    await d.page.click('#uplink-retry');
    await d.page.waitForSelector('body[data-uplink="connected"]', { timeout: 15000 });
    assert.equal(d.sent.filter((m) => m.type === 'uplink_answer').length, 1);
    assert.equal(await d.page.isVisible('#uplink-error'), false);
    await revoke(chair, d.page);
    await assertStopped(d.page, 'denied then allowed');
    step('denied microphone, retried');
  } catch (e) {
    e.message += `\n--- pages ---\n${lines.join('\n')}\n--- node log (tail) ---\n${f.nodeLog.slice(-3000)}`;
    throw e;
  }
});
