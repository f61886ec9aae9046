// The program sources panel of the staff pages: every ingest source of the
// node's program message (label, kind, state in words, why it is not live,
// input format, re-encoded or passed through), which one is on air, a
// "play this source" button per source that sends program.select, and the
// slate line when no source is on air, and the point speaking on the floor
// with its uplink's state. readProgram() checks the message.

import { h, rebuild } from './dom.js';
import { t } from './i18n.js';

const STATES = new Set(['idle', 'connecting', 'live', 'stalled', 'failed']);
const KINDS = new Set(['srt', 'rtsp', 'file', 'device', 'whip', 'test_pattern']);
const ENCODINGS = new Set(['reencode', 'passthrough']);
const FLOOR_STATES = new Set(['connecting', 'live', 'voice_only', 'failed']);

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v) => (typeof v === 'string' ? v : '');

function readSource(s) {
  if (!isObject(s) || typeof s.id !== 'string' || !s.id) return null;
  return {
    id: s.id,
    label: text(s.label) || s.id,
    kind: KINDS.has(s.kind) ? s.kind : 'unknown',
    state: STATES.has(s.state) ? s.state : 'unknown',
    reason: text(s.reason),
    input: text(s.input),
    encoding: ENCODINGS.has(s.encoding) ? s.encoding : '',
    onAir: s.on_air === true,
  };
}

function readFloor(f) {
  if (!isObject(f) || typeof f.point !== 'string' || !f.point) return null;
  return { point: f.point, name: text(f.name) || f.point, state: FLOOR_STATES.has(f.state) ? f.state : 'unknown' };
}

// {selected, onAir, slate, sources: [...], floor} from a program message, or
// null when it is no such message. Unknown kinds and states read as
// 'unknown'; floor is null while no point speaks.
export function readProgram(m) {
  if (!isObject(m) || !Array.isArray(m.sources)) return null;
  const sources = m.sources.map(readSource).filter(Boolean);
  const onAir = typeof m.on_air === 'string' && sources.some((s) => s.id === m.on_air) ? m.on_air : null;
  return {
    selected: typeof m.selected === 'string' ? m.selected : '',
    onAir,
    slate: m.slate === true || onAir === null,
    sources: sources.map((s) => ({ ...s, onAir: s.id === onAir })),
    floor: readFloor(m.floor),
  };
}

// The selected source when the slate is on air: {label, state}, else null.
export function slateCause(program) {
  if (!program?.slate) return null;
  const s = program.sources.find((x) => x.id === program.selected);
  return { source: program.selected, label: s?.label ?? program.selected, state: s?.state ?? 'unknown' };
}

export function slateText(cause) {
  return t('sources.slate', { label: cause.label, state: t(`sources.state_inline.${cause.state}`) });
}

// Renders `program` (from readProgram, or null before the first message)
// into the panel's elements: `slate` (a role="alert" line), `list` (a <ul>),
// `summary` (optional: what is on air, in a line). Buttons send through
// `actions` (actions.js).
export function renderSources(program, actions, { slate, list, summary = null }) {
  const cause = slateCause(program);
  const line = cause ? slateText(cause) : '';
  // Only a change is announced again.
  if (slate.textContent !== line) slate.textContent = line;
  slate.hidden = !cause;
  if (summary) {
    const onAir = program?.sources.find((s) => s.onAir);
    summary.textContent = !program ? '' : onAir ? t('sources.summary', { label: onAir.label }) : t('sources.summary_slate');
  }
  rebuild(list, () =>
    !program
      ? [h('li', { class: 'muted empty' }, t('sources.waiting'))]
      : [floorItem(program.floor), ...program.sources.map((s) => sourceItem(s, program, actions))].filter(Boolean),
  );
}

// The speaking point above the sources: it is in the program with them.
function floorItem(floor) {
  if (!floor) return null;
  return h(
    'li',
    { class: 'source floor', dataset: { floor: floor.point, state: floor.state } },
    h('div', { class: 'source-head' }, h('h3', { class: 'name', title: floor.name }, t('sources.floor', { name: floor.name }))),
    h('p', { class: 'source-state' }, h('span', { class: 'dot', 'aria-hidden': 'true' }), t(`sources.floor_state.${floor.state}`)),
  );
}

function sourceItem(s, program, actions) {
  const selected = s.id === program.selected;
  const details = [t(`sources.kind.${s.kind}`)];
  if (s.encoding) details.push(t(`sources.encoding.${s.encoding}`));
  return h(
    'li',
    {
      class: 'source',
      dataset: { source: s.id, state: s.state, onAir: String(s.onAir), selected: String(selected) },
    },
    h(
      'div',
      { class: 'source-head' },
      h('h3', { class: 'name', title: s.label }, s.label),
      s.onAir ? h('strong', { class: 'on-air' }, t('sources.on_air')) : null,
      selected && !s.onAir ? h('strong', { class: 'chosen' }, t('sources.selected_not_on_air')) : null,
    ),
    h('p', { class: 'source-kind muted' }, details.join(' · ')),
    h(
      'p',
      { class: 'source-state' },
      h('span', { class: 'dot', 'aria-hidden': 'true' }),
      t(`sources.state.${s.state}`),
    ),
    s.state !== 'live' && s.reason ? h('p', { class: 'source-reason' }, t('sources.reason', { reason: s.reason })) : null,
    h('p', { class: 'source-input muted' }, t('sources.input', { input: s.input || '—' })),
    actions.button(
      `program.select:${s.id}`,
      t('sources.select'),
      () => ({ type: 'program.select', source: s.id }),
      { disabled: selected, ariaLabel: t('sources.select_named', { label: s.label }) },
    ),
  );
}
