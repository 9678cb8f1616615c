#!/usr/bin/env node
// SPDX-License-Identifier: GPL-3.0-or-later
'use strict';
// End to end through the STOCK janus.plugin.videoroom client flow (tests/e2e/pages/videoroom-client.js):
// one headless-Chromium page publishes (fake camera + microphone), another subscribes to it; asserts on the subscriber's getStats() inbound-rtp
// and on Janus' Admin API counters, saves screenshots of both pages, prints one line
//   E2E_RESULT {json}
// and exits 0 only if every assertion held. Run it inside scripts/netns-run.sh with a Janus there.
//   node videoroom-e2e.js --janus http://127.0.0.1:PORT/janus [--admin URL --admin-secret S]
//        [--artifacts DIR] [--min-frames 30] [--timeout 30] [--plugin janus.plugin.hipaa.room --conf DIR]
//        [--class ROOM_CLASS] [--codec vp8|vp9|h264 (the video codec expected at the subscriber)]
// With --plugin janus.plugin.hipaa.room the SAME client code runs against our room with what a clinic
// changes when it moves over: the plugin name, a join token per page (a provider publishes, a patient
// subscribes), and the waiting room (the patient waits; the provider's page admits it).
const fs = require('fs');
const path = require('path');
const { launchBrowser, log } = require('./lib/browser');
const { startStaticServer } = require('./lib/static-server');
const { JanusAdmin } = require('./lib/janus-admin');
const { parseArgs } = require('./lib/args');
const { mintToken } = require('./lib/tokens');
const HIPAA_ROOM = 'janus.plugin.hipaa.room';

