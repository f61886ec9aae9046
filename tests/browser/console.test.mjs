// End-to-end test of the chair's console (web/console.html, web/static/console*.js)
// in Debian's Chromium against the real node: the chair starts the conference and
// moves the agenda; bridge points, simulated by plain WebSockets in a second page,
// check in (names in NFD, shown in NFC), raise a hand (granted, revoked) and ask
// questions (approved and answered; rejected with a reason) that another point
// never sees; a refused command shows its Vietnamese message.
// Needs what harness.mjs needs; `npm ci` here. Env: BRIDGECAST_BIN, CHROMIUM_BIN,
// BRIDGECAST_ARTIFACTS (where screenshots go; default build/test-artifacts).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  accessibilitySmoke,
  connectPoint,
  mintToken,
  openPage,
  pointCommand,
  pointMessages,
  rejectQuestion,
  screenshots,
  startStaffFixture,
  stopStaffFixture,
} from './staff_fixture.mjs';

let f = null;
before(async () => {
  f = await startStaffFixture('console');
});
after(async () => {
  await stopStaffFixture(f);
});

const T = { timeout: 8000 }; // generous: two shared cores, an encoder and Chromium

// In `page`: a chair socket whose snapshot and events feed the pages' own
// state model, imported from the node.
function startModelWatch(page, token) {
  return page.evaluate(async (token) => {
    const model = await import('/static/conference_model.js');
    const ws = new WebSocket(`wss://${location.host}/ws`, 'bridgecast.v1');
    const watch = { model, state: null, events: 0, refused: [] };
    window.__watch = watch;
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.type === 'snapshot') watch.state = model.readSnapshot(m.state);
      if (m.type === 'event') {
        watch.events++;
        const result = model.applyEvent(watch.state, m.event);
        if (result !== 'applied') watch.refused.push(m.event);
      }
    };
    await new Promise((resolve) => {
      ws.onopen = resolve;
    });
    ws.send(JSON.stringify({ type: 'hello', token }));
    while (!watch.state) await new Promise((r) => setTimeout(r, 20));
  }, token);
}

function finishModelWatch(page, token) {
  return page.evaluate(async (token) => {
    const watch = window.__watch;
    if (watch.refused.length) throw new Error(`refused: ${JSON.stringify(watch.refused)}`);
    const ws = new WebSocket(`wss://${location.host}/ws`, 'bridgecast.v1');
    const snapshot = await new Promise((resolve) => {
      ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', token }));
      ws.onmessage = (e) => {
        const m = JSON.parse(e.data);
        if (m.type === 'snapshot') resolve(m.state);
      };
    });
    ws.close();
    const fresh = watch.model.readSnapshot(snapshot);
    // Only an event says why the recorder stopped; a snapshot cannot.
    const model = { ...watch.state, recording: { ...watch.state.recording, last_stop: null } };
    return { model, fresh, events: watch.events };
  }, token);
}
const tile = (id) => `#roster .tile[data-point="${id}"]`;

