#!/usr/bin/env node
// SPDX-License-Identifier: GPL-3.0-or-later
'use strict';
// Relay cost of a Janus room plugin: in each of R rooms, N publisher pages (fake camera + microphone)
// and M subscriber pages (each subscribed to every publisher of its room in one multistream
// PeerConnection, or with --subscribe others to every publisher but the one of the same index: N = M = 2
// is then a 1:1 consult, each side receiving the other) in headless Chromium; after a warm-up, measures
// over a window the Janus process' CPU seconds (/proc/PID/stat utime+stime) and the RTP packets it
// relayed (Admin API handle_info: sum of media[*].stats.out.packets over the plugin's handles), and prints
//   BENCH {"plugin":..,"rooms":R,"publishers":N,"subscribers":M,"cpuSeconds":..,"relayedPackets":..,"cpuUsPerPacket":..}
// (publishers/subscribers per room). Run inside scripts/netns-run.sh + tests/e2e/with-janus.sh
// (tests/bench/relay-cpu.sh does both).
//   node bench-relay.js --janus URL --admin URL --admin-secret S --janus-pid PID
//        [--rooms 1] [--publishers 2] [--subscribers 2] [--subscribe all|others] [--warmup 5] [--seconds 15]
//        [--plugin janus.plugin.videoroom] [--conf JANUS_CONF_DIR] [--perf]
// --perf also samples the Janus process with `perf record` (4999 Hz) over the window and adds the
// plugin's share of its CPU (samples in the plugin's modules: libjanus_videoroom.so, or
// libjanus_hipaa_room.so + libhipaa_common.so) and that share in microseconds per relayed packet.
// With --plugin janus.plugin.hipaa.room the room is created through the Admin API and every page
// joins with its own development token (scripts/mint-token, --conf's keys/dev-es256.pem) as a
// provider, a role that skips the waiting room: the same VideoRoom page code, plus a token.
const fs = require('fs');
const path = require('path');
const { execFileSync, spawn } = require('child_process');
const os = require('os');
const { launchBrowser, log } = require('./lib/browser');
const { startStaticServer } = require('./lib/static-server');
const { JanusAdmin, packetCounters } = require('./lib/janus-admin');
const { parseArgs } = require('./lib/args');
const { mintToken } = require('./lib/tokens');

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

function cpuSeconds(pid) {
  // Fields after the ")" of comm: state is #3, utime #14, stime #15 (1-based, proc(5)).
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

// The plugin's handles' packet counters, all queried at once: read one after the other, 20-30
// handles take seconds under load, and the packet window would drift from the CPU window.
async function relayed(admin, plugin) {
  const sessions = await admin.sessions();
  const handles = (await Promise.all(sessions.map(async (s) => (await admin.handles(s)).map((h) => [s, h])))).flat();
  const infos = await Promise.all(handles.map(([s, h]) => admin.handleInfo(s, h).catch(() => null)));
  const hs = infos.filter((i) => i && i.plugin === plugin).map(packetCounters);
  return { out: hs.reduce((s, h) => s + h.outPackets, 0), in: hs.reduce((s, h) => s + h.inPackets, 0), handles: hs.length };
}

const HIPAA_ROOM = 'janus.plugin.hipaa.room';
const PLUGIN_MODULES = { 'janus.plugin.videoroom': /libjanus_videoroom\.so/, [HIPAA_ROOM]: /libjanus_hipaa_room\.so|libhipaa_common\.so/ };

// perf record on the Janus process until stop(); share() then reads the plugin's share of its samples (%).
function startPerf(pid, plugin) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-perf-'));
  const data = path.join(out, 'perf.data');
  const rec = spawn('perf', ['record', '-q', '-F', '4999', '-p', String(pid), '-o', data], { stdio: 'ignore' });
  const exited = new Promise((ok) => rec.on('exit', ok));
  return {
    async stop() {
      rec.kill('SIGINT');
      await exited;
    },
    share() {
      try {
        const report = execFileSync('perf', ['report', '-i', data, '--sort', 'dso', '--stdio', '-q'], { encoding: 'utf8' });
        let share = 0;
        for (const line of report.split('\n')) {
          const m = /^\s*([\d.]+)%\s+(\S+)/.exec(line);
          if (m && PLUGIN_MODULES[plugin].test(m[2])) share += Number(m[1]);
        }
        // Where the plugin's samples went (stderr): its busiest functions.
        const top = execFileSync('perf', ['report', '-i', data, '--sort', 'dso,sym', '--stdio', '-q'], { encoding: 'utf8' })
          .split('\n').filter((l) => PLUGIN_MODULES[plugin].test(l)).slice(0, 12);
        log(`plugin samples ${share.toFixed(2)}% of Janus':\n${top.join('\n')}`);
        return share;
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
      }
    },
  };
}


