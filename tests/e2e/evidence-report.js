#!/usr/bin/env node
// SPDX-License-Identifier: GPL-3.0-or-later
'use strict';
// Opens the evidence report (janus-hipaa evidence) in headless Chromium with the network off, as a
// reviewer would open the file offline, saves a full-page screenshot and counts every request the
// page made besides the file itself (there must be none).
//   node evidence-report.js --report FILE.html --screenshot FILE.png
// stdout, one line: EVIDENCE_RESULT {"requests":[urls...],"svg":N,"red":N,"title":"..."}
// Exit 0 when the page loaded and the screenshot was written; 1 on any failure (message on stderr).
const path = require('path');
const { pathToFileURL } = require('url');
const { launchBrowser, log } = require('./lib/browser');
const { parseArgs } = require('./lib/args');

async function main() {
  const opt = parseArgs(process.argv.slice(2));
  if (!opt.report || !opt.screenshot) throw new Error('usage: evidence-report.js --report FILE.html --screenshot FILE.png');
  const url = pathToFileURL(path.resolve(opt.report)).href;
  const browser = await launchBrowser();
  try {
    await browser.context.setOffline(true);
    const requests = [];
    browser.context.on('request', (r) => { if (r.url() !== url) requests.push(r.url()); });
    // Anything else is refused before it leaves, and still counted above.
    await browser.context.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()));
    const page = await browser.newPage(url, 'report');
    await page.waitForLoadState('load');
    await page.screenshot({ path: opt.screenshot, fullPage: true });
    const result = await page.evaluate(() => ({
      svg: document.querySelectorAll('svg').length,
      red: document.querySelectorAll('.state.fail, .state.unchecked').length,
      title: document.title,
    }));
    result.requests = requests;
    process.stdout.write(`EVIDENCE_RESULT ${JSON.stringify(result)}\n`);
  } finally {
    await browser.close();
  }
}

main().then(() => process.exit(0), (e) => { log(`evidence-report: ${e.stack || e}`); process.exit(1); });
