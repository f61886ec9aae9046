// The point's questions: ask one (tied to the running item unless another is
// chosen) and follow each to its end: submitted, approved, answered or
// rejected with the chair's reason. The node sends a point only its own
// questions (docs/protocol.md, "Visibility").

import { clockTime, h } from './dom.js';
import { errorText, t } from './i18n.js';

const CURRENT = ''; // the select's value for "the item running when sent"

export class QuestionForm {
  // `els`: form, text, item (select), send, status, list.
  constructor(socket, els) {
    this.socket = socket;
    this.els = els;
    this.ack = { state: '', code: '' };
    els.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
  }

  render() {
    const s = this.socket.state;
    if (!s) return;
    this.renderItems(s);
    const live = s.phase === 'live' && this.socket.status === 'live';
    const busy = this.ack.state === 'pending';
    this.els.text.disabled = !live;
    this.els.item.disabled = !live;
    this.els.send.disabled = !live || busy;
    this.els.send.setAttribute('aria-busy', String(busy));
    this.els.form.dataset.ack = this.ack.state;
    let text = live ? '' : t('point.question.not_live');
    if (busy) text = t('point.question.pending');
    if (this.ack.state === 'refused') text = t('point.question.refused', { reason: errorText(this.ack.code) });
    this.els.status.textContent = text;
    this.renderList(s);
  }

  renderItems(s) {
    const select = this.els.item;
    const chosen = select.value;
    const running = s.current ? s.agenda.find((i) => i.id === s.current.item) : null;
    const first = running ? t('point.question.current', { title: running.title }) : t('questions.no_item');
    const options = [new Option(first, CURRENT), ...s.agenda.map((i) => new Option(i.title, i.id))];
    const same =
      select.options.length === options.length &&
      options.every((o, n) => select.options[n].value === o.value && select.options[n].text === o.text);
    if (same) return; // rebuilding would close the list under the user's finger
    select.replaceChildren(...options);
    select.value = options.some((o) => o.value === chosen) ? chosen : CURRENT;
  }

  renderList(s) {
    const titles = new Map(s.agenda.map((i) => [i.id, i.title]));
    const mine = [...s.questions].sort((a, b) => b.id - a.id);
    this.els.list.replaceChildren(
      ...mine.map((q) =>
        h(
          'li',
          { dataset: { question: String(q.id), status: q.status } },
          h('span', { class: `badge status-${q.status}` }, t(`questions.status.${q.status}`)),
          h(
            'span',
            { class: 'muted' },
            ` ${clockTime(q.submitted_at)} · ${titles.get(q.item) ?? t('questions.no_item')}`,
          ),
          h('p', { class: 'text' }, q.text),
          q.status === 'rejected' ? h('p', { class: 'reason' }, t('questions.reason', { reason: q.reason })) : null,
        ),
      ),
    );
  }

  async submit() {
    const s = this.socket.state;
    const text = this.els.text.value.trim();
    if (!s || !text) return this.els.text.focus();
    const item = this.els.item.value || (s.current ? s.current.item : '');
    const command = { type: 'question.submit', text };
    if (item) command.item = item;
    this.ack = { state: 'pending', code: '' };
    this.render();
    try {
      await this.socket.command(command);
      this.ack = { state: 'saved', code: '' };
      this.els.text.value = '';
    } catch (e) {
      this.ack = { state: 'refused', code: e.code || 'unknown' };
    }
    this.render();
  }
}
