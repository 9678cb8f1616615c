// SPDX-License-Identifier: GPL-3.0-or-later
'use strict';
// Debian's /usr/bin/chromium, headless, driven by playwright-core (no browser download: playwright
// only speaks CDP to the binary we name). Fake camera and microphone, a fresh profile folder per launch
// (removed on close), nothing that phones home.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.HIPAA_CHROMIUM || '/usr/bin/chromium';

const ARGS = [
  '--no-sandbox',                       // root inside a test namespace; the page is our own
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream', // synthetic camera (moving pattern) and microphone (beeps)
  '--use-fake-ui-for-media-stream',     // getUserMedia allowed without a prompt
  '--autoplay-policy=no-user-gesture-required',
  // Host candidates as plain addresses, not mDNS names Janus would have to resolve.
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

async function launchBrowser({ headless = true, extraArgs = [] } = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hipaa-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless,
    args: ARGS.concat(extraArgs),
    viewport: { width: 800, height: 600 },
    ignoreDefaultArgs: ['--enable-automation'],
  });
  let closed = false;
  return {
    context,
    async newPage(url, label) {
      const page = await context.newPage();
      page.on('console', (m) => {
        // janus.js' long poll gets a 404 once its session is destroyed on leave: noise, not a failure.
        const noise = /status of 404|API call failed/.test(m.text());
        if (process.env.HIPAA_E2E_VERBOSE || (m.type() === 'error' && !noise)) log(`[${label}] ${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => log(`[${label}] pageerror: ${e.message}`));
      await page.goto(url);
      return page;
    },
    async close() {
      if (closed) return;
      closed = true;
      await context.close().catch(() => {});
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

function log(msg) {
  process.stderr.write(`${new Date().toISOString().slice(11, 23)} ${msg}\n`);
}

module.exports = { launchBrowser, log, CHROMIUM };
