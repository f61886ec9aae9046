// The point's check-in: its delegates (name, title) and headcount, sent as
// attendance.checkin and editable until the conference ends. The form
// shows what the node holds (from the snapshot, so it survives a reload)
// until someone edits it, and then the fate of the last save: pending,
// saved, or refused with the reason in the user's language.

import { clockTime, h } from './dom.js';
import { errorText, t } from './i18n.js';

const MAX_DELEGATES = 100; // docs/protocol.md, "Limits"

export class CheckinForm {
  // `els`: form, delegates (the <ol>), add, headcount, save, status.
  constructor(socket, els, me) {
    this.socket = socket;
    this.els = els;
    this.me = me;
    this.dirty = false; // edited since it last matched the node
    this.ack = { state: '', code: '' }; // pending, saved, refused
    this.shown = undefined; // the node's check-in the form was last filled from
    els.form.addEventListener('input', () => {
      this.dirty = true;
      this.render();
    });
    els.add.addEventListener('click', () => {
      this.addRow({ name: '', title: '' }).querySelector('input').focus();
      this.dirty = true;
      this.render();
    });
    els.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.save();
    });
  }

  own() {
    const s = this.socket.state;
    const p = s && s.points.find((point) => point.id === this.me());
    return p ? p.checkin : null;
  }

  // Called on every state change.
  render() {
    const s = this.socket.state;
    if (!s) return;
    const checkin = this.own();
    if (!this.dirty && checkin !== this.shown) this.fill(checkin);
    const open = s.phase !== 'ended' && this.socket.status === 'live';
    const locked = !open || this.ack.state === 'pending';
    for (const el of this.els.form.querySelectorAll('input, button')) el.disabled = locked;
    this.els.add.disabled ||= this.els.delegates.childElementCount >= MAX_DELEGATES;
    this.els.form.dataset.ack = this.ack.state;
    let text = '';
    if (this.ack.state === 'pending') text = t('point.checkin.pending');
    else if (this.ack.state === 'refused') text = t('point.checkin.refused', { reason: errorText(this.ack.code) });
    else if (this.dirty) text = t('point.checkin.unsaved');
    else if (checkin) text = t('point.checkin.saved', { n: checkin.headcount, at: clockTime(checkin.at) });
    else text = t('point.checkin.none');
    if (s.phase === 'ended') text += ` ${t('point.checkin.closed')}`;
    this.els.status.textContent = text;
  }

  fill(checkin) {
    this.shown = checkin;
    this.els.delegates.replaceChildren();
    const delegates = checkin ? checkin.delegates : [];
    for (const d of delegates.length ? delegates : [{ name: '', title: '' }]) this.addRow(d);
    this.els.headcount.value = checkin ? String(checkin.headcount) : '';
  }

  addRow(d) {
    const n = this.els.delegates.childElementCount + 1;
    const row = h(
      'li',
      {},
      h('input', {
        class: 'name',
        value: d.name,
        maxlength: 200,
        autocomplete: 'off',
        'aria-label': t('point.delegate.name', { n }),
        placeholder: t('point.delegate.name_placeholder'),
      }),
      h('input', {
        class: 'title',
        value: d.title,
        maxlength: 400,
        autocomplete: 'off',
        'aria-label': t('point.delegate.title', { n }),
        placeholder: t('point.delegate.title_placeholder'),
      }),
      h(
        'button',
        {
          type: 'button',
          class: 'remove',
          'aria-label': t('point.delegate.remove', { n }),
          onclick: () => {
            row.remove();
            this.dirty = true;
            this.render();
          },
        },
        '×',
      ),
    );
    this.els.delegates.append(row);
    return row;
  }

  async save() {
    // Rows without a name are left out; the node stores names in NFC.
    const delegates = [...this.els.delegates.children]
      .map((row) => ({
        name: row.querySelector('.name').value.trim(),
        title: row.querySelector('.title').value.trim(),
      }))
      .filter((d) => d.name);
    const headcount = Number(this.els.headcount.value);
    this.ack = { state: 'pending', code: '' };
    this.render();
    try {
      await this.socket.command({ type: 'attendance.checkin', delegates, headcount });
      this.ack = { state: 'saved', code: '' };
      this.dirty = false; // the event is applied already: the form refills from it
    } catch (e) {
      this.ack = { state: 'refused', code: e.code || 'unknown' };
    }
    this.render();
  }
}
