// Bridge-point page: joins with the token from the link's fragment and plays
// the program. Protocol: docs/protocol.md.
'use strict';

const token = new URLSearchParams(location.hash.slice(1)).get('t');
const video = document.getElementById('program');
const statusEl = document.getElementById('status');
const errorEl = document.getElementById('error');
const unmute = document.getElementById('unmute');

const STATUS_TEXT = {
  connecting: 'đang kết nối',
  negotiating: 'đang thiết lập',
  playing: 'đang nhận tín hiệu',
  reconnecting: 'mất kết nối, đang thử lại',
  error: 'lỗi',
};

function setStatus(state) {
  statusEl.dataset.state = state;
  statusEl.textContent = STATUS_TEXT[state] || state;
  document.body.dataset.state = state;
}

function showError(text) {
  errorEl.textContent = text;
  errorEl.hidden = false;
}

let retryDelayMs = 1000;
let fatal = false;

function connect() {
  const ws = new WebSocket(`wss://${location.host}/ws`, 'bridgecast.v1');
  const stream = new MediaStream();
  let pc = null;
  // Messages are handled one at a time: an ICE candidate must not overtake
  // the offer it belongs to.
  let chain = Promise.resolve();
  const send = (m) => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify(m));

  async function onOffer(sdp) {
    setStatus('negotiating');
    pc = new RTCPeerConnection();
    pc.ontrack = (e) => {
      stream.addTrack(e.track);
      video.srcObject = stream;
    };
    pc.onicecandidate = (e) => {
      if (e.candidate && e.candidate.candidate) {
        send({ type: 'ice', candidate: e.candidate.candidate, sdpMLineIndex: e.candidate.sdpMLineIndex });
      }
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'failed') ws.close();
    };
    await pc.setRemoteDescription({ type: 'offer', sdp });
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    send({ type: 'answer', sdp: answer.sdp });
  }

  async function handle(m) {
    switch (m.type) {
      case 'welcome':
        document.getElementById('conference').textContent = m.conference.title;
        document.getElementById('point').textContent = m.point.name;
        document.title = `${m.point.name} — bridgecast`;
        retryDelayMs = 1000;
        break;
      case 'offer':
        await onOffer(m.sdp);
        break;
      case 'ice':
        if (pc && m.candidate) await pc.addIceCandidate({ candidate: m.candidate, sdpMLineIndex: m.sdpMLineIndex });
        break;
      case 'error':
        showError(`${m.code}: ${m.message}`);
        if (m.fatal) {
          fatal = true;
          setStatus('error');
        }
        break;
      default:
        break;
    }
  }

  ws.onopen = () => send({ type: 'hello', token });
  ws.onmessage = (ev) => {
    const m = JSON.parse(ev.data);
    chain = chain.then(() => handle(m)).catch((e) => showError(String(e)));
  };
  ws.onclose = () => {
    if (pc) pc.close();
    if (fatal) return;
    setStatus('reconnecting');
    setTimeout(connect, retryDelayMs);
    retryDelayMs = Math.min(retryDelayMs * 2, 15000);
  };
}

video.addEventListener('playing', () => {
  setStatus('playing');
  if (video.muted) unmute.hidden = false;
});
unmute.addEventListener('click', () => {
  video.muted = false;
  unmute.hidden = true;
});

if (!token) {
  setStatus('error');
  showError('Đường dẫn thiếu mã tham dự (token).');
} else {
  connect();
}
