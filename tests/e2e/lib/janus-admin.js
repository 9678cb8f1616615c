// SPDX-License-Identifier: GPL-3.0-or-later
'use strict';
// Janus Admin API over HTTP (node's fetch): sessions, handles, handle_info and its packet counters.
const crypto = require('crypto');

class JanusAdmin {
  constructor(url, secret) { this.url = url; this.secret = secret; }

  async call(path, body) {
    const res = await fetch(this.url + path, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(Object.assign({ transaction: crypto.randomBytes(6).toString('hex'), admin_secret: this.secret }, body)),
    });
    const json = await res.json();
    if (json.janus !== 'success') throw new Error(`admin ${body.janus}: ${JSON.stringify(json.error || json)}`);
    return json;
  }

  async sessions() { return (await this.call('', { janus: 'list_sessions' })).sessions || []; }
  async handles(session) { return (await this.call(`/${session}`, { janus: 'list_handles' })).handles || []; }
  async handleInfo(session, handle) { return (await this.call(`/${session}/${handle}`, { janus: 'handle_info' })).info; }

  // Every handle of every session with its plugin and summed RTP packet counters (all streams and
  // components): {session, handle, plugin, inPackets, outPackets, inBytes, outBytes, dtls, srtp}.
  async mediaHandles(plugin) {
    const out = [];
    for (const s of await this.sessions()) {
      for (const h of await this.handles(s)) {
        const info = await this.handleInfo(s, h).catch(() => null);
        if (!info || (plugin && info.plugin !== plugin)) continue;
        out.push(Object.assign({ session: s, handle: h, plugin: info.plugin }, packetCounters(info)));
      }
    }
    return out;
  }
}

// Janus 1.1.2 handle_info: webrtc.dtls {dtls-state, srtp-profile}, webrtc.ice.selected-pair and
// webrtc.media[mid].stats.{in,out}.{packets,bytes} (RTP per m-line; DTLS counted separately).
function packetCounters(info) {
  const w = info.webrtc || {};
  const c = { inPackets: 0, outPackets: 0, inBytes: 0, outBytes: 0,
    dtls: w.dtls ? w.dtls['dtls-state'] : null, srtp: w.dtls ? w.dtls['srtp-profile'] : null,
    selectedPair: w.ice ? w.ice['selected-pair'] : null, media: {} };
  for (const [mid, m] of Object.entries(w.media || {})) {
    const st = m.stats || {};
    const i = st.in || {}, o = st.out || {};
    c.media[mid] = { type: m.type, codec: m.codecs && m.codecs.codec, in: i.packets || 0, out: o.packets || 0 };
    c.inPackets += i.packets || 0; c.inBytes += i.bytes || 0;
    c.outPackets += o.packets || 0; c.outBytes += o.bytes || 0;
  }
  return c;
}

module.exports = { JanusAdmin, packetCounters };
