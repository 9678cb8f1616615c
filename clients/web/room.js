// SPDX-License-Identifier: GPL-3.0-or-later
// One consult on janus.plugin.hipaa.room through Janus' own janus.js (the global `Janus`): join with
// the visit token, the waiting room, the room's requests, and media in the VideoRoom multistream flow
// (publish on the room handle, one subscriber handle per remote feed, chat on the data channel).
// Network trouble: when a PeerConnection loses ICE it is restarted (the publisher with its own offer,
// each subscriber with `configure` + `restart`) until it connects again. No DOM here: the page
// (main.js) listens to the callbacks in `on`.
import { frameBytes, sendFrames } from './documents.js';

const ROOM_PLUGIN = 'janus.plugin.hipaa.room';
const RESTART_EVERY_MS = 3000;

// The `exp` claim of a compact JWS (0 when unreadable): the client never trusts it, it only words a message.
function expOf(token) {
  try {
    const exp = JSON.parse(atob(String(token).split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))).exp;
    return Number.isFinite(exp) ? exp : 0;
  } catch { return 0; }
}

const kindOf = (m) => (m && (m['hipaa.room'] || m.videoroom)) || '';

export class RoomSession {
  // on: {event(msg), ended(reason), track(feedId, track, mid, on), localTrack(track, on), chat(text),
  //      document(feedId, bytes: one document frame),
  //      connection(state: 'connected'|'reconnecting'), error(message)}
  constructor({ server, iceServers = [], room, token, on }) {
    this.server = server;
    this.iceServers = iceServers;
    this.room = room;
    this.token = token;  // kept in memory only, sent once with join
    this.tokenExp = expOf(token);
    this.reclaiming = false;
    this.on = on;
    this.janus = null;
    this.main = null;     // the participant handle (also the publisher)
    this.subs = {};       // feed id -> subscriber handle
    this.publisherId = null;
    this.privateId = null;
    this.lastRequestAt = 0;  // the room counts requests as activity (idle_timeout)
    this.ice = {};           // handle id -> ICE state
    this.restartTimer = null;
    this.closed = false;
  }

  async connect() {
    await new Promise((ok) => Janus.init({ debug: ['error'], callback: ok }));
    let up = false;
    await new Promise((ok, fail) => {
      // janus.js reports a lost long poll here (after marking itself disconnected): claim the session again.
      this.janus = new Janus({ server: this.server, iceServers: this.iceServers, success: () => { up = true; ok(); },
        error: (e) => (up ? this.sessionLost() : fail(new Error(String(e)))) });
    });
    this.main = await this.attach({ onevent: (msg, jsep) => this.onRoomEvent(msg, jsep),
      onlocaltrack: (track, on) => this.on.localTrack(track, on) });
  }

  lost(e) { if (!this.closed) this.on.error(String(e)); }

  // The signalling connection was lost (janus.js gave up its long poll): claim the Janus session again
  // every few seconds. It cannot come back once Janus dropped the session (its session timeout) nor
  // once the token expired meanwhile (the room ends the participant; the token was spent at join):
  // then the page says so instead of reconnecting forever.
  sessionLost() {
    if (this.closed || this.reclaiming) return;
    this.reclaiming = true;
    this.on.connection('reconnecting');
    const attempt = () => {
      if (this.closed) return;
      if (this.tokenExpired()) { this.reclaiming = false; this.on.ended('token_expired'); return; }
      this.janus.reconnect({
        success: () => { this.reclaiming = false; if (this.allConnected()) this.on.connection('connected'); else this.restartAll(); },
        error: (e) => {
          if (this.closed) return;
          if (/no such session/i.test(String(e))) { this.reclaiming = false; this.on.ended(this.tokenExpired() ? 'token_expired' : 'connection_lost'); return; }
          setTimeout(attempt, RESTART_EVERY_MS);
        },
      });
    };
    attempt();
  }

