// What the conference is doing, for a bridge point: the phase in plain words
// and the agenda with the running item marked, its time so far against the
// planned time (redrawn every second by the page).

import { itemTimes } from './conference_model.js';
import { clockTime, dateTime, duration, h } from './dom.js';
import { t } from './i18n.js';

export function renderPhase(s, badge, detail) {
  badge.textContent = t(`phase.${s.phase}`);
  badge.dataset.phase = s.phase;
  document.body.dataset.phase = s.phase;
  let text = t('point.phase.scheduled');
  if (s.planned_start !== null) text = t('point.phase.scheduled_at', { at: dateTime(s.planned_start) });
  if (s.phase === 'live') text = t('point.phase.live', { since: clockTime(s.started_at) });
  if (s.phase === 'ended') text = t('point.phase.ended', { at: clockTime(s.ended_at) });
  detail.textContent = text;
}

export function renderAgenda(s, now, list) {
  list.replaceChildren(
    ...s.agenda.map((item) => {
      const current = s.current !== null && s.current.item === item.id;
      const times = itemTimes(s, item.id, now);
      let clock = t('agenda.planned', { minutes: item.planned_minutes });
      if (current) {
        clock = t('point.agenda.clock', { actual: duration(times.actual_ms), planned: duration(times.planned_ms) });
      } else if (item.runs.length) {
        clock = t('point.agenda.done', { actual: duration(times.actual_ms), planned: duration(times.planned_ms) });
      }
      const over = times.actual_ms > times.planned_ms;
      return h(
        'li',
        {
          class: `${current ? 'current' : ''} ${item.runs.length && !current ? 'done' : ''}`.trim(),
          'aria-current': current ? 'true' : null,
          dataset: { item: item.id },
        },
        current ? h('span', { class: 'now' }, t('agenda.now')) : null,
        h('span', { class: 'title' }, item.title),
        h('span', { class: `clock ${over ? 'over' : ''}`.trim() }, clock),
      );
    }),
  );
}
