// SPDX-License-Identifier: GPL-3.0-or-later
// The reference consult client: screens, controls and indicators over RoomSession (room.js).
// The clinic's app opens it as  /client/#room=ROOM&role=patient|provider&token=JWS : the fragment never
// reaches a server and is cleared at once (the token stays in memory only); titles never name anyone.
// The clinic's server also serves config.json: {janus, iceServers?, policyUrl?} (docs/client.md).
import { t, duration } from './strings.js';
import { DeviceCheck } from './devices.js';
import { RoomSession } from './room.js';
import { DocumentReceiver, DEFAULT_MAX_BYTES, documentType, encodeDocument, hex, sha256 } from './documents.js';

const $ = (id) => document.getElementById(id);
const link = Object.fromEntries(new URLSearchParams(location.hash.slice(1)));
history.replaceState(null, '', location.pathname);  // token, room and role leave the address bar and history
const ROLE = link.role === 'provider' ? 'provider' : 'patient';
const ROLE_NAMES = { provider: 'roleProvider', patient: 'rolePatient', interpreter: 'roleInterpreter', observer: 'roleObserver', support: 'roleSupport' };
const roleName = (r) => t(ROLE_NAMES[r] || 'rolePatient');

const st = {
  screen: null, config: null, policy: null, session: null, devices: new DeviceCheck(), participants: {}, waiting: [],
  recording: 'off', consentAsked: false, audioMuted: false, videoMuted: false, sharing: false, publishing: false,
  visitEndsAt: 0, ended: null, errors: [], violations: [], connection: 'connected', reconnects: 0, notes: [], chat: [],
  warning: null, warningsSeen: [], documents: [], receivers: {}, docTransfer: 0, docRefusals: [],
};
document.addEventListener('securitypolicyviolation', (e) => st.violations.push(e.violatedDirective));

// ---- screens -----------------------------------------------------------------------------------
const TITLES = { privacy: 'privacyHeading', devices: 'deviceHeading', checkin: 'checkinHeading', waiting: 'waitingHeading',
  visit: ROLE === 'provider' ? 'visitHeadingProvider' : 'visitHeading', ended: 'endedHeading' };
function show(screen) {
  st.screen = screen;
  for (const s of ['privacy', 'devices', 'checkin', 'waiting', 'visit', 'ended']) $('screen-' + s).hidden = s !== screen;
  $('indicators').hidden = !['waiting', 'visit'].includes(screen);
  document.title = t(TITLES[screen]) + ' - ' + t('appTitle');
  document.body.dataset.screen = screen;
  const h = $('screen-' + screen).querySelector('h1');
  if (h) h.focus();  // screen readers and keyboards start at the new screen
}
function status(text) { $('status').textContent = text; }
function error(text) { st.errors.push(text); $('error').textContent = text; }
function banner(text) { $('banner').textContent = text || ''; $('banner').hidden = !text; }

function fillStrings() {
  for (const el of document.querySelectorAll('[data-s]')) el.textContent = t(el.dataset.s);
  $('skip').textContent = t('skipToContent');
  $('brand').textContent = t('appTitle');
  $('visit-h').textContent = t(TITLES.visit);
  $('indicators').setAttribute('aria-label', t('indicatorsLabel'));
  $('local').setAttribute('aria-label', t('localVideoLabel'));
}

// ---- the visit's rules -------------------------------------------------------------------------
function renderPolicy() {
  const p = st.policy;
  const ul = $('policy-list');
  ul.textContent = '';
  if (!p) return;
  const items = [t({ consent: 'recordingConsent', no_consent: 'recordingNoConsent', never: 'recordingNever' }[p.recording] || 'recordingConsent')];
  if (p.recording_policy) items.push(t('recordingPolicy', { policy: p.recording_policy }));
  items.push(t(p.chat_kept ? 'chatKept' : 'chatNotKept'), t('auditNote'),
    t('visitLimits', { idle: duration(p.idle_timeout), max: duration(p.max_visit_length) }));
  for (const text of items) { const li = document.createElement('li'); li.textContent = text; ul.appendChild(li); }
  renderIndicators();
}
function setPolicy(p, nowMs = Date.now()) {
  if (!p) return;
  st.policy = p;
  if (typeof p.visit_left === 'number') st.visitEndsAt = nowMs + p.visit_left * 1000;
  renderPolicy();
}
function renderIndicators() {
  const rec = $('ind-recording');
  rec.textContent = t({ on: 'recordingOn', pending: 'recordingPending' }[st.recording] || 'recordingOff');
  rec.className = 'pill ' + (st.recording === 'on' ? 'pill-on' : 'pill-off');
  $('ind-chat').textContent = t(st.policy && st.policy.chat_kept ? 'chatIndicatorKept' : 'chatIndicatorNotKept');
  if (ROLE === 'provider') $('record').textContent = t(st.recording === 'off' ? 'recordRequest' : 'recordStop');
  $('withdraw').hidden = !(ROLE === 'patient' && st.recording === 'on');
}

