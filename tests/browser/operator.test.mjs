// End-to-end test of the operator's board (web/operator.html, web/static/operator*.js)
// in Debian's Chromium against the real node: every point of the 67-point conference
// on the board; a real bridge-point page (/join) connects and its link figures
// arrive with the pushed stats message; when that page closes, a "dropped" alarm
// shows within 3 s; the attendance CSV downloads with the bearer token.
// Needs what harness.mjs needs; `npm ci` here. Env: BRIDGECAST_BIN, CHROMIUM_BIN,
// BRIDGECAST_ARTIFACTS (where screenshots go; default build/test-artifacts).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { BIN, nsenterArgs } from './harness.mjs';
import {
  ARTIFACTS,
  accessibilitySmoke,
  mintToken,
  openPage,
  screenshots,
  startStaffFixture,
  stopStaffFixture,
} from './staff_fixture.mjs';

let f = null;
before(async () => {
  f = await startStaffFixture('operator');
});
after(async () => {
  await stopStaffFixture(f);
});

const T = { timeout: 8000 }; // generous: two shared cores, an encoder and Chromium
const link = (id) => `#board li.link[data-point="${id}"]`;

test('the operator board shows every link, its health and a dropped point', { timeout: 90000 }, async (t) => {
  const lines = [];
  const board = await openPage(f, lines, 'board');
  const chair = await openPage(f, lines, 'chair');
  let point = await openPage(f, lines, 'point');
  let natives = null;
  try {
    await board.goto(`${f.origin}/operator#token=${mintToken(f, 'operator')}`, T);
    await board.waitForSelector('body[data-status="live"]', T);
    assert.equal(await board.evaluate(() => location.href.includes('token')), false, 'the token stays in the URL');
    assert.equal(await board.locator('#board li.link').count(), 67);
    assert.equal(await board.locator('#alarms li.alarm').count(), 0, 'no alarm before the start');
    // Each point's join link, copied to hand to its room: the one in join-links.json.
    await board.waitForSelector('#board li.link[data-point="ha-noi"] button.copy-link', T);
    assert.equal(await board.locator('#board button.copy-link').count(), 67);
    await board.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: f.origin });
    await board.click('#board li.link[data-point="ha-noi"] button.copy-link');
    await board.waitForFunction(() => document.getElementById('copied').textContent.includes('Hà Nội'), null, T);
    const copied = await board.evaluate(() => navigator.clipboard.readText());
    const links = JSON.parse(fs.readFileSync(path.join(f.stateDir, 'join-links.json'), 'utf8'));
    assert.equal(copied, links.points.find((p) => p.point === 'ha-noi').url);

    // Started: every point that has not joined is listed in one alarm.
    await chair.goto(`${f.origin}/healthz`, T);
    const reply = await chair.evaluate(
      async (token) => {
        const ws = new WebSocket(`wss://${location.host}/ws`, 'bridgecast.v1');
        await new Promise((resolve) => {
          ws.onopen = resolve;
        });
        ws.send(JSON.stringify({ type: 'hello', token }));
        ws.send(JSON.stringify({ type: 'command', id: 1, command: { type: 'conference.start' } }));
        return new Promise((resolve) => {
          ws.onmessage = (e) => {
            const m = JSON.parse(e.data);
            if (m.id === 1) resolve(m);
          };
        });
      },
      mintToken(f, 'chair'),
    );
    assert.equal(reply.type, 'ack', JSON.stringify(reply));
    await board.waitForSelector('#alarms li[data-kind="not_joined"]', T);
    assert.match(await board.textContent('#alarms li[data-kind="not_joined"]'), /67 điểm cầu chưa vào/);

    // A real point page joins: its figures arrive with the stats message.
    const haNoi = f.links.points.find((p) => p.point === 'ha-noi');
    await point.goto(haNoi.url, T);
    await point.waitForFunction(() => document.body.dataset.state === 'playing', null, { timeout: 20000 });
    await board.waitForSelector(`${link('ha-noi')}[data-state="connected"]`, { timeout: 8000 });
    await board.waitForFunction(
      (sel) => {
        const kbps = document.querySelector(`${sel} dd[data-figure="kbps"]`)?.textContent ?? '';
        const rtt = document.querySelector(`${sel} dd[data-figure="rtt_ms"]`)?.textContent ?? '';
        return Number(kbps.replace(/\./g, '').replace(',', '.')) > 50 && /^\d/.test(rtt);
      },
      link('ha-noi'),
      { timeout: 10000 },
    );
    const figures = await board.$$eval(`${link('ha-noi')} dd`, (dds) =>
      Object.fromEntries(dds.map((d) => [d.dataset.figure, d.textContent])),
    );
    t.diagnostic(`ha-noi on the board: ${JSON.stringify(figures)}`);
    assert.match(figures.fraction_lost, /^\d+,\d %$/);
    assert.match(figures.nacks, /^\d+ \/ \d+$/);
    assert.match(await board.textContent('#keyframe'), /^Khung hình khóa: \d+,\d s trước$/);
    assert.match(await board.textContent('#thresholds'), /mất gói 2 % \/ 8 %, RTT 150 \/ 400 ms, jitter 30 \/ 80 ms/);
    assert.equal(await board.textContent(`${link('hai-phong')} dd[data-figure="kbps"]`), '—');
    await board.waitForFunction(
      () => /66 điểm cầu chưa vào/.test(document.getElementById('alarms').textContent),
      null,
      T,
    );

    // The other 66 points join as native clients in the node's namespace: the
    // whole conference on the board, each with its figures.
    const others = path.join(f.workDir, 'others.json');
    fs.writeFileSync(others, JSON.stringify({ ...f.links, points: f.links.points.filter((p) => p.point !== 'ha-noi') }));
    natives = spawn(
      'nsenter',
      [...nsenterArgs(f.proc.pid), BIN, 'point', '--links', others, '--count', '66', '--headless',
        '--ice-address', '127.0.0.1', '--duration', '40'],
      { stdio: 'ignore' },
    );
    await board.waitForFunction(
      () => {
        const tiles = [...document.querySelectorAll('#board li.link')];
        const kbps = (li) => Number(li.querySelector('dd[data-figure="kbps"]').textContent.replace(/\./g, '').replace(',', '.'));
        return tiles.length === 67 && tiles.every((li) => li.dataset.state === 'connected' && kbps(li) > 50);
      },
      null,
      { timeout: 45000 },
    );
    assert.match(await board.textContent('#board-summary'), /^67\/67 có đường truyền/);
    await board.waitForFunction(() => !document.querySelector('#alarms li[data-kind="not_joined"]'), null, T);

    for (const file of await screenshots(board, 'operator')) t.diagnostic(`screenshot ${file}`);
    await accessibilitySmoke(board, ['#attendance-csv', '[data-action="recording.stop"]', '#lang']);

    // The attendance CSV, fetched with the bearer header, saved as a file.
    const [download] = await Promise.all([board.waitForEvent('download', T), board.click('#attendance-csv')]);
    const csv = fs.readFileSync(await download.path(), 'utf8');
    assert.ok(csv.startsWith('\uFEFFpoint,name,headcount,delegates,first_join'), csv.slice(0, 80));
    assert.match(csv, /ha-noi,Thành ủy Hà Nội,/);

    // One point's browser goes away: the board raises the alarm within 3 s.
    const closedAt = Date.now();
    await point.context().close();
    point = null;
    await board.waitForSelector('#alarms li[data-kind="dropped"][data-point="ha-noi"]', { timeout: 3000 });
    t.diagnostic(`dropped alarm ${Date.now() - closedAt} ms after the point page closed`);
    assert.match(await board.textContent('#alarms li[data-kind="dropped"]'), /Thành ủy Hà Nội mất kết nối/);
    await board.waitForSelector(`${link('ha-noi')}[data-state="dropped"]`, T);
    assert.equal(await board.textContent(`${link('ha-noi')} .link-state`), 'Mất kết nối');
    assert.equal(await board.textContent(`${link('ha-noi')} dd[data-figure="kbps"]`), '—', 'figures of a gone link');
    const shot = path.join(ARTIFACTS, 'operator-dropped-1366x768.png');
    await board.screenshot({ path: shot });
    t.diagnostic(`screenshot ${shot}`);
  } catch (e) {
    e.message += `\n--- console ---\n${lines.join('\n')}\n--- node log ---\n${f.nodeLog.slice(-3000)}`;
    throw e;
  } finally {
    if (natives && natives.exitCode === null) natives.kill('SIGKILL');
  }
});

