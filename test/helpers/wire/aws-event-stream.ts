/**
 * AWS event-stream framing (`application/vnd.amazon.eventstream`), written by hand from AWS's
 * description of the encoding, independently of src/ and of @smithy/eventstream-codec (the tests
 * decode these frames with that codec, which proves both agree). A message is:
 *
 *   total length u32 BE | headers length u32 BE | CRC32 of those 8 bytes
 *   headers: name length u8, name, value type u8 (7 = string), value length u16 BE, value
 *   payload
 *   CRC32 of everything before it
 *
 * Only string headers are written: Bedrock sends nothing else.
 */

const CRC_TABLE: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, reflected, as zlib and the event-stream format use). */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const STRING_TYPE = 7;
const PRELUDE = 12;

/** One message; headers are written in the given order (Bedrock's own order where it matters). */
export function encodeMessage(headers: [string, string][], payload: Uint8Array | string): Buffer {
  const body = typeof payload === "string" ? Buffer.from(payload, "utf8") : Buffer.from(payload);
  const hs = headers.map(([name, value]) => {
    const n = Buffer.from(name, "utf8");
    const v = Buffer.from(value, "utf8");
    const h = Buffer.alloc(1 + n.length + 1 + 2 + v.length);
    h.writeUInt8(n.length, 0);
    n.copy(h, 1);
    h.writeUInt8(STRING_TYPE, 1 + n.length);
    h.writeUInt16BE(v.length, 2 + n.length);
    v.copy(h, 4 + n.length);
    return h;
  });
  const headerBytes = Buffer.concat(hs);
  const total = PRELUDE + headerBytes.length + body.length + 4;
  const out = Buffer.alloc(total);
  out.writeUInt32BE(total, 0);
  out.writeUInt32BE(headerBytes.length, 4);
  out.writeUInt32BE(crc32(out.subarray(0, 8)), 8);
  headerBytes.copy(out, PRELUDE);
  body.copy(out, PRELUDE + headerBytes.length);
  out.writeUInt32BE(crc32(out.subarray(0, total - 4)), total - 4);
  return out;
}

/** An event frame with a JSON payload: `:event-type`, `:content-type`, `:message-type: event`. */
export function eventFrame(eventType: string, payload: unknown): Buffer {
  return encodeMessage(
    [
      [":event-type", eventType],
      [":content-type", "application/json"],
      [":message-type", "event"],
    ],
    JSON.stringify(payload),
  );
}

/** A modelled exception mid-stream: `:exception-type` (camelCase member name), `{"message"}`. */
export function exceptionFrame(exceptionType: string, message: string): Buffer {
  return encodeMessage(
    [
      [":exception-type", exceptionType],
      [":content-type", "application/json"],
      [":message-type", "exception"],
    ],
    JSON.stringify({ message }),
  );
}

/**
 * Cut offsets that land inside each frame's prelude, inside its headers and inside its payload
 * (a reader that assumes one read = one frame breaks on all three).
 */
export function awkwardFrameCuts(frames: Buffer[]): number[] {
  const cuts: number[] = [];
  let base = 0;
  for (const f of frames) {
    const headersLength = f.readUInt32BE(4);
    const payloadStart = PRELUDE + headersLength;
    const payloadLength = f.length - payloadStart - 4;
    cuts.push(base + 3, base + PRELUDE + Math.max(1, Math.floor(headersLength / 2)));
    if (payloadLength > 1) cuts.push(base + payloadStart + Math.floor(payloadLength / 2));
    cuts.push(base + f.length - 2);
    base += f.length;
  }
  return cuts;
}

/** A decoded message, for tests that read frames back without the smithy codec. */
export interface DecodedMessage {
  headers: Record<string, string>;
  payload: Buffer;
}

/** Decodes whole messages from a buffer, checking both CRCs; throws on any inconsistency. */
export function decodeMessages(buf: Buffer): DecodedMessage[] {
  const out: DecodedMessage[] = [];
  let at = 0;
  while (at < buf.length) {
    const total = buf.readUInt32BE(at);
    const headersLength = buf.readUInt32BE(at + 4);
    if (crc32(buf.subarray(at, at + 8)) !== buf.readUInt32BE(at + 8)) throw new Error("prelude CRC mismatch");
    if (crc32(buf.subarray(at, at + total - 4)) !== buf.readUInt32BE(at + total - 4))
      throw new Error("message CRC mismatch");
    const headers: Record<string, string> = {};
    let h = at + PRELUDE;
    const end = h + headersLength;
    while (h < end) {
      const nameLength = buf.readUInt8(h);
      const name = buf.toString("utf8", h + 1, h + 1 + nameLength);
      const type = buf.readUInt8(h + 1 + nameLength);
      if (type !== STRING_TYPE) throw new Error(`unexpected header type ${type}`);
      const valueLength = buf.readUInt16BE(h + 2 + nameLength);
      headers[name] = buf.toString("utf8", h + 4 + nameLength, h + 4 + nameLength + valueLength);
      h += 4 + nameLength + valueLength;
    }
    out.push({ headers, payload: buf.subarray(end, at + total - 4) });
    at += total;
  }
  return out;
}
