// Buttons that send a conference command. A button stays disabled (and
// aria-busy) until the node acks or refuses; a refusal is shown in the
// notice area in the user's language, from the error code. Buttons are found
// again by data-action, so a list rebuilt meanwhile stays disabled.

import { h } from './dom.js';
import { errorText, t } from './i18n.js';

const NOTICE_MS = 12000;
const CONFIRM_MS = 4000;

export class Actions {
  // `notice`: the role="alert" element for refusals; `changed`: called when a
  // command finishes, to redraw.
  constructor(socket, notice, changed) {
    this.socket = socket;
    this.notice = notice;
    this.changed = changed;
    this.pending = new Set();
    this.armed = ''; // the action waiting for its confirming second click
    this.armTimer = 0;
    this.noticeTimer = 0;
  }

  // A button for action `key` (unique on the page) labelled `label` that
  // sends `command()`. `confirm`: the first click only arms it. `ariaLabel`:
  // a fuller name for a label repeated on the page ("play this source"),
  // also the one a refusal names.
  button(key, label, command, { confirm = false, kind = '', disabled = false, ariaLabel = '' } = {}) {
    const armed = this.armed === key;
    const busy = this.pending.has(key);
    return h(
      'button',
      {
        type: 'button',
        class: `${kind} ${armed ? 'armed' : ''}`.trim() || null,
        dataset: { action: key, key },
        disabled: busy || disabled || this.socket.status !== 'live',
        'aria-busy': busy ? 'true' : 'false',
        'aria-label': ariaLabel && !armed ? ariaLabel : null,
        onclick: () => {
          if (confirm && !armed) return this.arm(key);
          this.run(key, ariaLabel || label, command());
        },
      },
      armed ? t('action.confirm', { action: label }) : label,
    );
  }

  arm(key) {
    this.armed = key;
    clearTimeout(this.armTimer);
    this.armTimer = setTimeout(() => {
      this.armed = '';
      this.changed();
    }, CONFIRM_MS);
    this.changed();
  }

  // Sends `command`; resolves true when acked, false when refused.
  async run(key, label, command) {
    this.armed = '';
    this.pending.add(key);
    for (const b of document.querySelectorAll(`[data-action="${CSS.escape(key)}"]`)) {
      b.disabled = true;
      b.setAttribute('aria-busy', 'true');
    }
    try {
      await this.socket.command(command);
      return true;
    } catch (e) {
      this.show(label, e.code || 'unknown');
      return false;
    } finally {
      this.pending.delete(key);
      this.changed();
    }
  }

  show(label, code) {
    clearTimeout(this.noticeTimer);
    this.notice.dataset.code = code;
    this.notice.replaceChildren(
      h('span', {}, t('action.refused', { action: label, reason: errorText(code) })),
      h(
        'button',
        { type: 'button', class: 'close', 'aria-label': t('action.dismiss'), onclick: () => this.hide() },
        '×',
      ),
    );
    this.notice.hidden = false;
    this.noticeTimer = setTimeout(() => this.hide(), NOTICE_MS);
  }

  hide() {
    this.notice.hidden = true;
    this.notice.replaceChildren();
    delete this.notice.dataset.code;
  }
}
