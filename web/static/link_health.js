// The node's pushed `stats` message (every 2 s to chair and operator
// sockets): read with its shape checked, each figure graded against the
// thresholds the message itself carries.

const STATES = new Set(['absent', 'new', 'connecting', 'connected', 'disconnected', 'failed', 'closed']);
const FIGURES = [
  'kbps',
  'packets_sent',
  'bytes_sent',
  'packets_lost',
  'fraction_lost',
  'rtt_ms',
  'jitter_ms',
  'nacks_received',
  'plis_received',
];
const THRESHOLDS = ['loss_warn', 'loss_alarm', 'rtt_warn_ms', 'rtt_alarm_ms', 'jitter_warn_ms', 'jitter_alarm_ms'];

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFigure = (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0;

// {at, keyframeAgeMs, thresholds, points: Map(id → entry)}, or null when the
// message is not a stats message at all. Bad figures become undefined (shown
// as "—"); thresholds are null unless all six are numbers.
export function readStats(m) {
  if (!isObject(m) || !Number.isSafeInteger(m.at) || !Array.isArray(m.points)) return null;
  let thresholds = null;
  if (isObject(m.thresholds) && THRESHOLDS.every((k) => isFigure(m.thresholds[k]))) {
    thresholds = Object.fromEntries(THRESHOLDS.map((k) => [k, m.thresholds[k]]));
  }
  const points = new Map();
  for (const p of m.points) {
    if (!isObject(p) || typeof p.point !== 'string') continue;
    const entry = {
      state: STATES.has(p.state) ? p.state : 'unknown',
      connected: p.connected === true,
    };
    for (const k of FIGURES) entry[k] = isFigure(p[k]) ? p[k] : undefined;
    points.set(p.point, entry);
  }
  return { at: m.at, keyframeAgeMs: isFigure(m.keyframe_age_ms) ? m.keyframe_age_ms : null, thresholds, points };
}

// 'ok', 'warn', 'alarm', or '' when there is no value or no threshold.
function grade(value, warn, alarm) {
  if (value === undefined || warn === undefined) return '';
  if (value >= alarm) return 'alarm';
  if (value >= warn) return 'warn';
  return 'ok';
}

// The grade of each graded figure and the worst of them.
export function gradePoint(entry, th) {
  const t = th || {};
  const levels = {
    fraction_lost: grade(entry?.fraction_lost, t.loss_warn, t.loss_alarm),
    rtt_ms: grade(entry?.rtt_ms, t.rtt_warn_ms, t.rtt_alarm_ms),
    jitter_ms: grade(entry?.jitter_ms, t.jitter_warn_ms, t.jitter_alarm_ms),
  };
  const all = Object.values(levels);
  const worst = all.includes('alarm') ? 'alarm' : all.includes('warn') ? 'warn' : all.includes('ok') ? 'ok' : '';
  return { levels, worst };
}
