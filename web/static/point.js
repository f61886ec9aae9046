// Bridge-point page: joins with the token from the link's fragment (#t=...)
// and plays the program. Protocol: docs/protocol.md.
// The page's state is in document.body.dataset.state: connecting,
// negotiating, playing, reconnecting or error (then dataset.error holds the
// error code). A lost connection (the node restarting, the network gone) is
// retried with growing delays, resuming from the last event seen.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const video = $('program');

  const STATUS_TEXT = {
    connecting: 'Đang kết nối…',
    negotiating: 'Đang thiết lập đường truyền…',
    playing: 'Đang nhận tín hiệu',
    reconnecting: 'Mất kết nối, đang thử lại…',
    error: 'Không tham dự được',
  };
  const ERROR_TEXT = {
    no_token: 'Đường dẫn thiếu mã tham dự. Hãy mở đúng đường dẫn ban tổ chức đã gửi cho điểm cầu.',
    bad_token: 'Mã tham dự không hợp lệ hoặc đã bị thu hồi. Hãy liên hệ ban tổ chức để nhận đường dẫn mới.',
    wrong_conference: 'Đường dẫn này thuộc một hội nghị khác.',
    unknown_point: 'Điểm cầu này không có trong danh sách của hội nghị.',
    replaced: 'Điểm cầu này vừa được mở ở một cửa sổ hoặc một máy khác.',
    media_failed: 'Máy chủ không tạo được đường truyền hình ảnh và âm thanh.',
  };
  // After these errors the link itself is wrong: retrying cannot help.
  const LINK_ERRORS = new Set(['no_token', 'bad_token', 'wrong_conference', 'unknown_point']);

  const FATAL_CLOSE_CODE = 4000;
  const RETRY_MIN_MS = 1000;
  const RETRY_MAX_MS = 15000;
  const SETUP_TIMEOUT_MS = 30000; // socket open → picture playing
  const DISCONNECTED_GRACE_MS = 8000; // ICE "disconnected" this long → start over

  const token = new URLSearchParams(location.hash.slice(1)).get('t');
  let retryDelayMs = RETRY_MIN_MS;
  let retryTimer = 0;
  let current = null; // the live attempt: {ws, pc, ...}
  let lastSeq = null; // newest event seq seen, sent on reconnect to get only what was missed

  function setState(state) {
    document.body.dataset.state = state;
    $('status').textContent = STATUS_TEXT[state];
  }

  function showError(code) {
    document.body.dataset.error = code;
    $('error-text').textContent = ERROR_TEXT[code] || 'Máy chủ đã đóng kết nối.';
    $('error-code').textContent = code;
    $('retry').hidden = LINK_ERRORS.has(code);
    $('unmute').hidden = true;
    $('error').hidden = false;
    setState('error');
  }

  function connect() {
    clearTimeout(retryTimer);
    delete document.body.dataset.error;
    $('error').hidden = true;
    setState(current ? 'reconnecting' : 'connecting');
    const s = {
      ws: new WebSocket(`wss://${location.host}/ws`, 'bridgecast.v1'),
      pc: null,
      answered: false,
      pending: [], // our candidates gathered before the answer went out
      fatal: null,
      timers: new Set(),
      chain: Promise.resolve(), // messages are handled one at a time, in order
    };
    current = s;
    s.ws.onopen = () => {
      send(s, lastSeq === null ? { type: 'hello', token } : { type: 'hello', token, last_seq: lastSeq });
      s.setupTimer = later(s, SETUP_TIMEOUT_MS, () => restart(s, 'no picture in time'));
    };
    s.ws.onmessage = (ev) => {
      let m;
      try {
        m = JSON.parse(ev.data);
      } catch {
        return;
      }
      // Noted at once: the close that follows may overtake the queue below.
      if (m.type === 'error' && m.fatal) s.fatal = { code: m.code, message: m.message };
      s.chain = s.chain.then(() => handle(s, m)).catch((e) => restart(s, String(e)));
    };
    s.ws.onclose = (ev) => onClose(s, ev);
  }

  function send(s, m) {
    if (s.ws.readyState === WebSocket.OPEN) s.ws.send(JSON.stringify(m));
  }

  function later(s, ms, fn) {
    const t = setTimeout(() => {
      s.timers.delete(t);
      fn();
    }, ms);
    s.timers.add(t);
    return t;
  }

  // Drops the attempt; its close handler schedules the next one.
  function restart(s, why) {
    if (current !== s) return;
    console.warn('bridgecast: reconnecting:', why);
    s.ws.close();
  }

  async function handle(s, m) {
    if (current !== s) return;
    switch (m.type) {
      case 'welcome':
        $('conference').textContent = m.conference.title;
        $('point').textContent = m.point.name;
        document.title = `${m.point.name} — bridgecast`;
        break;
      case 'offer':
        await answer(s, m.sdp);
        break;
      case 'ice':
        if (s.pc && m.candidate) {
          await s.pc
            .addIceCandidate({ candidate: m.candidate, sdpMLineIndex: m.sdpMLineIndex })
            .catch((e) => console.warn('bridgecast: candidate ignored:', e));
        }
        break;
      case 'snapshot':
        lastSeq = m.seq;
        break;
      case 'event':
        lastSeq = Math.max(lastSeq ?? 0, m.event.seq);
        break;
      case 'state':
        if (m.state === 'failed' || m.state === 'closed') restart(s, `node media ${m.state}`);
        break;
      case 'error':
        if (!m.fatal) console.warn(`bridgecast: ${m.code}: ${m.message}`);
        break;
      default:
        break;
    }
  }

  async function answer(s, sdp) {
    setState('negotiating');
    if (s.pc) s.pc.close();
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    s.pc = pc;
    s.answered = false;
    pc.ontrack = (e) => {
      let stream = e.streams[0];
      if (!stream) {
        s.stream = s.stream || new MediaStream();
        s.stream.addTrack(e.track);
        stream = s.stream;
      }
      if (video.srcObject !== stream) {
        video.srcObject = stream;
        video.play().catch(() => {}); // muted, so autoplay is allowed
      }
    };
    pc.onicecandidate = (e) => {
      if (!e.candidate || !e.candidate.candidate) return; // end of candidates
      const m = { type: 'ice', candidate: e.candidate.candidate, sdpMLineIndex: e.candidate.sdpMLineIndex ?? 0 };
      if (s.answered) send(s, m);
      else s.pending.push(m);
    };
    pc.onconnectionstatechange = () => {
      if (current !== s) return;
      clearTimeout(s.graceTimer);
      if (pc.connectionState === 'failed') {
        restart(s, 'media connection failed');
      } else if (pc.connectionState === 'disconnected') {
        setState('reconnecting');
        s.graceTimer = later(s, DISCONNECTED_GRACE_MS, () => restart(s, 'media connection lost'));
      } else if (pc.connectionState === 'connected' && video.readyState >= 2 && !video.paused) {
        setState('playing');
      }
    };
    await pc.setRemoteDescription({ type: 'offer', sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    send(s, { type: 'answer', sdp: pc.localDescription.sdp });
    s.answered = true;
    for (const m of s.pending.splice(0)) send(s, m);
  }

  function onClose(s, ev) {
    if (current !== s) return;
    for (const t of s.timers) clearTimeout(t);
    if (s.pc) s.pc.close();
    if (s.fatal || ev.code === FATAL_CLOSE_CODE) {
      const code = s.fatal ? s.fatal.code : ev.reason || 'closed';
      if (s.fatal) console.warn(`bridgecast: ${s.fatal.code}: ${s.fatal.message}`);
      showError(code);
      return;
    }
    setState('reconnecting');
    const delay = retryDelayMs * (0.75 + Math.random() / 2);
    retryDelayMs = Math.min(retryDelayMs * 2, RETRY_MAX_MS);
    retryTimer = setTimeout(connect, delay);
  }

  video.addEventListener('playing', () => {
    if (!current || document.body.dataset.state === 'error') return;
    clearTimeout(current.setupTimer);
    retryDelayMs = RETRY_MIN_MS;
    setState('playing');
    $('unmute').hidden = !video.muted;
  });
  $('unmute').addEventListener('click', () => {
    video.muted = false;
    video.play().catch(() => {});
    $('unmute').hidden = true;
  });
  $('retry').addEventListener('click', connect);

  if (!token) showError('no_token');
  else connect();
})();
