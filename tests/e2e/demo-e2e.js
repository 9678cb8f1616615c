#!/usr/bin/env node
// SPDX-License-Identifier: GPL-3.0-or-later
'use strict';
// End to end through the DEMO consult page (tests/e2e/demo): the demo server (static pages + the
// development token endpoint) next to a real Janus, two headless-Chromium pages. Steps:
//   home page creates a visit -> provider page joins -> patient checks in (a wrong date of birth is
//   refused, the right one lands in the waiting room, with no media and no participant list) ->
//   provider sees them waiting and admits -> both receive each other's audio and video (inbound-rtp:
//   frames decoded, audio energy, a WebAudio level) -> chat both ways over the data channel ->
//   the provider shares the screen and the patient receives it as another video stream -> the
//   patient mutes and the provider hears silence ->
//   provider ends the visit -> both pages show it. Screenshots of both pages in --artifacts.
// --record SECONDS (after "audio and video both ways"): the provider asks to record, the patient is
// asked and consents, both pages see `recording: started`, media runs SECONDS, the provider stops and
// both see `recording: stopped`; `recording` in the result has the wall time between the two
// (the caller checks the recorder's files: tests/integration/e2e/DemoConsultBrowserTest.cpp).
// --copy PASSPHRASE (after the end): the provider exports the visit's recordings with a provider actor
// token, then the patient presses "Download my visit" with PASSPHRASE; `copy` in the result has the
// recorder's answer (file in export_dir, counts) and the downloaded size.
// --documents DIR (after the chat): the patient shares a PDF and the provider a PNG with the page's
// "Share a document"; each arrives at the other page with the same SHA-256. The bytes sent are left in
// DIR (patient.pdf, provider.png) for the caller to compare with the recorder's export and the EHR's copy.
// --canary TEXT: put into both chat messages and both documents (the caller searches for it where it
// must not be). --room-class NAME: the class the visit's room is created in (default checkin).
// Prints one line `E2E_RESULT {json}` and exits 0 only if every assertion held.
//   node demo-e2e.js --janus URL --admin URL --conf JANUS_CONF_DIR [--media-plugin janus.plugin.hipaa.room]
//        [--artifacts DIR] [--min-frames 20] [--timeout 40] [--record SECONDS] [--copy PASSPHRASE]
//        [--room-class NAME] [--documents DIR] [--canary TEXT]
// --media-plugin janus.plugin.videoroom carries the media through a stock VideoRoom room next to our
// room (early testing while our relay is in progress; signalling is always our room).
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { launchBrowser, log } = require('./lib/browser');
const { parseArgs } = require('./lib/args');
const { startDemoServer, DEMO_PEOPLE, admin, mintActor } = require('./demo/serve');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sha256 = (b) => require('crypto').createHash('sha256').update(b).digest('hex');

