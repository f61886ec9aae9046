// The console's right column: who holds the floor (revoke), the raised
// hands in the order they were raised (grant the floor, dismiss), and the
// questions, filtered by agenda item (approve, answer, reject with a reason).

import { clockTime, h, rebuild } from './dom.js';
import { language, t } from './i18n.js';

const NO_ITEM = '-'; // the filter value for questions not tied to an item
const OPEN = new Set(['submitted', 'approved']);

export function renderQueues(ctx, els) {
  renderFloor(ctx, els.floor);
  renderHands(ctx, els.handsHeading, els.hands);
  renderQuestions(ctx, els);
}

const nameOf = (s, id) => s.points.find((p) => p.id === id)?.name ?? id;

function renderFloor({ s, actions }, el) {
  rebuild(el, () =>
    s.floor
      ? [
          h(
            'p',
            { class: 'holder' },
            h('strong', {}, nameOf(s, s.floor.point)),
            ` · ${t('floor.since', { time: clockTime(s.floor.since) })}`,
          ),
          actions.button('floor.revoke', t('floor.revoke'), () => ({ type: 'floor.revoke' }), {
            kind: 'danger',
            disabled: s.phase !== 'live',
          }),
        ]
      : [h('p', { class: 'muted' }, t('floor.nobody'))],
  );
}

function renderHands({ s, actions }, heading, list) {
  heading.textContent = t('hands.heading', { n: s.hands.length });
  const live = s.phase === 'live';
  rebuild(list, () =>
    s.hands.length === 0
      ? [h('li', { class: 'muted empty' }, t('hands.none'))]
      : s.hands.map((hand) => {
          const name = nameOf(s, hand.point);
          return h(
            'li',
            { dataset: { point: hand.point } },
            h('span', { class: 'who' }, name),
            h('span', { class: 'muted' }, ` · ${clockTime(hand.at)}`),
            h(
              'span',
              { class: 'row' },
              labelled(
                actions.button(
                  `floor.grant:${hand.point}`,
                  t('floor.grant'),
                  () => ({ type: 'floor.grant', point: hand.point }),
                  { kind: 'primary', disabled: !live || !!s.floor },
                ),
                t('floor.grant_to', { name }),
              ),
              labelled(
                actions.button(
                  `hand.lower:${hand.point}`,
                  t('hands.dismiss'),
                  () => ({ type: 'hand.lower', point: hand.point }),
                  { disabled: !live },
                ),
                t('hands.dismiss_of', { name }),
              ),
            ),
          );
        }),
  );
}

function renderQuestions(ctx, els) {
  const { s, view, redraw } = ctx;
  const open = s.questions.filter((q) => OPEN.has(q.status)).length;
  els.questionsHeading.textContent = t('questions.heading', { n: open });
  // Options are rebuilt only when the language changes, so an open list is not pulled away.
  if (els.filter.dataset.lang !== language()) {
    els.filter.replaceChildren(
      new Option(t('questions.all'), ''),
      ...s.agenda.map((item, i) => new Option(`${i + 1}. ${item.title}`, item.id)),
      new Option(t('questions.no_item'), NO_ITEM),
    );
    els.filter.value = view.questionFilter;
    els.filter.dataset.lang = language();
    els.filter.onchange = () => {
      view.questionFilter = els.filter.value;
      redraw();
    };
  }
  const wanted = s.questions.filter(
    (q) => !view.questionFilter || (view.questionFilter === NO_ITEM ? q.item === '' : q.item === view.questionFilter),
  );
  // Open questions first, in the order asked; settled ones after them.
  wanted.sort((a, b) => OPEN.has(b.status) - OPEN.has(a.status) || a.id - b.id);
  rebuild(els.questions, () =>
    wanted.length === 0
      ? [h('li', { class: 'muted empty' }, t('questions.none'))]
      : wanted.map((q) => question(ctx, q)),
  );
}

function question({ s, actions, view, redraw }, q) {
  const live = s.phase === 'live';
  const item = s.agenda.find((i) => i.id === q.item);
  const buttons = [];
  if (q.status === 'submitted') {
    buttons.push(
      actions.button(
        `question.approve:${q.id}`,
        t('questions.approve'),
        () => ({ type: 'question.approve', question: q.id }),
        { disabled: !live },
      ),
    );
  }
  if (OPEN.has(q.status)) {
    buttons.push(
      actions.button(
        `question.answer:${q.id}`,
        t('questions.answer'),
        () => ({ type: 'question.answer', question: q.id }),
        { kind: 'primary', disabled: !live },
      ),
    );
    if (view.rejecting !== q.id) {
      buttons.push(
        h(
          'button',
          {
            type: 'button',
            dataset: { key: `question.reject-open:${q.id}` },
            disabled: !live,
            onclick: () => {
              view.rejecting = q.id;
              view.reasonDraft = '';
              view.focusReason = true;
              redraw();
            },
          },
          t('questions.reject'),
        ),
      );
    }
  }
  return h(
    'li',
    { class: `question ${q.status}`, dataset: { question: String(q.id), status: q.status } },
    h(
      'p',
      { class: 'question-head' },
      h('strong', {}, `#${q.id} ${nameOf(s, q.point)}`),
      h('span', { class: 'muted' }, ` · ${item ? item.title : t('questions.no_item')}`),
    ),
    h('p', { class: 'question-text' }, q.text),
    h(
      'p',
      { class: 'question-status' },
      h('span', { class: `badge status-${q.status}` }, t(`questions.status.${q.status}`)),
      q.status === 'rejected'
        ? h('span', { class: 'reason' }, ` ${t('questions.reason', { reason: q.reason })}`)
        : null,
    ),
    buttons.length ? h('div', { class: 'row' }, buttons) : null,
    view.rejecting === q.id && OPEN.has(q.status) ? rejectForm(actions, view, redraw, q) : null,
  );
}

function rejectForm(actions, view, redraw, q) {
  const key = `question.reject:${q.id}`;
  const input = h('input', {
    type: 'text',
    maxlength: '500',
    required: true,
    value: view.reasonDraft,
    dataset: { key: `reason:${q.id}` },
    oninput: () => {
      view.reasonDraft = input.value; // a redraw while typing must not lose it
    },
    'aria-label': t('questions.reason_label', { id: q.id }),
    placeholder: t('questions.reason_placeholder'),
  });
  const form = h(
    'form',
    {
      class: 'reject-form',
      onsubmit: async (e) => {
        e.preventDefault();
        const reason = input.value.trim();
        if (!reason) return input.focus();
        if (await actions.run(key, t('questions.reject'), { type: 'question.reject', question: q.id, reason })) {
          view.rejecting = 0;
          redraw();
        }
      },
    },
    input,
    h('button', { type: 'submit', class: 'danger', dataset: { action: key, key } }, t('questions.reject_confirm')),
    h(
      'button',
      {
        type: 'button',
        onclick: () => {
          view.rejecting = 0;
          redraw();
        },
      },
      t('questions.cancel'),
    ),
  );
  if (view.focusReason) {
    view.focusReason = false;
    queueMicrotask(() => input.focus()); // once it is in the page
  }
  return form;
}

// A short visible label with the point's name in the accessible name.
function labelled(button, label) {
  button.setAttribute('aria-label', label);
  return button;
}