// ---- idle and time-limit warnings ----------------------------------------------------------------
// The room ends a session after idle_timeout without requests or published media, and the visit after
// max_visit_length: warn before either, with a countdown.
function checkTimers() {
  const p = st.policy, s = st.session;
  let text = null, idle = false;
  if (p && s && ['waiting', 'visit'].includes(st.screen)) {
    const now = Date.now();
    const idleWarn = Math.min(60, Math.floor((p.idle_timeout * 3) / 4));
    const idleLeft = Math.ceil(p.idle_timeout - (now - s.lastRequestAt) / 1000);
    const maxWarn = Math.min(300, Math.floor(p.max_visit_length / 4));
    const maxLeft = st.visitEndsAt ? Math.ceil((st.visitEndsAt - now) / 1000) : Infinity;
    if (!st.publishing && idleLeft <= idleWarn) { text = t('idleWarning', { s: Math.max(0, idleLeft) }); idle = true; }
    else if (maxLeft <= maxWarn) text = t('maxWarning', { s: Math.max(0, maxLeft) });
  }
  st.warning = text ? (idle ? 'idle' : 'max') : null;
  if (st.warning && !st.warningsSeen.some((w) => w.kind === st.warning)) st.warningsSeen.push({ kind: st.warning, text });
  $('warning').hidden = !text;
  if (text && $('warning-text').textContent !== text) $('warning-text').textContent = text;
  $('still-here').hidden = !idle;
}

// ---- start ---------------------------------------------------------------------------------------
async function main() {
  fillStrings();
  renderIndicators();
  if (!link.room || !link.token) { show('ended'); $('ended-reason').textContent = t('linkInvalid'); return; }
  st.config = await (await fetch('config.json', { cache: 'no-store' })).json();
  if (st.config.policyUrl) {
    const r = await fetch(st.config.policyUrl + '?room=' + encodeURIComponent(link.room), { cache: 'no-store' });
    if (r.ok) setPolicy(await r.json());
  }
  wire();
  setInterval(checkTimers, 1000);
  show(ROLE === 'patient' ? 'privacy' : 'devices');
  if (ROLE !== 'patient') startDeviceCheck();
}

function wire() {
  $('privacy-continue').onclick = () => { show('devices'); startDeviceCheck(); };
  $('devices-retry').onclick = () => startDeviceCheck();
  $('devices-continue').onclick = () => (ROLE === 'patient' ? show('checkin') : enter({}));
  $('camera-select').onchange = () => openDevices();
  $('mic-select').onchange = () => openDevices();
  $('checkin-form').onsubmit = (ev) => {
    ev.preventDefault();
    $('checkin-error').textContent = '';
    const dob = $('dob').value.trim();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(dob)) { $('checkin-error').textContent = t('dobHint'); $('dob').focus(); return; }
    $('checkin-button').disabled = true;
    enter({ dob, display: $('name').value.trim() }).finally(() => { $('checkin-button').disabled = false; });
  };
  $('still-here').onclick = () => st.session.ping().catch((e) => error(e.message));
  $('mute-audio').onclick = () => toggleMute('audio');
  $('mute-video').onclick = () => toggleMute('video');
  $('share-screen').onclick = () => toggleScreen();
  $('record').onclick = () => record();
  $('withdraw').onclick = () => consent(false);
  $('consent-yes').onclick = () => consent(true);
  $('consent-no').onclick = () => consent(false);
  $('end-visit').onclick = () => st.session.end().catch((e) => error(e.message));
  $('leave').onclick = () => st.session.leave().then(() => ended('left'), (e) => error(e.message));
  $('note-form').onsubmit = (ev) => { ev.preventDefault(); sendNote(); };
  $('chat-form').onsubmit = (ev) => { ev.preventDefault(); sendChat(); };
  $('doc-form').onsubmit = (ev) => { ev.preventDefault(); shareDocument(); };
  updateControls();
}

