// The review page: lists the archived sessions a token may read, plays one as
// HLS (hls.js, or the browser's own HLS) and seeks to an agenda item.
// URL: /review[?s=<session>][#token=<token>][&t=<seconds>][&item=<agenda item id>]
// (the minutes link to ?s=...#t=...). The token is kept in localStorage so
// those links work without it.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.hash.slice(1));
  const query = new URLSearchParams(location.search);
  const video = $('player');
  const kTokenKey = 'bridgecast.review.token';
  let token = params.get('token') || localStorage.getItem(kTokenKey) || '';
  let hls = null;

  const setState = (state, text) => {
    document.body.dataset.state = state;
    $('status').textContent = text;
  };
  const fail = (text) => {
    $('error-text').textContent = text;
    $('error').hidden = false;
    setState('error', 'Lỗi');
  };
  const api = async (path) => {
    const response = await fetch(path, { headers: { Authorization: 'Bearer ' + token } });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(`${body.code || response.status}: ${body.message || ''}`);
    return body;
  };
  const clock = (ms) => {
    const s = Math.floor(ms / 1000);
    const two = (n) => String(n).padStart(2, '0');
    return `${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`;
  };
  const withToken = (path) => `${path}?token=${encodeURIComponent(token)}`;

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

  const open = async (session) => {
    $('error').hidden = true;
    setState('loading', 'Đang tải…');
    const base = `/api/archive/${encodeURIComponent(session.id)}`;
    $('title').textContent = session.title;
    const minutes = $('minutes');
    minutes.href = withToken(`${base}/minutes.html`);
    minutes.hidden = false;
    const timeline = await api(`${base}/timeline.json`);
    const list = $('chapters');
    list.replaceChildren();
    for (const chapter of timeline.chapters) {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.item = chapter.item;
      button.dataset.start = chapter.start_ms;
      button.textContent = `${clock(chapter.start_ms)} · ${chapter.title}`;
      button.addEventListener('click', () => seek(chapter.start_ms));
      item.append(button);
      list.append(item);
    }
    $('chapters-title').hidden = timeline.chapters.length === 0;
    await play(withToken(`${base}/index.m3u8`));
    setState('ready', session.recording ? 'Đang ghi — xem lại' : 'Sẵn sàng');
    const wanted = timeline.chapters.find((c) => c.item === params.get('item'));
    const at = Number(params.get('t'));
    if (wanted) {
      seek(wanted.start_ms);
    } else if (params.has('t') && Number.isFinite(at)) {
      seek(at * 1000);
    }
  };

  video.addEventListener('playing', () => setState('playing', 'Đang phát'));

  const start = async () => {
    if (!token) {
      $('login').hidden = false;
      setState('login', 'Cần mã truy cập');
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
      button.addEventListener('click', () => open(session).catch((e) => fail(e.message)));
      item.append(button);
      list.append(item);
    }
    const wanted = query.get('s') || params.get('s');
    const chosen = sessions.find((s) => s.id === wanted) || sessions[0];
    if (!chosen) {
      setState('empty', 'Chưa có bản ghi');
      return;
    }
    await open(chosen);
  };

  $('login').addEventListener('submit', (event) => {
    event.preventDefault();
    token = $('token').value.trim();
    $('login').hidden = true;
    start().catch((e) => fail(e.message));
  });
  start().catch((e) => fail(e.message));
})();