test('the chair runs the conference from the console', { timeout: 90000 }, async (t) => {
  const lines = [];
  const page = await openPage(f, lines, 'console');
  const points = await openPage(f, lines, 'points');
  try {
    await page.goto(`${f.origin}/console#token=${mintToken(f, 'chair')}`, T);
    await page.waitForSelector('body[data-status="live"]', T);
    assert.equal(await page.evaluate(() => location.href.includes('token')), false, 'the token stays in the URL');
    assert.equal(await page.textContent('#title'), f.links.conference.title);
    assert.equal(await page.locator('#roster .tile').count(), 67);
    assert.equal(await page.textContent('#phase'), 'Chưa bắt đầu');
    // The preview shows the program, moving and silent; the console is no point.
    await page.waitForFunction(() => {
      const v = document.getElementById('preview');
      return v.videoWidth > 0 && v.currentTime > 0.5;
    }, null, { timeout: 20000 });
    assert.equal(await page.evaluate(() => document.getElementById('preview').muted), true);
    const health = await page.evaluate(async () => (await fetch('/healthz')).json());
    assert.equal(health.points_joined, 0, JSON.stringify(health));
    await points.goto(`${f.origin}/healthz`, T);
    await startModelWatch(points, mintToken(f, 'chair'));

    // Start; the agenda moves; the clock shows actual against planned.
    await page.click('[data-action="conference.start"]');
    await page.waitForSelector('#phase[data-phase="live"]', T);
    await page.waitForSelector('#recording[data-on="true"]', T);
    await page.click('[data-action="agenda.start"]');
    await page.waitForSelector('#agenda li[data-item="khai-mac"][aria-current="step"]', T);
    // The button is disabled and busy until the ack comes back.
    await page.evaluate(() => {
      window.__busy = [];
      new MutationObserver((records) => {
        for (const r of records) {
          if (r.target.dataset?.action === 'agenda.next' && r.target.disabled)
            window.__busy.push(r.target.getAttribute('aria-busy'));
        }
      }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['aria-busy', 'disabled'] });
    });
    await page.click('[data-action="agenda.next"]');
    await page.waitForSelector('#agenda li[data-item="qd-124"][aria-current="step"]', T);
    assert.ok((await page.evaluate(() => window.__busy)).includes('true'), 'agenda.next was not busy while pending');
    assert.match(await page.textContent('#current .clock'), /^00:0\d \/ 40:00$/);

    // Two points join; one checks in with names typed in NFD.
    const token = (id) => f.links.points.find((p) => p.point === id).token;
    await connectPoint(points, 'ha-noi', token('ha-noi'));
    await connectPoint(points, 'hai-phong', token('hai-phong'));
    await page.waitForSelector(`${tile('ha-noi')}[data-connected="true"]`, T);
    const delegates = [
      { name: 'Nguyễn Thị Hường', title: 'Phó Bí thư Thường trực' },
      { name: 'Đặng Quốc Khánh', title: 'Ủy viên Ban Thường vụ' },
    ];
    const nfd = delegates.map((d) => ({ name: d.name.normalize('NFD'), title: d.title.normalize('NFD') }));
    assert.notEqual(nfd[0].name, delegates[0].name);
    const checkin = await pointCommand(points, 'ha-noi', { type: 'attendance.checkin', delegates: nfd, headcount: 14 });
    assert.equal(checkin.type, 'ack', JSON.stringify(checkin));
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent === '14',
      `${tile('ha-noi')} .headcount`,
      T,
    );
    assert.match(await page.textContent('#roster-summary'), /2\/67 trực tuyến · 1 đã điểm danh · 14 đại biểu/);
    await page.click(tile('ha-noi'));
    await page.waitForSelector('#point-detail .delegate-name', T);
    const shown = await page.$$eval('#point-detail .delegate-name', (els) => els.map((e) => e.textContent));
    assert.deepEqual(
      shown,
      delegates.map((d) => d.name),
      'delegates in NFC',
    );
    const hover = await page.getAttribute(tile('ha-noi'), 'title');
    assert.ok(hover.includes(`${delegates[1].name} (${delegates[1].title})`), hover);

    // A hand: queued, granted (the hand goes down), revoked.
    assert.equal((await pointCommand(points, 'ha-noi', { type: 'hand.raise' })).type, 'ack');
    await page.waitForSelector('#hands li[data-point="ha-noi"]', T);
    assert.equal(await page.getAttribute(tile('ha-noi'), 'data-hand'), 'true');
    await page.click('#hands li[data-point="ha-noi"] [data-action="floor.grant:ha-noi"]');
    await page.waitForFunction(
      () => document.querySelector('#floor .holder')?.textContent.includes('Thành ủy Hà Nội'),
      null,
      T,
    );
    assert.equal(await page.locator('#hands li[data-point]').count(), 0);
    await page.click('[data-action="floor.revoke"]');
    await page.waitForFunction(() => !document.querySelector('#floor .holder'), null, T);
    const seen = (await pointMessages(points, 'ha-noi')).filter((m) => m.type === 'event').map((m) => m.event.type);
    assert.ok(seen.includes('floor.granted') && seen.includes('floor.revoked'), seen.join());

    // Questions: one approved then answered, one rejected with a reason.
    const text = 'Đề nghị làm rõ Điều 5 của Quy định 124?';
    const asked = await pointCommand(points, 'ha-noi', { type: 'question.submit', text, item: 'qd-124' });
    assert.equal(asked.type, 'ack');
    await page.waitForSelector('#questions li[data-question="1"][data-status="submitted"]', T);
    assert.equal(await page.textContent('#questions li[data-question="1"] .question-text'), text);
    await page.click('[data-action="question.approve:1"]');
    await page.waitForSelector('#questions li[data-question="1"][data-status="approved"]', T);
    await page.click('[data-action="question.answer:1"]');
    await page.waitForSelector('#questions li[data-question="1"][data-status="answered"]', T);
    assert.equal(
      (await pointCommand(points, 'ha-noi', { type: 'question.submit', text: 'Câu hỏi trùng' })).type,
      'ack',
    );
    await page.waitForSelector('#questions li[data-question="2"]', T);
    await rejectQuestion(page, 2, 'Trùng với câu hỏi số 1');
    await page.waitForSelector('#questions li[data-question="2"][data-status="rejected"]', T);
    assert.match(await page.textContent('#questions li[data-question="2"]'), /Lý do: Trùng với câu hỏi số 1/);
    // Filtered by item: only the question tied to qd-124.
    await page.selectOption('#question-filter', 'qd-124');
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('#questions li[data-question]')].map((e) => e.dataset.question).join() === '1',
      null,
      T,
    );
    await page.selectOption('#question-filter', '');
    const mine = (await pointMessages(points, 'ha-noi')).filter(
      (m) => m.type === 'event' && m.event.type.startsWith('question.'),
    );
    assert.deepEqual(
      mine.map((m) => m.event.type),
      ['question.submitted', 'question.approved', 'question.answered', 'question.submitted', 'question.rejected'],
    );
    const other = (await pointMessages(points, 'hai-phong')).filter(
      (m) => m.type === 'event' && m.event.type.startsWith('question.'),
    );
    assert.deepEqual(other, [], 'another point saw the questions');

    // A refused command: next at the last item shows the Vietnamese reason.
    await page.click('[data-action="agenda.goto:be-mac"]');
    await page.waitForSelector('#agenda li[data-item="be-mac"][aria-current="step"]', T);
    await page.click('[data-action="agenda.next"]');
    await page.waitForSelector('#notice[data-code="no_next_item"]', T);
    assert.match(
      await page.textContent('#notice'),
      /Mục tiếp theo: không thực hiện được\. Đã ở mục cuối cùng của chương trình\./,
    );
    // Enabled again once answered (the next redraw), not left disabled.
    await page.waitForSelector('[data-action="agenda.next"]:not([disabled])[aria-busy="false"]', T);

    // 67 points fit on one 1366×768 screen.
    await page.click('#point-detail button[data-key="detail.close"]');
    await page.waitForSelector('#point-detail', { state: 'hidden', ...T });
    const fit = await page.evaluate(() => {
      const panel = document.querySelector('.roster-panel');
      return {
        bottom: document.querySelector('#roster li:last-child').getBoundingClientRect().bottom,
        scrolls: panel.scrollHeight > panel.clientHeight,
      };
    });
    assert.ok(fit.bottom <= 768 && !fit.scrolls, `the last tile ends at ${fit.bottom} px, scrolling: ${fit.scrolls}`);

    await accessibilitySmoke(page, [
      '[data-action="agenda.next"]',
      '[data-action="conference.end"]',
      `${tile('ha-noi')}`,
      '#question-filter',
      '#lang',
    ]);
    // The roster is one Tab stop; the arrow keys move inside it.
    await page.focus(tile('ha-noi'));
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.point), 'tp-ho-chi-minh');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowLeft');
    const below = await page.evaluate(() => document.activeElement.getBoundingClientRect().top);
    assert.ok(below > (await page.locator(tile('ha-noi')).boundingBox()).y, 'ArrowDown went to the next row');
    assert.equal(await page.locator('#roster .tile[tabindex="0"]').count(), 1);
    await page.click(tile('ha-noi')); // the details open, for the screenshots
    for (const file of await screenshots(page, 'console')) t.diagnostic(`screenshot ${file}`);

    // English on demand; refusals follow the language.
    await page.selectOption('#lang', 'en');
    assert.equal(await page.textContent('#agenda-h'), 'Agenda');
    await page.click('[data-action="agenda.next"]');
    await page.waitForFunction(
      () => document.getElementById('notice').textContent.includes('This is the last agenda item.'),
      null,
      T,
    );
    await page.selectOption('#lang', 'vi');

    // End (two clicks: the first only arms the button).
    await page.click('[data-action="conference.end"]');
    await page.waitForFunction(
      () => document.querySelector('[data-action="conference.end"]').textContent === 'Xác nhận: Kết thúc hội nghị?',
      null,
      T,
    );
    await page.click('[data-action="conference.end"]');
    await page.waitForSelector('#phase[data-phase="ended"]', T);

    // That was a rehearsal: reset (confirmed), the conference is scheduled again, its
    // check-ins and questions gone, the points still present.
    await page.click('[data-action="conference.reset"]');
    await page.waitForSelector('[data-action="conference.reset"].armed', T);
    await page.click('[data-action="conference.reset"]');
    await page.waitForSelector('#phase[data-phase="scheduled"]', T);
    assert.equal(await page.textContent('#rehearsals'), 'Đã tập dượt 1 lần');
    assert.equal(await page.textContent(`${tile('ha-noi')} .headcount`), '–');
    assert.equal(await page.getAttribute(tile('ha-noi'), 'data-connected'), 'true');
    assert.equal(await page.locator('#questions li[data-question]').count(), 0);
    assert.match(await page.textContent('#roster-summary'), /^2\/67 trực tuyến · 0 đã điểm danh · 0 đại biểu$/);

    // The pages' state model (conference_model.js), fed the snapshot from the start and
    // every event since (the reset too), equals the node's own snapshot now.
    const { model, fresh, events } = await finishModelWatch(points, mintToken(f, 'chair'));
    assert.ok(events >= 20, `only ${events} events`);
    assert.deepEqual(model, fresh);
  } catch (e) {
    e.message += `\n--- console ---\n${lines.join('\n')}\n--- node log ---\n${f.nodeLog.slice(-3000)}`;
    throw e;
  }
});

