// The floor's uplink at a bridge point (docs/protocol.md, "The floor's
// uplink"): while this point holds the floor its camera and microphone go to
// the node over a second peer connection, separate from the program's. The
// node offers (video recvonly, audio sendrecv: it sends back the conference's
// sound without this room's voice); this answers with the camera on the
// video m-line (sendonly, H.264 first when the browser can encode it, else
// VP8) and the microphone on the audio one (sendrecv).
//
// Permission is asked when the floor is granted (floor.granted, or a
// snapshot saying this point holds it), never at page load, so the prompt
// overlaps the node preparing its offer. Without a camera the point is heard
// only (video m-line inactive); without a microphone it does not answer and
// says why (`error`), and retry() asks again and answers the same offer.
//
// `state`: idle (no floor, or it is over), capturing (asking for the camera
// and microphone), connecting, connected, lost (the connection dropped; the
// node decides what follows), failed (`error` holds the reason: mic_denied,
// no_mic, mic_busy, no_capture, capture_failed, negotiation, or the node's
// unsupported_codec / media_failed). `stream`: the camera and microphone;
// `camera`: whether it has a picture; `remote`: the conference's sound for
// this room (a MediaStream) once the node sends it; `micMuted`. Every change
// dispatches 'change'.

export const CAPTURE = {
  video: { width: 1280, height: 720, frameRate: 25 },
  audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
};

// getUserMedia's error names → the reason the page shows.
const AUDIO_ERRORS = {
  NotAllowedError: 'mic_denied',
  SecurityError: 'mic_denied',
  NotFoundError: 'no_mic',
  OverconstrainedError: 'no_mic',
  NotReadableError: 'mic_busy',
  AbortError: 'mic_busy',
};
// What the node's uplink_close may carry that is a failure, not an end.
const NODE_FAILURES = new Set(['unsupported_codec', 'media_failed']);

class CaptureError extends Error {
  constructor(code, cause) {
    super(code);
    this.code = code;
    this.cause = cause;
  }
}

// The camera and microphone, or the microphone alone when the camera is
// missing, busy or blocked; rejects with a CaptureError when there is no
// microphone to send.
export async function openCapture(mediaDevices = navigator.mediaDevices) {
  if (!mediaDevices?.getUserMedia) throw new CaptureError('no_capture');
  try {
    return await mediaDevices.getUserMedia(CAPTURE);
  } catch (e) {
    console.warn(`bridgecast: camera and microphone: ${e.name}: ${e.message}; trying the microphone alone`);
  }
  try {
    return await mediaDevices.getUserMedia({ audio: CAPTURE.audio });
  } catch (e) {
    throw new CaptureError(AUDIO_ERRORS[e.name] || 'capture_failed', e);
  }
}

// The video codecs in the order this point prefers to send them: H.264
// (packetization-mode=1 first) when `canEncodeH264`, then VP8, then the rest
// (RTX, RED, FEC entries keep their place after them).
export function orderVideoCodecs(codecs, canEncodeH264) {
  const rank = (c) => {
    const mime = c.mimeType.toLowerCase();
    if (mime === 'video/h264') {
      if (!canEncodeH264) return 3;
      return /packetization-mode=1/.test(c.sdpFmtpLine || '') ? 0 : 1;
    }
    return mime === 'video/vp8' ? 2 : 3;
  };
  return codecs
    .map((c, i) => ({ c, i }))
    .sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i)
    .map(({ c }) => c);
}

function preferCodecs(transceiver) {
  if (typeof transceiver.setCodecPreferences !== 'function' || !globalThis.RTCRtpReceiver?.getCapabilities) return;
  const send = globalThis.RTCRtpSender?.getCapabilities?.('video')?.codecs || [];
  const canEncodeH264 = send.some((c) => c.mimeType.toLowerCase() === 'video/h264');
  // Browsers accept their receive capabilities here (some also the send ones).
  const codecs = RTCRtpReceiver.getCapabilities('video')?.codecs || [];
  try {
    transceiver.setCodecPreferences(orderVideoCodecs(codecs, canEncodeH264));
  } catch (e) {
    console.warn('bridgecast: codec preferences ignored:', e);
  }
}

