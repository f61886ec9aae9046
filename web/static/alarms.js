// The operator's alarms, recomputed from the conference state and the latest
// stats: a point dropped (it was connected, now it is absent or its link is
// down), degraded (a figure over its alarm threshold), never joined since the
// conference started (the snapshot carries no planned start time), a
// failed recording, and the slate on air (the selected program source is not
// live). Each alarm keeps the time it was first raised.

import { gradePoint } from './link_health.js';
import { slateCause } from './program_sources.js';

const DOWN = new Set(['disconnected', 'failed', 'closed']);

// A scheduled conference whose planned start has passed: points should be in.
const due = (state, now) => state.phase === 'scheduled' && state.planned_start != null && now >= state.planned_start;

export class Alarms {
  constructor() {
    this.everJoined = new Set(); // points known to have connected at some time
    this.leftAt = new Map(); // point → when its point.left came
    this.raised = new Map(); // alarm key → first seen (Unix ms)
  }

  // Points the attendance report says have joined before this page opened.
  noteJoined(ids) {
    for (const id of ids) this.everJoined.add(id);
  }

  // A point seen connected in any state has joined, even if it is gone by
  // the next compute().
  noteState(state, event) {
    for (const p of state.points) if (p.connected) this.everJoined.add(p.id);
    if (event?.type === 'point.left' && typeof event.point === 'string') this.leftAt.set(event.point, event.at);
  }

  // [{key, kind, point?, points?, since, figures?, detail?, source?, label?,
  // state?}], newest first. `program`: readProgram()'s, or null.
  compute(state, stats, now, program = null) {
    const out = [];
    const notJoined = [];
    for (const p of state.points) {
      if (p.connected) this.everJoined.add(p.id);
      const link = stats?.points.get(p.id);
      const down = !p.connected || (link && DOWN.has(link.state));
      if (down && this.everJoined.has(p.id)) {
        out.push({
          key: `dropped:${p.id}`,
          kind: 'dropped',
          point: p.id,
          at: p.connected ? undefined : this.leftAt.get(p.id),
        });
      } else if (!p.connected && (state.phase === 'live' || due(state, now))) {
        notJoined.push(p.id);
      } else if (!down && link) {
        const { levels } = gradePoint(link, stats.thresholds);
        const figures = Object.keys(levels).filter((k) => levels[k] === 'alarm');
        if (figures.length) out.push({ key: `degraded:${p.id}`, kind: 'degraded', point: p.id, figures });
      }
    }
    if (notJoined.length) {
      const at = state.phase === 'live' ? state.started_at : state.planned_start;
      out.push({ key: 'not_joined', kind: 'not_joined', points: notJoined, at, planned: state.phase !== 'live' });
    }
    const stop = state.recording.last_stop;
    if (!state.recording.on && stop?.reason === 'failed') {
      out.push({ key: 'recording_failed', kind: 'recording_failed', detail: stop.detail, at: stop.at });
    }
    const slate = slateCause(program);
    if (slate) out.push({ key: `slate:${slate.source}`, kind: 'slate', ...slate });
    const live = new Set(out.map((a) => a.key));
    for (const key of this.raised.keys()) if (!live.has(key)) this.raised.delete(key);
    for (const a of out) {
      if (!this.raised.has(a.key)) this.raised.set(a.key, a.at ?? now);
      a.since = this.raised.get(a.key);
    }
    return out.sort((a, b) => b.since - a.since);
  }
}
