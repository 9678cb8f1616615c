// SPDX-License-Identifier: GPL-3.0-or-later
'use strict';
// Development join tokens for janus.plugin.hipaa.room (scripts/mint-token with the key that
// scripts/janus-conf.sh put in CONF/keys/dev-es256.pem). Tests and benchmarks only.
const path = require('path');
const { execFileSync } = require('child_process');

function mintToken(conf, room, role, sub, ttl = 900) {
  return execFileSync('python3', [path.join(__dirname, '..', '..', '..', 'scripts', 'mint-token'), '--key',
    path.join(conf, 'keys', 'dev-es256.pem'), '--room', String(room), '--role', role, '--sub', sub, '--ttl', String(ttl)])
    .toString().trim();
}

module.exports = { mintToken };
