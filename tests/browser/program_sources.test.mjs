// End-to-end test of the program sources panel (web/static/program_sources.js)
// on the operator's board, in Debian's Chromium against the real node started
// with two test-pattern sources: both listed, "a" on air; "Phát nguồn này" on
// "b" puts "b" on air within 3 s (GET /api/program agrees); screenshots and
// the accessibility smoke; the chair switches back to "a" from the console. Then the panel's reader, its slate alarm and a
// refusal's notice, with made-up messages.
// Needs what harness.mjs needs; `npm ci` here. Env: BRIDGECAST_BIN, CHROMIUM_BIN,
// BRIDGECAST_ARTIFACTS (where screenshots go; default build/test-artifacts).

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  ARTIFACTS,
  accessibilitySmoke,
  mintToken,
  openPage,
  screenshots,
  startStaffFixture,
  stopStaffFixture,
} from './staff_fixture.mjs';

const CONFIG = {
  ingest: {
    sources: [
      { id: 'a', kind: 'test_pattern', pattern: 'red', tone_hz: 440, label: 'Hội trường chính' },
      { id: 'b', kind: 'test_pattern', pattern: 'blue', label: 'Phòng họp số 2' },
    ],
    on_air: 'a',
  },
};

let f = null;
before(async () => {
  f = await startStaffFixture('sources', [], CONFIG);
});
after(async () => {
  await stopStaffFixture(f);
});

const T = { timeout: 8000 }; // generous: two shared cores, an encoder and Chromium
const source = (id) => `#sources li.source[data-source="${id}"]`;

test('the operator switches the program from source a to source b', { timeout: 60000 }, async (t) => {
  const lines = [];
  const board = await openPage(f, lines, 'board');
  const token = mintToken(f, 'operator');
  try {
    await board.goto(`${f.origin}/operator#token=${token}`, T);
    await board.waitForSelector('body[data-status="live"]', T);
    await board.waitForFunction(() => document.querySelectorAll('#sources li.source').length === 2, null, T);
    assert.equal(await board.textContent('#sources-h'), 'Nguồn chương trình');
    await board.waitForSelector(`${source('a')}[data-on-air="true"][data-state="live"]`, T);
    await board.waitForSelector(`${source('b')}[data-state="live"]`, T);
    assert.equal(await board.getAttribute(source('b'), 'data-on-air'), 'false');
    assert.equal(await board.textContent(`${source('a')} .name`), 'Hội trường chính');
    assert.equal(await board.textContent(`${source('a')} .on-air`), 'Đang phát');
    assert.equal(await board.locator(`${source('b')} .on-air`).count(), 0);
    assert.equal(await board.textContent(`${source('a')} .source-kind`), 'Tín hiệu thử · mã hoá lại');
    assert.equal(await board.textContent(`${source('a')} .source-state`), 'Có tín hiệu');
    assert.match(await board.textContent(`${source('a')} .source-input`), /^Đầu vào: \S/);
    assert.equal(await board.locator('#slate').isHidden(), true, 'no slate while a is live');
    assert.equal(await board.locator('#alarms li[data-kind="slate"]').count(), 0);
    const a = board.locator('[data-action="program.select:a"]');
    const b = board.locator('[data-action="program.select:b"]');
    assert.equal(await a.isDisabled(), true, 'the source on air cannot be chosen again');
    assert.equal(await b.isDisabled(), false);
    assert.equal(await b.textContent(), 'Phát nguồn này');
    assert.equal(await b.getAttribute('aria-label'), 'Phát nguồn Phòng họp số 2');

    const clickedAt = Date.now();
    await b.click();
    await board.waitForSelector(`${source('b')}[data-on-air="true"]`, { timeout: 3000 });
    t.diagnostic(`b on air on the board ${Date.now() - clickedAt} ms after the click`);
    assert.equal(await board.getAttribute(source('a'), 'data-on-air'), 'false');
    assert.equal(await board.textContent(`${source('b')} .on-air`), 'Đang phát');
    await board.waitForFunction(
      () => document.querySelector('[data-action="program.select:a"]')?.disabled === false,
      null,
      T,
    );
    assert.equal(await b.isDisabled(), true);
    assert.equal(await board.locator('#notice').isHidden(), true, 'no refusal');
    const program = await board.evaluate(async (token) => {
      const response = await fetch('/api/program', { headers: { Authorization: `Bearer ${token}` } });
      return { status: response.status, body: await response.json() };
    }, token);
    assert.equal(program.status, 200);
    assert.equal(program.body.on_air, 'b', JSON.stringify(program.body));
    assert.equal(program.body.selected, 'b');
    assert.equal(program.body.slate, false);
    // The switch's journaled program.selected event is no conference change: no resync.
    assert.equal(lines.filter((l) => l.includes('resynchronising')).length, 0, lines.join('\n'));

    for (const file of await screenshots(board, 'operator-sources')) t.diagnostic(`screenshot ${file}`);
    await accessibilitySmoke(board, ['[data-action="program.select:a"]', '#attendance-csv', '#lang']);

    // In English: the same panel, translated.
    await board.selectOption('#lang', 'en');
    await board.waitForFunction(() => document.getElementById('sources-h').textContent === 'Program sources', null, T);
    assert.equal(await board.textContent(`${source('b')} .on-air`), 'On air');
    assert.equal(await board.textContent(`${source('a')} .source-kind`), 'Test pattern · re-encoded');
    assert.equal(await a.textContent(), 'Play this source');
    await board.selectOption('#lang', 'vi');

    // The chair switches back from the console, where the sources fold under the preview.
    const chair = await openPage(f, lines, 'chair');
    await chair.goto(`${f.origin}/console#token=${mintToken(f, 'chair')}`, T);
    await chair.waitForSelector('body[data-status="live"]', T);
    await chair.waitForFunction(
      () => document.getElementById('sources-summary').textContent === '— đang phát: Phòng họp số 2',
      null,
      T,
    );
    await chair.click('.sources-box > summary');
    await chair.click('[data-action="program.select:a"]');
    await board.waitForSelector(`${source('a')}[data-on-air="true"]`, { timeout: 3000 });
    await chair.waitForSelector(`${source('a')}[data-on-air="true"]`, T);
    const shot = path.join(ARTIFACTS, 'console-sources-1366x768.png');
    await chair.screenshot({ path: shot });
    t.diagnostic(`screenshot ${shot}`);
  } catch (e) {
    e.message += `\n--- console ---\n${lines.join('\n')}\n--- node log ---\n${f.nodeLog.slice(-3000)}`;
    throw e;
  }
});

