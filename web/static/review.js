// The review page: lists the archived sessions a token may read, plays one as
// HLS (hls.js, or the browser's own HLS) and seeks to an agenda item, a
// question or a floor grant.
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
  const markerLabel = (marker, names) => {
    const who = names.get(marker.point) || marker.point;
    if (marker.type === 'question.submitted') {
      const text = marker.text && marker.text.length > 80 ? `${marker.text.slice(0, 80)}…` : marker.text;
      return text ? t('review.marker.question_text', { who, text }) : t('review.marker.question', { who });
    }
    if (marker.type === 'floor.granted') return t('review.marker.floor_granted', { who });
    if (marker.type === 'floor.revoked') return t('review.marker.floor_revoked', { who });
    return `${marker.type} · ${who}`;
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

  // The chapter being played is marked, for the eye and for screen readers.
  let chapters = [];
  let showMarkers = () => {}; // redraws the markers' labels (a language switch)
  const markCurrent = () => {
    const ms = video.currentTime * 1000;
    for (const button of $('chapters').querySelectorAll('button')) {
      const chapter = chapters.find((c) => String(c.start_ms) === button.dataset.start);
      const current = chapter && ms >= chapter.start_ms && ms < chapter.end_ms;
      if (current) button.setAttribute('aria-current', 'true');
      else button.removeAttribute('aria-current');
    }
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
    chapters = timeline.chapters;
    jumpList($('chapters'), chapters.map((c) => ({
      text: c.title, at: c.start_ms, data: { item: c.item, start: c.start_ms } })));
    $('chapters-title').hidden = chapters.length === 0;
    showMarkers = () => jumpList($('markers'), timeline.markers.map((m) => ({
      text: markerLabel(m, names), at: m.at_ms, data: { type: m.type, at: m.at_ms } })));
    showMarkers();
    $('markers-title').hidden = timeline.markers.length === 0;
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
    showMarkers();
  });
  start().catch(fail);
}