// ---- device check --------------------------------------------------------------------------------
async function startDeviceCheck() {
  $('devices-continue').disabled = true;
  $('devices-retry').hidden = true;
  $('connectivity').textContent = t('connectivityChecking');
  const media = openDevices();
  const net = DeviceCheck.connectivity(st.config.janus).then((ms) => { $('connectivity').textContent = t('connectivityOk', { ms }); return true; },
    () => { $('connectivity').textContent = t('connectivityFailed'); return false; });
  const [okMedia, okNet] = await Promise.all([media, net]);
  if (okMedia) await listDevices();
  $('devices-continue').disabled = !(okMedia && okNet);
  $('devices-retry').hidden = okMedia && okNet;
}
async function openDevices() {
  try {
    const stream = await st.devices.open($('mic-select').value, $('camera-select').value);
    $('preview').srcObject = stream;
    st.devices.meter((level) => {
      $('level-bar').style.width = Math.round(level * 100) + '%';
      $('level').setAttribute('aria-valuenow', String(Math.round(level * 100)));
    });
    return true;
  } catch (e) {
    $('connectivity').textContent = t('deviceDenied');
    return false;
  }
}
async function listDevices() {
  const { audio, video } = await st.devices.devices();
  const current = st.devices.tracks();
  for (const [sel, list, track] of [[$('mic-select'), audio, current.audio], [$('camera-select'), video, current.video]]) {
    sel.textContent = '';
    list.forEach((d, i) => {
      const o = document.createElement('option');
      o.value = d.deviceId;
      o.textContent = d.label || `${sel === $('mic-select') ? t('microphoneLabel') : t('cameraLabel')} ${i + 1}`;
      if (track && track.getSettings().deviceId === d.deviceId) o.selected = true;
      sel.appendChild(o);
    });
  }
}

// ---- joining -------------------------------------------------------------------------------------
// The room's token codes (docs/error-codes.md) that end this link for good: 408 expired, 410 too old
// (issued longer ago than the room allows), 413 already used (a reloaded link), 414 revoked.
const LINK_ENDED = { 408: 'token_expired', 410: 'token_expired', 413: 'link_used', 414: 'revoked' };
async function enter({ dob, display }) {
  try {
    if (!st.session) {
      st.session = new RoomSession({ server: st.config.janus, iceServers: st.config.iceServers || [], room: link.room, token: link.token,
        on: { event: onEvent, ended, track: onTrack, localTrack: () => {}, chat: onChat, document: onDocument, connection: onConnection, error } });
      await st.session.connect();
    }
    const msg = await st.session.join({ dob, display });
    link.token = null;
    setPolicy(msg.policy);
    if (msg['hipaa.room'] === 'waiting') { show('waiting'); status(t('waitingHeading')); return; }
    await admitted(msg);
  } catch (e) {
    // The link's own state first: retrying the check-in cannot help an expired or revoked link.
    if (LINK_ENDED[e.code]) {
      st.errors.push('join: ' + e.code);
      ended(LINK_ENDED[e.code]);
    } else if (ROLE === 'patient' && st.screen === 'checkin') {
      $('checkin-error').textContent = t(e.code === 417 || e.code === 421 ? 'checkinLocked' : 'checkinRefused');
      st.errors.push('checkin: ' + e.code);
      $('dob').focus();
    } else error(t('errorGeneric', { what: e.message }));
  }
}

async function admitted(msg) {
  st.participants = {};
  for (const p of msg.participants || []) st.participants[p.id] = p;
  st.myId = msg.id;
  show('visit');
  renderParticipants();
  const { audio, video } = st.devices.tracks();
  st.devices.stop(true);
  $('local').srcObject = new MediaStream([audio, video].filter(Boolean));
  await st.session.publish(audio, video);
  st.publishing = true;
  status(t('visitHeading'));
}

