// A live level meter for a microphone: Web Audio's AnalyserNode on the
// track, read at every animation frame, shown as a bar that falls back
// slowly (so a word stays visible) in an element with role="meter".
// The bar is scaled through the CSSOM (the pages' CSP forbids inline styles).
//
// `level`: 0..1, from -60 dBFS (0) to 0 dBFS (1); aria-valuenow is its
// percentage, in steps of 5.

const FLOOR_DB = -60;
const FALL_PER_FRAME = 0.02;

export class MicMeter {
  // `el`: the meter's element; its first child is the bar.
  constructor(el) {
    this.el = el;
    this.bar = el.firstElementChild;
    this.stream = null;
    this.context = null;
    this.frame = 0;
    this.level = 0;
    el.setAttribute('role', 'meter');
    el.setAttribute('aria-valuemin', '0');
    el.setAttribute('aria-valuemax', '100');
    this.show(0);
  }

  // Measures `stream`'s microphone (null: none, the bar at rest).
  watch(stream) {
    if (stream === this.stream) return;
    this.stop();
    this.stream = stream;
    const tracks = stream ? stream.getAudioTracks() : [];
    if (!tracks.length || typeof AudioContext !== 'function') return;
    const context = new AudioContext();
    this.context = context;
    const analyser = context.createAnalyser();
    analyser.fftSize = 1024;
    context.createMediaStreamSource(new MediaStream(tracks)).connect(analyser);
    // A context made without a click may start suspended; it resumes on the first one.
    if (context.state === 'suspended') {
      context.resume().catch(() => {});
      document.addEventListener('click', () => context.resume().catch(() => {}), { once: true });
    }
    const samples = new Float32Array(analyser.fftSize);
    const tick = () => {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const s of samples) sum += s * s;
      const rms = Math.sqrt(sum / samples.length);
      const db = rms > 0 ? 20 * Math.log10(rms) : FLOOR_DB;
      const now = Math.min(1, Math.max(0, (db - FLOOR_DB) / -FLOOR_DB));
      this.show(Math.max(now, this.level - FALL_PER_FRAME));
      this.frame = requestAnimationFrame(tick);
    };
    this.frame = requestAnimationFrame(tick);
  }

  show(level) {
    this.level = level;
    if (this.bar) this.bar.style.transform = `scaleX(${level.toFixed(3)})`;
    const percent = String(Math.round(level * 20) * 5);
    if (this.el.getAttribute('aria-valuenow') !== percent) this.el.setAttribute('aria-valuenow', percent);
  }

  stop() {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    if (this.context) this.context.close().catch(() => {});
    this.context = null;
    this.stream = null;
    this.show(0);
  }
}