// A PDF of about 150 KB (more than one sealed part) with `text` inside; the room checks %PDF- and %%EOF.
function syntheticPdf(text) {
  return Buffer.from(`%PDF-1.4\n% synthetic test document ${text}\n` + '0123456789abcdef\n'.repeat(9000) + '%%EOF\n');
}
// `png` with a tEXt chunk holding `text` before its IEND (still a valid PNG).
function pngWithText(png, text) {
  const data = Buffer.concat([Buffer.from('Comment\0', 'latin1'), Buffer.from(text, 'latin1')]);
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write('tEXt', 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(zlib.crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  return Buffer.concat([png.subarray(0, png.length - 12), chunk, png.subarray(png.length - 12)]);
}

async function waitFor(page, what, fn, arg, deadline) {
  for (;;) {
    const v = await page.evaluate(fn, arg);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

async function main() {
  const opt = parseArgs(process.argv.slice(2), { minFrames: '20', timeout: '40', artifacts: '', mediaPlugin: 'janus.plugin.hipaa.room', record: '0', copy: '',
    roomClass: 'checkin', documents: '', canary: '' });
  for (const k of ['janus', 'admin', 'conf']) if (!opt[k]) throw new Error(`--${k} required`);
  const minFrames = Number(opt.minFrames);
  const started = Date.now(), deadline = started + Number(opt.timeout) * 1000;
  const result = { ok: false, failures: [], steps: [], mediaPlugin: opt.mediaPlugin };
  const fail = (m) => { result.failures.push(m); log('FAIL ' + m); };
  // A step counts as passed only when no assertion failed since the previous step.
  let failuresAtLastStep = 0;
  const step = (m) => {
    const ok = result.failures.length === failuresAtLastStep;
    failuresAtLastStep = result.failures.length;
    if (ok) result.steps.push(m);
    log(`step ${ok ? 'passed' : 'FAILED'}: ${m}`);
  };
  const state = (page) => page.evaluate(() => window.demo.state());

  const server = await startDemoServer({ janus: opt.janus, admin: opt.admin, conf: opt.conf, mediaPlugin: opt.mediaPlugin, roomClass: opt.roomClass });
  const canary = opt.canary ? ' ' + opt.canary : '';
  const browser = await launchBrowser();
  let prov = null, pat = null;
  const shoot = async (suffix) => {
    if (!opt.artifacts) return;
    fs.mkdirSync(opt.artifacts, { recursive: true });
    for (const [page, name] of [[prov, 'provider'], [pat, 'patient']]) {
      if (!page) continue;
      const file = path.join(opt.artifacts, `demo-${name}-${suffix}.png`);
      await page.screenshot({ path: file, fullPage: true }).then(() => (result.screenshots = result.screenshots || []).push(file),
        (e) => log(`screenshot ${file}: ${e.message}`));
    }
  };
  try {
    // The home page creates the visit and hands out the two links.
    const home = await browser.newPage(server.url, 'home');
    if (!/DEMO/.test(await home.textContent('.demo-banner'))) fail('home page does not say it is a demo');
    await home.click('#new-visit');
    await home.waitForSelector('#visit:not([hidden])', { timeout: 10000 });
    const providerUrl = await home.getAttribute('#provider-link', 'href');
    const patientUrl = await home.getAttribute('#patient-link', 'href');
    result.room = await home.textContent('#room-id');
    await home.close();
    step('visit created');

    prov = await browser.newPage(server.url.replace(/\/$/, '') + providerUrl, 'provider');
    await waitFor(prov, 'provider in the call', () => window.demo.state().phase === 'call', null, deadline);
    step('provider joined');

    pat = await browser.newPage(server.url.replace(/\/$/, '') + patientUrl, 'patient');
    if (!/DEMO/.test(await pat.textContent('.demo-banner'))) fail('patient page does not say it is a demo');
    await pat.waitForSelector('#checkin:not([hidden])', { timeout: 10000 });
    // A wrong date of birth is refused and the patient stays at check-in.
    await pat.fill('#name', DEMO_PEOPLE.patient.name);
    await pat.fill('#dob', '1999-12-31');
    await pat.click('#checkin-button');
    await waitFor(pat, 'refusal of a wrong date of birth', () => window.demo.state().errors.length > 0, null, deadline);
    if ((await state(pat)).phase !== 'checkin') fail('wrong date of birth: patient left the check-in form');
    step('wrong date of birth refused');
    await pat.fill('#dob', DEMO_PEOPLE.patient.dob);
    await pat.click('#checkin-button');
    await waitFor(pat, 'patient waiting', () => window.demo.state().phase === 'waiting', null, deadline);
    step('patient waiting');

    // The provider sees them in the waiting list; the patient sees nobody and gets no media meanwhile.
    await prov.waitForSelector('#waiting-list li button.admit', { timeout: Math.max(1000, deadline - Date.now()) });
    const waitingPat = await state(pat);
    if (waitingPat.participants.length !== 0 || waitingPat.subscriptions.length !== 0) fail(`waiting patient sees ${JSON.stringify(waitingPat)}`);
    const waitingText = await prov.textContent('#waiting-list');
    if (!waitingText.includes(DEMO_PEOPLE.patient.name)) fail(`provider's waiting list shows "${waitingText}", not the patient's name`);
    await shoot('waiting');
    await prov.click('#waiting-list li button.admit');
    await waitFor(pat, 'patient admitted', () => window.demo.state().phase === 'call', null, deadline);
    step('patient admitted');

    // Media both ways.
    const flowing = (min) => window.demo.stats().then((s) => (s.inbound.video || {}).framesDecoded >= min && (s.inbound.audio || {}).packetsReceived >= 50);
    for (const [page, who] of [[prov, 'provider'], [pat, 'patient']]) {
      try { await waitFor(page, `${who} receiving media`, flowing, minFrames, deadline); } catch (e) { fail(e.message); }
    }
    for (const [page, who] of [[prov, 'provider'], [pat, 'patient']]) {
      const level = await page.evaluate(() => window.demo.audioLevel(1500));
      const s = await page.evaluate(() => window.demo.stats());
      result[who] = { stats: s, audioLevelPeak: level };
      const v = s.inbound.video || {}, a = s.inbound.audio || {};
      if (!(v.framesDecoded >= minFrames)) fail(`${who}: video framesDecoded ${v.framesDecoded} < ${minFrames}`);
      if (!/VP8/i.test(v.codec || '')) fail(`${who}: video codec ${v.codec}`);
      if (!(a.packetsReceived >= 50)) fail(`${who}: audio packetsReceived ${a.packetsReceived}`);
      if (!/opus/i.test(a.codec || '')) fail(`${who}: audio codec ${a.codec}`);
      if (!(a.totalAudioEnergy > 0)) fail(`${who}: audio totalAudioEnergy ${a.totalAudioEnergy}`);
      if (!(level > 0.001)) fail(`${who}: remote audio silent through WebAudio (peak RMS ${level})`);
      if (process.env.HIPAA_NETNS && s.candidatePairs.some((x) => x !== '10.99.0.1')) fail(`${who}: ICE used ${s.candidatePairs}`);
    }
    if (opt.mediaPlugin === 'janus.plugin.hipaa.room') {
      // ...and it was our relay that carried it (the Admin API's count of packets the room relayed).
      const info = await admin(opt, opt.mediaPlugin, { request: 'info' });
      result.relayedPackets = info.relayed_packets;
      if (!(info.relayed_packets > 0)) fail(`janus.plugin.hipaa.room relayed ${info.relayed_packets} packets`);
    }
    step('audio and video both ways');

    // Recording on the provider's request after the patient's consent (--record SECONDS).
    if (Number(opt.record) > 0) {
      const events = (page) => page.evaluate(() => window.demo.recordingEvents());
      const sawEvent = (page, who, key, value) => waitFor(page, `${who}: ${key} ${value}`,
        ([k, v]) => window.demo.recordingEvents().some((m) => m[k] === v), [key, value], deadline);
      try {
        const asked = await prov.evaluate(() => window.demo.send({ request: 'record' }));
        if (asked.result !== 'consent_requested') fail(`record answered ${JSON.stringify(asked)}`);
        await sawEvent(pat, 'patient', 'consent_request', 'record');
        if ((await events(prov)).some((m) => m.recording === 'started')) fail('recording started before the patient consented');
        const consented = await pat.evaluate(() => window.demo.send({ request: 'consent', consent: true }));
        if (consented.result !== 'consent_recorded' || consented.consent !== true) fail(`consent answered ${JSON.stringify(consented)}`);
        for (const [page, who] of [[prov, 'provider'], [pat, 'patient']]) await sawEvent(page, who, 'recording', 'started');
        const from = Date.now();
        await sleep(Number(opt.record) * 1000);
        const stopped = await prov.evaluate(() => window.demo.send({ request: 'stop_record' }));
        result.recording = { wallMs: Date.now() - from, stopAnswer: stopped.result };
        if (stopped.result !== 'recording_stopped') fail(`stop_record answered ${JSON.stringify(stopped)}`);
        for (const [page, who] of [[prov, 'provider'], [pat, 'patient']]) {
          await sawEvent(page, who, 'recording', 'stopped');
          result.recording[who] = await events(page);
        }
        step('recorded after the patient\'s consent');
      } catch (e) { fail(e.message); }
    }

    // Chat over the data channel, both ways.
    const chat = async (from, to, text) => {
      await from.fill('#chat-input', text);
      await from.click('#chat-send');
      try {
        await waitFor(to, `chat "${text}"`, (t) => window.demo.state().chat.some((m) => m.text === t && m.from !== 'me'), text, deadline);
      } catch (e) { fail(e.message); }
    };
    await chat(prov, pat, 'Hello, can you hear me?' + canary);
    await chat(pat, prov, 'Yes, loud and clear.' + canary);
    result.chatKept = { provider: (await state(prov)).chatKept, patient: (await state(pat)).chatKept };
    step('chat both ways');
    // Documents (--documents DIR): the patient a PDF, the provider a PNG, through "Share a document".
    if (opt.documents) {
      fs.mkdirSync(opt.documents, { recursive: true });
      const pdf = syntheticPdf(opt.canary);
      const png = pngWithText(await prov.screenshot({ clip: { x: 0, y: 0, width: 48, height: 48 } }), opt.canary);
      const received = (page, type) => waitFor(page, `a ${type} received`, async (ty) => {
        const i = window.demo.state().documents.findIndex((d) => !d.mine && d.type === ty);
        return i >= 0 ? window.demo.documentSha256(i) : null;
      }, type, deadline);
      result.documents = {};
      for (const [from, to, who, file, bytes, type] of [[pat, prov, 'patient', 'patient.pdf', pdf, 'PDF'], [prov, pat, 'provider', 'provider.png', png, 'PNG']]) {
        try {
          fs.writeFileSync(path.join(opt.documents, file), bytes);
          await from.setInputFiles('#doc-file', { name: file, mimeType: type === 'PDF' ? 'application/pdf' : 'image/png', buffer: bytes });
          await from.click('#doc-send');
          const got = await received(to, type);
          result.documents[who] = { type, bytes: bytes.length, sha256: sha256(bytes), received: got };
          if (got !== sha256(bytes)) fail(`the ${type} ${who} shared arrived with SHA-256 ${got}`);
        } catch (e) { fail(e.message); }
      }
      for (const [page, who] of [[prov, 'provider'], [pat, 'patient']]) {
        const refused = (await state(page)).docRefusals;
        if (refused.length) fail(`${who}: documents refused ${refused}`);
      }
      step('documents shared both ways with identical bytes');
    }
    // Screen share (provider): a third stream on the provider's feed, which the patient adds with
    // `update` on its subscription and decodes next to the camera.
    const videoStreams = () => window.demo.stats().then((s) => (s.inbound.video || {}).streams || 0);
    const before = await pat.evaluate(videoStreams);
    await prov.click('#share-screen');
    try {
      await waitFor(pat, 'the provider\'s screen at the patient', (n) => window.demo.stats().then((s) => (s.inbound.video || {}).streams > n), before, deadline);
      await waitFor(prov, 'share button to flip', () => document.getElementById('share-screen').textContent === 'Stop sharing', null, deadline);
      step('screen share received');
    } catch (e) { fail(e.message); }
    await shoot('call');

    // Mute: the patient mutes the microphone; the provider then hears silence.
    await pat.click('#mute-audio');
    await sleep(1000);
    result.providerLevelWhilePatientMuted = await prov.evaluate(() => window.demo.audioLevel(1500));
    const heard = result.provider && result.provider.audioLevelPeak > 0.001;  // the patient was audible before
    if (!heard || typeof result.providerLevelWhilePatientMuted !== 'number' || !(result.providerLevelWhilePatientMuted < 0.001)) fail(`patient muted, provider still hears RMS ${result.providerLevelWhilePatientMuted}`);
    else step('mute silences the patient');

    // The provider ends the visit; both pages show it.
    await prov.click('#end-visit');
    for (const [page, who] of [[prov, 'provider'], [pat, 'patient']]) {
      try {
        const s = await waitFor(page, `${who} sees the end`, () => (window.demo.state().phase === 'ended' ? window.demo.state() : null), null, Date.now() + 10000);
        if (who === 'patient' && s.ended !== 'ended_by_provider') fail(`patient: end reason ${s.ended}`);
        if (!(await page.isVisible('#ended-screen'))) fail(`${who}: ended screen not shown`);
      } catch (e) { fail(e.message); }
    }
    step('visit ended on both pages');
    await shoot('ended');
    // --copy PASSPHRASE: the provider exports the visit's recordings (with their own actor token: a
    // disclosure the patient's copy must list), then the patient presses "Download my visit".
    if (opt.copy) {
      const recorder = 'janus.plugin.hipaa.recorder';
      const asProvider = async (request) => admin(opt, recorder, Object.assign({ actor_token: await mintActor(opt, 'provider', DEMO_PEOPLE.provider.sub) }, request));
      const own = (await asProvider({ request: 'list' })).recordings.map((r) => r.recording);
      for (const recording of own) await asProvider({ request: 'export', recording });
      result.providerExports = own;
      if (!(await pat.isVisible('#copy-form'))) fail('patient: no "Download my visit" on the ended screen');
      await pat.fill('#copy-passphrase', opt.copy);
      await pat.click('#copy-button');
      result.copy = await waitFor(pat, 'the copy downloads', () => window.demo.lastCopy(), null, Date.now() + 60000);
      if (result.copy.downloaded !== result.copy.bytes) fail(`copy: downloaded ${result.copy.downloaded} of ${result.copy.bytes} bytes`);
      step('the patient downloaded a copy of the visit');
      await shoot('copy');
    }
    for (const [page, who] of [[prov, 'provider'], [pat, 'patient']]) {
      const errs = (await state(page)).errors.filter((e) => !/date of birth/.test(e));
      if (errs.length) fail(`${who} page errors: ${errs.join('; ')}`);
    }
  } catch (e) {
    fail(e.message);
    await shoot('failure');
  } finally {
    await browser.close();
    await server.close();
  }
  result.ok = result.failures.length === 0;
  result.runtimeMs = Date.now() - started;
  process.stdout.write('E2E_RESULT ' + JSON.stringify(result) + '\n');
  return result.ok ? 0 : 1;
}

main().then((rc) => process.exit(rc), (e) => { log(e.stack || String(e)); process.exit(2); });
