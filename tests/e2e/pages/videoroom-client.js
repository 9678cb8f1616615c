// SPDX-License-Identifier: GPL-3.0-or-later
// A minimal stock-VideoRoom client on Janus' own janus.js (1.1.2 multistream API), the same flow a
// clinic's existing client uses. Driven from node through window.e2e; every call returns a promise.
// Plugin-name agnostic (?plugin=): the same code drives janus.plugin.hipaa.room. What differs there,
// and only there, is marked HIPAA below: the plugin name, a `token` in join, the waiting room (a
// `waiting` answer, then `joined` once admitted), and subscribers opening with the private_id of a
// joined participant (VideoRoom accepts that too; our room requires it).
(function () {
  'use strict';
  const params = new URLSearchParams(location.search);
  const PLUGIN = params.get('plugin') || 'janus.plugin.videoroom';
  const statusEl = () => document.getElementById('status');
  // The stock VideoRoom answers with {"videoroom": ...}; janus.plugin.hipaa.room with {"hipaa.room": ...}.
  const kind = (m) => (m && (m.videoroom || m['hipaa.room'])) || '';
  const state = { janus: null, handle: null, events: [], remoteTracks: {}, audioCtx: null, analyser: null };

  function status(text) {
    const el = statusEl();
    if (el) el.textContent = text;
    console.log('[e2e] ' + text);
  }

  function init() {
    return new Promise((ok) => Janus.init({ debug: params.has('debug') ? 'all' : ['error'], callback: ok }));
  }

  function connect(server) {
    return init().then(() => new Promise((ok, fail) => {
      state.janus = new Janus({ server, iceServers: [], success: () => ok(), error: (e) => fail(new Error('janus: ' + e)) });
    }));
  }

  // Attaches and routes plugin messages to one waiter at a time (the flows below are sequential).
  function attach(callbacks) {
    return new Promise((ok, fail) => {
      state.janus.attach(Object.assign({
        plugin: PLUGIN,
        opaqueId: 'e2e-' + Janus.randomString(8),
        success: (h) => { state.handle = h; ok(h); },
        error: (e) => fail(new Error('attach: ' + e)),
        onmessage: (msg, jsep) => {
          state.events.push(msg);
          const w = state.waiter;
          if (w && w.match(msg)) { state.waiter = null; w.ok({ msg, jsep }); }
          else if (jsep && state.onJsep) state.onJsep(msg, jsep);
        },
        webrtcState: (on) => status('webrtc ' + (on ? 'up' : 'down')),
        iceState: (s) => console.log('[e2e] ice ' + s),
      }, callbacks));
    });
  }

  function request(body, jsep, match, timeoutMs = 15000) {
    return new Promise((ok, fail) => {
      const timer = setTimeout(() => { state.waiter = null; fail(new Error('no answer to ' + body.request)); }, timeoutMs);
      if (match) state.waiter = { match, ok: (r) => { clearTimeout(timer); ok(r); } };
      state.handle.send({
        message: body, jsep,
        success: (r) => { if (!match) { clearTimeout(timer); ok({ msg: r }); } },
        error: (e) => { clearTimeout(timer); state.waiter = null; fail(new Error(body.request + ': ' + e)); },
      });
    }).then((r) => {
      if (r.msg && r.msg.error) throw new Error(body.request + ': ' + r.msg.error_code + ' ' + r.msg.error);
      return r;
    });
  }

  function offer(tracks) {
    return new Promise((ok, fail) => state.handle.createOffer({ tracks, success: ok, error: (e) => fail(new Error('offer: ' + (e.message || e))) }));
  }
  function answer(jsep, tracks) {
    return new Promise((ok, fail) => state.handle.createAnswer({ jsep, tracks, success: ok, error: (e) => fail(new Error('answer: ' + (e.message || e))) }));
  }

  function showTrack(track, on, where) {
    const box = document.getElementById(where);
    const id = 'track-' + track.id;
    const old = document.getElementById(id);
    if (!on) { if (old) old.remove(); return; }
    if (old) return;
    const el = document.createElement(track.kind === 'video' ? 'video' : 'audio');
    el.id = id; el.autoplay = true; el.playsInline = true;
    if (track.kind === 'video') el.muted = true;
    el.srcObject = new MediaStream([track]);
    box.appendChild(el);
    el.play().catch(() => {});
  }

  // Remote audio through WebAudio as well: an analyser gives a level independent of Chromium's
  // audio output (headless has none, so inbound-rtp totalAudioEnergy may stay 0).
  function analyse(track) {
    try {
      state.audioCtx = state.audioCtx || new AudioContext();
      const src = state.audioCtx.createMediaStreamSource(new MediaStream([track]));
      state.analyser = state.audioCtx.createAnalyser();
      state.analyser.fftSize = 2048;
      src.connect(state.analyser);
      state.audioCtx.resume().catch(() => {});
    } catch (e) { console.log('[e2e] analyser: ' + e.message); }
  }

  async function createRoom({ room, secret, publishers = 16, description = 'e2e' }) {
    const r = await request({ request: 'create', room, secret, publishers, description, permanent: false,
      audiocodec: 'opus', videocodec: 'vp8', bitrate: 512000 });
    return r.msg;
  }

  // `join`: extra fields merged into the join request (the hipaa room's `token`, for instance).
  async function publish({ server, room, display = 'publisher', create = false, secret, join = {} }) {
    status('connecting');
    await connect(server);
    await attach({ onlocaltrack: (t, on) => showTrack(t, on, 'local') });
    if (create) await createRoom({ room, secret });
    const joined = await joinRoom(Object.assign({ request: 'join', ptype: 'publisher', room, display }, join));
    state.id = joined.msg.id;
    state.privateId = joined.msg.private_id;
    status('joined as ' + state.id);
    const jsep = await offer([{ type: 'audio', capture: true, recv: false }, { type: 'video', capture: true, recv: false }]);
    const r = await request({ request: 'configure', audio: true, video: true }, jsep,
      (m, j) => (kind(m) === 'event' && (m.configured === 'ok' || m.error)));
    if (!r.jsep) throw new Error('configure: no answer jsep');
    state.handle.handleRemoteJsep({ jsep: r.jsep });
    status('publishing as ' + state.id);
    return { room, id: state.id, privateId: state.privateId };
  }

  // HIPAA: a `waiting` answer means the waiting room; the same handle gets `joined` once admitted.
  async function joinRoom(body) {
    const r = await request(body, undefined, (m) => kind(m) === 'joined' || kind(m) === 'waiting' || m.error);
    if (kind(r.msg) !== 'waiting') return r;
    status('waiting to be admitted');
    state.waitingId = r.msg.id;
    return new Promise((ok, fail) => {
      const timer = setTimeout(() => { state.waiter = null; fail(new Error('never admitted')); }, 30000);
      state.waiter = { match: (m) => kind(m) === 'joined' || kind(m) === 'ended', ok: (x) => {
        clearTimeout(timer);
        if (kind(x.msg) === 'ended') fail(new Error('not admitted: ' + x.msg.reason)); else ok(x);
      } };
    });
  }

  // One subscriber PeerConnection for `feed` or for every feed in `feeds` (multistream).
  async function subscribe({ server, room, feed, feeds, join = {} }) {
    status('connecting');
    await connect(server);
    if (join.token) {
      // HIPAA: the subscriber is someone in the visit: join with the token on a participant handle
      // (waiting room included), then open the subscriber handle with its private_id.
      await attach({});
      state.owner = state.handle;
      const joined = await joinRoom({ request: 'join', ptype: 'publisher', room, token: join.token });
      state.id = joined.msg.id;
      join = { private_id: joined.msg.private_id };
    }
    await attach({
      onremotetrack: (track, mid, on) => {
        state.remoteTracks[mid] = on ? track.kind : undefined;
        showTrack(track, on, 'remote');
        if (on && track.kind === 'audio') analyse(track);
      },
    });
    const streams = (feeds || [feed]).map((f) => ({ feed: f }));
    const attached = await request(Object.assign({ request: 'join', ptype: 'subscriber', room, streams }, join), undefined,
      (m) => kind(m) === 'attached' || m.error);
    if (!attached.jsep) throw new Error('join: no offer jsep');
    const jsep = await answer(attached.jsep, [{ type: 'data' }]);
    await request({ request: 'start', room }, jsep, (m) => kind(m) === 'event' && (m.started === 'ok' || m.error));
    status('subscribed to ' + streams.map((x) => x.feed).join(', '));
    return { room, feeds: streams.map((x) => x.feed), streams: attached.msg.streams };
  }

  async function leave() {
    if (state.handle) await request({ request: 'leave' }).catch(() => {});
    if (state.owner && state.owner !== state.handle) { state.handle = state.owner; await request({ request: 'leave' }).catch(() => {}); }
    if (state.handle) state.handle.hangup();
    await new Promise((ok) => state.janus ? state.janus.destroy({ success: ok, error: ok }) : ok());
    status('left');
  }

  // inbound-rtp / outbound-rtp summaries per kind, straight from getStats().
  async function stats() {
    const pc = state.handle && state.handle.webrtcStuff && state.handle.webrtcStuff.pc;
    const out = { ice: pc ? pc.iceConnectionState : 'none', inbound: {}, outbound: {}, candidatePair: null };
    if (!pc) return out;
    const report = await pc.getStats();
    report.forEach((s) => {
      if (s.type === 'inbound-rtp') {
        // Several streams of one kind (multistream subscriber): counters summed, `streams` counts them.
        const p = out.inbound[s.kind] || (out.inbound[s.kind] = { streams: 0, packetsReceived: 0, bytesReceived: 0,
          framesDecoded: 0, totalAudioEnergy: 0, packetsLost: 0 });
        p.streams += 1;
        p.packetsReceived += s.packetsReceived || 0;
        p.bytesReceived += s.bytesReceived || 0;
        p.framesDecoded += s.framesDecoded || 0;
        p.totalAudioEnergy += s.totalAudioEnergy || 0;
        p.packetsLost += s.packetsLost || 0;
        if (s.frameWidth) { p.frameWidth = s.frameWidth; p.frameHeight = s.frameHeight; }
        if (s.audioLevel !== undefined) p.audioLevel = s.audioLevel;
        p.codecId = s.codecId;
      } else if (s.type === 'outbound-rtp') {
        out.outbound[s.kind] = { packetsSent: s.packetsSent, bytesSent: s.bytesSent, framesEncoded: s.framesEncoded };
      } else if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') {
        const local = report.get(s.localCandidateId), remote = report.get(s.remoteCandidateId);
        out.candidatePair = { local: local && (local.address || local.ip), remote: remote && (remote.address || remote.ip) };
      }
    });
    for (const kind of Object.keys(out.inbound)) {
      const c = report.get(out.inbound[kind].codecId);
      out.inbound[kind].codec = c ? c.mimeType : undefined;
    }
    return out;
  }

  // Peak RMS (0..1) of the remote audio over `ms` through the WebAudio analyser.
  async function audioLevel(ms = 1000) {
    if (!state.analyser) return null;
    const buf = new Float32Array(state.analyser.fftSize);
    let peak = 0;
    const end = performance.now() + ms;
    while (performance.now() < end) {
      state.analyser.getFloatTimeDomainData(buf);
      let sum = 0;
      for (const v of buf) sum += v * v;
      peak = Math.max(peak, Math.sqrt(sum / buf.length));
      await new Promise((r) => setTimeout(r, 50));
    }
    return peak;
  }

  // A request on the handle (e.g. the provider's `admit`); resolves with the synchronous answer or
  // the first event carrying `result` or an error.
  const send = (body) => request(body, undefined, (m) => !!m.result || !!m.error);

  window.e2e = { publish, subscribe, leave, stats, audioLevel, createRoom, send, waitingId: () => state.waitingId,
    events: () => state.events,
    remoteTracks: () => state.remoteTracks, plugin: PLUGIN };
})();
