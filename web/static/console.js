// The chair's console (/console#token=<chair token>): runs the conference
// over the WebSocket. This file wires the page: token, socket, language,
// header (phase, conference start/end, recording), the three panels and the
// program sources under the preview (program_sources.js).

import { Actions } from './actions.js';
import { ConferenceSocket } from './conference_socket.js';
import { renderAgenda, renderCurrent } from './console_agenda.js';
import { renderQueues } from './console_queues.js';
import { renderRoster } from './console_roster.js';
import { drawPerFrame, h, rebuild } from './dom.js';
import { mountLanguagePicker, onLanguageChange, t, translatePage } from './i18n.js';
import { recordingText, renderFatal, renderStatus } from './page_status.js';
import { PointMedia } from './point_media.js';
import { readProgram, renderSources } from './program_sources.js';
import { takeToken } from './token.js';

const $ = (id) => document.getElementById(id);
const token = takeToken();
const socket = new ConferenceSocket(token, ['chair'], { preview: true });
// The program as the points get it, without sound, to see what is on air.
new PointMedia(socket, $('preview'), { muted: true });
// What this page shows, not conference state.
const view = {
  selectedPoint: '',
  focusPoint: '',
  questionFilter: '',
  rejecting: 0,
  reasonDraft: '',
  focusReason: false,
};
let program = null; // readProgram() of the latest program message
// Many messages, one draw per frame.
const redraw = drawPerFrame(() => draw());

const actions = new Actions(socket, $('notice'), () => redraw());


function draw() {
  renderStatus(socket, $('status'));
  renderFatal(socket, $('fatal'), token);
  const s = socket.state;
  if (!s) return;
  $('title').textContent = s.title;
  $('title').title = s.title; // cut to one line on a wide screen
  document.title = `${t('console.heading')} — ${s.title}`;
  $('phase').textContent = t(`phase.${s.phase}`);
  $('phase').dataset.phase = s.phase;
  renderControls(s);
  renderSources(program, actions, { slate: $('slate'), list: $('sources'), summary: $('sources-summary') });
  const ctx = { s, socket, actions, view, redraw, now: socket.now() };
  renderCurrent(ctx, $('current'));
  renderAgenda(ctx, $('agenda-controls'), $('agenda'));
  renderRoster(ctx, $('roster-summary'), $('roster'), $('point-detail'));
  renderQueues(ctx, {
    floor: $('floor'),
    handsHeading: $('hands-h'),
    hands: $('hands'),
    questionsHeading: $('questions-h'),
    filter: $('question-filter'),
    questions: $('questions'),
  });
}

function renderControls(s) {
  const live = s.phase === 'live';
  const buttons = [];
  if (s.phase === 'scheduled') {
    buttons.push(
      actions.button('conference.start', t('conference.start'), () => ({ type: 'conference.start' }), {
        kind: 'primary',
      }),
    );
  }
  if (live) {
    buttons.push(
      actions.button('conference.end', t('conference.end'), () => ({ type: 'conference.end' }), {
        kind: 'danger',
        confirm: true,
      }),
    );
  }
  // Ends a practice run: the conference is scheduled again for the real one.
  if (s.phase !== 'scheduled') {
    buttons.push(
      actions.button('conference.reset', t('conference.reset'), () => ({ type: 'conference.reset' }), {
        confirm: true,
      }),
    );
  }
  if (s.rehearsals > 0) {
    buttons.push(h('span', { class: 'badge', id: 'rehearsals' }, t('conference.rehearsals', { n: s.rehearsals })));
  }
  const recording = h(
    'span',
    { class: 'badge', id: 'recording', dataset: { on: String(s.recording.on) } },
    recordingText(s.recording),
  );
  buttons.push(recording);
  if (s.recording.on) {
    buttons.push(
      actions.button('recording.stop', t('recording.stop'), () => ({ type: 'recording.stop' }), { confirm: true }),
    );
  } else if (s.phase !== 'ended') {
    buttons.push(actions.button('recording.start', t('recording.start'), () => ({ type: 'recording.start' })));
  }
  rebuild($('controls'), () => buttons);
}

translatePage();
mountLanguagePicker($('lang'));
onLanguageChange(redraw);
for (const type of ['status', 'welcome', 'state']) socket.addEventListener(type, redraw);
socket.addEventListener('program', (e) => {
  const read = readProgram(e.detail);
  if (!read) return;
  program = read;
  redraw();
});
// The current item's clock moves every second.
setInterval(() => {
  if (socket.state) renderCurrent({ s: socket.state, now: socket.now() }, $('current'));
}, 1000);

if (token) socket.start();
else draw();