function onEvent(msg) {
  const kind = msg['hipaa.room'];
  if (kind === 'joined' && st.screen === 'waiting') { setPolicy(msg.policy); admitted(msg).catch((e) => error(e.message)); return; }
  if (kind === 'waiting' && st.screen === 'visit') { st.publishing = false; setPolicy(msg.policy); show('waiting'); return; }
  if (msg.error_code) { error(msg.error); return; }
  if (msg.document && msg.document.outcome === 'refused') docRefused(Number(msg.document.error_code));  // the room refused what we sent
  if (Array.isArray(msg.waiting)) { st.waiting = msg.waiting; renderWaiting(); }
  if (msg.joined && msg.joined.id) { st.participants[msg.joined.id] = msg.joined; renderParticipants(); }
  if (typeof msg.leaving === 'string' && st.participants[msg.leaving]) { delete st.participants[msg.leaving]; removeVideos(msg.leaving); renderParticipants(); }
  // The room could not keep the chat (no keeper, or the recorder failed): say so, as the policy did.
  if (msg.chat_kept === false && st.policy) { st.policy.chat_kept = false; renderIndicators(); }
  if (msg.recording) { st.recording = msg.recording === 'started' ? 'on' : 'off'; $('consent').hidden = true; renderIndicators(); }
  if (msg.consent_request === 'record' && ROLE === 'patient') { $('consent').hidden = false; $('consent-yes').focus(); }
  if (msg.consent_request === 'cancelled') { $('consent').hidden = true; if (st.recording === 'pending') { st.recording = 'off'; renderIndicators(); } }
  // A moderator muted our microphone (the room already stopped relaying it): mute locally too.
  if (msg.moderation === 'muted' && !msg.mid) {
    st.audioMuted = true; st.session.main.handle.muteAudio(); updateControls();
    $('moderated').textContent = t('mutedByModerator'); $('moderated').hidden = false;
  }
}

function ended(reason) {
  if (st.screen === 'ended') return;
  st.ended = reason || 'other';
  st.publishing = false;
  if (st.session) st.session.close();
  st.devices.stop(false);
  show('ended');
  banner('');
  $('ended-reason').textContent = t('end_' + st.ended) === 'end_' + st.ended ? t('end_other') : t('end_' + st.ended);
}

function onConnection(state) {
  if (state === st.connection) return;
  st.connection = state;
  if (state === 'reconnecting') { st.reconnects += 1; banner(t('reconnecting')); } else { banner(''); status(t('reconnected')); }
}

// ---- media ---------------------------------------------------------------------------------------
function onTrack(feed, track, mid, on) {
  const id = 'remote-' + feed + '-' + mid;
  const old = $(id);
  if (!on) { if (old) old.remove(); return; }
  if (old) return;
  const el = document.createElement(track.kind === 'video' ? 'video' : 'audio');
  el.id = id; el.autoplay = true; el.playsInline = true; el.dataset.feed = feed;
  if (track.kind === 'video') {
    el.muted = true;
    const p = st.participants[feed];
    el.setAttribute('aria-label', t('remoteVideoLabel', { who: p ? roleName(p.role) : '' }));
  }
  el.srcObject = new MediaStream([track]);
  $('remote').appendChild(el);
  el.play().catch(() => {});
}
function removeVideos(feed) { for (const el of document.querySelectorAll(`[data-feed="${CSS.escape(feed)}"]`)) el.remove(); }

async function toggleMute(kind) {
  const key = kind === 'audio' ? 'audioMuted' : 'videoMuted';
  st[key] = !st[key];
  updateControls();
  if (st[key] === false && kind === 'audio') $('moderated').hidden = true;
  if (st.session && st.publishing) await st.session.setMuted(kind, st[key]).catch((e) => error(e.message));
}
async function toggleScreen() {
  try { await st.session.shareScreen(!st.sharing); st.sharing = !st.sharing; updateControls(); } catch (e) { error(e.message); }
}
function updateControls() {
  $('mute-audio').textContent = t(st.audioMuted ? 'unmute' : 'mute');
  $('mute-audio').setAttribute('aria-pressed', String(st.audioMuted));
  $('mute-video').textContent = t(st.videoMuted ? 'cameraOn' : 'cameraOff');
  $('mute-video').setAttribute('aria-pressed', String(st.videoMuted));
  $('share-screen').textContent = t(st.sharing ? 'stopShare' : 'shareScreen');
  const provider = ROLE === 'provider';
  for (const id of ['share-screen', 'record', 'end-visit']) $(id).hidden = !provider;
  $('waiting-panel').hidden = !provider;
  $('note-form').hidden = !provider;
}

