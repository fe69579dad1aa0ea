/**
 * The logger factory. A logger is created once by the entry point and passed down; nothing
 * logs through a global. `json` writes one object per line (pino's native format); `text`
 * renders readable lines through pino-pretty, synchronously, so no worker thread is started,
 * with control characters in messages escaped (escape-control.ts).
 */
import { writeSync } from "node:fs";
import { createRequire } from "node:module";
import { type Logger, pino } from "pino";
import type prettyFactory from "pino-pretty";
import { redactUrlCredentials } from "../http/url-credentials.js";
import { escapeControl } from "./escape-control.js";
import { createLineBatch } from "./line-batch.js";

/**
 * pino-pretty is loaded only for a text logger: it and its dependencies add ~9 MB of
 * resident memory to a process that logs JSON (measured).
 */
function loadPretty(): typeof prettyFactory {
  return createRequire(import.meta.url)("pino-pretty") as typeof prettyFactory;
}

export type { Logger } from "pino";

export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";
export type LogFormat = "json" | "text";

export interface LoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  /** Where lines go; standard output when absent. Tests pass a stream they can read. */
  destination?: NodeJS.WritableStream;
}

/** Header and field names whose values never reach a log line. */
const REDACT = [
  "headers.authorization",
  'headers["x-api-key"]',
  'headers["x-agw-authorization"]',
  "apiKey",
  "key",
];

/**
 * A logged error, with credentials written into any URL in its message or stack hidden (an
 * HTTP client's message may quote the URL it was given).
 */
function errSerializer(err: Error): Record<string, unknown> {
  const out = pino.stdSerializers.err(err) as unknown as Record<string, unknown>;
  for (const field of ["message", "stack"]) {
    const v = out[field];
    if (typeof v === "string") out[field] = redactUrlCredentials(v);
  }
  return out;
}

/**
 * Lines are written in batches of about this many characters, or LINE_FLUSH_MS after the
 * first line of a batch when traffic is light, and in full when the process exits
 * (line-batch.ts). One write per line cost ~40 µs of CPU per request under load (a
 * thread-pool hop each): a quarter of an opaque passthrough request (measured, `npm run bench`).
 * 64 KiB rather than 16: each write still costs a hop and a system call; the CPU a line costs
 * to log went from ~1.8 to ~1.25 µs (a micro-benchmark through this batch and sonic-boom to a
 * file, process CPU; side-by-side bench runs on a busy machine could not tell the two apart).
 * At 8,000 requests a second a batch still leaves within ~10 ms.
 */
const LINE_BUFFER_CHARS = 64 * 1024;
const LINE_FLUSH_MS = 100;

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? "info";
  const base = {
    level,
    base: null,
    redact: { paths: REDACT, censor: "[redacted]" },
    serializers: { err: errSerializer },
  };
  if (options.format === "text") {
    const stream = loadPretty()({
      colorize: false,
      sync: true,
      translateTime: "SYS:HH:MM:ss.l",
      ignore: "pid,hostname",
      // A message may carry what a caller or an upstream sent (a model, a path): no control
      // character in it may start a line of its own. Other fields are printed as JSON.
      messageFormat: (log, messageKey) => escapeControl(String(log[messageKey] ?? "")),
      ...(options.destination === undefined ? {} : { destination: options.destination }),
    });
    return pino(base, stream);
  }
  if (options.destination !== undefined) {
    const dest = options.destination;
    const logger = pino(base, dest);
    sinks.set(logger, (line) => void dest.write(line));
    return logger;
  }
  // Standard output through sonic-boom (asynchronous writes), fed by one batch for every line.
  const batch = createLineBatch(pino.destination({ dest: 1, sync: false, maxWrite: 4 * LINE_BUFFER_CHARS }), {
    maxChars: LINE_BUFFER_CHARS,
    intervalMs: LINE_FLUSH_MS,
    writeSync: (text) => void writeSync(1, text),
    onExit: (fn) =>
      process.once("exit", () => {
        try {
          fn();
        } catch {
          // Standard output is gone (a closed pipe): nothing is left to tell.
        }
      }),
  });
  const logger = pino(base, batch);
  sinks.set(logger, (line) => void batch.write(line));
  return logger;
}

/** The destinations of json-mode loggers made here (whose line shape is pino's default). */
const sinks = new WeakMap<Logger, (line: string) => void>();

/**
 * Writes a complete line (level, time, fields, msg, newline) to a json logger's destination,
 * bypassing pino's serialisation; undefined for a logger not made by createLogger in json
 * mode (its options, hence its line shape, are not known).
 */
export function jsonLineSink(logger: Logger): ((line: string) => void) | undefined {
  return sinks.get(logger);
}

/** A logger that drops everything (tests that do not look at logs). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