test('the panel reads messages defensively, shows the slate and a refusal', { timeout: 20000 }, async (t) => {
  const page = await openPage(f, [], 'modules');
  await page.goto(`${f.origin}/`, T);
  const r = await page.evaluate(async () => {
    const { readProgram, renderSources } = await import('/static/program_sources.js');
    const { Actions } = await import('/static/actions.js');
    const { Alarms } = await import('/static/alarms.js');
    const { renderAlarms } = await import('/static/operator_board.js');
    const { CommandError } = await import('/static/conference_socket.js');
    const program = readProgram({
      type: 'program',
      selected: 'hall',
      on_air: null,
      slate: true,
      sources: [
        {
          id: 'hall',
          label: 'Hội trường',
          kind: 'srt',
          state: 'stalled',
          reason: 'no packets for 2 s',
          input: '1920x1080 25 fps H.264, AAC',
          encoding: 'passthrough',
          on_air: false,
        },
        { id: 'cam2', kind: 'laser', state: 'sleeping', on_air: true },
        { label: 'no id' },
        'junk',
      ],
    });
    const sent = [];
    const socket = {
      status: 'live',
      command: (c) => {
        sent.push(c);
        return Promise.reject(new CommandError('unknown_source'));
      },
    };
    const notice = document.createElement('div');
    notice.hidden = true;
    notice.className = 'notice';
    // Laid out as on the board, for a screenshot.
    document.body.className = 'staff';
    document.body.dataset.status = 'live';
    const panel = document.createElement('section');
    panel.className = 'panel sources-panel';
    panel.style.width = '290px';
    const slate = document.createElement('p');
    slate.className = 'slate-alarm';
    const list = document.createElement('ul');
    list.className = 'sources';
    const alarmList = document.createElement('ul');
    alarmList.className = 'alarms';
    panel.append(alarmList, slate, list);
    document.body.replaceChildren(panel, notice);
    const actions = new Actions(socket, notice, () => renderSources(program, actions, { slate, list }));
    renderSources(program, actions, { slate, list });
    const items = [...list.querySelectorAll('li.source')].map((li) => ({
      id: li.dataset.source,
      state: li.dataset.state,
      onAir: li.dataset.onAir,
      text: li.textContent,
      disabled: li.querySelector('button').disabled,
    }));
    list.querySelector('[data-action="program.select:cam2"]').click();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const state = {
      phase: 'scheduled',
      planned_start: null,
      recording: { on: false, since: null },
      points: [],
    };
    const raised = new Alarms().compute(state, null, 1700000000000, program);
    const heading = document.createElement('h2');
    renderAlarms(state, raised, 1700000000000, heading, alarmList);
    const none = document.createElement('ul');
    renderSources(null, actions, { slate: document.createElement('p'), list: none });
    const { applyEvent } = await import('/static/conference_model.js');
    const unknown = applyEvent({}, { seq: 9, at: 1700000000000, type: 'program.selected', source: 'cam2' });
    return {
      unknown,
      onAir: program.onAir,
      slate: program.slate,
      items,
      slateText: slate.textContent,
      slateHidden: slate.hidden,
      sent,
      notice: notice.textContent,
      noticeHidden: notice.hidden,
      alarms: raised.map((a) => a.kind),
      alarmText: alarmList.textContent,
      waiting: none.textContent,
      bad: [readProgram({ type: 'program' }), readProgram(null), readProgram({ sources: 'x' })],
      ...(() => {
        // A point speaking: listed first, with its uplink's state.
        const speaking = readProgram({
          type: 'program',
          selected: 'hall',
          on_air: 'hall',
          sources: [{ id: 'hall', kind: 'srt', state: 'live', on_air: true }],
          floor: { point: 'ha-noi', name: 'Thành ủy Hà Nội', layout: 'speaker_pip', state: 'voice_only' },
        });
        const floorList = document.createElement('ul');
        renderSources(speaking, actions, { slate: document.createElement('p'), list: floorList });
        const first = floorList.firstElementChild;
        return {
          floor: speaking.floor,
          floorItem: [first.dataset.floor, first.dataset.state, first.textContent, floorList.children.length],
          badFloor: [readProgram({ sources: [], floor: { name: 'x' } }).floor, readProgram({ sources: [] }).floor],
        };
      })(),
    };
  });
  const shot = path.join(ARTIFACTS, 'sources-slate.png');
  await page.locator('.sources-panel').screenshot({ path: shot });
  t.diagnostic(`screenshot ${shot}`);
  assert.equal(r.unknown, 'unknown', 'the conference model passes over program.selected');
  assert.deepEqual(r.floor, { point: 'ha-noi', name: 'Thành ủy Hà Nội', state: 'voice_only' });
  assert.deepEqual(r.floorItem.slice(0, 2), ['ha-noi', 'voice_only']);
  assert.match(r.floorItem[2], /Phát biểu: Thành ủy Hà Nội/);
  assert.match(r.floorItem[2], /Chỉ có tiếng/);
  assert.equal(r.floorItem[3], 2, 'the speaker, then the one source');
  assert.deepEqual(r.badFloor, [null, null]);
  assert.equal(r.onAir, null);
  assert.equal(r.slate, true);
  assert.deepEqual(
    r.items.map((i) => [i.id, i.state, i.onAir, i.disabled]),
    [
      ['hall', 'stalled', 'false', true],
      ['cam2', 'unknown', 'false', false],
    ],
    'entries without an id are dropped; on air only what the message says is on air',
  );
  assert.match(r.items[0].text, /Đã chọn, chưa phát được/);
  assert.match(r.items[0].text, /SRT · chuyển thẳng/);
  assert.match(r.items[0].text, /Tín hiệu bị treo/);
  assert.match(r.items[0].text, /Lý do: no packets for 2 s/);
  assert.match(r.items[0].text, /Đầu vào: 1920x1080 25 fps H\.264, AAC/);
  assert.match(r.items[1].text, /Loại không rõ/);
  assert.match(r.items[1].text, /Không rõ trạng thái/);
  assert.equal(r.slateText, 'Đang phát màn hình chờ: nguồn Hội trường bị treo tín hiệu');
  assert.equal(r.slateHidden, false);
  assert.deepEqual(r.sent, [{ type: 'program.select', source: 'cam2' }]);
  assert.equal(r.noticeHidden, false);
  assert.match(r.notice, /^Phát nguồn cam2: không thực hiện được\. Máy chủ không có nguồn chương trình này\./);
  assert.deepEqual(r.alarms, ['slate']);
  assert.match(r.alarmText, /Đang phát màn hình chờ: nguồn Hội trường bị treo tín hiệu/);
  assert.equal(r.waiting, 'Chưa nhận được danh sách nguồn từ máy chủ.');
  assert.deepEqual(r.bad, [null, null, null]);
});
