// SPDX-License-Identifier: GPL-3.0-or-later
// DEMO consult page on Janus' own janus.js (1.1.x). Signalling (join with token, date-of-birth check-in,
// waiting room, admit/deny, end) goes to janus.plugin.hipaa.room; media follows the stock VideoRoom
// multistream flow (publish with an offer, one subscriber handle per remote feed, chat on the data
// channel), through our room (default) or, for early testing, through a stock janus.plugin.videoroom
// room next to it (?mediaRoom=N, the demo server's --media-plugin janus.plugin.videoroom).
// "Share a document" uses the reference client's framing module (clients/web/documents.js, served by
// the demo server under /client/). window.demo exposes state and getStats() summaries for the
// end-to-end test (tests/e2e/demo-e2e.js).
(function () {
  'use strict';
  const ROOM_PLUGIN = 'janus.plugin.hipaa.room';
  const params = new URLSearchParams(location.search);
  const ROLE = params.get('role') === 'provider' ? 'provider' : 'patient';
  const ROOM = params.get('room') || '';
  const MEDIA_ROOM = params.get('mediaRoom') ? Number(params.get('mediaRoom')) : null;
  const $ = (id) => document.getElementById(id);
  const st = {
    janus: null, room: null, media: null, mediaPlugin: MEDIA_ROOM ? 'janus.plugin.videoroom' : ROOM_PLUGIN,
    phase: 'start', myId: null, publisherId: null, privateId: null, waiting: [], participants: {},
    subs: {}, chat: [], ended: null, errors: [], audioMuted: false, videoMuted: false, sharing: false,
    audioCtx: null, analysers: [], events: [], docs: null, documents: [], receivers: {}, docTransfer: 0, docRefusals: [],
  };

  // ---- small helpers -------------------------------------------------------------------------
  function status(text) { $('status').textContent = text; console.log('[demo] ' + text); }
  function error(text) { st.errors.push(text); $('error').textContent = text; console.log('[demo] error: ' + text); }
  function phase(p) {
    st.phase = p;
    $('checkin').hidden = p !== 'checkin';
    $('waiting-screen').hidden = p !== 'waiting';
    $('call').hidden = p !== 'call';
    $('ended-screen').hidden = p !== 'ended';
    $('copy-form').hidden = !(p === 'ended' && ROLE === 'patient');
    document.body.dataset.phase = p;
  }
  async function api(pathname, body) {
    const r = await fetch(pathname, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body || {}) });
    const j = await r.json();
    if (!r.ok) throw new Error(j.error || ('HTTP ' + r.status));
    return j;
  }
  const kindOf = (m) => (m && (m['hipaa.room'] || m.videoroom)) || '';

  // A plugin handle whose messages are routed to one-shot waiters first, then to `onevent`.
  function attach(plugin, cb) {
    return new Promise((ok, fail) => {
      const h = { waiters: [], handle: null };
      st.janus.attach(Object.assign({
        plugin, opaqueId: 'demo-' + Janus.randomString(8),
        success: (handle) => { h.handle = handle; ok(h); },
        error: (e) => fail(new Error('attach ' + plugin + ': ' + e)),
        onmessage: (msg, jsep) => {
          st.events.push(msg);
          const i = h.waiters.findIndex((w) => w.match(msg, jsep));
          if (i >= 0) { const w = h.waiters.splice(i, 1)[0]; w.ok({ msg, jsep }); return; }
          if (cb.onevent) cb.onevent(msg, jsep);
        },
      }, cb.janus || {}));
    });
  }
  // Sends `body` (+jsep) and resolves with the first message matching `match` (or an error event).
  function request(h, body, jsep, match, timeoutMs = 15000) {
    return new Promise((ok, fail) => {
      const w = { match: (m, j) => (m && m.error_code) || match(m, j), ok: null };
      const timer = setTimeout(() => { h.waiters = h.waiters.filter((x) => x !== w); fail(new Error('no answer to ' + body.request)); }, timeoutMs);
      w.ok = (r) => { clearTimeout(timer); ok(r); };
      if (match) h.waiters.push(w);
      h.handle.send({ message: body, jsep,
        success: (r) => { if (!match) { clearTimeout(timer); ok({ msg: r }); } },
        error: (e) => { clearTimeout(timer); h.waiters = h.waiters.filter((x) => x !== w); fail(new Error(body.request + ': ' + e)); } });
    }).then((r) => {
      if (r.msg && r.msg.error_code) { const e = new Error(body.request + ': ' + r.msg.error); e.code = r.msg.error_code; throw e; }
      return r;
    });
  }
  const offer = (h, opts) => new Promise((ok, fail) => h.handle.createOffer(Object.assign({ success: ok, error: (e) => fail(new Error('offer: ' + (e.message || e))) }, opts)));
  const answer = (h, jsep, tracks) => new Promise((ok, fail) => h.handle.createAnswer({ jsep, tracks, success: ok, error: (e) => fail(new Error('answer: ' + (e.message || e))) }));

  // ---- room signalling -------------------------------------------------------------------------
  async function connect(server) {
    await new Promise((ok) => Janus.init({ debug: params.has('debug') ? 'all' : ['error'], callback: ok }));
    await new Promise((ok, fail) => { st.janus = new Janus({ server, iceServers: [], success: ok, error: (e) => fail(new Error('janus: ' + e)) }); });
  }

  // The patient's link (token) carries no name: she types it at check-in and it goes as `display`.
  async function join(dob, display) {
    const { token } = await api('/demo/api/token', { room: ROOM, role: ROLE });
    if (!st.room) st.room = await attach(ROOM_PLUGIN, { onevent: onRoomEvent });
    const body = { request: 'join', room: ROOM, token };
    if (dob) body.dob = dob;
    if (display) body.display = display;
    if (st.mediaPlugin === ROOM_PLUGIN) body.ptype = 'publisher';
    const r = await request(st.room, body, undefined, (m) => kindOf(m) === 'joined' || kindOf(m) === 'waiting');
    st.myId = r.msg.id;
    if (kindOf(r.msg) === 'waiting') { phase('waiting'); status('waiting to be admitted'); return; }
    await admitted(r.msg);
  }

  async function admitted(msg) {
    phase('call');
    // The room class keeps the chat (`chat = "record"`): say so before anyone types.
    st.chatKept = msg.policy != null && msg.policy.chat_kept === true;
    st.docMax = (msg.policy && msg.policy.document_max_bytes) || st.docs.DEFAULT_MAX_BYTES;
    $('chat-kept').hidden = !st.chatKept;
    status('in the visit as ' + ROLE);
    for (const p of msg.participants || []) st.participants[p.id] = p;
    renderParticipants();
    await startMedia(msg);
  }

  function onRoomEvent(msg, jsep) {
    const kind = kindOf(msg);
    if (kind === 'joined' && st.phase === 'waiting') { admitted(msg).catch((e) => error(e.message)); return; }
    if (kind === 'waiting' && st.phase === 'call') { stopMedia(); phase('waiting'); status('sent back to the waiting room'); return; }
    if (kind === 'ended') { ended(msg.reason); return; }
    if (msg.error_code) { error(msg.error); return; }
    // A document we sent that the room refused (480-487): it reached nobody.
    if (msg.document && msg.document.outcome === 'refused') { docRefused(Number(msg.document.error_code)); return; }
    if (Array.isArray(msg.waiting)) { st.waiting = msg.waiting; renderWaiting(); }
    if (msg.joined && msg.joined.id) { st.participants[msg.joined.id] = msg.joined; renderParticipants(); }
    if (msg.leaving && typeof msg.leaving === 'string' && st.participants[msg.leaving]) { delete st.participants[msg.leaving]; renderParticipants(); }
    if (st.mediaPlugin === ROOM_PLUGIN) onMediaEvent(msg, jsep);
  }

  async function moderate(what, id) {
    try { await request(st.room, { request: what, id }, undefined, (m) => !!m.result); } catch (e) { error(e.message); }
  }

  function ended(reason) {
    if (st.phase === 'ended') return;
    st.ended = reason || 'ended';
    stopMedia();
    phase('ended');
    $('ended-reason').textContent = ({ ended_by_provider: 'The provider ended the visit.', denied: 'The provider did not admit you.',
      kicked: 'You were removed from the visit.' })[reason] || ('(' + reason + ')');
    status('visit ended: ' + reason);
  }

  // ---- media: VideoRoom multistream flow -------------------------------------------------------
  async function startMedia(joinedMsg) {
    let joined = joinedMsg;
    if (st.mediaPlugin === 'janus.plugin.videoroom') {
      st.media = await attach(st.mediaPlugin, { onevent: onMediaEvent, janus: { onlocaltrack: onLocalTrack } });
      joined = (await request(st.media, { request: 'join', ptype: 'publisher', room: MEDIA_ROOM, display: ROLE }, undefined,
        (m) => m.videoroom === 'joined')).msg;
    } else {
      st.media = st.room;
      st.media.handle.onlocaltrack = onLocalTrack;
    }
    st.publisherId = joined.id;
    st.privateId = joined.private_id;
    const jsep = await offer(st.media, { tracks: [{ type: 'audio', capture: true, recv: false },
      { type: 'video', capture: true, recv: false }, { type: 'data' }] });
    const r = await request(st.media, { request: 'publish' }, jsep,
      (m, j) => !!j && (m.configured === 'ok' || kindOf(m) === 'event'));
    st.media.handle.handleRemoteJsep({ jsep: r.jsep });
    status('in the visit as ' + ROLE + ' (publishing)');
    if (joined.publishers) for (const p of joined.publishers) subscribe(p);
    if (r.msg.publishers) for (const p of r.msg.publishers) subscribe(p);
  }

  function onMediaEvent(msg, jsep) {
    if (jsep && st.media && msg.configured) { st.media.handle.handleRemoteJsep({ jsep }); }
    if (Array.isArray(msg.publishers)) for (const p of msg.publishers) { subscribe(p); addStreams(p); }
    const gone = msg.unpublished || (typeof msg.leaving !== 'string' ? msg.leaving : null);
    if (gone && gone !== 'ok' && st.subs[gone]) { st.subs[gone].handle.detach(); delete st.subs[gone]; }
  }

  async function subscribe(pub) {
    if (!pub || pub.id === st.publisherId || st.subs[pub.id] || st.phase !== 'call') return;
    st.subs[pub.id] = { pending: true };
    try {
      let h = null;
      h = await attach(st.mediaPlugin, {
        // The plugin renegotiates on its own when the feed's streams change (`updated` with an offer).
        // Offers racing the end of the visit (the other side unpublishing while we tear down) are moot.
        onevent: (msg, jsep) => {
          if (!jsep) return;
          renegotiate(h, jsep).catch((e) => { if (st.phase === 'call' && st.subs[pub.id] === h) error('subscriber update: ' + e.message); });
        },
        janus: { onremotetrack: (track, mid, on) => showRemote(pub.id, track, mid, on), ondata: (data) => onData(pub.id, data) },
      });
      st.subs[pub.id] = h;
      const body = { request: 'join', ptype: 'subscriber', room: st.mediaPlugin === ROOM_PLUGIN ? ROOM : MEDIA_ROOM,
        streams: [{ feed: pub.id }] };
      if (st.privateId) body.private_id = st.privateId;
      const r = await request(h, body, undefined, (m, j) => !!j && kindOf(m) === 'attached');
      h.mids = new Set((r.msg.streams || []).map((x) => x.feed_mid).filter((m) => m !== undefined));
      const jsep = await answer(h, r.jsep, [{ type: 'data' }]);
      await request(h, { request: 'start' }, jsep, (m) => m.started === 'ok');
      addStreams(pub);
    } catch (e) { delete st.subs[pub.id]; error('subscribe: ' + e.message); }
  }

  async function renegotiate(h, jsep) {
    if (st.phase !== 'call' || !Object.values(st.subs).includes(h)) return;
    const ans = await answer(h, jsep, [{ type: 'data' }]);
    await request(h, { request: 'start' }, ans, (m) => m.started === 'ok');
  }

  // A feed we already receive announced streams we do not have (a screen share): `update` subscribes
  // to them on the same PeerConnection; the plugin answers `updated` with a new offer (renegotiate).
  function addStreams(pub) {
    const h = st.subs[pub.id];
    if (!h || !h.mids || !Array.isArray(pub.streams)) return;
    const fresh = pub.streams.filter((x) => !x.disabled && x.type !== 'data' && !h.mids.has(x.mid));
    if (!fresh.length) return;
    for (const x of fresh) h.mids.add(x.mid);
    h.handle.send({ message: { request: 'update', subscribe: fresh.map((x) => ({ feed: pub.id, mid: x.mid })) } });
  }

  function onLocalTrack(track, on) {
    const id = 'local-' + track.id;
    const old = $(id);
    if (!on) { if (old) old.remove(); return; }
    if (old || track.kind !== 'video') return;
    const v = document.createElement('video');
    v.id = id; v.autoplay = true; v.muted = true; v.playsInline = true;
    v.srcObject = new MediaStream([track]);
    $('local').appendChild(v);
  }

  function showRemote(feed, track, mid, on) {
    const id = 'remote-' + feed + '-' + mid;
    const old = $(id);
    if (!on) { if (old) old.remove(); return; }
    if (old) return;
    const el = document.createElement(track.kind === 'video' ? 'video' : 'audio');
    el.id = id; el.autoplay = true; el.playsInline = true;
    if (track.kind === 'video') el.muted = true;
    el.srcObject = new MediaStream([track]);
    $('remote').appendChild(el);
    el.play().catch(() => {});
    if (track.kind === 'audio') {
      // A WebAudio analyser next to playout: the level the test reads (window.demo.audioLevel).
      try {
        st.audioCtx = st.audioCtx || new AudioContext();
        const an = st.audioCtx.createAnalyser();
        an.fftSize = 2048;
        st.audioCtx.createMediaStreamSource(new MediaStream([track])).connect(an);
        st.analysers.push(an);
        st.audioCtx.resume().catch(() => {});
      } catch (e) { console.log('[demo] analyser: ' + e.message); }
    }
  }

  function stopMedia() {
    for (const s of Object.values(st.subs)) if (s && s.handle) s.handle.detach();
    st.subs = {};
    if (st.media && st.media !== st.room) { st.media.handle.detach(); }
    else if (st.media) st.media.handle.hangup();
    st.media = null;
  }

  // ---- controls --------------------------------------------------------------------------------
  async function toggleMute(kind) {
    if (!st.media) return;
    const h = st.media.handle;
    const key = kind === 'audio' ? 'audioMuted' : 'videoMuted';
    const mute = !st[key];
    if (kind === 'audio') { if (mute) h.muteAudio(); else h.unmuteAudio(); } else if (mute) h.muteVideo(); else h.unmuteVideo();
    st[key] = mute;
    // Tell the server too: VideoRoom 1.x `configure` with `streams: [{mid, send}]` (and the short
    // `audio`/`video` flag): it stops relaying that stream (our room also audits it).
    const pc = h.webrtcStuff && h.webrtcStuff.pc;
    const streams = pc ? pc.getTransceivers().filter((t) => t.mid !== null && t.sender.track && t.sender.track.kind === kind
      && !/screen/i.test(t.sender.track.label)).map((t) => ({ mid: t.mid, send: !mute })) : [];
    request(st.media, { request: 'configure', [kind]: !mute, streams }, undefined, (m) => m.configured === 'ok').catch((e) => error(e.message));
    $(kind === 'audio' ? 'mute-audio' : 'mute-video').textContent = kind === 'audio'
      ? (mute ? 'Unmute microphone' : 'Mute microphone') : (mute ? 'Start camera' : 'Stop camera');
  }

  async function toggleScreen() {
    if (!st.media) return;
    try {
      const tracks = st.sharing ? [{ type: 'screen', remove: true }] : [{ type: 'screen', capture: true }];
      const jsep = await offer(st.media, { tracks });
      const r = await request(st.media, { request: 'configure', screen: !st.sharing }, jsep, (m, j) => !!j && m.configured === 'ok');
      st.media.handle.handleRemoteJsep({ jsep: r.jsep });
      st.sharing = !st.sharing;
      $('share-screen').textContent = st.sharing ? 'Stop sharing' : 'Share screen';
    } catch (e) { error('screen share: ' + e.message); }
  }

  function sendChat(text) {
    if (!st.media || !text) return;
    st.media.handle.data({ text: JSON.stringify({ from: ROLE, text }),
      success: () => addChat('me', text), error: (e) => error('chat: ' + e) });
  }
  function onChat(data) {
    st.received = (st.received || 0) + 1;
    if (String(data).includes('"flood ')) return;
    try { const m = JSON.parse(data); addChat(String(m.from || '?'), String(m.text || '')); } catch { addChat('?', String(data)); }
  }
  // Text is chat; binary messages are document frames (the room relays only whole, checked documents).
  function onData(feed, data) {
    if (typeof data === 'string') { onChat(data); return; }
    if (!st.docs) return;
    st.docs.frameBytes(data).then(async (b) => {
      const rx = st.receivers[feed] || (st.receivers[feed] = new st.docs.DocumentReceiver());
      const r = await rx.push(b);
      if (!r) return;
      if (r.error) { docRefused(r.error); return; }
      const p = st.participants[feed];
      addDocument({ mine: false, type: r.type, bytes: r.bytes, sha256: r.sha256, who: p ? (p.display || p.role) : 'someone' });
    }).catch((e) => error('document: ' + e.message));
  }
  function addChat(from, text) {
    st.chat.push({ from, text });
    const div = document.createElement('div');
    if (from === 'me') div.className = 'me';
    div.textContent = (from === 'me' ? 'You' : from) + ': ' + text;
    $('chat-log').appendChild(div);
    $('chat-log').scrollTop = 1e9;
  }

  // ---- documents ------------------------------------------------------------------------------
  const DOC_TYPES = { 1: 'PDF', 2: 'PNG', 3: 'JPEG' };
  const DOC_WHY = { 480: 'it is too large', 481: 'it is not a PDF, PNG or JPEG', 482: 'your role may not share documents',
    483: 'it arrived incomplete', 484: 'you are still in the waiting room', 487: 'it could not be kept in the visit record' };
  function docRefused(code) {
    st.docRefusals.push(code);
    $('doc-status').textContent = 'Document not shared: ' + (DOC_WHY[code] || 'the room refused it') + ' (' + code + ').';
  }
  async function shareDocument() {
    const file = $('doc-file').files[0];
    if (!file || !st.media || !st.docs) { $('doc-status').textContent = 'Choose a file first.'; return; }
    if (file.size > st.docMax) { docRefused(480); return; }  // the class' cap (the room's policy)
    const bytes = new Uint8Array(await file.arrayBuffer());
    const type = st.docs.documentType(bytes);  // by the bytes, not the name: the room checks the same way
    if (!type) { docRefused(481); return; }
    $('doc-send').disabled = true;
    $('doc-status').textContent = 'Sharing...';
    try {
      st.docTransfer += 1;
      const frames = await st.docs.encodeDocument(bytes, type, st.docTransfer);
      await st.docs.sendFrames(st.media.handle.webrtcStuff.dataChannel[Janus.dataChanDefaultLabel], frames);
      $('doc-status').textContent = 'Shared a ' + DOC_TYPES[type] + ' of ' + bytes.length + ' bytes.';
      addDocument({ mine: true, type, bytes, sha256: st.docs.hex(await st.docs.sha256(bytes)) });
      $('doc-file').value = '';
    } catch (e) { error('document: ' + e.message); } finally { $('doc-send').disabled = false; }
  }
  // A received document: a download link (no file name travelled: named after its type) and, for an image, the image.
  function addDocument({ mine, type, bytes, sha256, who }) {
    const blob = new Blob([bytes], { type: st.docs.MIME[type] });
    st.documents.push({ mine, type: DOC_TYPES[type], bytes: bytes.length, sha256, blob });
    const li = document.createElement('li');
    li.textContent = (mine ? 'You shared a ' : who + ' shared a ') + DOC_TYPES[type] + ' (' + bytes.length + ' bytes) ';
    if (!mine) {
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url; a.download = 'document-' + st.documents.length + '.' + DOC_TYPES[type].toLowerCase();
      a.textContent = 'Download';
      li.appendChild(a);
      if (type !== 1) { const img = document.createElement('img'); img.src = url; img.alt = 'image shared by ' + who; img.className = 'doc-image'; li.appendChild(img); }
    }
    $('doc-list').appendChild(li);
  }
  // The SHA-256 of a document as the page holds it (its Blob), for the end-to-end test.
  async function documentSha256(i) {
    const d = st.documents[i];
    return d ? st.docs.hex(await st.docs.sha256(new Uint8Array(await d.blob.arrayBuffer()))) : null;
  }

  function renderWaiting() {
    const ul = $('waiting-list');
    ul.textContent = '';
    for (const w of st.waiting) {
      const li = document.createElement('li');
      li.dataset.id = w.id;
      li.appendChild(document.createTextNode((w.display || w.role) + ' '));
      for (const [label, req] of [['Admit', 'admit'], ['Deny', 'deny']]) {
        const b = document.createElement('button');
        b.type = 'button'; b.textContent = label; b.className = req;
        b.onclick = () => moderate(req, w.id);
        li.appendChild(b);
      }
      ul.appendChild(li);
    }
    $('waiting-empty').hidden = st.waiting.length > 0;
  }
  function renderParticipants() {
    const ul = $('participants');
    ul.textContent = '';
    for (const p of Object.values(st.participants)) {
      const li = document.createElement('li');
      li.textContent = (p.display || p.role) + ' (' + p.role + ')';
      ul.appendChild(li);
    }
  }

  // ---- for the end-to-end test -----------------------------------------------------------------
  async function stats() {
    const out = { phase: st.phase, inbound: {}, outbound: {}, candidatePairs: [] };
    const pcs = Object.values(st.subs).filter((s) => s && s.handle).map((s) => s.handle.webrtcStuff.pc);
    const pubPc = st.media && st.media.handle.webrtcStuff.pc;
    for (const [pc, isPub] of pcs.map((p) => [p, false]).concat(pubPc ? [[pubPc, true]] : [])) {
      if (!pc) continue;
      const report = await pc.getStats();
      report.forEach((s) => {
        if (s.type === 'inbound-rtp' && !isPub) {
          const p = out.inbound[s.kind] || (out.inbound[s.kind] = { streams: 0, packetsReceived: 0, framesDecoded: 0, totalAudioEnergy: 0 });
          p.streams += 1; p.packetsReceived += s.packetsReceived || 0; p.framesDecoded += s.framesDecoded || 0;
          p.totalAudioEnergy += s.totalAudioEnergy || 0;
          if (s.frameWidth) p.frameWidth = s.frameWidth;
          const c = report.get(s.codecId); if (c) p.codec = c.mimeType;
        } else if (s.type === 'outbound-rtp' && isPub) {
          const p = out.outbound[s.kind] || (out.outbound[s.kind] = { packetsSent: 0, framesEncoded: 0 });
          p.packetsSent += s.packetsSent || 0; p.framesEncoded += s.framesEncoded || 0;
        } else if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') {
          const l = report.get(s.localCandidateId);
          out.candidatePairs.push(l && (l.address || l.ip));
        }
      });
    }
    return out;
  }
  async function audioLevel(ms = 1000) {
    if (!st.analysers.length) return null;
    const buf = new Float32Array(2048);
    let peak = 0;
    const end = performance.now() + ms;
    while (performance.now() < end) {
      for (const an of st.analysers) {
        an.getFloatTimeDomainData(buf);
        let sum = 0; for (const v of buf) sum += v * v;
        peak = Math.max(peak, Math.sqrt(sum / buf.length));
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return peak;
  }
  // The patient's copy: the demo server asks the recorder for it with the patient's actor token; the
  // package downloads as a file. Resolves with the recorder's answer and the downloaded size.
  async function downloadCopy(passphrase) {
    $('copy-status').textContent = 'Preparing your copy...';
    const r = await api('/demo/api/copy', { passphrase });
    const blob = await (await fetch(r.url)).blob();
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = r.file;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    $('copy-status').textContent = `Your copy (${r.recordings} recording(s), ${r.notes} note(s)) was downloaded.`;
    st.lastCopy = Object.assign({ downloaded: blob.size }, r);
    return st.lastCopy;
  }
  window.demo = { state: () => ({ phase: st.phase, ended: st.ended, waiting: st.waiting, chat: st.chat, chatKept: !!st.chatKept, errors: st.errors,
    documents: st.documents.map(({ mine, type, bytes, sha256 }) => ({ mine, type, bytes, sha256 })), docRefusals: st.docRefusals,
    participants: Object.values(st.participants), myId: st.myId, publisherId: st.publisherId,
    subscriptions: Object.keys(st.subs), mediaPlugin: st.mediaPlugin }), stats, audioLevel, role: ROLE, documentSha256,
    // Any request on the room handle (the test's record / consent / stop_record): its `result` answer.
    send: (body) => request(st.room, body, undefined, (m) => !!m.result).then((r) => r.msg),
    // Room events that changed the recording state (`recording`, `consent_request`), oldest first.
    downloadCopy, lastCopy: () => st.lastCopy || null,
    recordingEvents: () => st.events.filter((m) => m && (m.recording || m.consent_request)),
    // `n` chat messages as fast as the data channel takes them, not shown in the log (the chat flood
    // measurement, tests/e2e/chat-flood.js): {sent, failed}.
    chatFlood: (n) => new Promise((done) => {
      let sent = 0, failed = 0;
      const one = () => { if (sent + failed === n) done({ sent, failed }); };
      for (let i = 0; i < n; i++) {
        st.media.handle.data({ text: JSON.stringify({ from: ROLE, text: 'flood ' + i }),
          success: () => { sent++; one(); }, error: () => { failed++; one(); } });
      }
    }),
    // Chat messages received so far (the flood's receiving side shows them without a log line each).
    received: () => st.received };

  // ---- start -----------------------------------------------------------------------------------
  async function main() {
    $('title').textContent = (ROLE === 'provider' ? 'Provider' : 'Patient') + ' - consult ' + ROOM;
    if (!ROOM) { error('no room in the address (start from the demo home page)'); return; }
    const cfg = await (await fetch('/demo/api/config')).json();
    if (!cfg.development) { error('demo endpoints are off (general.development = false)'); return; }
    status('connecting to Janus');
    await connect(cfg.janus);
    $('mute-audio').onclick = () => toggleMute('audio');
    $('mute-video').onclick = () => toggleMute('video');
    $('share-screen').onclick = () => toggleScreen();
    $('end-visit').onclick = () => request(st.room, { request: 'end' }, undefined, (m) => m.result === 'ended').catch((e) => error(e.message));
    $('leave').onclick = () => request(st.room, { request: 'leave' }, undefined, (m) => kindOf(m) === 'left').then(() => ended('left'), (e) => error(e.message));
    $('copy-form').onsubmit = (ev) => {
      ev.preventDefault();
      downloadCopy($('copy-passphrase').value).catch((e) => { $('copy-status').textContent = 'No copy: ' + e.message; error(e.message); });
      $('copy-passphrase').value = '';
    };
    $('chat-form').onsubmit = (ev) => { ev.preventDefault(); sendChat($('chat-input').value.trim()); $('chat-input').value = ''; };
    $('doc-form').onsubmit = (ev) => { ev.preventDefault(); shareDocument().catch((e) => error('document: ' + e.message)); };
    st.docs = await import('/client/documents.js');
    if (ROLE === 'provider') {
      $('provider-tools').hidden = false; $('share-screen').hidden = false; $('end-visit').hidden = false;
      status('joining');
      await join();
    } else {
      phase('checkin');
      status('please check in');
      $('checkin').onsubmit = (ev) => {
        ev.preventDefault();
        $('error').textContent = '';
        join($('dob').value.trim(), $('name').value.trim()).catch((e) => { error(e.code ? 'Check-in refused: please verify your date of birth.' : e.message); phase('checkin'); });
      };
    }
  }
  main().catch((e) => error(e.message));
})();
