// The bridge-point page (/join#t=<point token>): the program with sound, the
// conference's phase and agenda, the point's check-in, hand, questions and
// floor, and its camera and microphone while it holds the floor. This file
// wires the page; the parts live in point_*.js and mic_meter.js.
//
// document.body.dataset.state: connecting, negotiating, playing,
// reconnecting or error (then dataset.error holds the error code);
// dataset.signal is "interrupted" while no packet arrives; dataset.uplink is
// the floor's uplink state (point_uplink.js).

import { Actions } from './actions.js';
import { ConferenceSocket } from './conference_socket.js';
import { drawPerFrame } from './dom.js';
import { errorText, mountLanguagePicker, onLanguageChange, t, translatePage } from './i18n.js';
import { renderAgenda, renderPhase } from './point_agenda.js';
import { CheckinForm } from './point_checkin.js';
import { FloorBanner, renderHand } from './point_floor.js';
import { LinkWatch } from './point_link.js';
import { PointMedia } from './point_media.js';
import { MixMinus } from './point_mix_minus.js';
import { QuestionForm } from './point_questions.js';
import { PointUplink } from './point_uplink.js';

const $ = (id) => document.getElementById(id);
// The join link's contract: the token in the fragment as t=, kept there so
// the room's bookmark or a reload joins again.
const token = new URLSearchParams(location.hash.slice(1)).get('t') || '';
const socket = new ConferenceSocket(token, ['point']);
const media = new PointMedia(socket, $('program'));
const link = new LinkWatch(() => media.pc);
const actions = new Actions(socket, $('notice'), () => redraw());
const me = () => (typeof socket.welcome?.point?.id === 'string' ? socket.welcome.point.id : '');
const uplink = new PointUplink(socket, me);
const mixMinus = new MixMinus(media, $('uplink-audio'));
const floor = new FloorBanner($('floor-banner'), uplink);
const checkin = new CheckinForm(
  socket,
  {
    form: $('checkin'),
    delegates: $('delegates'),
    add: $('add-delegate'),
    headcount: $('headcount'),
    save: $('checkin-save'),
    status: $('checkin-status'),
  },
  me,
);
const questions = new QuestionForm(socket, {
  form: $('ask'),
  text: $('question-text'),
  item: $('question-item'),
  send: $('ask-send'),
  status: $('ask-status'),
  list: $('questions'),
});
// After these the link itself is wrong: retrying cannot help.
const LINK_ERRORS = new Set(['no_token', 'bad_token', 'wrong_conference', 'unknown_point', 'wrong_role']);

// Many messages, one draw per frame.
const redraw = drawPerFrame(() => draw());

function pageState() {
  if (!token || socket.status === 'failed') return 'error';
  if (socket.status === 'reconnecting' || media.phase === 'stalled') return 'reconnecting';
  if (socket.status !== 'live') return 'connecting';
  if (media.phase === 'playing') return 'playing';
  return media.phase === 'negotiating' ? 'negotiating' : 'connecting';
}

function draw() {
  const state = pageState();
  const body = document.body;
  body.dataset.state = state;
  // Over the frozen picture whenever packets stop, also while ICE is disconnected.
  const interrupted = link.interrupted && (state === 'playing' || media.phase === 'stalled');
  if (interrupted) body.dataset.signal = 'interrupted';
  else delete body.dataset.signal;
  $('status').textContent =
    interrupted && state === 'playing' ? t('point.signal.interrupted') : t(`point.state.${state}`);
  $('signal').hidden = !interrupted;
  $('signal').textContent = t('point.signal.interrupted_detail');
  $('unmute').hidden = state === 'error' || !(media.needsUnmute || mixMinus.needsUnmute);
  body.dataset.uplink = uplink.state;
  renderError(state);
  const w = socket.welcome;
  if (w && typeof w.conference.title === 'string' && typeof w.point?.name === 'string') {
    $('conference').textContent = w.conference.title;
    $('point').textContent = w.point.name;
    document.title = `${w.point.name} — bridgecast`;
  }
  const s = socket.state;
  if (!s) return;
  renderPhase(s, $('phase'), $('phase-detail'));
  renderAgenda(s, socket.now(), $('agenda'));
  floor.render(s, me());
  renderHand({ s, me: me(), actions }, $('hand'));
  checkin.render();
  questions.render();
}

function renderError(state) {
  const code = state !== 'error' ? '' : token ? socket.failure : 'no_token';
  $('error').hidden = !code;
  if (!code) return delete document.body.dataset.error;
  document.body.dataset.error = code;
  const hint = LINK_ERRORS.has(code) ? t('point.hint.link') : '';
  $('error-text').textContent = code === 'no_token' ? t('point.no_token') : `${errorText(code)} ${hint}`.trim();
  $('error-code').textContent = code;
  $('retry').hidden = LINK_ERRORS.has(code);
}

$('unmute').addEventListener('click', () => {
  media.unmute();
  mixMinus.unmute();
});
$('retry').addEventListener('click', () => socket.start());
// Full screen on double click, the room PC's way of watching (and a button for the keyboard).
function toggleFullscreen() {
  if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
  else $('screen').requestFullscreen().catch(() => {});
}
$('screen').addEventListener('dblclick', toggleFullscreen);
$('fullscreen').addEventListener('click', toggleFullscreen);

translatePage();
mountLanguagePicker($('lang'));
onLanguageChange(() => {
  checkin.shown = undefined; // refill: the rows' labels are in the old language
  redraw();
});
for (const type of ['status', 'welcome', 'state']) socket.addEventListener(type, redraw);
media.addEventListener('change', redraw);
// While the uplink is connected the room hears the conference without itself.
uplink.addEventListener('change', () => {
  mixMinus.follow(uplink.state === 'connected' ? uplink.remote : null);
  redraw();
});
mixMinus.addEventListener('change', redraw);
link.addEventListener('change', redraw);
// The running item's clock moves every second.
setInterval(() => {
  if (socket.state) renderAgenda(socket.state, socket.now(), $('agenda'));
}, 1000);

if (token) socket.start();
draw();
