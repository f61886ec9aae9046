// End-to-end test of the bridge point's part in a conference (web/join.html,
// web/static/point*.js) against the real node, with the chair on its console
// (web/console.html): check-in typed in NFD shown to the chair in NFC, a
// hand raised and granted the floor, a question followed to its answer and
// kept from another point, the signal-interrupted warning while the node's
// media stops, screenshots and the accessibility smoke check.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  ARTIFACTS,
  accessibilitySmoke,
  mintToken,
  openPage,
  rejectQuestion,
  screenshots,
  startStaffFixture,
  stopStaffFixture,
} from './staff_fixture.mjs';

const T = { timeout: 8000 }; // two shared cores, an encoder and Chromium
let f = null;

before(async () => {
  f = await startStaffFixture('point-flow');
});
after(() => stopStaffFixture(f));

const link = (id) => f.links.points.find((p) => p.point === id).url;
const tile = (id) => `#roster .tile[data-point="${id}"]`;

// Every conference message a page received, to prove what it never saw.
function recordReceived(page) {
  const received = [];
  page.on('websocket', (ws) =>
    ws.on('framereceived', (fr) => {
      try {
        received.push(JSON.parse(String(fr.payload)));
      } catch {
        // not JSON: not a conference message
      }
    }),
  );
  return received;
}

async function videoSample(page) {
  return page.evaluate(() => {
    const v = document.getElementById('program');
    return { width: v.videoWidth, time: v.currentTime, muted: v.muted, paused: v.paused };
  });
}

