// SPDX-License-Identifier: GPL-3.0-or-later
// The device check before a visit: camera and microphone preview with a level meter, the choice of
// device, and a short round trip to Janus (its /info endpoint).
export class DeviceCheck {
  constructor() {
    this.stream = null;
    this.ctx = null;
    this.analyser = null;
    this.level = 0;
    this.raf = 0;
  }

  // Opens the chosen (or default) devices; throws when the browser refuses them.
  async open(audioId, videoId) {
    this.stop(false);
    this.stream = await navigator.mediaDevices.getUserMedia({
      audio: audioId ? { deviceId: { exact: audioId } } : true,
      video: videoId ? { deviceId: { exact: videoId } } : { width: 640, height: 360 },
    });
    this.ctx = this.ctx || new AudioContext();
    await this.ctx.resume().catch(() => {});
    this.analyser = this.ctx.createAnalyser();
    this.analyser.fftSize = 1024;
    this.ctx.createMediaStreamSource(new MediaStream(this.stream.getAudioTracks())).connect(this.analyser);
    return this.stream;
  }

  async devices() {
    const all = await navigator.mediaDevices.enumerateDevices();
    return { audio: all.filter((d) => d.kind === 'audioinput'), video: all.filter((d) => d.kind === 'videoinput') };
  }

  // Calls `show(level 0..1)` every frame while the check runs.
  meter(show) {
    const buf = new Float32Array(1024);
    const tick = () => {
      if (!this.analyser) return;
      this.analyser.getFloatTimeDomainData(buf);
      let sum = 0;
      for (const v of buf) sum += v * v;
      this.level = Math.min(1, Math.sqrt(sum / buf.length) * 4);
      show(this.level);
      this.raf = requestAnimationFrame(tick);
    };
    cancelAnimationFrame(this.raf);
    tick();
  }

  // The round trip to Janus in ms; throws when it cannot be reached.
  static async connectivity(server, timeoutMs = 5000) {
    const started = performance.now();
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), timeoutMs);
    try {
      const r = await fetch(server.replace(/\/$/, '') + '/info', { signal: ctl.signal, cache: 'no-store' });
      const j = await r.json();
      if (j.janus !== 'server_info') throw new Error('not Janus');
      return Math.round(performance.now() - started);
    } finally { clearTimeout(timer); }
  }

  tracks() {
    return { audio: this.stream && this.stream.getAudioTracks()[0], video: this.stream && this.stream.getVideoTracks()[0] };
  }

  // `keepTracks`: the visit goes on with them (only the meter stops).
  stop(keepTracks = true) {
    cancelAnimationFrame(this.raf);
    this.analyser = null;
    if (!keepTracks && this.stream) for (const tr of this.stream.getTracks()) tr.stop();
    if (!keepTracks) this.stream = null;
  }
}
