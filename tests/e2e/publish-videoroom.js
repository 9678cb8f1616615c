#!/usr/bin/env node
// SPDX-License-Identifier: GPL-3.0-or-later
'use strict';
// Publishes a headless-Chromium fake camera + microphone (Opus + VP8) into a stock VideoRoom room for
// N seconds. For tests that need a real WebRTC publisher, e.g. the recorder's rtp_forward test.
// Run inside scripts/netns-run.sh, next to the Janus it talks to.
//   node publish-videoroom.js --janus URL --room ROOM [--create --secret S] [--seconds 10]
//        [--display NAME] [--screenshot FILE] [--plugin janus.plugin.videoroom] [--join '{"token":"..."}']
// stdout, one line each, flushed as they happen:
//   PUBLISHER {"room":R,"id":ID,"private_id":P}   once Janus answered and the browser is sending audio
//                                                   and video (issue rtp_forward from here on)
//   PUBLISHED {"seconds":S,"outbound":{...}}        after N seconds (or SIGTERM/SIGINT), before leaving
// Exit 0 when it published and left cleanly; 1 on any failure (message on stderr).
const { launchBrowser, log } = require('./lib/browser');
const { startStaticServer } = require('./lib/static-server');
const { parseArgs } = require('./lib/args');

async function main() {
  const opt = parseArgs(process.argv.slice(2), { seconds: '10', display: 'e2e-publisher' });
  if (!opt.janus || !opt.room) throw new Error('usage: publish-videoroom.js --janus URL --room ROOM [--create --secret S] [--seconds N]');
  const room = Number(opt.room);
  let stop = false, wake = null;
  const onSignal = () => { stop = true; if (wake) wake(); };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  const server = await startStaticServer();
  const browser = await launchBrowser();
  try {
    const qs = opt.plugin ? `?plugin=${encodeURIComponent(opt.plugin)}` : '';
    const page = await browser.newPage(`${server.url}/pages/videoroom-publisher.html${qs}`, 'pub');
    const p = await page.evaluate((a) => window.e2e.publish(a),
      { server: opt.janus, room, display: opt.display, create: !!opt.create, secret: opt.secret,
        join: opt.join ? JSON.parse(opt.join) : {} });
    // Wait until both tracks really leave the browser (ICE + DTLS done, encoder running).
    const until = Date.now() + 20000;
    let st;
    for (;;) {
      st = await page.evaluate(() => window.e2e.stats());
      const o = st.outbound;
      if (o.audio && o.audio.packetsSent > 0 && o.video && o.video.framesEncoded > 0) break;
      if (Date.now() > until) throw new Error(`no media sent within 20 s: ${JSON.stringify(st)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const started = Date.now();
    process.stdout.write(`PUBLISHER ${JSON.stringify({ room, id: p.id, private_id: p.privateId })}\n`);
    await new Promise((r) => { wake = r; if (stop) r(); setTimeout(r, Number(opt.seconds) * 1000); });
    st = await page.evaluate(() => window.e2e.stats());
    if (opt.screenshot) await page.screenshot({ path: opt.screenshot });
    process.stdout.write(`PUBLISHED ${JSON.stringify({ seconds: (Date.now() - started) / 1000, outbound: st.outbound })}\n`);
    await page.evaluate(() => window.e2e.leave());
  } finally {
    await browser.close();
    await server.close();
  }
  return 0;
}

main().then((rc) => process.exit(rc), (e) => { log(e.stack || String(e)); process.exit(1); });
