// The console's agenda panel: the item running now with its actual against
// planned time (a live clock), the agenda controls, and every item with its
// planned and actual minutes and a "go to" button.

import { itemTimes } from './conference_model.js';
import { duration, h, rebuild } from './dom.js';
import { t } from './i18n.js';

export function renderCurrent({ s, now }, el) {
  el.dataset.phase = s.phase;
  if (!s.current) {
    const key = s.phase === 'live' ? 'current.none' : `current.${s.phase}`;
    el.replaceChildren(h('p', { class: 'muted' }, t(key)));
    delete el.dataset.overrun;
    return;
  }
  const item = s.agenda.find((i) => i.id === s.current.item);
  const times = itemTimes(s, s.current.item, now);
  const over = times.actual_ms > times.planned_ms;
  el.dataset.overrun = String(over);
  el.replaceChildren(
    h('p', { class: 'current-title' }, item.title),
    h(
      'p',
      { class: 'clock' },
      h('span', { class: 'actual', 'aria-label': t('current.actual') }, duration(times.actual_ms)),
      ' / ',
      h('span', { class: 'planned', 'aria-label': t('current.planned') }, duration(times.planned_ms)),
      over
        ? h(
            'span',
            { class: 'overrun' },
            ` ${t('current.overrun', { by: duration(times.actual_ms - times.planned_ms) })}`,
          )
        : null,
    ),
  );
}

export function renderAgenda({ s, actions, now }, controls, list) {
  const live = s.phase === 'live';
  rebuild(controls, () => [
    actions.button('agenda.start', t('agenda.start'), () => ({ type: 'agenda.start' }), {
      disabled: !live || !!s.current,
    }),
    actions.button('agenda.next', t('agenda.next'), () => ({ type: 'agenda.next' }), {
      disabled: !live,
      kind: 'primary',
    }),
    actions.button('agenda.end_item', t('agenda.end_item'), () => ({ type: 'agenda.end_item' }), { disabled: !live }),
  ]);
  rebuild(list, () =>
    s.agenda.map((item, i) => {
      const current = s.current?.item === item.id;
      const times = itemTimes(s, item.id, now);
      const ran = times.actual_ms > 0 || current;
      const label = t('agenda.goto_item', { title: item.title });
      return h(
        'li',
        { class: current ? 'current' : '', 'aria-current': current ? 'step' : null, dataset: { item: item.id } },
        h('span', { class: 'index' }, `${i + 1}.`),
        h('span', { class: 'item-title', title: item.title }, item.title),
        h(
          'span',
          { class: 'times' },
          h('span', {}, t('agenda.planned', { minutes: item.planned_minutes })),
          ran ? h('span', {}, t('agenda.actual', { time: duration(times.actual_ms) })) : null,
        ),
        current
          ? h('span', { class: 'now' }, t('agenda.now'))
          : withLabel(
              actions.button(
                `agenda.goto:${item.id}`,
                t('agenda.goto'),
                () => ({ type: 'agenda.goto', item: item.id }),
                { disabled: !live },
              ),
              label,
            ),
      );
    }),
  );
}

// A short visible label with a full accessible name.
function withLabel(button, label) {
  button.setAttribute('aria-label', label);
  return button;
}