  // Only the token's `exp` is kept after the join (not a secret): to tell "expired" from other losses.
  tokenExpired() { return this.tokenExp > 0 && Date.now() / 1000 > this.tokenExp; }

  // A handle whose messages go to one-shot waiters first, then to `onevent`.
  attach({ onevent, onremotetrack, ondata, onlocaltrack }) {
    return new Promise((ok, fail) => {
      const h = { waiters: [], handle: null };
      this.janus.attach({
        plugin: ROOM_PLUGIN, opaqueId: 'client-' + Janus.randomString(8),
        success: (handle) => { h.handle = handle; ok(h); },
        error: (e) => fail(new Error('attach: ' + e)),
        iceState: (state) => this.iceChanged(h, state),
        onmessage: (msg, jsep) => {
          const i = h.waiters.findIndex((w) => w.match(msg, jsep));
          if (i >= 0) { h.waiters.splice(i, 1)[0].ok({ msg, jsep }); return; }
          if (onevent) onevent(msg, jsep);
        },
        onremotetrack, ondata, onlocaltrack,
      });
    });
  }

  // Sends `body` (+jsep); resolves with the first message `match`es (an error event rejects).
  request(h, body, jsep, match, timeoutMs = 15000) {
    if (h === this.main) this.lastRequestAt = Date.now();
    return new Promise((ok, fail) => {
      const w = { match: (m, j) => (m && m.error_code) || (match && match(m, j)), ok: null };
      const timer = setTimeout(() => { h.waiters = h.waiters.filter((x) => x !== w); fail(new Error('no answer to ' + body.request)); }, timeoutMs);
      w.ok = (r) => { clearTimeout(timer); ok(r); };
      if (match) h.waiters.push(w);
      h.handle.send({ message: body, jsep,
        success: (r) => { if (!match) { clearTimeout(timer); ok({ msg: r }); } },
        error: (e) => { clearTimeout(timer); h.waiters = h.waiters.filter((x) => x !== w); fail(new Error(String(e))); } });
    }).then((r) => {
      if (r.msg && r.msg.error_code) { const e = new Error(r.msg.error); e.code = r.msg.error_code; throw e; }
      return r;
    });
  }

  // Any request on the participant handle that answers with `result` (admit, deny, record, consent, ...).
  send(body) { return this.request(this.main, body, undefined, (m) => !!m.result).then((r) => r.msg); }

  // Resolves with the `joined` or `waiting` answer. The token is sent once and then forgotten.
  async join({ dob, display } = {}) {
    const body = { request: 'join', room: this.room, token: this.token, ptype: 'publisher' };
    if (dob) body.dob = dob;
    if (display) body.display = display;
    const r = await this.request(this.main, body, undefined, (m) => ['joined', 'waiting'].includes(kindOf(m)));
    this.token = null;
    if (kindOf(r.msg) === 'joined') this.admitted(r.msg);
    return r.msg;
  }

  admitted(msg) {
    this.publisherId = msg.id;
    this.privateId = msg.private_id;
    this.pendingPublishers = msg.publishers || [];
  }

  onRoomEvent(msg, jsep) {
    const kind = kindOf(msg);
    if (kind === 'joined') this.admitted(msg);
    if (kind === 'waiting' || kind === 'ended') this.stopMedia();
    if (kind === 'ended') { this.on.ended(msg.reason); return; }
    if (jsep && msg.configured) this.main.handle.handleRemoteJsep({ jsep });
    if (Array.isArray(msg.publishers)) for (const p of msg.publishers) { this.subscribe(p); this.addStreams(p); }
    const gone = msg.unpublished || (typeof msg.leaving === 'string' ? msg.leaving : null);
    if (gone && gone !== 'ok' && this.subs[gone]) { this.subs[gone].handle.detach(); delete this.subs[gone]; }
    this.on.event(msg);
  }

