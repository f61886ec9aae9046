// A staff page's connection to the node (docs/protocol.md, "WebSocket
// signaling"): hello with the token, the conference state from the snapshot
// and every event after it (conference_model.js), reconnection with a growing
// backoff that resumes from the last seq, and commands answered by their ack.
//
// Events dispatched: 'status' (this.status changed), 'welcome', 'state' (the
// model changed; detail.event is the event, or null for a snapshot), 'stats'
// (detail: the node's stats message, unvalidated: its reader checks it),
// 'program' (detail: the node's program message, the sources and what is on
// air, for the chair and the operator; unvalidated: program_sources.js checks it),
// 'media' (detail: an offer, ice or state message, for a point's media;
// unvalidated: point_media.js checks it), 'uplink' (detail: an uplink_offer,
// uplink_ice, uplink_state or uplink_close message, for the point holding
// the floor; unvalidated: point_uplink.js checks it).

import { applyEvent, readSnapshot } from './conference_model.js';
import { readClaims } from './token.js';

const SUBPROTOCOL = 'bridgecast.v1';
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10000;
const COMMAND_TIMEOUT_MS = 15000;
// After these the token itself is wrong: retrying cannot help.
const FINAL_ERRORS = new Set(['bad_token', 'wrong_conference', 'unknown_point', 'replaced']);

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

// A refused (or unanswered) command; `code` is the protocol's error code or
// one of the client's own: offline, disconnected, timeout.
export class CommandError extends Error {
  constructor(code, message) {
    super(message || code);
    this.code = code;
  }
}

export class ConferenceSocket extends EventTarget {
  // `roles`: the token roles this page serves; another role's token is not
  // sent at all (a point's hello would journal a join and open media).
  // `preview`: a staff page that also wants the program (offer, ice, state
  // arrive as 'media' events, as for a point).
  constructor(token, roles, { preview = false } = {}) {
    super();
    this.token = token;
    this.roles = new Set(roles);
    this.preview = preview;
    this.status = 'idle'; // connecting, live, reconnecting, failed (then this.failure is the code)
    this.failure = '';
    this.welcome = null;
    this.state = null;
    this.seq = 0;
    this.clockOffsetMs = 0; // node clock minus ours, from the stats messages or else the events
    this.clock = ''; // where clockOffsetMs comes from: '', 'events', 'stats'
    this.ws = null;
    this.nextId = 1;
    this.pending = new Map(); // command id → {resolve, reject, timer}
    this.retryMs = RETRY_MIN_MS;
    this.retryTimer = 0;
  }

  start() {
    clearTimeout(this.retryTimer);
    const claims = readClaims(this.token);
    if (claims && !this.roles.has(claims.role)) return this.fail('wrong_role');
    this.setStatus(this.state ? 'reconnecting' : 'connecting');
    const ws = new WebSocket(`wss://${location.host}/ws`, SUBPROTOCOL);
    this.ws = ws;
    let finalError = '';
    ws.onopen = () => {
      const hello = { type: 'hello', token: this.token };
      if (this.state) hello.last_seq = this.seq; // resume: only the events after it
      if (this.preview) hello.preview = true;
      ws.send(JSON.stringify(hello));
    };
    ws.onmessage = (e) => {
      if (this.ws !== ws) return;
      let m;
      try {
        m = JSON.parse(e.data);
      } catch {
        return;
      }
      if (!isObject(m)) return;
      if (m.type === 'error' && m.fatal === true && FINAL_ERRORS.has(m.code)) finalError = m.code;
      this.handle(m);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.failAll('disconnected');
      if (finalError) return this.fail(finalError);
      this.setStatus('reconnecting');
      const delay = this.retryMs * (0.75 + Math.random() / 2);
      this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
      this.retryTimer = setTimeout(() => this.start(), delay);
    };
  }

  // The node's time now (Unix ms), for clocks that count from event times.
  now() {
    return Date.now() + this.clockOffsetMs;
  }