test(
  'stats are read defensively, graded against their thresholds, and raise the right alarms',
  { timeout: 20000 },
  async () => {
    const page = await openPage(f, [], 'modules');
    await page.goto(`${f.origin}/`, T);
    const r = await page.evaluate(async () => {
      const { readStats, gradePoint } = await import('/static/link_health.js');
      const { Alarms } = await import('/static/alarms.js');
      const thresholds = {
        loss_warn: 0.02,
        loss_alarm: 0.08,
        rtt_warn_ms: 150,
        rtt_alarm_ms: 400,
        jitter_warn_ms: 30,
        jitter_alarm_ms: 80,
      };
      const stats = readStats({
        type: 'stats',
        at: 1700000000000,
        keyframe_age_ms: 'soon',
        thresholds,
        extra: [1],
        points: [
          { point: 'a', state: 'connected', connected: true, kbps: 300, fraction_lost: 0.01, rtt_ms: 20, jitter_ms: 5 },
          {
            point: 'b',
            state: 'connected',
            connected: true,
            kbps: 280,
            fraction_lost: 0.09,
            rtt_ms: 200,
            jitter_ms: 5,
          },
          { point: 'c', state: 'failed', connected: false, rtt_ms: -3, kbps: 'x' },
          { point: 'd', state: 'absent', connected: false },
          { state: 'connected' },
          'junk',
        ],
      });
      const grades = ['a', 'b', 'c'].map((id) => gradePoint(stats.points.get(id), stats.thresholds));
      const point = (id, connected) => ({ id, name: id, connected });
      const state = {
        phase: 'live',
        started_at: 1699999990000,
        recording: { on: false, since: null, last_stop: { at: 1699999995000, reason: 'failed', detail: 'disk full' } },
        points: [point('a', true), point('b', true), point('c', true), point('d', false), point('e', false)],
      };
      const alarms = new Alarms();
      alarms.noteJoined(['d']);
      const list = alarms.compute(state, stats, 1700000000000);
      // Before the start: nobody is late until the planned start has passed.
      const { readSnapshot } = await import('/static/conference_model.js');
      const { renderPhase } = await import('/static/point_agenda.js');
      const snapshot = {
        conference: 'c', title: 'T', planned_start: 1700000000000, phase: 'scheduled', started_at: null,
        ended_at: null, agenda: [], current: null, points: [{ id: 'e', name: 'e', kind: 'province',
          connected: false, connected_since: null, checkin: null }], hands: [], questions: [], floor: null,
        recording: { on: false, since: null }, rehearsals: 0,
      };
      const scheduled = readSnapshot(snapshot);
      const lateness = (now) => new Alarms().compute(scheduled, null, now).map((a) => `${a.kind}:${a.planned}`);
      const badge = document.createElement('span');
      const detail = document.createElement('p');
      renderPhase(scheduled, badge, detail);
      return {
        size: stats.points.size,
        keyframe: stats.keyframeAgeMs,
        c: stats.points.get('c'),
        grades,
        bad: readStats({ at: 'now', points: [] }),
        noThresholds: readStats({ at: 1, points: [], thresholds: { loss_warn: 1 } }).thresholds,
        alarms: list
          .map((a) => `${a.kind}:${a.point ?? a.points?.join('+') ?? ''}${a.figures ? `(${a.figures})` : ''}`)
          .sort(),
        plannedStart: scheduled?.planned_start,
        badStart: readSnapshot({ ...snapshot, planned_start: 'at eight' }),
        beforeStart: lateness(1700000000000 - 1),
        afterStart: lateness(1700000000000 + 60000),
        phaseText: detail.textContent,
      };
    });
    assert.equal(r.size, 4, 'entries without a point id are dropped');
    assert.equal(r.keyframe, null);
    assert.equal(r.c.state, 'failed');
    assert.equal(r.c.rtt_ms, undefined, 'a negative figure is not a figure');
    assert.equal(r.c.kbps, undefined);
    assert.deepEqual(
      r.grades.map((g) => g.worst),
      ['ok', 'alarm', ''],
    );
    assert.deepEqual(r.grades[1].levels, { fraction_lost: 'alarm', rtt_ms: 'warn', jitter_ms: 'ok' });
    assert.equal(r.bad, null);
    assert.equal(r.noThresholds, null);
    assert.deepEqual(r.alarms, [
      'degraded:b(fraction_lost)',
      'dropped:c',
      'dropped:d',
      'not_joined:e',
      'recording_failed:',
    ]);
    assert.equal(r.plannedStart, 1700000000000);
    assert.equal(r.badStart, null, 'a planned start that is no time is refused');
    assert.deepEqual(r.beforeStart, []);
    assert.deepEqual(r.afterStart, ['not_joined:true']);
    assert.match(r.phaseText, /^Hội nghị chưa bắt đầu; dự kiến bắt đầu lúc \d\d:\d\d \d\d\/11\/2023\.$/);
  },
);