// ---- people --------------------------------------------------------------------------------------
function renderParticipants() {
  const ul = $('participants');
  ul.textContent = '';
  const me = document.createElement('li');
  me.textContent = t('you', { role: roleName(ROLE) });
  ul.appendChild(me);
  for (const p of Object.values(st.participants)) {
    const li = document.createElement('li');
    li.dataset.role = p.role;
    li.appendChild(document.createTextNode(p.display ? `${p.display} (${roleName(p.role)})` : roleName(p.role)));
    if (ROLE === 'provider') {
      const b = document.createElement('button');
      b.type = 'button'; b.className = 'small mute-participant';
      b.textContent = t('muteParticipant', { who: roleName(p.role) });
      b.onclick = () => st.session.send({ request: 'moderate', id: p.id, mute: true }).catch((e) => error(e.message));
      li.appendChild(b);
    }
    ul.appendChild(li);
  }
}
function renderWaiting() {
  const ul = $('waiting-list');
  ul.textContent = '';
  for (const w of st.waiting) {
    const li = document.createElement('li');
    const who = w.display || roleName(w.role);
    li.appendChild(document.createTextNode(who));
    for (const [key, req] of [['admit', 'admit'], ['deny', 'deny']]) {
      const b = document.createElement('button');
      b.type = 'button'; b.className = 'small ' + req;
      b.textContent = t(key, { who: roleName(w.role) });
      b.onclick = () => st.session.send({ request: req, id: w.id }).catch((e) => error(e.message));
      li.appendChild(b);
    }
    ul.appendChild(li);
  }
  $('waiting-empty').hidden = st.waiting.length > 0;
}

// ---- recording, notes, chat ----------------------------------------------------------------------
async function record() {
  try {
    if (st.recording === 'off') {
      const r = await st.session.send({ request: 'record' });
      st.recording = r.result === 'consent_requested' ? 'pending' : st.recording;
    } else {
      await st.session.send({ request: 'stop_record' });
    }
    renderIndicators();
  } catch (e) { error(e.message); }
}
async function consent(yes) {
  $('consent').hidden = true;
  try { await st.session.send({ request: 'consent', consent: yes }); status(t(yes ? 'consentGiven' : 'consentDeclined')); } catch (e) { error(e.message); }
}
async function sendNote() {
  const text = $('note-text').value.trim();
  if (!text) return;
  try {
    const r = await st.session.note(text);
    st.notes.push(r.result);
    $('note-status').textContent = t('noteSent');
    $('note-text').value = '';
  } catch (e) {
    st.notes.push('refused ' + e.code);
    $('note-status').textContent = t('noteNotStored', { why: e.message });  // the text stays in the box
  }
}
function sendChat() {
  const text = $('chat-input').value.trim();
  if (!text || !st.publishing) return;
  st.session.chat(text, ROLE).then(() => addChat(t('you', { role: roleName(ROLE) }), text, true), (e) => error(e.message));
  $('chat-input').value = '';
}
function onChat(data) {
  try { const m = JSON.parse(data); addChat(roleName(String(m.from)), String(m.text || ''), false); } catch { addChat('?', String(data), false); }
}
function addChat(who, text, mine) {
  st.chat.push({ mine, text });
  const div = document.createElement('p');
  div.className = mine ? 'me' : '';
  div.textContent = t('chatFrom', { who, text });
  $('chat-log').appendChild(div);
  $('chat-log').scrollTop = 1e9;
}