  // Sends a conference command; resolves with the ack's seq (its events are
  // already applied to this.state), rejects with a CommandError.
  command(command) {
    if (this.status !== 'live' || !this.ws) return Promise.reject(new CommandError('offline'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new CommandError('timeout'));
      }, COMMAND_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.ws.send(JSON.stringify({ type: 'command', id, command }));
    });
  }

  // Sends a session message (a point's answer and candidates) on the open socket.
  send(m) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(m));
  }

  // Drops this connection and connects again, resuming from the last seq
  // (a point whose media never came up or broke for good).
  reconnect(why) {
    if (!this.ws) return;
    console.warn('bridgecast: reconnecting:', why);
    this.ws.close();
  }

  handle(m) {
    switch (m.type) {
      case 'welcome':
        if (!isObject(m.conference) || typeof m.role !== 'string') return;
        if (!this.roles.has(m.role)) {
          this.ws.onclose = null;
          this.ws.close();
          this.ws = null;
          return this.fail('wrong_role');
        }
        this.welcome = m;
        this.dispatchEvent(new CustomEvent('welcome'));
        // Resuming: the missed events (maybe none) come next, before any ack.
        if (this.state) this.live();
        break;
      case 'snapshot': {
        const state = Number.isSafeInteger(m.seq) && m.seq >= 0 ? readSnapshot(m.state) : null;
        if (!state) return this.resync('bad snapshot');
        this.state = state;
        this.seq = m.seq;
        this.live();
        this.dispatchEvent(new CustomEvent('state', { detail: { event: null } }));
        break;
      }
      case 'event': {
        if (!this.state || !isObject(m.event)) return;
        const e = m.event;
        if (Number.isSafeInteger(e.seq) && e.seq <= this.seq) return; // seen already
        const result = applyEvent(this.state, e);
        if (result === 'refused') return this.resync(`event ${JSON.stringify(e).slice(0, 200)}`);
        this.seq = e.seq;
        this.learnClock(e.at);
        this.live();
        this.dispatchEvent(new CustomEvent('state', { detail: { event: e } }));
        break;
      }
      case 'ack':
        this.settle(m.id, (p) => p.resolve(m.seq));
        break;
      case 'error':
        if (m.id !== undefined && this.pending.has(m.id)) {
          this.settle(m.id, (p) => p.reject(new CommandError(String(m.code), String(m.message ?? ''))));
        } else {
          console.warn(`bridgecast: ${m.code}: ${m.message}`);
        }
        break;
      case 'stats':
        if (Number.isSafeInteger(m.at)) {
          this.clockOffsetMs = m.at - Date.now();
          this.clock = 'stats';
        }
        this.dispatchEvent(new CustomEvent('stats', { detail: m }));
        break;
      case 'program':
        this.dispatchEvent(new CustomEvent('program', { detail: m }));
        break;
      case 'offer':
      case 'ice':
      case 'state':
        this.dispatchEvent(new CustomEvent('media', { detail: m }));
        break;
      case 'uplink_offer':
      case 'uplink_ice':
      case 'uplink_state':
      case 'uplink_close':
        this.dispatchEvent(new CustomEvent('uplink', { detail: m }));
        break;
      default:
        break; // types newer than this page
    }
  }

  // A page without stats (a point): an event is never newer than the node's
  // clock when it arrives, so the largest (event time - our clock) is the
  // closest estimate that never runs ahead of the node (a replayed old event
  // only gives a smaller one).
  learnClock(at) {
    if (this.clock === 'stats') return;
    const offset = at - Date.now();
    if (this.clock === '' || offset > this.clockOffsetMs) this.clockOffsetMs = offset;
    this.clock = 'events';
  }

  fail(code) {
    this.failure = code;
    this.setStatus('failed');
  }

  // The first state after a (re)connect: the socket is usable again.
  live() {
    if (this.status === 'live') return;
    this.retryMs = RETRY_MIN_MS;
    this.setStatus('live');
  }

  // Our model disagrees with the node's: start again from a fresh snapshot.
  resync(why) {
    console.warn('bridgecast: resynchronising:', why);
    this.state = null;
    this.seq = 0;
    if (this.ws) this.ws.close();
  }

  settle(id, fn) {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    fn(p);
  }

  failAll(code) {
    for (const id of [...this.pending.keys()]) this.settle(id, (p) => p.reject(new CommandError(code)));
  }

  setStatus(status) {
    if (this.status === status) return;
    this.status = status;
    this.dispatchEvent(new CustomEvent('status'));
  }
}
