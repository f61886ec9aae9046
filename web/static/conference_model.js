// The conference state exactly as the node's snapshot shapes it
// (docs/protocol.md, "Snapshot"), kept current by applying each event the way
// the domain's Conference::Apply does. Nothing from the wire is trusted: a
// snapshot is copied field by field after its shape is checked, and an event
// that is malformed or does not fit the state is refused (the caller then
// asks the node for a fresh snapshot).

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v) => typeof v === 'string';
const isCount = (v) => Number.isSafeInteger(v) && v >= 0;
const isTime = isCount; // Unix milliseconds
const isOptTime = (v) => v === null || isTime(v);

const PHASES = new Set(['scheduled', 'live', 'ended']);
const QUESTION_STATUSES = new Set(['submitted', 'approved', 'answered', 'rejected']);

// Copies `list` through `read`; null if it is not an array or any entry is bad.
function readList(list, read) {
  if (!Array.isArray(list)) return null;
  const out = [];
  for (const entry of list) {
    const value = isObject(entry) ? read(entry) : null;
    if (value === null) return null;
    out.push(value);
  }
  return out;
}

function readPerson(p) {
  if (!isString(p.name) || !(p.title === undefined || isString(p.title))) return null;
  return { name: p.name, title: p.title ?? '' };
}

function readCheckin(c) {
  if (c === null) return null;
  if (!isObject(c) || !isCount(c.headcount) || !isTime(c.at)) return undefined;
  const delegates = readList(c.delegates, readPerson);
  return delegates ? { delegates, headcount: c.headcount, at: c.at } : undefined;
}

function readItem(i) {
  if (!isString(i.id) || !isString(i.title) || !isCount(i.planned_minutes)) return null;
  const runs = readList(i.runs, (r) => (isTime(r.start) && isTime(r.end) ? { start: r.start, end: r.end } : null));
  return runs && { id: i.id, title: i.title, planned_minutes: i.planned_minutes, qa: i.qa === true, runs };
}

function readPoint(p) {
  if (!isString(p.id) || !isString(p.name) || typeof p.connected !== 'boolean') return null;
  if (!isOptTime(p.connected_since)) return null;
  const checkin = readCheckin(p.checkin);
  if (checkin === undefined) return null;
  return {
    id: p.id,
    name: p.name,
    kind: isString(p.kind) ? p.kind : '',
    connected: p.connected,
    connected_since: p.connected_since,
    checkin,
  };
}

function readQuestion(q) {
  if (!isCount(q.id) || !isString(q.point) || !isString(q.text) || !QUESTION_STATUSES.has(q.status)) return null;
  if (!isTime(q.submitted_at) || !isTime(q.updated_at)) return null;
  return {
    id: q.id,
    point: q.point,
    item: isString(q.item) ? q.item : '',
    text: q.text,
    status: q.status,
    reason: isString(q.reason) ? q.reason : '',
    submitted_at: q.submitted_at,
    updated_at: q.updated_at,
  };
}

// The state from a snapshot message's `state`, or null when its shape is wrong.
export function readSnapshot(s) {
  if (!isObject(s) || !isString(s.conference) || !isString(s.title) || !PHASES.has(s.phase)) return null;
  if (!isOptTime(s.started_at) || !isOptTime(s.ended_at)) return null;
  const agenda = readList(s.agenda, readItem);
  const points = readList(s.points, readPoint);
  const hands = readList(s.hands, (h) => (isString(h.point) && isTime(h.at) ? { point: h.point, at: h.at } : null));
  const questions = readList(s.questions, readQuestion);
  if (!agenda || !points || !hands || !questions) return null;
  let current = null;
  if (s.current !== null) {
    if (!isObject(s.current) || !isString(s.current.item) || !isTime(s.current.since)) return null;
    current = { item: s.current.item, since: s.current.since };
  }
  let floor = null;
  if (s.floor !== null) {
    if (!isObject(s.floor) || !isString(s.floor.point) || !isTime(s.floor.since)) return null;
    floor = { point: s.floor.point, since: s.floor.since };
  }
  const r = s.recording;
  if (!isObject(r) || typeof r.on !== 'boolean' || !isOptTime(r.since)) return null;
  // A node from before rehearsals sends no count: never reset.
  if (!(s.rehearsals === undefined || isCount(s.rehearsals))) return null;
  if (!(s.planned_start === undefined || isOptTime(s.planned_start))) return null;
  return {
    conference: s.conference,
    title: s.title,
    planned_start: s.planned_start ?? null,
    phase: s.phase,
    started_at: s.started_at,
    ended_at: s.ended_at,
    agenda,
    current,
    points,
    hands,
    questions,
    floor,
    // `last_stop` is not in the snapshot: only an event tells why the recorder stopped.
    recording: { on: r.on, since: r.since, last_stop: null },
    rehearsals: s.rehearsals ?? 0,
  };
}

const pointOf = (s, id) => (isString(id) ? s.points.find((p) => p.id === id) : undefined);
const itemOf = (s, id) => (isString(id) ? s.agenda.find((i) => i.id === id) : undefined);
const questionOf = (s, id) => (isCount(id) ? s.questions.find((q) => q.id === id) : undefined);

