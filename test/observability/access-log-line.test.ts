/**
 * The hand-composed JSON access-log line is byte for byte what pino writes for the same
 * entry (time aside), for any field values: escapes, unicode, lone surrogates, missing
 * fields, odd numbers.
 */
import { PassThrough } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AccessLogEntry,
  accessLogJsonFields,
  createAccessLog,
  jsonMs,
  memoJsonString,
} from "../../src/observability/access-log.js";
import { createLogger } from "../../src/observability/log.js";

function capture(): { stream: PassThrough; lines: () => string[] } {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (c: Buffer) => {
    text += c.toString("utf8");
  });
  return { stream, lines: () => text.split("\n").filter((l) => l !== "") };
}

const optString = fc.option(fc.string({ unit: "binary", maxLength: 80 }), { nil: undefined });
/** Durations as the entry holds them: rounded to the microsecond, plus arbitrary doubles. */
const msArb = fc.oneof(
  fc.double(),
  fc.integer({ min: 0, max: 2 ** 31 }).map((k) => k / 1000),
);
const optNumber = fc.option(fc.oneof(fc.integer(), fc.double()), { nil: undefined });
const optMs = fc.option(msArb, { nil: undefined });

const entryArb: fc.Arbitrary<AccessLogEntry> = fc.record({
  requestId: fc.string({ unit: "binary", maxLength: 80 }),
  bind: fc.integer({ min: 0, max: 65535 }),
  listener: optString,
  route: optString,
  routeType: optString,
  backend: optString,
  method: fc.string({ maxLength: 10 }),
  path: fc.string({ unit: "binary", maxLength: 120 }),
  status: fc.integer({ min: 0, max: 599 }),
  durationMs: msArb,
  upstreamMs: optMs,
  ttftMs: optMs,
  provider: optString,
  model: optString,
  upstreamModel: optString,
  responseModel: optString,
  inputTokens: optNumber,
  outputTokens: optNumber,
  cachedTokens: optNumber,
  routing: optString,
  strategy: optString,
  target: optString,
  attempts: optNumber,
  keyName: optString,
  error: optString,
  traceId: optString,
});

/** pino's own line for the entry, with the time field removed. */
function pinoLine(e: AccessLogEntry): string {
  const sink = capture();
  // A logger pino serialises itself: the access log only bypasses loggers made by createLogger.
  const logger = createLogger({ level: "info", format: "json", destination: sink.stream });
  logger.info(e, "request");
  return sink.lines()[0]!.replace(/,"time":\d+/, "");
}

describe("access-log JSON line", () => {
  it("matches pino's serialisation of the same entry, field for field and byte for byte", () => {
    fc.assert(
      fc.property(entryArb, (e) => {
        const mine = `{"level":30${accessLogJsonFields(e)},"msg":"request"}`;
        expect(mine).toBe(pinoLine(e));
        expect(JSON.parse(mine)).toEqual(JSON.parse(pinoLine(e)));
      }),
      { numRuns: 300 },
    );
  });

  it("writes one line to the logger's destination, with level, time and msg", async () => {
    const sink = capture();
    const logger = createLogger({ level: "info", format: "json", destination: sink.stream });
    const log = createAccessLog(logger, "json");
    const entry: AccessLogEntry = {
      requestId: "r-1",
      bind: 4100,
      listener: "l",
      route: 'r"1',
      routeType: "completions",
      backend: undefined,
      method: "POST",
      path: "/v1/chat/completions",
      status: 200,
      durationMs: 1.25,
      upstreamMs: 1,
      ttftMs: undefined,
      provider: "openai",
      model: "gpt-é",
      upstreamModel: undefined,
      responseModel: undefined,
      inputTokens: 3,
      outputTokens: 0,
      cachedTokens: undefined,
      routing: "passthrough",
      strategy: undefined,
      target: undefined,
      attempts: 1,
      keyName: undefined,
      error: undefined,
      traceId: "0af7651916cd43dd8448eb211c80319c",
    };
    const before = Date.now();
    log.write(entry);
    await new Promise((r) => setImmediate(r));
    const lines = sink.lines();
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(parsed.time as number).toBeGreaterThanOrEqual(before);
    expect(lines[0]!.replace(/,"time":\d+/, "")).toBe(pinoLine(entry));
    // Off at warn: nothing written.
    logger.level = "warn";
    log.write(entry);
    await new Promise((r) => setImmediate(r));
    expect(sink.lines()).toHaveLength(1);
  });
});

describe("jsonMs", () => {
  it("writes a millisecond figure exactly as JSON.stringify does", () => {
    for (const ms of [0, 0.001, 0.01, 0.1, 0.5, 1, 1.05, 1.005, 12.34, 99.999, 100, 1000.001, 2147483.647]) {
      expect(jsonMs(ms)).toBe(JSON.stringify(ms));
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 }), (k) => jsonMs(k / 1000) === JSON.stringify(k / 1000)),
      { numRuns: 20_000 },
    );
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (x) => jsonMs(x) === JSON.stringify(x)),
      { numRuns: 5_000 },
    );
    expect(jsonMs(Number.NaN)).toBe("null");
    expect(jsonMs(Number.POSITIVE_INFINITY)).toBe("null");
  });
});

describe("memoJsonString", () => {
  it("gives the same line as escaping every value, across more values than the memo holds", () => {
    const quote = memoJsonString();
    fc.assert(
      fc.property(entryArb, (e) => {
        expect(accessLogJsonFields(e, quote)).toBe(accessLogJsonFields(e));
        // A second time from the memo.
        expect(accessLogJsonFields(e, quote)).toBe(accessLogJsonFields(e));
      }),
      { numRuns: 3000 },
    );
  });
});