  // Publishes the given tracks (from the device check) and a data channel; subscribes to the others.
  async publish(audioTrack, videoTrack) {
    const tracks = [{ type: 'data' }];
    if (audioTrack) tracks.unshift({ type: 'audio', capture: audioTrack, recv: false });
    if (videoTrack) tracks.splice(1, 0, { type: 'video', capture: videoTrack, recv: false });
    const jsep = await this.offer(this.main, { tracks });
    const r = await this.request(this.main, { request: 'publish' }, jsep, (m, j) => !!j && m.configured === 'ok');
    this.main.handle.handleRemoteJsep({ jsep: r.jsep });
    for (const p of this.pendingPublishers || []) this.subscribe(p);
    this.pendingPublishers = [];
  }

  offer(h, opts) {
    return new Promise((ok, fail) => h.handle.createOffer(Object.assign({ success: ok, error: (e) => fail(new Error('offer: ' + (e.message || e))) }, opts)));
  }

  answer(h, jsep) {
    return new Promise((ok, fail) => h.handle.createAnswer({ jsep, tracks: [{ type: 'data' }], success: ok,
      error: (e) => fail(new Error('answer: ' + (e.message || e))) }));
  }

  async subscribe(pub) {
    if (!pub || pub.id === this.publisherId || this.subs[pub.id] || !this.privateId) return;
    this.subs[pub.id] = { pending: true };
    try {
      const h = await this.attach({
        onevent: (msg, jsep) => { if (jsep) this.acceptOffer(h, jsep).catch((e) => this.lost(e.message)); },
        onremotetrack: (track, mid, on) => this.on.track(pub.id, track, mid, on),
        ondata: (data) => this.onData(pub.id, data),
      });
      this.subs[pub.id] = h;
      const r = await this.request(h, { request: 'join', ptype: 'subscriber', room: this.room, private_id: this.privateId,
        streams: [{ feed: pub.id }] }, undefined, (m, j) => !!j && kindOf(m) === 'attached');
      h.mids = new Set((r.msg.streams || []).map((x) => x.feed_mid).filter((m) => m !== undefined));
      await this.acceptOffer(h, r.jsep);
    } catch (e) { delete this.subs[pub.id]; this.lost('subscribe: ' + e.message); }
  }

  async acceptOffer(h, jsep) {
    if (!Object.values(this.subs).includes(h)) return;
    const ans = await this.answer(h, jsep);
    await this.request(h, { request: 'start' }, ans, (m) => m.started === 'ok');
  }

  // A feed we receive announced streams we do not have (a screen share): `update` adds them.
  addStreams(pub) {
    const h = this.subs[pub.id];
    if (!h || !h.mids || !Array.isArray(pub.streams)) return;
    const fresh = pub.streams.filter((x) => !x.disabled && x.type !== 'data' && !h.mids.has(x.mid));
    if (!fresh.length) return;
    for (const x of fresh) h.mids.add(x.mid);
    h.handle.send({ message: { request: 'update', subscribe: fresh.map((x) => ({ feed: pub.id, mid: x.mid })) } });
  }

  // ---- network trouble -------------------------------------------------------------------------
  iceChanged(h, state) {
    this.ice[h.handle.getId()] = { h, state };
    if (state === 'disconnected' || state === 'failed') {
      this.on.connection('reconnecting');
      if (!this.restartTimer) this.restartTimer = setTimeout(() => this.restartAll(), 500);
    } else if ((state === 'connected' || state === 'completed') && this.allConnected()) {
      clearTimeout(this.restartTimer);
      this.restartTimer = null;
      this.on.connection('connected');
    }
  }

  allConnected() {
    return Object.values(this.ice).every(({ state }) => ['new', 'connected', 'completed', 'closed'].includes(state));
  }

