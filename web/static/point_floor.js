// The point's own turn to speak: raise or lower its hand (with its place in
// the queue) and the unmistakable banner while it holds the floor, with what
// the floor's uplink (point_uplink.js) is doing: a small muted self-view of
// the camera, the microphone's level (mic_meter.js), the uplink's state in
// words, the microphone's mute toggle, and why nothing is sent when the
// browser gives no microphone (with a retry).

import { h, rebuild } from './dom.js';
import { t } from './i18n.js';
import { MicMeter } from './mic_meter.js';

const STATE_TEXT = {
  idle: 'point.uplink.connecting',
  capturing: 'point.uplink.capturing',
  connecting: 'point.uplink.connecting',
  connected: 'point.uplink.connected',
  lost: 'point.uplink.lost',
  failed: 'point.uplink.failed',
};

export class FloorBanner {
  // `el`: the banner; `uplink`: the PointUplink.
  constructor(el, uplink) {
    this.el = el;
    this.uplink = uplink;
    this.parts = null; // built while the floor is ours
    this.meter = null;
    this.selfStream = null; // what the self-view shows: the camera's track alone
    // The program gives up the banner's height on a room PC (point.css).
    if (typeof ResizeObserver === 'function') {
      new ResizeObserver(() => {
        const height = this.el.hidden ? 0 : this.el.getBoundingClientRect().height;
        document.body.style.setProperty('--floor-banner-height', `${Math.ceil(height)}px`);
      }).observe(el);
    }
  }

  render(s, me) {
    const mine = s.floor !== null && s.floor.point === me;
    document.body.dataset.floor = mine ? 'mine' : s.floor ? 'other' : 'free';
    this.el.hidden = !mine;
    if (!mine) return this.clear();
    if (!this.parts) this.build();
    this.update();
  }

  build() {
    const uplink = this.uplink;
    const p = {
      title: h('strong', {}),
      detail: h('span', {}),
      self: h('video', { class: 'self-view', muted: true, autoplay: true, playsInline: true }),
      noCamera: h('p', { class: 'no-camera' }),
      state: h('p', { id: 'uplink-state', class: 'uplink-state' }),
      meter: h('div', { id: 'mic-meter', class: 'mic-meter' }, h('span', { class: 'level' })),
      mute: h('button', {
        id: 'mic-mute',
        type: 'button',
        onclick: () => uplink.setMicMuted(!uplink.micMuted),
      }),
      error: h('p', { id: 'uplink-error', class: 'uplink-error' }),
      retry: h('button', { id: 'uplink-retry', type: 'button', class: 'primary', onclick: () => uplink.retry() }),
    };
    p.self.defaultMuted = true;
    this.meter = new MicMeter(p.meter);
    this.parts = p;
    // The title is announced once (role="alert"), the uplink's changes politely.
    this.el.replaceChildren(
      h('div', { class: 'floor-title', role: 'alert' }, p.title, p.detail),
      h(
        'div',
        { class: 'speaker' },
        h('div', { class: 'self' }, p.self, p.noCamera),
        h(
          'div',
          { class: 'speaker-controls' },
          h('div', { role: 'status' }, p.state),
          h('div', { class: 'mic-row' }, p.meter, p.mute),
          h('div', { role: 'alert' }, p.error),
          p.retry,
        ),
      ),
    );
  }

  update() {
    const p = this.parts;
    const u = this.uplink;
    setText(p.title, t('point.floor.mine'));
    setText(p.detail, t('point.floor.mine_detail'));
    this.el.dataset.uplink = u.state;
    const silent = u.micMuted && u.state === 'connected';
    setText(p.state, t(silent ? 'point.uplink.connected_muted' : STATE_TEXT[u.state] || 'point.uplink.connecting'));
    p.state.dataset.state = silent ? 'muted' : u.state;
    // The self-view: the camera's picture, mirrored like a mirror, never its sound.
    const camera = u.stream ? u.stream.getVideoTracks()[0] || null : null;
    if ((this.selfStream?.getVideoTracks()[0] || null) !== camera) {
      this.selfStream = camera ? new MediaStream([camera]) : null;
      p.self.srcObject = this.selfStream;
      if (camera) p.self.play().catch(() => {});
    }
    p.self.hidden = !camera;
    p.noCamera.hidden = !(u.stream && !camera);
    setText(p.noCamera, t('point.uplink.no_camera'));
    p.self.setAttribute('aria-label', t('point.uplink.self_view'));
    this.meter.watch(u.stream);
    p.meter.setAttribute('aria-label', t(u.micMuted ? 'point.uplink.meter_muted' : 'point.uplink.meter'));
    p.meter.classList.toggle('muted', u.micMuted);
    p.mute.hidden = !u.stream;
    p.mute.setAttribute('aria-pressed', String(u.micMuted));
    setText(p.mute, t(u.micMuted ? 'point.uplink.unmute' : 'point.uplink.mute'));
    p.meter.hidden = !u.stream;
    setText(p.error, u.state === 'failed' ? t(`point.uplink.error.${u.error}`) : '');
    p.error.hidden = u.state !== 'failed';
    p.retry.hidden = !u.canRetry;
    setText(p.retry, t('point.uplink.retry'));
  }

  clear() {
    if (!this.parts) return;
    this.meter.stop();
    this.parts.self.srcObject = null;
    this.selfStream = null;
    this.parts = null;
    this.meter = null;
    delete this.el.dataset.uplink;
    this.el.replaceChildren();
  }
}

// Only when it changed: live regions announce every change.
function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
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
