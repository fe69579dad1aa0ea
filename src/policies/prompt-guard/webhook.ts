/**
 * The webhook guard: an external service decides.
 *
 * Wire contract (one call per guard per request or response, all texts at once):
 *   POST <url>   content-type: application/json   (+ the configured headers)
 *   {"phase": "request" | "response", "texts": ["...", ...]}
 * `texts` are, for requests, every text field of the body in the caller's format, in body
 * order (see body-texts.ts); for responses the output text and tool call arguments (see
 * ir-texts.ts). The service answers 2xx with JSON:
 *   {"action": "pass"}
 *   {"action": "mask", "texts": ["...", ...]}   same length and order as sent; replaces them
 *   {"action": "mask", "text": "..."}           accepted when exactly one text was sent
 *   {"action": "reject", "message"?: "..."}     message (if any) goes to the caller
 * Anything else (connection error, timeout, non-2xx, an answer over WEBHOOK_ANSWER_LIMIT,
 * malformed JSON or shape) is a failure:
 * failClosed (default) rejects with the guard's rejection, failOpen lets the text through and
 * records a failOpen event. Header values may be secrets: they never appear in errors.
 */
import type { Dispatcher } from "undici";
import { parseDuration } from "../../config/duration.js";
import type { GuardConfig } from "../../config/schema.js";
import { type Rejection, rejectionOf } from "./text-guards.js";

/** undici as a whole, imported on a first webhook call rather than at startup (src/http/undici.ts). */
let undici: Promise<typeof import("undici")> | undefined;
function loadUndici(): Promise<typeof import("undici")> {
  undici ??= import("undici");
  return undici;
}

export type WebhookVerdict =
  | { readonly action: "pass" }
  | { readonly action: "mask"; readonly texts: readonly string[] }
  | { readonly action: "reject"; readonly message?: string }
  | { readonly action: "failed"; readonly reason: string };

export type WebhookPost = (
  url: string,
  init: { headers: Record<string, string>; body: string; timeoutMs: number },
) => Promise<{
  status: number;
  body: string;
}>;

export interface WebhookDeps {
  /** The HTTP call; by default undici `request` through `dispatcher`. */
  readonly post?: WebhookPost;
  readonly dispatcher?: Dispatcher;
}

export interface WebhookGuard {
  readonly kind: "webhook";
  readonly failureMode: "failClosed" | "failOpen";
  readonly rejection: Rejection;
  check(texts: readonly string[], phase: "request" | "response"): Promise<WebhookVerdict>;
}

export const DEFAULT_WEBHOOK_TIMEOUT = "2s";

/** The largest webhook answer read (a mask answer carries every text back); past it the call failed. */
export const WEBHOOK_ANSWER_LIMIT = 32 * 1024 * 1024;

/** Thrown by a post whose answer is longer than WEBHOOK_ANSWER_LIMIT (the connection is cut). */
export class WebhookAnswerTooLarge extends Error {
  constructor() {
    super(`The webhook answer is larger than ${WEBHOOK_ANSWER_LIMIT} bytes.`);
    this.name = "WebhookAnswerTooLarge";
  }
}

export function undiciPost(dispatcher?: Dispatcher, limit = WEBHOOK_ANSWER_LIMIT): WebhookPost {
  return async (url, init) => {
    const res = await (await loadUndici()).request(url, {
      method: "POST",
      headers: init.headers,
      body: init.body,
      signal: AbortSignal.timeout(init.timeoutMs),
      ...(dispatcher === undefined ? {} : { dispatcher }),
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of res.body) {
      const chunk = c as Buffer;
      size += chunk.byteLength;
      if (size > limit) {
        res.body.destroy();
        throw new WebhookAnswerTooLarge();
      }
      chunks.push(chunk);
    }
    return { status: res.statusCode, body: Buffer.concat(chunks, size).toString("utf8") };
  };
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((t) => typeof t === "string");
}

/** The service's answer, or why it is not one. */
export function parseVerdict(status: number, body: string, sent: number): WebhookVerdict {
  if (status < 200 || status > 299) return { action: "failed", reason: `webhook answered ${status}` };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { action: "failed", reason: "webhook answered with malformed JSON" };
  }
  if (typeof json !== "object" || json === null)
    return { action: "failed", reason: "webhook answer is not an object" };
  const o = json as Record<string, unknown>;
  switch (o.action) {
    case "pass":
      return { action: "pass" };
    case "reject":
      return typeof o.message === "string" ? { action: "reject", message: o.message } : { action: "reject" };
    case "mask":
      if (isStringArray(o.texts) && o.texts.length === sent) return { action: "mask", texts: o.texts };
      if (typeof o.text === "string" && sent === 1) return { action: "mask", texts: [o.text] };
      return { action: "failed", reason: "webhook mask answer does not match the texts sent" };
    default:
      return { action: "failed", reason: "webhook answer has no known action" };
  }
}

export function createWebhookGuard(cfg: GuardConfig, deps: WebhookDeps = {}): WebhookGuard {
  const hook = cfg.webhook;
  if (hook === undefined) throw new Error("not a webhook guard");
  const timeoutMs = parseDuration(hook.timeout ?? DEFAULT_WEBHOOK_TIMEOUT);
  const headers = Object.freeze({ ...(hook.headers ?? {}), "content-type": "application/json" });
  const post = deps.post ?? undiciPost(deps.dispatcher);
  const url = hook.url;

  async function check(texts: readonly string[], phase: "request" | "response"): Promise<WebhookVerdict> {
    try {
      const res = await post(url, {
        headers: { ...headers },
        body: JSON.stringify({ phase, texts }),
        timeoutMs,
      });
      return parseVerdict(res.status, res.body, texts.length);
    } catch (err) {
      if (err instanceof WebhookAnswerTooLarge)
        return { action: "failed", reason: "webhook answer too large" };
      const name = (err as { name?: unknown } | null)?.name;
      const timedOut = name === "TimeoutError" || name === "AbortError";
      return { action: "failed", reason: timedOut ? "webhook timed out" : "webhook unreachable" };
    }
  }

  return Object.freeze({
    kind: "webhook" as const,
    failureMode: hook.failureMode ?? "failClosed",
    rejection: rejectionOf(cfg),
    check,
  });
}
