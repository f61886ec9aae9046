// The point's own turn to speak: raise or lower its hand (with its place in
// the queue) and the unmistakable banner while it holds the floor. The
// floor's uplink (this point's camera and microphone sent to the node) does
// not exist on the node yet: the banner says to speak into the room's own
// conference audio, and nothing is captured here.

import { h, rebuild } from './dom.js';
import { t } from './i18n.js';

export function renderFloor(s, me, banner) {
  const mine = s.floor !== null && s.floor.point === me;
  document.body.dataset.floor = mine ? 'mine' : s.floor ? 'other' : 'free';
  banner.hidden = !mine;
  if (!mine) return banner.replaceChildren();
  if (banner.childElementCount) return; // role="alert": announced once, not on every redraw
  banner.replaceChildren(h('strong', {}, t('point.floor.mine')), h('span', {}, t('point.floor.mine_detail')));
}

export function renderHand({ s, me, actions }, el) {
  const live = s.phase === 'live';
  const place = s.hands.findIndex((hand) => hand.point === me) + 1;
  const holder = s.floor ? s.points.find((p) => p.id === s.floor.point) : null;
  const parts = [];
  if (place > 0) {
    parts.push(
      actions.button('hand.lower', t('point.hand.lower'), () => ({ type: 'hand.lower' }), { disabled: !live }),
      h('span', { id: 'hand-place', class: 'badge hand' }, t('point.hand.place', { n: place, total: s.hands.length })),
    );
  } else if (!(s.floor && s.floor.point === me)) {
    parts.push(
      actions.button('hand.raise', t('point.hand.raise'), () => ({ type: 'hand.raise' }), {
        kind: 'primary',
        disabled: !live,
      }),
    );
  }
  if (holder && holder.id !== me) {
    parts.push(h('span', { class: 'muted' }, t('point.floor.other', { name: holder.name })));
  }
  if (!live) parts.push(h('span', { class: 'muted' }, t('point.hand.not_live')));
  rebuild(el, () => parts);
}