  // Restarts ICE on every handle that lost it; again every few seconds until all connect.
  async restartAll() {
    this.restartTimer = null;
    if (this.closed) return;
    const lostOnes = Object.values(this.ice).filter(({ state }) => ['disconnected', 'failed', 'checking'].includes(state));
    for (const { h } of lostOnes) {
      try {
        if (h === this.main) {
          const jsep = await this.offer(h, { iceRestart: true });
          const r = await this.request(h, { request: 'configure', restart: true }, jsep, (m, j) => !!j && m.configured === 'ok');
          h.handle.handleRemoteJsep({ jsep: r.jsep });
        } else {
          const r = await this.request(h, { request: 'configure', restart: true }, undefined, (m, j) => !!j && m.configured === 'ok');
          const ans = await this.answer(h, r.jsep);
          await this.request(h, { request: 'start' }, ans, (m) => m.started === 'ok');
        }
      } catch (e) {
        console.log('[client] ICE restart: ' + e.message);  // retried below
      }
    }
    if (!this.allConnected() && !this.closed) this.restartTimer = setTimeout(() => this.restartAll(), RESTART_EVERY_MS);
  }

  // ---- controls --------------------------------------------------------------------------------
  // Mute locally and tell the room (it stops relaying and audits it).
  setMuted(kind, mute) {
    const h = this.main.handle;
    if (kind === 'audio') { if (mute) h.muteAudio(); else h.unmuteAudio(); } else if (mute) h.muteVideo(); else h.unmuteVideo();
    return this.request(this.main, { request: 'configure', [kind]: !mute }, undefined, (m) => m.configured === 'ok');
  }

  async shareScreen(on) {
    const jsep = await this.offer(this.main, { tracks: [on ? { type: 'screen', capture: true } : { type: 'screen', remove: true }] });
    const r = await this.request(this.main, { request: 'configure', screen: on }, jsep, (m, j) => !!j && m.configured === 'ok');
    this.main.handle.handleRemoteJsep({ jsep: r.jsep });
  }

  note(text) {
    return this.request(this.main, { request: 'note', text }, undefined, (m) => !!m.result).then((r) => r.msg);
  }

  // Resolves once the room answered: keeps the session from idling out.
  ping() { return this.request(this.main, { request: 'participants' }, undefined, (m) => kindOf(m) === 'participants'); }

  // Text is chat; binary messages are document frames (the room relays only whole, checked documents).
  onData(feed, data) {
    if (typeof data === 'string') { this.on.chat(data); return; }
    frameBytes(data).then((b) => this.on.document(feed, b));
  }

  // Sends a document's frames on our data channel, pacing on its buffer; `progress(sent, total)`.
  sendFrames(frames, progress) { return sendFrames(this.main.handle.webrtcStuff.dataChannel[Janus.dataChanDefaultLabel], frames, progress); }

  chat(text, from) {
    return new Promise((ok, fail) => this.main.handle.data({ text: JSON.stringify({ from, text }), success: ok, error: (e) => fail(new Error(String(e))) }));
  }

  leave() { return this.request(this.main, { request: 'leave' }, undefined, (m) => kindOf(m) === 'left'); }
  end() { return this.request(this.main, { request: 'end' }, undefined, (m) => m.result === 'ended'); }

  stopMedia() {
    for (const s of Object.values(this.subs)) if (s && s.handle) s.handle.detach();
    this.subs = {};
    this.ice = {};
    clearTimeout(this.restartTimer);
    this.restartTimer = null;
    if (this.main) this.main.handle.hangup();
  }

  close() {
    this.closed = true;
    this.stopMedia();
    if (this.janus) this.janus.destroy({ cleanupHandles: true });
  }

  // The PeerConnections (publisher first), for statistics.
  peerConnections() {
    const pcs = [];
    const pub = this.main && this.main.handle.webrtcStuff.pc;
    if (pub) pcs.push({ pc: pub, publisher: true });
    for (const s of Object.values(this.subs)) if (s && s.handle && s.handle.webrtcStuff.pc) pcs.push({ pc: s.handle.webrtcStuff.pc, publisher: false });
    return pcs;
  }
}
