// The operator's board (/operator#token=<operator token>): every point's link
// health from the pushed stats message, the alarms, the program sources
// (which one is on air, switching), the recorder (start, stop), each point's
// join link and the attendance CSV. Wiring and header here; the board and the
// alarm list in operator_board.js, the sources in program_sources.js.

import { Actions } from './actions.js';
import { Alarms } from './alarms.js';
import { ConferenceSocket } from './conference_socket.js';
import { drawPerFrame, h, rebuild } from './dom.js';
import { formatNumber, mountLanguagePicker, onLanguageChange, t, translatePage } from './i18n.js';
import { readStats } from './link_health.js';
import { renderAlarms, renderBoard } from './operator_board.js';
import { recordingText, renderFatal, renderStatus } from './page_status.js';
import { readProgram, renderSources } from './program_sources.js';
import { takeToken } from './token.js';

const $ = (id) => document.getElementById(id);
const STALE_MS = 6000; // three stats periods without one: the figures are old

const token = takeToken();
const socket = new ConferenceSocket(token, ['operator', 'chair']);
const alarms = new Alarms();
let stats = null;
let statsReceivedAt = 0;
let program = null; // readProgram() of the latest program message
let links = new Map(); // point id → join link, from /api/join-links
// Many messages, one draw per frame.
const redraw = drawPerFrame(() => draw());
const actions = new Actions(socket, $('notice'), () => redraw());


function draw() {
  renderStatus(socket, $('status'));
  renderFatal(socket, $('fatal'), token);
  const s = socket.state;
  if (!s) return;
  $('title').textContent = `${t('operator.heading')} — ${s.title}`;
  $('title').title = s.title;
  document.title = `${t('operator.heading')} — ${s.title}`;
  $('phase').textContent = t(`phase.${s.phase}`);
  $('phase').dataset.phase = s.phase;
  const stale = !stats || Date.now() - statsReceivedAt > STALE_MS;
  document.body.dataset.stats = stats ? (stale ? 'stale' : 'fresh') : 'none';
  $('keyframe').textContent =
    stats && stats.keyframeAgeMs !== null && !stale
      ? t('operator.keyframe', { age: formatNumber(stats.keyframeAgeMs / 1000, 1) })
      : t('operator.keyframe', { age: '—' });
  renderControls(s);
  const now = socket.now();
  const raised = alarms.compute(s, stale ? null : stats, now, program);
  const dropped = new Set(raised.filter((a) => a.kind === 'dropped').map((a) => a.point));
  renderAlarms(s, raised, now, $('alarms-h'), $('alarms'));
  renderSources(program, actions, { slate: $('slate'), list: $('sources') });
  renderBoard(s, stale ? null : stats, dropped, links, copyLink, $('board-summary'), $('thresholds'), $('board'));
}

function renderControls(s) {
  const buttons = [
    h('span', { class: 'badge', id: 'recording', dataset: { on: String(s.recording.on) } }, recordingText(s.recording)),
  ];
  if (s.recording.on) {
    buttons.push(
      actions.button('recording.stop', t('recording.stop'), () => ({ type: 'recording.stop' }), { confirm: true }),
    );
  } else if (s.phase !== 'ended') {
    buttons.push(actions.button('recording.start', t('recording.start'), () => ({ type: 'recording.start' })));
  }
  buttons.push(
    h(
      'button',
      { type: 'button', id: 'attendance-csv', dataset: { key: 'attendance-csv' }, onclick: downloadAttendance },
      t('operator.attendance_csv'),
    ),
  );
  rebuild($('controls'), () => buttons);
}

// The REST API wants the token as a bearer header (never in a URL), so the
// CSV is fetched here and handed to the browser as a file.
async function downloadAttendance() {
  try {
    const response = await fetch('/api/attendance.csv', { headers: { Authorization: `Bearer ${token}` } });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      return actions.show(t('operator.attendance_csv'), typeof body.code === 'string' ? body.code : 'not_found');
    }
    const url = URL.createObjectURL(await response.blob());
    const a = h('a', { href: url, download: `diem-danh-${socket.state?.conference ?? 'hoi-nghi'}.csv`, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch {
    actions.show(t('operator.attendance_csv'), 'offline');
  }
}

// Each point's join link, to hand to its room (the same as join-links.json).
async function learnLinks() {
  try {
    const response = await fetch('/api/join-links', { headers: { Authorization: `Bearer ${token}` } });
    const body = response.ok ? await response.json() : null;
    if (!body || !Array.isArray(body.points)) return;
    links = new Map(
      body.points
        .filter((p) => typeof p?.point === 'string' && typeof p.url === 'string' && p.url.startsWith('https://'))
        .map((p) => [p.point, p.url]),
    );
    redraw();
  } catch {
    // no links: the board works without them
  }
}

async function copyLink(point, url) {
  try {
    await navigator.clipboard.writeText(url);
    $('copied').textContent = t('board.copied', { name: point.name });
  } catch {
    $('copied').textContent = t('board.copy_failed', { name: point.name, url });
  }
}

// Which points joined before this page opened: the snapshot says only who is
// connected now, the attendance report when each point first joined.
async function learnPastJoins() {
  try {
    const response = await fetch('/api/attendance.json', { headers: { Authorization: `Bearer ${token}` } });
    const report = response.ok ? await response.json() : null;
    if (!report || !Array.isArray(report.points)) return;
    alarms.noteJoined(
      report.points.filter((p) => typeof p?.point === 'string' && typeof p.first_join === 'string').map((p) => p.point),
    );
    redraw();
  } catch {
    // without it, only the joins this page sees count
  }
}

translatePage();
mountLanguagePicker($('lang'));
onLanguageChange(redraw);
socket.addEventListener('status', redraw);
socket.addEventListener('welcome', () => {
  learnPastJoins();
  if (socket.welcome?.role === 'operator') learnLinks();
});
socket.addEventListener('state', (e) => {
  alarms.noteState(socket.state, e.detail.event);
  redraw();
});
socket.addEventListener('stats', (e) => {
  const read = readStats(e.detail);
  if (!read) return;
  stats = read;
  statsReceivedAt = Date.now();
  redraw();
});
socket.addEventListener('program', (e) => {
  const read = readProgram(e.detail);
  if (!read) return;
  program = read;
  redraw();
});
// Alarm ages and stale figures move on without messages.
setInterval(redraw, 1000);

if (token) socket.start();
else draw();
