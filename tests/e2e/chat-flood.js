#!/usr/bin/env node
// SPDX-License-Identifier: GPL-3.0-or-later
'use strict';
// Measurement (not a CI test): one participant floods the data channel and we watch what reaches the
// audit trail. Through the demo consult page (tests/e2e/demo): the provider joins, the patient checks
// in and is admitted, one chat message each way, then the patient sends --messages N chat messages as
// fast as its data channel takes them. Meanwhile the audit handler's `stats` is polled every 100 ms
// (events received from plugins, the largest queue depth seen, refusals) and its `health` (what the
// room asks before every join). Prints `FLOOD_RESULT {json}`.
//   scripts/netns-run.sh tests/e2e/with-janus.sh BUILD_DIR -- \
//     sh -c 'node tests/e2e/chat-flood.js --janus $JANUS_HTTP --admin $JANUS_ADMIN --conf $JANUS_CONF --messages 20000'
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { launchBrowser, log } = require('./lib/browser');
const { parseArgs } = require('./lib/args');
const { startDemoServer, DEMO_PEOPLE, admin } = require('./demo/serve');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(page, what, fn, arg, ms = 30000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await page.evaluate(fn, arg);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

async function audit(opt, request) {
  const secret = fs.readFileSync(path.join(opt.conf, 'admin_secret'), 'utf8').trim();
  const res = await fetch(opt.admin, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ janus: 'query_eventhandler', transaction: crypto.randomBytes(6).toString('hex'),
      admin_secret: secret, handler: 'janus.eventhandler.hipaa.audit', request }),
  });
  return (await res.json()).response;
}

async function main() {
  const opt = parseArgs(process.argv.slice(2), { messages: '20000', settle: '5' });
  for (const k of ['janus', 'admin', 'conf']) if (!opt[k]) throw new Error(`--${k} required`);
  const n = Number(opt.messages);
  const server = await startDemoServer({ janus: opt.janus, admin: opt.admin, conf: opt.conf, mediaPlugin: 'janus.plugin.hipaa.room' });
  const browser = await launchBrowser();
  const result = { messages: n };
  try {
    const home = await browser.newPage(server.url, 'home');
    await home.click('#new-visit');
    await home.waitForSelector('#visit:not([hidden])', { timeout: 10000 });
    const base = server.url.replace(/\/$/, '');
    const prov = await browser.newPage(base + await home.getAttribute('#provider-link', 'href'), 'provider');
    await waitFor(prov, 'provider in the call', () => window.demo.state().phase === 'call');
    const pat = await browser.newPage(base + await home.getAttribute('#patient-link', 'href'), 'patient');
    await pat.waitForSelector('#checkin:not([hidden])', { timeout: 10000 });
    await pat.fill('#dob', DEMO_PEOPLE.patient.dob);
    await pat.click('#checkin-button');
    await prov.waitForSelector('#waiting-list li button.admit', { timeout: 30000 });
    await prov.click('#waiting-list li button.admit');
    await waitFor(pat, 'patient admitted', () => window.demo.state().phase === 'call');
    // The data channels are up once one message went each way.
    for (const [from, to, text] of [[prov, pat, 'hello'], [pat, prov, 'hi']]) {
      for (let attempt = 1; ; attempt++) {  // a data channel may still be opening: say it again
        await from.fill('#chat-input', text);
        await from.click('#chat-send');
        try {
          await waitFor(to, `chat "${text}"`, (t) => window.demo.state().chat.some((m) => m.text === t && m.from !== 'me'), text, 5000);
          break;
        } catch (e) { if (attempt === 6) throw e; }
      }
    }
    await sleep(1000);

    const stats0 = await audit(opt, { request: 'stats' });
    const received0 = await prov.evaluate(() => window.demo.received());
    let maxQueued = 0, unhealthy = 0, polls = 0, polling = true;
    const poller = (async () => {
      while (polling) {
        const [s, h] = await Promise.all([audit(opt, { request: 'stats' }), audit(opt, { request: 'health' })]);
        maxQueued = Math.max(maxQueued, s.queued || 0);
        if (h && h.healthy === false) unhealthy++;
        polls++;
        await sleep(100);
      }
    })();
    const t0 = Date.now();
    result.flood = await pat.evaluate((k) => window.demo.chatFlood(k), n);
    result.floodMs = Date.now() - t0;
    await sleep(Number(opt.settle) * 1000);
    polling = false;
    await poller;
    const stats1 = await audit(opt, { request: 'stats' });
    const byType = (s, t) => (s.events.by_type || {})[t] || 0;
    result.receivedByProvider = (await prov.evaluate(() => window.demo.received())) - received0;
    result.auditPluginEvents = byType(stats1, '64') - byType(stats0, '64');
    result.auditEventsReceived = stats1.events.received - stats0.events.received;
    result.auditRefusedQueueFull = stats1.events.refused_queue_full - stats0.events.refused_queue_full;
    result.auditMaxQueued = maxQueued;
    result.auditUnhealthyPolls = unhealthy;
    result.polls = polls;
    result.roomInfo = {};
    const info = await admin(opt, 'janus.plugin.hipaa.room', { request: 'info' });
    for (const k of Object.keys(info)) if (k.startsWith('chat')) result.roomInfo[k] = info[k];
  } finally {
    await browser.close();
    await server.close();
  }
  console.log('FLOOD_RESULT ' + JSON.stringify(result));
}

main().catch((e) => { log('error: ' + e.stack); process.exit(1); });
