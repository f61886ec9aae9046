// The operator board's two lists: every point's link health (state, rate,
// loss, RTT, jitter, NACK/PLI), graded against the stats message's
// thresholds, and the alarms (the program sources are program_sources.js's). A grade is spelled out, never colour alone.

import { clockTime, duration, h, rebuild } from './dom.js';
import { formatNumber, t } from './i18n.js';
import { gradePoint } from './link_health.js';
import { slateText } from './program_sources.js';

const DASH = '—';

const number = (value, digits = 0) => (value === undefined ? DASH : formatNumber(value, digits));
const percent = (fraction, digits = 1) => (fraction === undefined ? DASH : `${number(fraction * 100, digits)} %`);
// A threshold as set in the config: 2 %, 1,5 %.
const threshold = (fraction) => percent(fraction, Math.round(fraction * 1000) % 10 === 0 ? 0 : 1);
const ms = (value) => (value === undefined ? DASH : `${number(value)} ms`);

// The figures of one point, each with its grade ('' = not graded).
function figures(link, levels) {
  return [
    ['kbps', t('board.kbps'), link ? number(link.kbps) : DASH, ''],
    ['fraction_lost', t('board.loss'), percent(link?.fraction_lost), levels.fraction_lost],
    ['rtt_ms', t('board.rtt'), ms(link?.rtt_ms), levels.rtt_ms],
    ['jitter_ms', t('board.jitter'), ms(link?.jitter_ms), levels.jitter_ms],
    ['nacks', t('board.nack_pli'), link ? `${number(link.nacks_received)} / ${number(link.plis_received)}` : DASH, ''],
  ];
}

// The state shown: 'dropped', 'present' (joined, no figures yet), 'absent',
// or the media state of the stats message.
function linkState(point, link, dropped) {
  if (dropped.has(point.id)) return 'dropped';
  if (!link) return point.connected ? 'present' : 'absent';
  if (link.state === 'absent') return point.connected ? 'no_media' : 'absent';
  return link.state;
}

// `dropped`: the points with a "dropped" alarm; `links`: each point's join
// link (may be empty), copied with `copyLink(point, url)`.
export function renderBoard(s, stats, dropped, links, copyLink, summary, legend, list) {
  const th = stats?.thresholds;
  legend.textContent = th
    ? t('board.thresholds', {
        lw: threshold(th.loss_warn),
        la: threshold(th.loss_alarm),
        rw: th.rtt_warn_ms,
        ra: th.rtt_alarm_ms,
        jw: th.jitter_warn_ms,
        ja: th.jitter_alarm_ms,
      })
    : t('board.no_stats');
  const counts = { linked: 0, warn: 0, alarm: 0 };
  rebuild(list, () =>
    s.points.map((p) => {
      // The figures of a point that is gone describe its last connection, not now.
      const link = p.connected ? stats?.points.get(p.id) : undefined;
      const state = linkState(p, stats?.points.get(p.id), dropped);
      const { levels, worst } = gradePoint(link, th);
      if (link?.connected) counts.linked++;
      if (worst === 'warn' || worst === 'alarm') counts[worst]++;
      return h(
        'li',
        {
          class: 'link',
          dataset: {
            point: p.id,
            level: worst,
            state,
            connected: String(p.connected),
          },
        },
        h('h3', { class: 'name', title: p.name }, p.name),
        h(
          'p',
          { class: 'link-state' },
          h('span', { class: 'dot', 'aria-hidden': 'true' }),
          t(`board.state.${state}`),
          worst === 'warn' || worst === 'alarm'
            ? h('strong', { class: `grade ${worst}` }, ` ${t(`board.grade.${worst}`)}`)
            : null,
        ),
        h(
          'dl',
          { class: 'figures' },
          figures(link, levels).map(([key, label, value, level]) => [
            h('dt', {}, label),
            h('dd', { dataset: { figure: key, level } }, value),
          ]),
        ),
        links.has(p.id)
          ? h(
              'button',
              {
                type: 'button',
                class: 'copy-link',
                dataset: { key: `link-${p.id}` },
                'aria-label': t('board.copy_link_for', { name: p.name }),
                onclick: () => copyLink(p, links.get(p.id)),
              },
              t('board.copy_link'),
            )
          : null,
      );
    }),
  );
  summary.textContent = t('board.summary', {
    linked: counts.linked,
    total: s.points.length,
    warn: counts.warn,
    alarm: counts.alarm,
  });
}

export function renderAlarms(s, alarms, now, heading, list) {
  heading.textContent = t('alarms.heading', { n: alarms.length });
  const nameOf = (id) => s.points.find((p) => p.id === id)?.name ?? id;
  rebuild(list, () =>
    alarms.length === 0
      ? [h('li', { class: 'muted empty' }, t('alarms.none'))]
      : alarms.map((a) =>
          h(
            'li',
            { class: `alarm ${a.kind}`, dataset: { kind: a.kind, point: a.point ?? '' } },
            h('p', {}, h('strong', {}, alarmText(a, nameOf))),
            h('p', { class: 'muted' }, t('alarms.since', { time: clockTime(a.since), ago: duration(now - a.since) })),
            a.kind === 'not_joined'
              ? h(
                  'details',
                  {},
                  h('summary', {}, t('alarms.which')),
                  h(
                    'ul',
                    {},
                    a.points.map((id) => h('li', {}, nameOf(id))),
                  ),
                )
              : null,
          ),
        ),
  );
}

function alarmText(a, nameOf) {
  switch (a.kind) {
    case 'dropped':
      return t('alarms.dropped', { name: nameOf(a.point) });
    case 'degraded':
      return t('alarms.degraded', {
        name: nameOf(a.point),
        what: a.figures.map((f) => t(`alarms.figure.${f}`)).join(', '),
      });
    case 'not_joined':
      return t(a.planned ? 'alarms.not_joined_planned' : 'alarms.not_joined', { n: a.points.length });
    case 'recording_failed':
      return t('recording.failed', { detail: a.detail || DASH });
    case 'slate':
      return slateText(a);
    default:
      return a.kind;
  }
}
