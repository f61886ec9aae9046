// What the staff pages say about their connection and the recorder: the
// status badge, the page-wide error when the token cannot work, and the
// recording state in words.

import { clockTime, h } from './dom.js';
import { errorText, t } from './i18n.js';
import { forgetToken } from './token.js';

const REFUSED_TOKEN = new Set(['bad_token', 'wrong_conference', 'unknown_point']);

export function renderStatus(socket, el) {
  el.textContent = t(`status.${socket.status}`);
  el.dataset.status = socket.status;
  document.body.dataset.status = socket.status;
}

// No token, or one the node refused for good: say why and where to go.
export function renderFatal(socket, el, token) {
  let code = '';
  if (!token) code = 'no_token';
  else if (socket.status === 'failed') code = socket.failure;
  el.hidden = !code;
  if (!code) return;
  // A token the node refused is useless: the landing page must not offer it
  // again. One for another role (wrong_role) still serves its own page.
  if (REFUSED_TOKEN.has(code)) forgetToken();
  document.body.dataset.error = code;
  el.replaceChildren(h('p', {}, errorText(code)), h('p', {}, h('a', { href: '/' }, t('fatal.home'))));
}

export function recordingText(recording) {
  if (recording.on) return t('recording.on', { since: clockTime(recording.since) });
  const stop = recording.last_stop;
  if (stop && stop.reason === 'failed') return t('recording.failed', { detail: stop.detail || '—' });
  return t('recording.off');
}
