// The review page: lists the archived sessions a token may read, plays one as
// HLS (hls.js, or the browser's own HLS) and seeks to an agenda item, a
// question or a speaking turn (a floor grant, drawn as a range under the player).
// URL: /review[?s=<session>][#token=<token>][&t=<seconds>][&item=<agenda item id>]
// (the minutes link to ?s=...#t=...). The token is kept in localStorage so
// those links work without it, and taken out of the address bar; the player
// and the minutes get it as a cookie scoped to the session's archive path, so
// no URL anyone copies carries it. Vietnamese by default, English selectable.

import { errorText, mountLanguagePicker, onLanguageChange, t, translatePage } from './i18n.js';

{
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.hash.slice(1));
  const query = new URLSearchParams(location.search);
  const video = $('player');
  const kTokenKey = 'bridgecast.review.token';
  let token = params.get('token') || localStorage.getItem(kTokenKey) || '';
  let hls = null;
  if (params.has('token')) {
    params.delete('token');
    const rest = params.toString();
    history.replaceState(null, '', location.pathname + location.search + (rest ? `#${rest}` : ''));
  }

  // The status line keeps its key, so a language switch redraws it.
  let status = ['review.loading', {}];
  const setState = (state, key, params = {}) => {
    document.body.dataset.state = state;
    status = [key, params];
    $('status').textContent = t(key, params);
  };
  const fail = (error) => {
    $('error-text').textContent = error.code ? errorText(error.code) : error.message;
    $('error').hidden = false;
    setState('error', 'review.error');
  };
  const api = async (path) => {
    const response = await fetch(path, { headers: { Authorization: 'Bearer ' + token } });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(`${body.code || response.status}: ${body.message || ''}`);
      error.code = typeof body.code === 'string' ? body.code : '';
      throw error;
    }
    return body;
  };
  const clock = (ms) => {
    const s = Math.floor(ms / 1000);
    const two = (n) => String(n).padStart(2, '0');
    return `${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`;
  };
  // "3 phút 28 giây".
  const length = (ms) => {
    const s = Math.round(ms / 1000);
    const parts = [[Math.floor(s / 3600), 'review.length.h'], [Math.floor(s / 60) % 60, 'review.length.min'],
      [s % 60, 'review.length.s']].filter(([n]) => n > 0).map(([n, key]) => t(key, { n }));
    return parts.length ? parts.join(' ') : t('review.length.s', { n: 0 });
  };
  const markerLabel = (marker, names) => {
    const who = names.get(marker.point) || marker.point;
    if (marker.type === 'question.submitted') {
      const text = marker.text && marker.text.length > 80 ? `${marker.text.slice(0, 80)}…` : marker.text;
      return text ? t('review.marker.question_text', { who, text }) : t('review.marker.question', { who });
    }
    return `${marker.type} · ${who}`;
  };
  // One colour per point, the same on the track and in the list.
  const pointColour = (point) => {
    let hash = 0;
    for (const c of point) hash = (hash * 31 + c.charCodeAt(0)) % 360;
    return `hsl(${hash} 65% 55%)`;
  };

  const seek = (ms) => {
    video.currentTime = ms / 1000;
    video.play().catch(() => {});
  };

  const play = (url) => new Promise((resolve, reject) => {
    if (hls) hls.destroy();
    if (window.Hls && window.Hls.isSupported()) {
      hls = new window.Hls({ enableWorker: false });
      hls.on(window.Hls.Events.MANIFEST_PARSED, () => resolve());
      hls.on(window.Hls.Events.ERROR, (_, data) => {
        if (data.fatal) reject(new Error(`hls: ${data.type} ${data.details}`));
      });
      hls.loadSource(url);
      hls.attachMedia(video);
    } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = url;
      video.addEventListener('loadedmetadata', () => resolve(), { once: true });
      video.addEventListener('error', () => reject(new Error('video error')), { once: true });
    } else {
      reject(new Error('this browser cannot play HLS'));
    }
  });

  const jumpList = (list, entries) => {
    list.replaceChildren();
    for (const { text, at, data } of entries) {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      Object.assign(button.dataset, data);
      button.textContent = `${clock(at)} · ${text}`;
      button.addEventListener('click', () => seek(at));
      item.append(button);
      list.append(item);
    }
  };

  // Each speaking turn: a span on the track under the player, as long as the
  // turn, and an entry in the list; both jump to where it starts.
  const showSpeaking = ({ speaking, duration_ms: duration }) => {
    const track = $('track');
    for (const old of track.querySelectorAll('button')) old.remove();
    for (const turn of speaking) {
      const span = document.createElement('button');
      span.type = 'button';
      span.className = 'turn';
      Object.assign(span.dataset, { point: turn.point, start: turn.start_ms, end: turn.end_ms });
      span.style.left = `${(100 * turn.start_ms) / duration}%`;
      span.style.width = `${(100 * (turn.end_ms - turn.start_ms)) / duration}%`;
      span.style.setProperty('--turn', pointColour(turn.point));
      span.title = t('review.speaking.range',
        { who: turn.point_name, from: clock(turn.start_ms), to: clock(turn.end_ms) });
      span.setAttribute('aria-label', span.title);
      span.addEventListener('click', () => seek(turn.start_ms));
      track.append(span);
    }
    track.hidden = speaking.length === 0;
    $('speaking-title').hidden = speaking.length === 0;
    jumpList($('speaking'), speaking.map((turn) => ({
      text: turn.reason === null ? t('review.speaking.open', { who: turn.point_name })
        : t('review.speaking.turn',
          { who: turn.point_name, to: clock(turn.end_ms), length: length(turn.end_ms - turn.start_ms) }),
      at: turn.start_ms,
      data: { point: turn.point, start: turn.start_ms, end: turn.end_ms } })));
    for (const button of $('speaking').querySelectorAll('button')) {
      button.style.setProperty('--turn', pointColour(button.dataset.point));
    }
  };

  // The chapter and the speaking turn being played are marked, for the eye
  // and for screen readers; the playhead follows the player on the track.
  let duration = 0;
  let redraw = () => {}; // the labels in the current language
  const markCurrent = () => {
    const ms = video.currentTime * 1000;
    for (const button of document.querySelectorAll('#chapters button, #speaking button, #track button')) {
      if (ms >= Number(button.dataset.start) && ms < Number(button.dataset.end)) {
        button.setAttribute('aria-current', 'true');
      } else {
        button.removeAttribute('aria-current');
      }
    }
    if (duration > 0) $('playhead').style.left = `${Math.min(100, (100 * ms) / duration)}%`;
  };
  video.addEventListener('timeupdate', markCurrent);

  const open = async (session) => {
    $('error').hidden = true;
    setState('loading', 'review.loading');
    const base = `/api/archive/${encodeURIComponent(session.id)}`;
    $('title').textContent = session.title;
    // The cookie that lets the player and the minutes in without a token in their URLs.
    await api(`${base}/access`);
    const minutes = $('minutes');
    minutes.href = `${base}/minutes.html`;
    minutes.hidden = false;
    const [timeline, record] = await Promise.all([api(`${base}/timeline.json`),
      api(`${base}/minutes.json`)]);
    const names = new Map((record.attendance?.points || []).map((p) => [p.point, p.name]));
    duration = timeline.duration_ms;
    jumpList($('chapters'), timeline.chapters.map((c) => ({
      text: c.title, at: c.start_ms, data: { item: c.item, start: c.start_ms, end: c.end_ms } })));
    $('chapters-title').hidden = timeline.chapters.length === 0;
    // The floor's instants are the speaking turns' ends: listed there, not here.
    const questions = timeline.markers.filter((m) => m.type.startsWith('question.'));
    redraw = () => {
      jumpList($('markers'), questions.map((m) => ({
        text: markerLabel(m, names), at: m.at_ms, data: { type: m.type, at: m.at_ms } })));
      showSpeaking(timeline);
      markCurrent();
    };
    redraw();
    $('markers-title').hidden = questions.length === 0;
    await play(`${base}/index.m3u8`);
    setState('ready', session.recording ? 'review.recording' : 'review.ready');
    const wanted = timeline.chapters.find((c) => c.item === params.get('item'));
    const at = Number(params.get('t'));
    if (wanted) {
      seek(wanted.start_ms);
    } else if (params.has('t') && Number.isFinite(at)) {
      seek(at * 1000);
    }
  };

  video.addEventListener('playing', () => setState('playing', 'review.playing'));

  const start = async () => {
    if (!token) {
      $('login').hidden = false;
      setState('login', 'review.need_token');
      return;
    }
    const { sessions } = await api('/api/archive/sessions');
    localStorage.setItem(kTokenKey, token);
    const list = $('sessions');
    list.replaceChildren();
    for (const session of sessions) {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.session = session.id;
      button.textContent = `${session.title} (${clock(session.duration_s * 1000)})`;
      button.addEventListener('click', () => open(session).catch(fail));
      item.append(button);
      list.append(item);
    }
    const wanted = query.get('s') || params.get('s');
    const chosen = sessions.find((s) => s.id === wanted) || sessions[0];
    if (!chosen) {
      setState('empty', 'review.empty');
      return;
    }
    await open(chosen);
  };

  $('login').addEventListener('submit', (event) => {
    event.preventDefault();
    token = $('token').value.trim();
    $('login').hidden = true;
    start().catch(fail);
  });
  translatePage();
  $('title').textContent = t('review.heading'); // until a session's title replaces it
  mountLanguagePicker($('lang'));
  onLanguageChange(() => {
    $('status').textContent = t(...status);
    redraw();
  });
  start().catch(fail);
}
