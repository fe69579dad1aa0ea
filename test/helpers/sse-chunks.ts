import type { ServerResponse } from "node:http";

/**
 * Splitting bytes at awkward boundaries: every N bytes (N=1 cuts inside multi-byte UTF-8 and
 * between `\r` and `\n`), or at explicit offsets. Used by the mock upstream to deliver a body
 * in pieces, and by parser tests directly.
 */
export interface SplitOptions {
  /** Piece size in bytes. */
  every?: number;
  /** Cut offsets in bytes (any order; out-of-range and duplicate offsets are ignored). */
  at?: number[];
}

export function splitBytes(data: Buffer | Uint8Array | string, options: SplitOptions): Buffer[] {
  const buf = typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data);
  const cuts = new Set<number>();
  if (options.every !== undefined) {
    if (!Number.isInteger(options.every) || options.every < 1)
      throw new RangeError("every must be an integer >= 1");
    for (let i = options.every; i < buf.length; i += options.every) cuts.add(i);
  }
  for (const c of options.at ?? []) if (c > 0 && c < buf.length) cuts.add(c);
  const sorted = [...cuts].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of sorted) {
    out.push(buf.subarray(prev, c));
    prev = c;
  }
  if (prev < buf.length || out.length === 0) out.push(buf.subarray(prev));
  return out;
}

/** Offsets that fall strictly inside a multi-byte UTF-8 character: the nastiest places to cut. */
export function midCharacterOffsets(data: Buffer | string): number[] {
  const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  const out: number[] = [];
  for (let i = 1; i < buf.length; i++) if (((buf[i] ?? 0) & 0xc0) === 0x80) out.push(i);
  return out;
}

/** A family of splits worth running any stream parser against. */
export function awkwardSplits(data: Buffer | string): { name: string; pieces: Buffer[] }[] {
  const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  const lineEnds: number[] = [];
  for (let i = 0; i < buf.length; i++) if (buf[i] === 0x0a) lineEnds.push(i, i + 1);
  return [
    { name: "whole", pieces: [buf] },
    { name: "every 1", pieces: splitBytes(buf, { every: 1 }) },
    { name: "every 2", pieces: splitBytes(buf, { every: 2 }) },
    { name: "every 3", pieces: splitBytes(buf, { every: 3 }) },
    { name: "every 7", pieces: splitBytes(buf, { every: 7 }) },
    { name: "around newlines", pieces: splitBytes(buf, { at: lineEnds }) },
    { name: "mid character", pieces: splitBytes(buf, { at: midCharacterOffsets(buf) }) },
  ];
}

/**
 * Writes `pieces` to `res` one per event-loop turn, each after the last was handed to the
 * socket, then ends it: the client's reads see the cuts, not one coalesced body.
 */
export function writePieces(res: ServerResponse, pieces: readonly Buffer[]): void {
  const write = (i: number): void => {
    if (i >= pieces.length) {
      res.end();
      return;
    }
    res.write(pieces[i], () => setImmediate(() => write(i + 1)));
  };
  write(0);
}