async function main() {
  const opt = parseArgs(process.argv.slice(2), { rooms: '1', publishers: '2', subscribers: '2', subscribe: 'all',
    warmup: '5', seconds: '15', plugin: 'janus.plugin.videoroom' });
  for (const k of ['janus', 'admin', 'adminSecret', 'janusPid']) if (!opt[k]) throw new Error(`--${k} required`);
  const R = Number(opt.rooms), N = Number(opt.publishers), M = Number(opt.subscribers);
  if (!['all', 'others'].includes(opt.subscribe)) throw new Error('--subscribe all|others');
  const admin = new JanusAdmin(opt.admin, opt.adminSecret);
  const server = await startStaticServer();
  // Chromium opens at most 6 HTTP connections per host and profile, and every janus.js session keeps
  // one long poll open: a fresh browser (own profile) every 4 pages.
  const browsers = [];
  let pages = 0;
  const newPage = async (url, label) => {
    if (pages++ % 4 === 0) browsers.push(await launchBrowser());
    return browsers[browsers.length - 1].newPage(url, label);
  };
  const qs = `?plugin=${encodeURIComponent(opt.plugin)}`;
  try {
    const hipaa = opt.plugin === HIPAA_ROOM;
    if (hipaa && !opt.conf) throw new Error('--conf required for janus.plugin.hipaa.room (development key)');
    const pubs = [], subs = [];
    for (let r = 0; r < R; r++) {
      let room = 100000 + Math.floor(Math.random() * 800000);
      if (hipaa) room = (await admin.call('', { janus: 'message_plugin', plugin: HIPAA_ROOM, request: { request: 'create' } })).response.room;
      const join = (who) => (hipaa ? { token: mintToken(opt.conf, room, 'provider', who) } : {});
      const inRoom = [];
      for (let i = 0; i < N; i++) {
        const page = await newPage(`${server.url}/pages/videoroom-publisher.html${qs}`, `r${r}pub${i}`);
        const p = await page.evaluate((a) => window.e2e.publish(a), { server: opt.janus, room, display: `pub${i}`, create: !hipaa && i === 0,
          secret: 'bench', join: join(`bench-r${r}-pub-${i}`) });
        inRoom.push({ page, id: p.id });
      }
      for (let i = 0; i < M; i++) {
        const feeds = inRoom.filter((p, j) => opt.subscribe === 'all' || j !== i).map((p) => p.id);
        const page = await newPage(`${server.url}/pages/videoroom-subscriber.html${qs}`, `r${r}sub${i}`);
        await page.evaluate((a) => window.e2e.subscribe(a), { server: opt.janus, room, feeds, join: join(`bench-r${r}-sub-${i}`) });
        subs.push(page);
      }
      pubs.push(...inRoom);
    }
    log(`${R} room(s) x (${N} publishers, ${M} subscribers) up; warm-up ${opt.warmup} s`);
    await new Promise((r) => setTimeout(r, Number(opt.warmup) * 1000));
    // CPU, perf and packets over the same window: each starts right after the counters are read and
    // stops right before they are read again.
    const p0 = await relayed(admin, opt.plugin);
    const perf = opt.perf ? startPerf(opt.janusPid, opt.plugin) : null;
    const c0 = cpuSeconds(opt.janusPid), t0 = Date.now();
    await new Promise((r) => setTimeout(r, Number(opt.seconds) * 1000));
    const c1 = cpuSeconds(opt.janusPid), t1 = Date.now();
    if (perf) await perf.stop();
    const p1 = await relayed(admin, opt.plugin);
    const share = perf ? perf.share() : null;
    let frames = 0;
    for (const s of subs) frames += ((await s.evaluate(() => window.e2e.stats())).inbound.video || {}).framesDecoded || 0;
    const cpu = c1 - c0, pkts = p1.out - p0.out;
    const result = { plugin: opt.plugin, rooms: R, publishers: N, subscribers: M, subscribe: opt.subscribe,
      windowSeconds: (t1 - t0) / 1000,
      cpuSeconds: Number(cpu.toFixed(3)), relayedPackets: pkts, receivedPackets: p1.in - p0.in,
      cpuUsPerPacket: pkts > 0 ? Number((cpu / pkts * 1e6).toFixed(2)) : null,
      packetsPerSecond: Math.round(pkts / ((t1 - t0) / 1000)), subscriberFramesDecoded: frames, clkTck: CLK_TCK };
    if (share !== null) {
      result.pluginSharePercent = Number(share.toFixed(2));
      result.pluginUsPerPacket = pkts > 0 ? Number((cpu * share / 100 / pkts * 1e6).toFixed(3)) : null;
    }
    process.stdout.write(`BENCH ${JSON.stringify(result)}\n`);
    for (const p of subs.concat(pubs.map((x) => x.page))) await p.evaluate(() => window.e2e.leave()).catch(() => {});
    return pkts > 0 ? 0 : 1;
  } finally {
    for (const b of browsers) await b.close();
    await server.close();
  }
}

main().then((rc) => process.exit(rc), (e) => { log(e.stack || String(e)); process.exit(1); });
