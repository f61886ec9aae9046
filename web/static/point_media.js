// The program at a bridge point: answers the node's offer on the signaling
// socket, plays what arrives in the <video> (with sound where the browser
// allows it, else behind one unmute button) and starts over when the media
// cannot come up or breaks for good. Receive only: the node's offer is
// send-only and never renegotiated; the camera and microphone of the point
// holding the floor go over a separate connection (point_uplink.js), which
// only holds this one's sound meanwhile (holdAudio, point_mix_minus.js).
//
// `phase`: idle (no offer yet), negotiating, playing, stalled (ICE
// disconnected, within its grace time); 'change' is dispatched when it or
// `needsUnmute` changes.

const SETUP_TIMEOUT_MS = 30000; // signaling live → picture playing
const DISCONNECTED_GRACE_MS = 8000; // ICE "disconnected" this long → start over

export class PointMedia extends EventTarget {
  // `muted`: never turn the sound on (the chair's preview: the hall hears the
  // program already).
  constructor(socket, video, { muted = false } = {}) {
    super();
    this.socket = socket;
    this.video = video;
    this.keepMuted = muted;
    this.pc = null;
    this.phase = 'idle';
    this.needsUnmute = false;
    this.held = false; // holdAudio(true): the floor's uplink plays the room's sound instead
    this.pending = []; // our candidates gathered before the answer went out
    this.answered = false;
    this.chain = Promise.resolve(); // offer and candidates handled in order
    this.setupTimer = 0;
    this.graceTimer = 0;
    socket.addEventListener('media', (e) => {
      this.chain = this.chain.then(() => this.handle(e.detail)).catch((err) => this.restart(String(err)));
    });
    socket.addEventListener('status', () => this.onSocketStatus());
    video.addEventListener('playing', () => {
      if (!this.pc) return;
      clearTimeout(this.setupTimer);
      this.setPhase('playing');
    });
  }

  // Turns the sound on after a click (the browser then allows it).
  unmute() {
    this.video.muted = this.held;
    this.video.play().catch(() => {});
    this.needsUnmute = false;
    this.changed();
  }

  // Holds the program's sound (the picture plays on) while the floor's
  // uplink brings the conference's sound without this room's voice; gives it
  // back after.
  holdAudio(held) {
    this.held = held;
    this.video.muted = held || this.keepMuted || this.needsUnmute;
  }

  onSocketStatus() {
    if (this.socket.status === 'live') {
      if (this.phase === 'idle') {
        clearTimeout(this.setupTimer);
        this.setupTimer = setTimeout(() => this.restart('no picture in time'), SETUP_TIMEOUT_MS);
      }
      return;
    }
    // The session is gone: its media goes with it; the next one gets a new offer.
    clearTimeout(this.setupTimer);
    this.close();
  }

  async handle(m) {
    if (m.type === 'offer' && typeof m.sdp === 'string') {
      await this.answer(m.sdp);
    } else if (m.type === 'ice' && this.pc && typeof m.candidate === 'string' && m.candidate) {
      const index = Number.isSafeInteger(m.sdpMLineIndex) ? m.sdpMLineIndex : 0;
      await this.pc
        .addIceCandidate({ candidate: m.candidate, sdpMLineIndex: index })
        .catch((e) => console.warn('bridgecast: candidate ignored:', e));
    } else if (m.type === 'state' && (m.state === 'failed' || m.state === 'closed')) {
      this.restart(`node media ${m.state}`);
    }
  }

  async answer(sdp) {
    this.close();
    this.setPhase('negotiating');
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    this.pc = pc;
    this.answered = false;
    this.pending = [];
    pc.ontrack = (e) => this.attach(e);
    pc.onicecandidate = (e) => {
      if (!e.candidate || !e.candidate.candidate) return; // end of candidates
      const m = { type: 'ice', candidate: e.candidate.candidate, sdpMLineIndex: e.candidate.sdpMLineIndex ?? 0 };
      if (this.answered) this.socket.send(m);
      else this.pending.push(m);
    };
    pc.onconnectionstatechange = () => {
      if (this.pc !== pc) return;
      clearTimeout(this.graceTimer);
      if (pc.connectionState === 'failed') {
        this.restart('media connection failed');
      } else if (pc.connectionState === 'disconnected') {
        this.setPhase('stalled');
        this.graceTimer = setTimeout(() => this.restart('media connection lost'), DISCONNECTED_GRACE_MS);
      } else if (pc.connectionState === 'connected' && this.video.readyState >= 2 && !this.video.paused) {
        this.setPhase('playing');
      }
    };
    await pc.setRemoteDescription({ type: 'offer', sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    this.socket.send({ type: 'answer', sdp: pc.localDescription.sdp });
    this.answered = true;
    for (const m of this.pending.splice(0)) this.socket.send(m);
  }

  attach(e) {
    let stream = e.streams[0];
    if (!stream) {
      this.stream = this.stream || new MediaStream();
      this.stream.addTrack(e.track);
      stream = this.stream;
    }
    if (this.video.srcObject === stream) return;
    this.video.srcObject = stream;
    // With sound if the browser lets a page start it without a click; if not,
    // muted (always allowed) and the unmute button asks for that click.
    this.video.muted = this.keepMuted || this.needsUnmute || this.held;
    this.video.play().catch((e) => {
      if (e.name !== 'NotAllowedError') return; // e.g. replaced by the next stream meanwhile
      this.video.muted = true;
      this.needsUnmute = true;
      this.changed();
      this.video.play().catch(() => {});
    });
  }

  restart(why) {
    clearTimeout(this.setupTimer);
    this.close();
    this.socket.reconnect(why);
  }

  // Drops the peer connection (the setup timer keeps running: a new offer
  // still has to bring a picture in time).
  close() {
    clearTimeout(this.graceTimer);
    if (this.pc) this.pc.close();
    this.pc = null;
    this.stream = null;
    this.setPhase('idle');
  }

  setPhase(phase) {
    if (this.phase === phase) return;
    this.phase = phase;
    this.changed();
  }

  changed() {
    this.dispatchEvent(new CustomEvent('change'));
  }
}
