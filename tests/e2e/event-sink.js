#!/usr/bin/env node
// SPDX-License-Identifier: GPL-3.0-or-later
'use strict';
// An HTTP backend for Janus' stock sample event handler (janus.eventhandler.sampleevh): every POST body
// (one event or a grouped array of them, as Janus sent it) is appended to --out, one per line. A test
// loads sampleevh next to our handlers with `events = "all"` to see every event any other handler of
// the gateway would see, then searches the file (e.g. for PHI canaries).
//   node event-sink.js --out FILE      prints `EVENT_SINK http://127.0.0.1:PORT/` once listening
const fs = require('fs');
const http = require('http');
const { parseArgs } = require('./lib/args');

const opt = parseArgs(process.argv.slice(2), { out: '' });
if (!opt.out) throw new Error('--out required');
const out = fs.openSync(opt.out, 'a');
let received = 0;
const server = http.createServer((req, res) => {
  const parts = [];
  req.on('data', (d) => parts.push(d));
  req.on('end', () => {
    const body = Buffer.concat(parts);
    if (body.length) { fs.writeSync(out, Buffer.concat([body, Buffer.from('\n')])); received += 1; }
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('ok');
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`EVENT_SINK http://127.0.0.1:${server.address().port}/\n`));
const stop = () => server.close(() => { fs.closeSync(out); process.stderr.write(`event-sink: ${received} posts\n`); process.exit(0); });
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