function stopTracks(stream) {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

const PEER_STATES = {
  new: 'connecting',
  connecting: 'connecting',
  connected: 'connected',
  disconnected: 'lost',
  failed: 'lost',
};

export class PointUplink extends EventTarget {
  // `socket`: the ConferenceSocket ('uplink', 'state' and 'status' events,
  // send()); `me()`: this point's id.
  constructor(socket, me, { mediaDevices = globalThis.navigator?.mediaDevices } = {}) {
    super();
    this.socket = socket;
    this.me = me;
    this.mediaDevices = mediaDevices;
    this.turn = null; // this floor's capture and peer connection
    this.mine = false; // the floor was ours at the last state
    this.state = 'idle';
    this.error = '';
    this.stream = null;
    this.camera = false;
    this.remote = null;
    this.micMuted = false;
    this.nodeState = '';
    this.chain = Promise.resolve(); // offers and candidates in order
    socket.addEventListener('uplink', (e) => this.receive(e.detail));
    socket.addEventListener('state', () => this.followFloor());
    socket.addEventListener('status', () => {
      if (socket.status === 'live') return;
      // The socket is gone, and with it the floor (the node revokes it).
      this.mine = false;
      this.stop();
    });
  }

  // True when retry() may help: a capture failed and the offer still waits.
  get canRetry() {
    return this.state === 'failed' && this.turn !== null && !this.turn.answered;
  }

  followFloor() {
    const s = this.socket.state;
    const id = this.me();
    const mine = Boolean(s && id && s.floor && s.floor.point === id);
    const was = this.mine;
    this.mine = mine;
    if (mine && !was) this.begin();
    else if (!mine && was) this.stop();
  }

  receive(m) {
    if (m.type === 'uplink_close') {
      const reason = typeof m.reason === 'string' ? m.reason : '';
      this.stop();
      if (NODE_FAILURES.has(reason) && this.mine) this.fail(reason);
    } else if (m.type === 'uplink_state') {
      if (typeof m.state === 'string') this.nodeState = m.state;
    } else if (m.type === 'uplink_offer' || m.type === 'uplink_ice') {
      const turn = this.turn;
      this.chain = this.chain
        .then(() => this.handle(m))
        .catch((e) => {
          console.warn('bridgecast: uplink:', e);
          if (this.turn && (this.turn === turn || m.type === 'uplink_offer')) this.fail('negotiation');
        });
    }
  }

  async handle(m) {
    if (m.type === 'uplink_offer') {
      if (typeof m.sdp === 'string') await this.answer(m.sdp);
      return;
    }
    const pc = this.turn?.pc;
    if (!pc || typeof m.candidate !== 'string' || !m.candidate) return; // empty: end of candidates
    const index = Number.isSafeInteger(m.sdpMLineIndex) ? m.sdpMLineIndex : 0;
    await pc
      .addIceCandidate({ candidate: m.candidate, sdpMLineIndex: index })
      .catch((e) => console.warn('bridgecast: uplink candidate ignored:', e));
  }

  // Starts this floor's capture (the browser asks for permission now).
  begin() {
    if (this.turn) return this.turn;
    let end = () => {};
    const ended = new Promise((resolve) => {
      end = resolve;
    });
    const turn = { pc: null, stream: null, offer: '', answered: false, pending: [], capture: null, ended, end };
    this.turn = turn;
    this.error = '';
    this.capture(turn);
    return turn;
  }

  capture(turn) {
    this.error = '';
    this.set('capturing');
    turn.capture = openCapture(this.mediaDevices).then(
      (stream) => {
        if (this.turn !== turn) {
          stopTracks(stream); // the floor ended while the browser asked
          return null;
        }
        turn.stream = stream;
        this.stream = stream;
        this.camera = stream.getVideoTracks().length > 0;
        for (const track of stream.getAudioTracks()) track.enabled = !this.micMuted;
        this.set(turn.pc ? PEER_STATES[turn.pc.connectionState] || 'connecting' : 'connecting');
        return stream;
      },
      (e) => {
        console.warn('bridgecast: no microphone for the floor:', e.code, e.cause?.name || '', e.cause?.message || '');
        if (this.turn === turn) this.fail(e.code || 'capture_failed');
        return null;
      },
    );
    return turn.capture;
  }

  // Asks for the camera and microphone again and answers the waiting offer
  // (after the delegate allowed the microphone, or plugged one in).
  retry() {
    if (!this.canRetry) return;
    const turn = this.turn;
    this.capture(turn);
    if (turn.offer) this.receive({ type: 'uplink_offer', sdp: turn.offer });
  }

  async answer(sdp) {
    // A new offer replaces the previous connection; the capture carries on.
    const turn = this.turn || this.begin();
    this.closePeer(turn);
    turn.offer = sdp;
    turn.answered = false;
    turn.pending = [];
    const stream = await Promise.race([turn.capture, turn.ended]);
    if (!stream || this.turn !== turn || turn.offer !== sdp || turn.pc) return;
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    turn.pc = pc;
    const current = () => this.turn === turn && turn.pc === pc;
    pc.onicecandidate = (e) => {
      if (!current() || !e.candidate || !e.candidate.candidate) return; // end of candidates
      const m = { type: 'uplink_ice', candidate: e.candidate.candidate, sdpMLineIndex: e.candidate.sdpMLineIndex ?? 0 };
      if (turn.answered) this.socket.send(m);
      else turn.pending.push(m);
    };
    pc.ontrack = (e) => {
      if (!current() || e.track.kind !== 'audio') return;
      this.remote = e.streams[0] || new MediaStream([e.track]);
      this.changed();
    };
    pc.onconnectionstatechange = () => {
      const state = PEER_STATES[pc.connectionState];
      if (current() && state && this.state !== 'failed') this.set(state);
    };
    await pc.setRemoteDescription({ type: 'offer', sdp });
    if (!current()) return;
    const [mic] = stream.getAudioTracks();
    const [camera] = stream.getVideoTracks();
    let video = false;
    let audio = false;
    for (const transceiver of pc.getTransceivers()) {
      const kind = transceiver.receiver.track.kind;
      if (kind === 'video' && !video && camera) {
        video = true;
        transceiver.direction = 'sendonly';
        preferCodecs(transceiver);
        await transceiver.sender.replaceTrack(camera);
      } else if (kind === 'audio' && !audio) {
        audio = true;
        transceiver.direction = 'sendrecv';
        await transceiver.sender.replaceTrack(mic);
      } else {
        transceiver.direction = 'inactive'; // no camera: heard only
      }
    }
    await pc.setLocalDescription(await pc.createAnswer());
    if (!current()) return;
    this.socket.send({ type: 'uplink_answer', sdp: pc.localDescription.sdp });
    turn.answered = true;
    for (const m of turn.pending.splice(0)) this.socket.send(m);
    if (this.state === 'capturing') this.set('connecting');
  }

  setMicMuted(muted) {
    this.micMuted = Boolean(muted);
    for (const track of this.stream?.getAudioTracks() ?? []) track.enabled = !this.micMuted;
    this.changed();
  }

  // The floor is over (or the node closed the uplink): camera and
  // microphone off, the connection closed.
  stop() {
    const turn = this.turn;
    this.turn = null;
    if (turn) {
      turn.end(null);
      this.closePeer(turn);
      stopTracks(turn.stream);
    }
    this.stream = null;
    this.camera = false;
    this.remote = null;
    this.micMuted = false;
    this.nodeState = '';
    this.error = '';
    this.set('idle', true);
  }

  closePeer(turn) {
    if (!turn.pc) return;
    turn.pc.close();
    turn.pc = null;
    turn.answered = false;
    if (this.turn === turn) this.remote = null;
  }

  fail(code) {
    this.error = code;
    this.set('failed', true);
  }

  set(state, always = false) {
    if (this.state === state && !always) return;
    this.state = state;
    this.changed();
  }

  changed() {
    this.dispatchEvent(new CustomEvent('change'));
  }
}
