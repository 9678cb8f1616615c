// SPDX-License-Identifier: GPL-3.0-or-later
'use strict';
// --key value / --flag command-line parsing for the e2e scripts.
function parseArgs(argv, defaults = {}) {
  const out = Object.assign({}, defaults);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const key = a.slice(2).replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) out[key] = argv[++i];
    else out[key] = true;
  }
  return out;
}
module.exports = { parseArgs };