// ---- documents -----------------------------------------------------------------------------------
const TYPE_NAMES = { 1: 'PDF', 2: 'PNG', 3: 'JPEG' };
const EXTENSIONS = { 1: 'pdf', 2: 'png', 3: 'jpg' };
const size = (n) => (n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${Math.ceil(n / 1024)} KB` : `${(n / 1048576).toFixed(1)} MB`);
function docRefused(code) {
  st.docRefusals.push(code);
  const why = t('doc_' + code);
  $('doc-status').textContent = t('docNotSent', { why: why === 'doc_' + code ? t('doc_486') : why });
}
async function shareDocument() {
  const file = $('doc-file').files[0];
  if (!file) { $('doc-status').textContent = t('docChoose'); return; }
  if (!st.publishing) return;
  const max = (st.policy && st.policy.document_max_bytes) || DEFAULT_MAX_BYTES;
  if (file.size > max) { docRefused(480); return; }
  const bytes = new Uint8Array(await file.arrayBuffer());
  const type = documentType(bytes);  // by the bytes, not the name: the room checks the same way
  if (!type) { docRefused(481); return; }
  $('doc-send').disabled = true;
  const bar = $('doc-progress');
  bar.hidden = false; bar.value = 0;
  $('doc-status').textContent = t('docSending');
  try {
    st.docTransfer += 1;
    const frames = await encodeDocument(bytes, type, st.docTransfer);
    await st.session.sendFrames(frames, (n, total) => { bar.value = Math.round((100 * n) / total); });
    $('doc-status').textContent = t('docSent', { type: TYPE_NAMES[type], size: size(bytes.length) });
    addDocument({ mine: true, type, bytes, sha256: hex(await sha256(bytes)) });
    $('doc-file').value = '';
  } catch (e) {
    st.errors.push('document: ' + e.message);
    $('doc-status').textContent = t('docNotSent', { why: t('docConnectionLost') });
  } finally {
    bar.hidden = true;
    $('doc-send').disabled = false;
  }
}
async function onDocument(feed, frameBytes) {
  const rx = st.receivers[feed] || (st.receivers[feed] = new DocumentReceiver());
  const r = await rx.push(frameBytes);
  if (!r) return;
  if (r.error) { st.docRefusals.push(r.error); $('doc-status').textContent = t('doc_' + r.error); return; }
  const p = st.participants[feed];
  addDocument({ mine: false, type: r.type, bytes: r.bytes, sha256: r.sha256, who: p ? roleName(p.role) : '' });
}
// A received document: a download link (Blob URL; no file name travelled, it is named after its type)
// and, for an image, the image itself. A sent one: a line saying so.
function addDocument({ mine, type, bytes, sha256: digest, who }) {
  const blob = new Blob([bytes], { type: { 1: 'application/pdf', 2: 'image/png', 3: 'image/jpeg' }[type] });
  st.documents.push({ mine, type: TYPE_NAMES[type], bytes: bytes.length, sha256: digest, blob });
  const li = document.createElement('li');
  if (mine) {
    li.textContent = t('docMine', { type: TYPE_NAMES[type], size: size(bytes.length) });
  } else {
    const url = URL.createObjectURL(blob);
    li.appendChild(document.createTextNode(t('docReceived', { who, type: TYPE_NAMES[type], size: size(bytes.length) }) + ' '));
    const a = document.createElement('a');
    a.href = url; a.download = `document-${st.documents.length}.${EXTENSIONS[type]}`;
    a.textContent = t('docDownload');
    li.appendChild(a);
    if (type !== 1) {
      const img = document.createElement('img');
      img.src = url; img.alt = t('docImageAlt', { who }); img.className = 'doc-image';
      li.appendChild(img);
    }
  }
  $('doc-list').appendChild(li);
}
// The SHA-256 of a document as the page holds it (its Blob), for the browser test.
async function documentSha256(i) {
  const d = st.documents[i];
  return d ? hex(await sha256(new Uint8Array(await d.blob.arrayBuffer()))) : null;
}

// ---- diagnostics (the browser tests read these; nothing here holds a token) ----------------------
async function stats() {
  const out = { inbound: { video: { framesDecoded: 0, packetsReceived: 0 }, audio: { packetsReceived: 0 } } };
  for (const { pc, publisher } of st.session ? st.session.peerConnections() : []) {
    if (publisher) continue;
    (await pc.getStats()).forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      const o = out.inbound[s.kind];
      if (!o) return;
      o.packetsReceived += s.packetsReceived || 0;
      if (s.kind === 'video') o.framesDecoded += s.framesDecoded || 0;
    });
  }
  return out;
}
window.consultClient = {
  state: () => ({ screen: st.screen, role: ROLE, recording: st.recording, connection: st.connection, reconnects: st.reconnects,
    ended: st.ended, errors: st.errors.slice(), violations: st.violations.slice(), waiting: st.waiting.length,
    participants: Object.values(st.participants).map((p) => p.role), warning: st.warning, warningsSeen: st.warningsSeen.slice(),
    notes: st.notes.slice(),
    chat: st.chat.length, policy: st.policy, publishing: st.publishing, docRefusals: st.docRefusals.slice(),
    documents: st.documents.map(({ mine, type, bytes, sha256: digest }) => ({ mine, type, bytes, sha256: digest })) }),
  stats, documentSha256,
};

main().catch((e) => error(t('errorGeneric', { what: e.message })));
