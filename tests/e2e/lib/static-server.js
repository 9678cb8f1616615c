// SPDX-License-Identifier: GPL-3.0-or-later
'use strict';
// Serves the test pages and Janus' own client libraries on 127.0.0.1 (a free port chosen by the OS).
// janus.js must match the server (1.1.2): Debian's libjs-janus-gateway ships exactly that; npm's
// `janus-gateway` starts at 1.1.4. adapter.js (libjs-webrtc-adapter) must load first.
const fs = require('fs');
const http = require('http');
const path = require('path');

const PAGES = path.join(__dirname, '..', 'pages');
const VENDOR = {
  '/vendor/janus.js': process.env.HIPAA_JANUS_JS || '/usr/share/javascript/janus-gateway/janus.js',
  '/vendor/adapter.js': process.env.HIPAA_ADAPTER_JS || '/usr/share/javascript/webrtc-adapter/adapter.js',
};
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css' };

function resolve(urlPath) {
  if (VENDOR[urlPath]) return VENDOR[urlPath];
  if (!urlPath.startsWith('/pages/')) return null;
  const file = path.normalize(path.join(PAGES, urlPath.slice('/pages/'.length)));
  return file.startsWith(PAGES + path.sep) ? file : null;   // no escaping the pages folder
}

function startStaticServer() {
  for (const f of Object.values(VENDOR)) {
    if (!fs.existsSync(f)) throw new Error(`${f} missing: install libjs-janus-gateway and libjs-webrtc-adapter (scripts/deps.sh)`);
  }
  const server = http.createServer((req, res) => {
    const file = resolve(new URL(req.url, 'http://x').pathname);
    if (!file || !fs.existsSync(file)) { res.writeHead(404); res.end('not found'); return; }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-store' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok({
      url: `http://127.0.0.1:${server.address().port}`,
      close: () => new Promise((done) => server.close(() => done())),
    }));
  });
}

module.exports = { startStaticServer };