async function main() {
  const opt = parseArgs(process.argv.slice(2), { minFrames: '30', timeout: '30', artifacts: '', plugin: 'janus.plugin.videoroom', class: '', codec: 'vp8' });
  const hipaa = opt.plugin === HIPAA_ROOM;
  if (hipaa && (!opt.conf || !opt.admin)) throw new Error('--conf and --admin required for ' + HIPAA_ROOM);
  if (!opt.janus) throw new Error('--janus URL required');
  const minFrames = Number(opt.minFrames), deadline = Date.now() + Number(opt.timeout) * 1000;
  const started = Date.now();
  const result = { ok: false, failures: [], plugin: opt.plugin };
  const fail = (m) => { result.failures.push(m); log('FAIL ' + m); };

  const server = await startStaticServer();
  const browser = await launchBrowser();
  let pub = null, sub = null, leaveCleanly = false;
  try {
    let room = 100000 + Math.floor(Math.random() * 800000);
    const secret = 'e2e-' + process.pid, qs = `?plugin=${encodeURIComponent(opt.plugin)}`;
    const admin = opt.admin ? new JanusAdmin(opt.admin, opt.adminSecret) : null;
    if (hipaa) room = (await admin.call('', { janus: 'message_plugin', plugin: HIPAA_ROOM, request: Object.assign({ request: 'create' }, opt.class ? { class: opt.class } : {}) })).response.room;
    const token = (role, who) => (hipaa ? { token: mintToken(opt.conf, room, role, who) } : {});
    pub = await browser.newPage(`${server.url}/pages/videoroom-publisher.html${qs}`, 'pub');
    const published = await pub.evaluate((a) => window.e2e.publish(a),
      { server: opt.janus, room, create: !hipaa, secret, join: token('provider', 'e2e-provider') });
    log(`published: room ${room} id ${published.id}`);
    sub = await browser.newPage(`${server.url}/pages/videoroom-subscriber.html${qs}`, 'sub');
    const subscribed = sub.evaluate((a) => window.e2e.subscribe(a), { server: opt.janus, room, feed: published.id,
      join: token('patient', 'e2e-patient') });
    if (hipaa) {
      // The patient lands in the waiting room (no media, no list); the provider's page admits it.
      let waitingId = null;
      while (!(waitingId = await sub.evaluate(() => window.e2e.waitingId())) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      if (!waitingId) throw new Error('the patient never reached the waiting room');
      result.waitedBeforeAdmit = true;
      await pub.evaluate((id) => window.e2e.send({ request: 'admit', id }), waitingId);
    }
    await subscribed;
    log('subscribed');

    let st;
    for (;;) {
      st = await sub.evaluate(() => window.e2e.stats());
      const v = st.inbound.video || {}, a = st.inbound.audio || {};
      if ((v.framesDecoded || 0) >= minFrames && (a.packetsReceived || 0) >= 50) break;
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    result.connectedMs = Date.now() - started;
    // Let audio run a moment through the analyser (the fake microphone beeps about once a second).
    result.audioLevelPeak = await sub.evaluate(() => window.e2e.audioLevel(2500));
    st = await sub.evaluate(() => window.e2e.stats());
    result.subscriber = st;
    result.publisher = await pub.evaluate(() => window.e2e.stats());
    result.room = room;
    result.publisherId = published.id;

    const v = st.inbound.video || {}, a = st.inbound.audio || {};
    if (!((v.framesDecoded || 0) >= minFrames)) fail(`video framesDecoded ${v.framesDecoded} < ${minFrames}`);
    if ((v.codec || '').toLowerCase() !== 'video/' + opt.codec) fail(`video codec ${v.codec}, expected ${opt.codec}`);
    if (!((a.packetsReceived || 0) >= 50)) fail(`audio packetsReceived ${a.packetsReceived} < 50`);
    if (!/opus/i.test(a.codec || '')) fail(`audio codec ${a.codec}, expected opus`);
    // Real audio, twice: Chromium's own playout energy (needs the <audio> element playing) and a WebAudio analyser.
    if (!(a.totalAudioEnergy > 0)) fail(`audio totalAudioEnergy ${a.totalAudioEnergy}, expected > 0`);
    if (!(result.audioLevelPeak > 0.001)) fail(`remote audio silent through WebAudio (peak RMS ${result.audioLevelPeak})`);
    if (st.candidatePair && st.candidatePair.local !== '10.99.0.1' && process.env.HIPAA_NETNS) {
      fail(`ICE used ${JSON.stringify(st.candidatePair)}, expected the namespace's 10.99.0.1`);
    }

    if (admin) {
      // Handles with a PeerConnection (our room's subscriber page also holds a signalling-only handle).
      result.janusHandles = (await admin.mediaHandles(opt.plugin)).filter((x) => Object.keys(x.media).length > 0);
      // Janus' own view: the publisher's handle received audio and video RTP, the subscriber's sent it.
      const h = result.janusHandles;
      const pubH = h.find((x) => x.media && Object.values(x.media).some((m) => m.in > 0));
      const subH = h.find((x) => x.media && Object.values(x.media).some((m) => m.out > 0));
      if (!pubH) fail('Janus handle_info: no handle received RTP');
      else for (const kind of ['audio', 'video']) {
        if (!Object.values(pubH.media).some((m) => m.type === kind && m.in > 0)) fail(`Janus: publisher handle received no ${kind} RTP`);
      }
      if (!subH) fail('Janus handle_info: no handle sent RTP');
      for (const x of h) {
        if (x.dtls !== 'connected' || !/^SRTP_|^SRTP_AEAD/.test(x.srtp || '')) fail(`handle ${x.handle}: dtls ${x.dtls} srtp ${x.srtp}`);
      }
    }

    leaveCleanly = true;  // every step passed: leave like a real client (errors on leave fail the run)
  } catch (e) {
    fail(e.message);
  } finally {
    // Screenshots on success and on failure (where it stopped is the useful part then).
    if (opt.artifacts) {
      fs.mkdirSync(opt.artifacts, { recursive: true });
      result.screenshots = [];
      for (const [page, name] of [[pub, 'videoroom-publisher.png'], [sub, 'videoroom-subscriber.png']]) {
        if (!page) continue;
        const file = path.join(opt.artifacts, name);
        await page.screenshot({ path: file }).then(() => result.screenshots.push(file), (e) => log(`screenshot ${name}: ${e.message}`));
      }
    }
    for (const page of [sub, pub]) if (page && leaveCleanly) await page.evaluate(() => window.e2e.leave()).catch((e) => fail(`leave: ${e.message}`));
    await browser.close();
    await server.close();
  }
  result.ok = result.failures.length === 0;
  result.runtimeMs = Date.now() - started;
  process.stdout.write('E2E_RESULT ' + JSON.stringify(result) + '\n');
  return result.ok ? 0 : 1;
}

main().then((rc) => process.exit(rc), (e) => { log(e.stack || String(e)); process.exit(2); });