test('the landing page says who you are and where to go', { timeout: 30000 }, async (t) => {
  const lines = [];
  const page = await openPage(f, lines, 'landing');
  try {
    // No token in this tab: how to get one, in Vietnamese.
    await page.goto(`${f.origin}/`, T);
    await page.waitForSelector('#howto h2', T);
    assert.equal(await page.textContent('#who h2'), 'Thẻ trình duyệt này chưa có mã truy cập.');
    const howto = await page.textContent('#howto');
    assert.match(howto, /bridgecast token --conference <mã hội nghị> --role chair --state-dir var/);
    assert.match(howto, /join-links\.json/);
    await page.waitForFunction(() => /Máy chủ hoạt động/.test(document.getElementById('health').textContent), null, T);
    for (const file of await screenshots(page, 'landing-no-token')) t.diagnostic(`screenshot ${file}`);
    await accessibilitySmoke(page, ['#token-input', '.token-form button', '#lang']);

    // The console took the chair's token into this tab; the landing page finds it.
    await page.goto(`${f.origin}/console#token=${mintToken(f, 'chair')}`, T);
    await page.waitForSelector('body[data-status="live"]', T);
    await page.goto(`${f.origin}/`, T);
    await page.waitForSelector('#who[data-role="chair"]', T);
    assert.equal(await page.textContent('#who h2'), 'Bạn đang dùng mã của: Chủ trì hội nghị');
    assert.equal(await page.getAttribute('#go', 'href'), '/console');
    assert.equal(await page.textContent('#who p'), `Hội nghị: ${f.links.conference.id}`);
    assert.equal(await page.locator('#who p').count(), 3, 'conference, link, button: no point line');
    for (const file of await screenshots(page, 'landing-chair')) t.diagnostic(`screenshot ${file}`);
    await page.click('#go');
    await page.waitForSelector('body[data-status="live"]', T);

    // Another token, pasted: a reviewer goes to /review with the token in the fragment.
    await page.goto(`${f.origin}/`, T);
    await page.click('#forget');
    const reviewer = mintToken(f, 'reviewer');
    await page.fill('#token-input', reviewer);
    await page.press('#token-input', 'Enter');
    await page.waitForSelector('#who[data-role="reviewer"]', T);
    assert.equal(await page.getAttribute('#go', 'href'), `/review#token=${reviewer}`);

    // The operator's token on the console: refused before any hello, kept for its own page.
    const sockets = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.goto(`${f.origin}/console#token=${mintToken(f, 'operator')}`, T);
    await page.waitForSelector('body[data-error="wrong_role"]', T);
    assert.match(await page.textContent('#fatal'), /Mã truy cập này dành cho một trang khác/);
    assert.deepEqual(sockets, []);
    await page.click('#fatal a');
    await page.waitForSelector('#who[data-role="operator"]', T);
    assert.equal(await page.getAttribute('#go', 'href'), '/operator');
  } catch (e) {
    e.message += `\n--- console ---\n${lines.join('\n')}\n--- node log ---\n${f.nodeLog.slice(-3000)}`;
    throw e;
  }
});

