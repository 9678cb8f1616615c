// SPDX-License-Identifier: GPL-3.0-or-later
// "Share a document": the room's document framing on the data channel (docs/room.md, "Documents";
// the room's side is plugins/room/media/DocumentFrame). Integers big-endian:
//   "JHD1" | u8 kind | u32 transfer | body
//   start (1): u8 type (1 PDF, 2 PNG, 3 JPEG) | u64 size ; chunk (2): u32 index | <= 16384 bytes
//   end (3): SHA-256 of the content (32 bytes) ; abort (4): nothing
// No file name travels: the receiver names the file after its type. The sender checks the type by the
// bytes as the room does (signature and trailer), so a refusal (481) shows before anything is sent.
const MAGIC = [0x4a, 0x48, 0x44, 0x31];  // "JHD1"
const MAX_CHUNK = 16384;
export const MIME = { 1: 'application/pdf', 2: 'image/png', 3: 'image/jpeg' };
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;  // the room's default document_max_bytes

const startsWith = (b, sig) => b.length >= sig.length && sig.every((x, i) => b[i] === x);
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const PNG_END = [0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82];

// The type code of `bytes` (Uint8Array) when its signature and trailer agree, else 0 (the room's 481).
export function documentType(bytes) {
  const b = bytes;
  if (startsWith(b, [0x25, 0x50, 0x44, 0x46, 0x2d])) {  // %PDF-, and %%EOF in the last 1024 bytes
    const tail = new TextDecoder('latin1').decode(b.subarray(Math.max(0, b.length - 1024)));
    return tail.includes('%%EOF') ? 1 : 0;
  }
  if (startsWith(b, PNG)) return b.length >= PNG.length + PNG_END.length && startsWith(b.subarray(b.length - PNG_END.length), PNG_END) ? 2 : 0;
  if (startsWith(b, [0xff, 0xd8, 0xff])) return b.length >= 5 && b[b.length - 2] === 0xff && b[b.length - 1] === 0xd9 ? 3 : 0;
  return 0;
}

export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}
export const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

function frame(kind, transfer, bodyLength) {
  const f = new Uint8Array(9 + bodyLength);
  f.set(MAGIC);
  const v = new DataView(f.buffer);
  v.setUint8(4, kind);
  v.setUint32(5, transfer);
  return { f, v };
}

// The frames of one transfer (start, chunks, end), as the room expects them.
export async function encodeDocument(bytes, type, transfer) {
  const out = [];
  const s = frame(1, transfer, 9);
  s.v.setUint8(9, type);
  s.v.setBigUint64(10, BigInt(bytes.length));
  out.push(s.f);
  for (let at = 0, i = 0; at < bytes.length; at += MAX_CHUNK, i += 1) {
    const part = bytes.subarray(at, Math.min(bytes.length, at + MAX_CHUNK));
    const c = frame(2, transfer, 4 + part.length);
    c.v.setUint32(9, i);
    c.f.set(part, 13);
    out.push(c.f);
  }
  const e = frame(3, transfer, 32);
  e.f.set(await sha256(bytes), 9);
  out.push(e.f);
  return out;
}

export const isDocumentFrame = (b) => b instanceof Uint8Array && startsWith(b, MAGIC);

// Sends a document's frames on the data channel `dc`, pacing on its buffer; `progress(sent, total)`.
export async function sendFrames(dc, frames, progress = () => {}) {
  const drained = async (limit) => {
    while (dc.bufferedAmount > limit) {
      if (dc.readyState !== 'open') throw new Error('the connection was lost');
      await new Promise((ok) => setTimeout(ok, 20));
    }
  };
  if (!dc || dc.readyState !== 'open') throw new Error('the connection is not ready');
  for (let i = 0; i < frames.length; i++) {
    await drained(1024 * 1024);
    dc.send(frames[i]);
    progress(i + 1, frames.length);
  }
  await drained(0);
}

// A binary data channel message as bytes, whatever the channel's binaryType (Blob or ArrayBuffer).
export const frameBytes = (data) => (data instanceof Blob ? data.arrayBuffer() : Promise.resolve(data)).then((b) => new Uint8Array(b));

// Reassembles the documents one sender's data channel relays. push() answers null until a transfer
// ends; then {type, mime, bytes, sha256} or {error: 483} (out of order, wrong size or SHA-256).
export class DocumentReceiver {
  constructor() { this.transfers = new Map(); }

  async push(b) {
    if (!isDocumentFrame(b) || b.length < 9) return { error: 486 };
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const kind = v.getUint8(4), id = v.getUint32(5);
    if (kind === 1 && b.length === 18) {
      const size = Number(v.getBigUint64(10));
      this.transfers.set(id, { type: v.getUint8(9), size, parts: [], got: 0, next: 0 });
      return null;
    }
    const t = this.transfers.get(id);
    if (kind === 4) { this.transfers.delete(id); return null; }  // the room relays only whole documents
    if (!t) return { error: 483 };
    if (kind === 2 && b.length > 13 && v.getUint32(9) === t.next) {
      t.parts.push(b.slice(13));
      t.got += b.length - 13;
      t.next += 1;
      if (t.got <= t.size) return null;
    }
    this.transfers.delete(id);
    if (kind !== 3 || b.length !== 41 || t.got !== t.size) return { error: 483 };
    const bytes = new Uint8Array(t.size);
    let at = 0;
    for (const p of t.parts) { bytes.set(p, at); at += p.length; }
    const digest = await sha256(bytes);
    if (hex(digest) !== hex(b.subarray(9, 41))) return { error: 483 };
    return { type: t.type, mime: MIME[t.type] || 'application/octet-stream', bytes, sha256: hex(digest) };
  }
}
