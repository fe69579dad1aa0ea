/**
 * Durations and sizes as the config writes them. The schema's patterns (DURATION_PATTERN,
 * SIZE_PATTERN) decide what is accepted; these functions accept exactly that and nothing else.
 */
import { DURATION_PATTERN, SIZE_PATTERN } from "./schema.js";

const DURATION_RE = new RegExp(DURATION_PATTERN);
const SIZE_RE = new RegExp(SIZE_PATTERN);

const DURATION_UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const SIZE_UNIT_BYTES: Readonly<Record<string, number>> = {
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  KB: 1000,
  MB: 1000 ** 2,
  GB: 1000 ** 3,
};

/** Milliseconds in `text` ("500ms", "30s", "2m", "1h"). Throws on anything the schema rejects. */
export function parseDuration(text: string): number {
  const m = DURATION_RE.exec(text);
  if (m === null) {
    throw new Error(`"${text}" is not a duration; write a whole number followed by ms, s, m or h`);
  }
  const unit = DURATION_UNIT_MS[m[1] ?? ""] ?? 1;
  return Number.parseInt(text, 10) * unit;
}

/** Bytes in `text` ("100B", "512KiB", "2MiB", "10MB"). Throws on anything the schema rejects. */
export function parseSize(text: string): number {
  const m = SIZE_RE.exec(text);
  if (m === null) {
    throw new Error(
      `"${text}" is not a size; write a whole number followed by B, KiB, MiB, GiB, KB, MB or GB`,
    );
  }
  const unit = SIZE_UNIT_BYTES[m[1] ?? ""] ?? 1;
  return Number.parseInt(text, 10) * unit;
}