function moderate(status) {
  return (s, e) => {
    const q = questionOf(s, e.question);
    if (!q || (status === 'rejected' && !isString(e.reason))) return false;
    q.status = status;
    q.reason = status === 'rejected' ? e.reason : '';
    q.updated_at = e.at;
    return true;
  };
}

// One function per event type (docs/protocol.md, "Events"); each returns
// false when the event does not fit the state.
const APPLY = {
  'conference.started': (s, e) => {
    s.phase = 'live';
    s.started_at = e.at;
    return true;
  },
  'conference.ended': (s, e) => {
    s.phase = 'ended';
    s.ended_at = e.at;
    return true;
  },
  'agenda.item_started': (s, e) => {
    if (!itemOf(s, e.item) || s.current) return false;
    s.current = { item: e.item, since: e.at };
    return true;
  },
  'agenda.item_ended': (s, e) => {
    if (!s.current || s.current.item !== e.item) return false;
    itemOf(s, e.item).runs.push({ start: s.current.since, end: e.at });
    s.current = null;
    return true;
  },
  'attendance.checked_in': (s, e) => {
    const point = pointOf(s, e.point);
    const delegates = readList(e.delegates, readPerson);
    if (!point || !delegates || !isCount(e.headcount)) return false;
    point.checkin = { delegates, headcount: e.headcount, at: e.at };
    return true;
  },
  'point.joined': (s, e) => {
    const point = pointOf(s, e.point);
    if (!point || point.connected) return false;
    point.connected = true;
    point.connected_since = e.at;
    return true;
  },
  'point.left': (s, e) => {
    const point = pointOf(s, e.point);
    if (!point || !point.connected) return false;
    point.connected = false;
    point.connected_since = null;
    return true;
  },
  'hand.raised': (s, e) => {
    if (!pointOf(s, e.point)) return false;
    s.hands.push({ point: e.point, at: e.at });
    return true;
  },
  'hand.lowered': (s, e) => {
    const i = s.hands.findIndex((h) => h.point === e.point);
    if (i < 0) return false;
    s.hands.splice(i, 1);
    return true;
  },
  'question.submitted': (s, e) => {
    if (!isCount(e.question) || !pointOf(s, e.point) || !isString(e.text)) return false;
    if (questionOf(s, e.question) || !(e.item === undefined || isString(e.item))) return false;
    s.questions.push({
      id: e.question,
      point: e.point,
      item: e.item ?? '',
      text: e.text,
      status: 'submitted',
      reason: '',
      submitted_at: e.at,
      updated_at: e.at,
    });
    return true;
  },
  'question.approved': moderate('approved'),
  'question.answered': moderate('answered'),
  'question.rejected': moderate('rejected'),
  'floor.granted': (s, e) => {
    if (!pointOf(s, e.point) || s.floor) return false;
    s.floor = { point: e.point, since: e.at };
    return true;
  },
  'floor.revoked': (s, e) => {
    if (!s.floor || s.floor.point !== e.point) return false;
    s.floor = null;
    return true;
  },
  'recording.started': (s, e) => {
    if (s.recording.on) return false;
    s.recording = { on: true, since: e.at, last_stop: null };
    return true;
  },
  'recording.stopped': (s, e) => {
    if (!s.recording.on) return false;
    const stop = { at: e.at, reason: isString(e.reason) ? e.reason : '', detail: isString(e.detail) ? e.detail : '' };
    s.recording = { on: false, since: null, last_stop: stop };
    return true;
  },
  // The end of a rehearsal (docs/protocol.md, "Rehearsal and reset"): its batch
  // has closed the item, floor, hands and recorder; what the practice left
  // goes, and points still connected attend from the reset on.
  'conference.reset': (s, e) => {
    if (s.phase === 'scheduled' || e.rehearsal !== s.rehearsals + 1) return false;
    if (s.current || s.floor || s.hands.length || s.recording.on) return false;
    s.phase = 'scheduled';
    s.started_at = null;
    s.ended_at = null;
    for (const item of s.agenda) item.runs = [];
    for (const p of s.points) {
      p.checkin = null;
      if (p.connected) p.connected_since = e.at;
    }
    s.questions = [];
    s.recording = { on: false, since: null, last_stop: null };
    s.rehearsals = e.rehearsal;
    return true;
  },
};

// Applies one event to `state` in place. Returns 'applied', 'unknown' (a type
// this page does not know: newer node; the state is left as it was) or
// 'refused' (malformed, or does not fit the state).
export function applyEvent(state, event) {
  if (!isObject(event) || !isCount(event.seq) || !isTime(event.at) || !isString(event.type)) return 'refused';
  const apply = APPLY[event.type];
  if (!apply) return 'unknown';
  return apply(state, event) ? 'applied' : 'refused';
}

// Time spent in an agenda item so far (its closed runs plus the open one) and
// its planned time, in ms; `now` is Unix ms.
export function itemTimes(state, itemId, now) {
  const item = itemOf(state, itemId);
  if (!item) return null;
  let actual = item.runs.reduce((sum, r) => sum + Math.max(0, r.end - r.start), 0);
  if (state.current && state.current.item === itemId) actual += Math.max(0, now - state.current.since);
  return { actual_ms: actual, planned_ms: item.planned_minutes * 60000 };
}