test('a roster of 120 points scrolls inside its panel', { timeout: 30000 }, async (t) => {
  const spec = JSON.parse(
    fs.readFileSync(new URL('../../deploy/conferences/conference-2023-11-16.json', import.meta.url), 'utf8'),
  );
  spec.id = 'thu-120-diem-cau';
  for (let i = spec.bridge_points.length + 1; i <= 120; i++) {
    spec.bridge_points.push({ id: `diem-cau-${i}`, name: `Điểm cầu thử nghiệm số ${i}`, kind: 'province' });
  }
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bridgecast-120-')), 'conference.json');
  fs.writeFileSync(file, JSON.stringify(spec));
  const big = await startStaffFixture('console-120', ['--conference', file]);
  const lines = [];
  try {
    const page = await openPage(big, lines, 'console-120');
    await page.goto(`${big.origin}/console#token=${mintToken(big, 'chair')}`, T);
    await page.waitForSelector('body[data-status="live"]', T);
    assert.equal(await page.locator('#roster .tile').count(), 120);
    const layout = await page.evaluate(() => {
      const panel = document.querySelector('.roster-panel');
      return {
        panelScrolls: panel.scrollHeight > panel.clientHeight,
        pageScrolls: document.documentElement.scrollHeight > window.innerHeight,
      };
    });
    assert.deepEqual(layout, { panelScrolls: true, pageScrolls: false });
    await page.locator('#roster .tile[data-point="diem-cau-120"]').scrollIntoViewIfNeeded();
    assert.ok(await page.locator('#roster .tile[data-point="diem-cau-120"]').isVisible());
    const shot = path.join(path.dirname((await screenshots(page, 'console-120'))[0]), 'console-120-1366x768.png');
    t.diagnostic(`screenshot ${shot}`);
  } catch (e) {
    e.message += `\n--- console ---\n${lines.join('\n')}\n--- node log ---\n${big.nodeLog.slice(-3000)}`;
    throw e;
  } finally {
    await stopStaffFixture(big);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
});

test('the console resumes from the last seq it saw after its connection drops', { timeout: 30000 }, async () => {
  const lines = [];
  const page = await openPage(f, lines, 'resume');
  const points = await openPage(f, lines, 'resume-points');
  // Every socket of the page goes through here: recorded, and refused while `hold`.
  const conns = [];
  let hold = false;
  await page.routeWebSocket(/\/ws$/, (ws) => {
    if (hold) return ws.close({ code: 1001 });
    const c = { ws, sent: [], received: [] };
    conns.push(c);
    const server = ws.connectToServer();
    ws.onMessage((m) => {
      c.sent.push(JSON.parse(m));
      server.send(m);
    });
    server.onMessage((m) => {
      c.received.push(JSON.parse(m));
      ws.send(m);
    });
  });
  try {
    await page.goto(`${f.origin}/console#token=${mintToken(f, 'chair')}`, T);
    await page.waitForSelector('body[data-status="live"]', T);
    const seqs = conns[0].received.map((m) => (m.type === 'snapshot' ? m.seq : m.event?.seq)).filter(Number.isInteger);
    const lastSeen = Math.max(...seqs);

    hold = true;
    await conns[0].ws.close({ code: 1001 });
    await page.waitForSelector('body[data-status="reconnecting"]', T);
    // An event the console misses: a point joins while it is away.
    await points.goto(`${f.origin}/healthz`, T);
    await connectPoint(points, 'da-nang', f.links.points.find((p) => p.point === 'da-nang').token);
    hold = false;

    await page.waitForSelector(`${tile('da-nang')}[data-connected="true"]`, { timeout: 15000 });
    await page.waitForSelector('body[data-status="live"]', T);
    const again = conns.at(-1);
    assert.equal(conns.length, 2);
    assert.deepEqual(again.sent[0], { type: 'hello', token: again.sent[0].token, last_seq: lastSeen, preview: true });
    assert.equal(again.received.filter((m) => m.type === 'snapshot').length, 0, 'resumed with a snapshot');
    const missed = again.received.filter((m) => m.type === 'event').map((m) => `${m.event.type} ${m.event.point}`);
    assert.deepEqual(missed, ['point.joined da-nang']);
  } catch (e) {
    e.message += `\n--- console ---\n${lines.join('\n')}\n--- node log ---\n${f.nodeLog.slice(-3000)}`;
    throw e;
  }
});

// Every error code of docs/protocol.md's error tables (archive HTTP, WebSocket
// session, conference) in the "Errors" sections.
function documentedErrorCodes() {
  const doc = fs.readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
  const codes = new Set();
  let inErrors = false;
  for (const line of doc.split('\n')) {
    if (/^#/.test(line) || /^Errors \(/.test(line)) inErrors = /errors/i.test(line);
    if (!inErrors || !line.startsWith('|')) continue;
    for (const cell of line.split('|').map((c) => c.trim())) {
      const m = /^`([a-z_]+)`$/.exec(cell);
      if (m) codes.add(m[1]);
    }
  }
  return [...codes];
}

test('every documented error code has a sentence in both languages', { timeout: 20000 }, async () => {
  const codes = documentedErrorCodes();
  assert.ok(
    codes.length >= 45 &&
      codes.includes('no_next_item') &&
      codes.includes('bad_json') &&
      codes.includes('unknown_session'),
    codes.join(),
  );
  const page = await openPage(f, [], 'i18n');
  await page.goto(`${f.origin}/`, T);
  const { vi, en, textKeys } = await page.evaluate(async () => {
    const { ERRORS, TEXT } = await import('/static/i18n_text.js');
    return { vi: ERRORS.vi, en: ERRORS.en, textKeys: [Object.keys(TEXT.vi).sort(), Object.keys(TEXT.en).sort()] };
  });
  assert.deepEqual(
    codes.filter((c) => !vi[c]),
    [],
    'codes without Vietnamese',
  );
  assert.deepEqual(
    codes.filter((c) => !en[c]),
    [],
    'codes without English',
  );
  assert.deepEqual(Object.keys(vi).sort(), Object.keys(en).sort());
  assert.deepEqual(textKeys[0], textKeys[1], 'UI texts in one language only');
});
