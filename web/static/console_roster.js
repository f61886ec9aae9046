// The console's roster: every bridge point as a small tile (presence,
// headcount, raised hand, floor), dense enough for 67 points on one
// 1366×768 screen. Hovering shows the delegates; a click opens the point's
// details (delegates, check-in time, grant the floor).

import { clockTime, h, rebuild } from './dom.js';
import { t } from './i18n.js';

export function renderRoster(ctx, summary, list, detail) {
  const { s, view, redraw } = ctx;
  const online = s.points.filter((p) => p.connected).length;
  const checked = s.points.filter((p) => p.checkin);
  const people = checked.reduce((sum, p) => sum + p.checkin.headcount, 0);
  summary.textContent = t('roster.summary', { online, total: s.points.length, checked: checked.length, people });

  const hands = new Set(s.hands.map((x) => x.point));
  const tabStop = s.points.some((p) => p.id === view.focusPoint) ? view.focusPoint : s.points[0]?.id;
  list.onkeydown = (e) => moveFocus(e, list, view);
  rebuild(list, () =>
    s.points.map((p) => {
      const marks = [];
      if (s.floor?.point === p.id) marks.push(t('roster.floor'));
      if (hands.has(p.id)) marks.push(t('roster.hand'));
      const presence = t(p.connected ? 'roster.online' : 'roster.offline');
      const headcount = p.checkin ? p.checkin.headcount : null;
      return h(
        'li',
        {},
        h(
          'button',
          {
            type: 'button',
            class: 'tile',
            tabindex: p.id === tabStop ? '0' : '-1',
            title: tooltip(p),
            'aria-pressed': String(view.selectedPoint === p.id),
            'aria-label': [
              p.name,
              presence,
              headcount === null ? t('roster.no_checkin') : t('roster.headcount', { n: headcount }),
              ...marks,
            ].join(', '),
            dataset: {
              key: `point:${p.id}`,
              point: p.id,
              connected: String(p.connected),
              hand: String(hands.has(p.id)),
              floor: String(s.floor?.point === p.id),
            },
            onclick: () => {
              view.focusPoint = p.id;
              view.selectedPoint = view.selectedPoint === p.id ? '' : p.id;
              redraw();
            },
          },
          h('span', { class: 'dot', 'aria-hidden': 'true' }),
          h('span', { class: 'name' }, p.name),
          h('span', { class: 'headcount', 'aria-hidden': 'true' }, headcount === null ? '–' : String(headcount)),
          marks.length ? h('span', { class: 'marks', 'aria-hidden': 'true' }, marks.join(' · ')) : null,
        ),
      );
    }),
  );
  renderDetail(ctx, detail);
}

// The grid is one Tab stop (67 stops would bury the queues behind it); the
// arrow keys, Home and End move between its tiles.
function moveFocus(e, list, view) {
  const tiles = [...list.querySelectorAll('.tile')];
  const i = tiles.indexOf(document.activeElement);
  if (i < 0) return;
  const columns = tiles.filter((tile) => tile.offsetTop === tiles[0].offsetTop).length;
  const target = {
    ArrowRight: i + 1,
    ArrowLeft: i - 1,
    ArrowDown: i + columns,
    ArrowUp: i - columns,
    Home: 0,
    End: tiles.length - 1,
  }[e.key];
  if (target === undefined || !tiles[target]) return;
  e.preventDefault();
  tiles[i].tabIndex = -1;
  tiles[target].tabIndex = 0;
  tiles[target].focus();
  view.focusPoint = tiles[target].dataset.point;
}

function tooltip(p) {
  const lines = [p.name];
  if (p.checkin) {
    lines.push(t('roster.headcount', { n: p.checkin.headcount }));
    for (const d of p.checkin.delegates) lines.push(d.title ? `• ${d.name} (${d.title})` : `• ${d.name}`);
  } else {
    lines.push(t('roster.no_checkin'));
  }
  return lines.join('\n');
}

function renderDetail({ s, actions, view, redraw }, el) {
  const p = s.points.find((x) => x.id === view.selectedPoint);
  el.hidden = !p;
  if (!p) {
    el.replaceChildren();
    return;
  }
  el.dataset.point = p.id;
  const canGrant = s.phase === 'live' && p.connected && !s.floor;
  rebuild(el, () => [
    h('h3', {}, p.name),
    h('p', {}, p.connected ? t('detail.online_since', { time: clockTime(p.connected_since) }) : t('roster.offline')),
    p.checkin
      ? h('p', {}, t('detail.checkin', { n: p.checkin.headcount, time: clockTime(p.checkin.at) }))
      : h('p', { class: 'muted' }, t('roster.no_checkin')),
    p.checkin && p.checkin.delegates.length
      ? h(
          'ol',
          { class: 'delegates' },
          p.checkin.delegates.map((d) =>
            h(
              'li',
              {},
              h('span', { class: 'delegate-name' }, d.name),
              d.title ? h('span', { class: 'muted' }, ` — ${d.title}`) : null,
            ),
          ),
        )
      : null,
    h(
      'div',
      { class: 'row' },
      actions.button(`floor.grant:${p.id}`, t('floor.grant'), () => ({ type: 'floor.grant', point: p.id }), {
        disabled: !canGrant,
        kind: 'primary',
      }),
      h(
        'button',
        {
          type: 'button',
          dataset: { key: 'detail.close' },
          onclick: () => {
            view.selectedPoint = '';
            redraw();
          },
        },
        t('detail.close'),
      ),
    ),
  ]);
}