test('a bridge point checks in, speaks, asks and sees its link honestly', { timeout: 110000 }, async (t) => {
  const lines = [];
  const chair = await openPage(f, lines, 'console');
  const point = await openPage(f, lines, 'point');
  const other = await openPage(f, lines, 'other');
  const otherReceived = recordReceived(other);
  const started = Date.now();
  const step = (what) => t.diagnostic(`${((Date.now() - started) / 1000).toFixed(1)} s: ${what}`);
  try {
    await chair.goto(`${f.origin}/console#token=${mintToken(f, 'chair')}`, T);
    await chair.waitForSelector('body[data-status="live"]', T);
    // The other point's browser refuses sound without a click (as most do by
    // default), and its PC's clock is 7 minutes fast.
    await other.context().addInitScript(() => {
      const realNow = Date.now;
      Date.now = () => realNow() + 7 * 60000;
      const play = HTMLMediaElement.prototype.play;
      HTMLMediaElement.prototype.play = function () {
        if (!this.muted && !navigator.userActivation.hasBeenActive) {
          return Promise.reject(new DOMException('no sound before a click', 'NotAllowedError'));
        }
        return play.call(this);
      };
    });
    await other.goto(link('hai-phong'), T);

    // The program plays, with sound (this browser allows autoplay with sound).
    await point.goto(link('ha-noi'), T);
    await point.waitForSelector('body[data-state="playing"]', { timeout: 20000 });
    const a = await videoSample(point);
    await sleep(1500);
    const b = await videoSample(point);
    assert.ok(a.width > 0, `videoWidth ${a.width}`);
    assert.ok(b.time - a.time >= 1, `currentTime ${a.time} → ${b.time}`);
    assert.equal(b.muted, false, 'the program starts with sound where the browser allows it');
    assert.equal(await point.isVisible('#unmute'), false);
    assert.equal(await point.textContent('#point'), 'Thành ủy Hà Nội');
    assert.equal(await point.getAttribute('#phase', 'data-phase'), 'scheduled');
    assert.match(await point.textContent('#phase-detail'), /Hội nghị chưa bắt đầu/);
    step('playing');

    // Check-in: two delegates typed in NFD; the node keeps, and every page shows, NFC.
    const delegates = [
      { name: 'Pha\u0323m Va\u0306n Ha\u0323\u0302u', title: 'Phó Bí thư Thành ủy'.normalize('NFD') },
      { name: 'Nguye\u0302\u0303n Thi\u0323 Hu\u031Bo\u031B\u0300ng', title: 'Chánh Văn phòng'.normalize('NFD') },
    ];
    const nfc = delegates.map((d) => ({ name: d.name.normalize('NFC'), title: d.title.normalize('NFC') }));
    assert.notEqual(delegates[0].name, nfc[0].name);
    await point.fill('#delegates li:nth-child(1) .name', delegates[0].name);
    await point.fill('#delegates li:nth-child(1) .title', delegates[0].title);
    await point.click('#add-delegate');
    await point.fill('#delegates li:nth-child(2) .name', delegates[1].name);
    await point.fill('#delegates li:nth-child(2) .title', delegates[1].title);
    // Fewer people than named delegates: refused, said in Vietnamese.
    await point.fill('#headcount', '1');
    await point.click('#checkin-save');
    await point.waitForSelector('#checkin[data-ack="refused"]', T);
    assert.match(
      await point.textContent('#checkin-status'),
      /Chưa lưu được\. Số người dự phải từ số đại biểu có tên/,
    );
    await point.fill('#headcount', '12');
    await point.click('#checkin-save');
    await point.waitForSelector('#checkin[data-ack="saved"]', T);
    assert.match(await point.textContent('#checkin-status'), /Đã lưu: 12 người dự/);
    const headcount = `${tile('ha-noi')} .headcount`;
    await chair.waitForFunction((sel) => document.querySelector(sel)?.textContent === '12', headcount, T);
    await chair.click(tile('ha-noi'));
    await chair.waitForSelector('#point-detail .delegate-name', T);
    const shown = await chair.$$eval('#point-detail .delegate-name', (els) => els.map((e) => e.textContent));
    assert.deepEqual(shown, nfc.map((d) => d.name), 'the chair sees the delegates in NFC');
    // A reload brings the point's own check-in back from the snapshot.
    await point.reload(T);
    await point.waitForFunction(() => document.querySelectorAll('#delegates .name').length === 2, null, T);
    const form = await point.$$eval('#delegates li', (rows) =>
      rows.map((r) => ({ name: r.querySelector('.name').value, title: r.querySelector('.title').value })),
    );
    assert.deepEqual(form, nfc);
    assert.equal(await point.inputValue('#headcount'), '12');
    await point.waitForSelector('body[data-state="playing"]', { timeout: 15000 });
    for (const file of await screenshots(point, 'point-scheduled')) t.diagnostic(`screenshot ${file}`);
    step('checked in, reloaded');

    // Live: the agenda's running item with its clock.
    await chair.click('[data-action="conference.start"]');
    await chair.waitForSelector('#phase[data-phase="live"]', T);
    await chair.click('[data-action="agenda.start"]');
    await point.waitForSelector('#phase[data-phase="live"]', T);
    await point.waitForSelector('#agenda li[data-item="khai-mac"][aria-current="true"]', T);
    assert.match(await point.textContent('#phase-detail'), /Hội nghị đang diễn ra/);
    assert.match(await point.textContent('#agenda li[aria-current="true"] .clock'), /^00:0\d \/ dự kiến 05:00$/);
    // A PC whose clock is off still counts the item's time from the node's clock.
    await other.waitForSelector('#agenda li[data-item="khai-mac"][aria-current="true"]', T);
    assert.match(await other.textContent('#agenda li[aria-current="true"] .clock'), /^00:0\d \/ dự kiến 05:00$/);

    // English on demand, Vietnamese again.
    await point.selectOption('#lang', 'en');
    const english = () => /The conference is live/.test(document.getElementById('phase-detail').textContent);
    await point.waitForFunction(english, null, T);
    assert.equal(await point.textContent('[data-action="hand.raise"]'), 'Raise hand to speak');
    assert.equal(await point.getAttribute('#delegates li:nth-child(1) .name', 'aria-label'), 'Full name of delegate 1');
    await point.screenshot({ path: `${ARTIFACTS}/point-en-1366x768.png` });
    await point.selectOption('#lang', 'vi');
    await point.waitForSelector('html[lang="vi"]', T);

    // The hand, its place, the floor and its revocation.
    await point.click('[data-action="hand.raise"]');
    await point.waitForSelector('#hand-place', T);
    assert.equal(await point.textContent('#hand-place'), 'Thứ tự: 1/1');
    await chair.waitForSelector('#hands li[data-point="ha-noi"]', T);
    await chair.click('#hands li[data-point="ha-noi"] [data-action="floor.grant:ha-noi"]');
    await point.waitForSelector('body[data-floor="mine"] #floor-banner:not([hidden])', T);
    assert.match(await point.textContent('#floor-banner'), /ĐIỂM CẦU ĐANG ĐƯỢC PHÁT BIỂU/);
    assert.equal(await point.locator('#hand-place').count(), 0, 'granting lowers the hand');
    for (const file of await screenshots(point, 'point-floor')) t.diagnostic(`screenshot ${file}`);
    await chair.click('[data-action="floor.revoke"]');
    await point.waitForSelector('body[data-floor="free"]', T);
    assert.equal(await point.isVisible('#floor-banner'), false);
    await point.waitForSelector('[data-action="hand.raise"]', T);
    step('floor granted and revoked');

    // A question about the running item, approved then answered; another rejected.
    const text = 'Đề nghị làm rõ thời hạn kiểm điểm cuối năm?';
    await point.fill('#question-text', text);
    await point.click('#ask-send');
    await point.waitForSelector('#questions li[data-status="submitted"]', T);
    assert.match(await point.textContent('#questions li'), /Khai mạc hội nghị/);
    await chair.waitForSelector('#questions li[data-question="1"][data-status="submitted"]', T);
    assert.equal(await chair.textContent('#questions li[data-question="1"] .question-text'), text);
    await chair.click('[data-action="question.approve:1"]');
    await point.waitForSelector('#questions li[data-question="1"][data-status="approved"]', T);
    assert.match(await point.textContent('#questions li[data-question="1"]'), /Đã duyệt/);
    await chair.click('[data-action="question.answer:1"]');
    await point.waitForSelector('#questions li[data-question="1"][data-status="answered"]', T);
    await point.fill('#question-text', 'Câu hỏi trùng');
    await point.click('#ask-send');
    await chair.waitForSelector('#questions li[data-question="2"]', T);
    await rejectQuestion(chair, 2, 'Trùng với câu hỏi số 1');
    await point.waitForSelector('#questions li[data-question="2"][data-status="rejected"]', T);
    assert.match(await point.textContent('#questions li[data-question="2"]'), /Lý do: Trùng với câu hỏi số 1/);
    // The other point plays muted behind one button, which turns the sound on.
    await other.waitForSelector('body[data-state="playing"] #unmute:not([hidden])', T);
    assert.equal((await videoSample(other)).muted, true);
    await other.click('#unmute');
    await other.waitForSelector('#unmute', { state: 'hidden', ...T });
    const unmuted = await videoSample(other);
    assert.deepEqual([unmuted.muted, unmuted.paused], [false, false]);
    // The other point never saw either question.
    assert.equal(await other.locator('#questions li').count(), 0);
    const leaked = otherReceived.filter((m) => m.type === 'event' && m.event?.type?.startsWith('question.'));
    assert.deepEqual(leaked, [], 'another point received a question event');
    const sawFloor = otherReceived.some((m) => m.type === 'event' && m.event?.type === 'floor.granted');
    assert.ok(sawFloor, 'the other point received no event at all');
    step('questions');

    // Honest link: the node stops (SIGSTOP), packets stop, the page says so within ~2 s; then it clears.
    const pid = f.proc.pid;
    await point.waitForSelector('body[data-state="playing"]:not([data-signal])', T);
    process.kill(pid, 'SIGSTOP');
    const stoppedAt = Date.now();
    let noticed = 0;
    try {
      await point.waitForSelector('body[data-signal="interrupted"] #signal:not([hidden])', { timeout: 4000 });
      noticed = Date.now() - stoppedAt;
      assert.equal(await point.textContent('#status'), 'Tín hiệu bị gián đoạn');
      for (const file of await screenshots(point, 'point-interrupted')) t.diagnostic(`screenshot ${file}`);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    assert.ok(noticed <= 2500, `interrupted shown after ${noticed} ms`);
    await point.waitForSelector('body[data-state="playing"]:not([data-signal])', { timeout: 15000 });
    assert.equal(await point.isVisible('#signal'), false);
    step(`interrupted shown after ${noticed} ms, cleared`);

    // Screenshots and keyboard reach.
    for (const file of await screenshots(point, 'point')) t.diagnostic(`screenshot ${file}`);
    // The whole phone page, to look at the panels below the program.
    await point.setViewportSize({ width: 390, height: 844 });
    await point.screenshot({ path: `${ARTIFACTS}/point-390x844-full.png`, fullPage: true });
    await point.setViewportSize({ width: 1366, height: 768 });
    await accessibilitySmoke(point, [
      '#lang',
      '#fullscreen',
      '[data-action="hand.raise"]',
      '#question-text',
      '#question-item',
      '#ask-send',
      '.name',
      '#add-delegate',
      '#headcount',
      '#checkin-save',
    ]);

    // Full screen on double click, and back.
    await point.dblclick('#program');
    await point.waitForFunction(() => document.fullscreenElement?.id === 'screen', null, T);
    await point.dblclick('#program');
    await point.waitForFunction(() => document.fullscreenElement === null, null, T);

    // After the end the check-in is closed.
    await chair.click('[data-action="conference.end"]');
    await chair.click('[data-action="conference.end"]');
    await point.waitForSelector('#phase[data-phase="ended"]', T);
    assert.match(await point.textContent('#phase-detail'), /Hội nghị đã kết thúc lúc/);
    assert.equal(await point.isDisabled('#checkin-save'), true);
    assert.match(await point.textContent('#checkin-status'), /không sửa được nữa/);
    step('ended');
  } catch (e) {
    e.message += `\n--- pages ---\n${lines.join('\n')}\n--- node log (tail) ---\n${f.nodeLog.slice(-3000)}`;
    throw e;
  }
});
