// The mix-minus at the point holding the floor: while its uplink is
// connected the room hears the conference's sound without its own voice
// (the uplink's audio, played in an <audio> element) instead of the
// program's, which would bring the speaker's words back late; the program's
// picture plays on, only its sound is held (PointMedia.holdAudio). When the
// uplink ends the program's sound comes back.
//
// `needsUnmute`: the browser refused to start the sound without a click
// (the page's unmute button then calls unmute()); 'change' when it changes.

export class MixMinus extends EventTarget {
  // `media`: the program's PointMedia; `audio`: the <audio> element.
  constructor(media, audio) {
    super();
    this.media = media;
    this.audio = audio;
    this.stream = null;
    this.needsUnmute = false;
  }

  // `stream`: the uplink's sound while it is connected, else null.
  follow(stream) {
    if (stream === this.stream) return;
    this.stream = stream;
    if (stream) {
      this.media.holdAudio(true);
      this.audio.srcObject = stream;
      this.audio.muted = false;
      this.play();
    } else {
      this.audio.pause();
      this.audio.srcObject = null;
      this.setNeedsUnmute(false);
      this.media.holdAudio(false);
    }
  }

  // After a click: the browser now allows the sound.
  unmute() {
    if (this.stream) this.play();
  }

  play() {
    const stream = this.stream;
    this.audio.play().then(
      () => this.setNeedsUnmute(false),
      (e) => {
        if (this.stream === stream && e.name === 'NotAllowedError') this.setNeedsUnmute(true);
      },
    );
  }

  setNeedsUnmute(value) {
    if (this.needsUnmute === value) return;
    this.needsUnmute = value;
    this.dispatchEvent(new CustomEvent('change'));
  }
}
