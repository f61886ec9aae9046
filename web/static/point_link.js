// Honest link status at a bridge point: the ICE state stays "connected" for
// seconds on a frozen picture, so this counts the RTP packets that actually
// arrive (getStats, inbound-rtp packetsReceived of every stream) twice a
// second; none for more than STALL_MS and the signal is interrupted.

const POLL_MS = 500;
const STALL_MS = 1000;

export class LinkWatch extends EventTarget {
  // `peer()`: the current RTCPeerConnection, or null.
  constructor(peer) {
    super();
    this.peer = peer;
    this.interrupted = false;
    this.pc = null;
    this.packets = -1;
    this.lastArrival = 0;
    setInterval(() => this.poll(), POLL_MS);
  }

  async poll() {
    const pc = this.peer();
    if (pc !== this.pc) {
      // A new session (or none): it has to show packets before it counts.
      this.pc = pc;
      this.packets = -1;
      this.lastArrival = performance.now();
    }
    if (!pc) return this.set(false);
    let packets = 0;
    try {
      const stats = await pc.getStats();
      stats.forEach((s) => {
        if (s.type === 'inbound-rtp') packets += s.packetsReceived || 0;
      });
    } catch {
      return; // closed meanwhile; the next poll sees the new one
    }
    if (pc !== this.pc) return;
    const now = performance.now();
    if (packets !== this.packets) {
      if (packets > 0) this.lastArrival = now;
      this.packets = packets;
    }
    // Before the first packet the page says "negotiating", not "interrupted".
    this.set(packets > 0 && now - this.lastArrival > STALL_MS);
  }

  set(interrupted) {
    if (this.interrupted === interrupted) return;
    this.interrupted = interrupted;
    this.dispatchEvent(new CustomEvent('change'));
  }
}
