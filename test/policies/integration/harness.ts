/**
 * A gateway (the llm form of test/e2e/harness.ts: oai-* → OpenAI with a managed key, ant-* →
 * Anthropic with the caller's key, mock-* → the built-in mock) with the given policies, in
 * front of the scriptable mock upstream, over real sockets. Finished request records are kept
 * (key name, policy events), and the access log goes through the real observer.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import type { Config, PoliciesConfig } from "../../../src/config/schema.js";
import type { RequestRecord } from "../../../src/http/record.js";
import { createAccessLog } from "../../../src/observability/access-log.js";
import { createObserver } from "../../../src/observability/observer.js";
import type { Gateway } from "../../../src/server/gateway.js";
import { llmConfig } from "../../e2e/harness.js";
import { type MockUpstream, startMockUpstream } from "../../helpers/mock-upstream.js";
import { captureLogs, freePort, type LogCapture, startFromConfig } from "../../server/engine-helpers.js";

export const CALLER_KEY = "sk-caller-key";

export interface PolicyHarness {
  mock: MockUpstream;
  gateway: Gateway;
  port: number;
  url: string;
  /** Access-log lines (the observer's JSON entries). */
  access: LogCapture;
  /** Records of finished requests, in order. */
  records: RequestRecord[];
  /** Resolves with the record of the next finished request whose path is `path`. */
  record(pred: (r: RequestRecord) => boolean): Promise<RequestRecord>;
  openai(gatewayKey?: string, headers?: Record<string, string>): OpenAI;
  anthropic(gatewayKey?: string, headers?: Record<string, string>): Anthropic;
  close(): Promise<void>;
}

export interface PolicyHarnessOptions {
  /** A whole config instead of the llm form (binds tests); `port` and `mockUrl` are given. */
  config?: (port: number, mockUrl: string) => Config;
  /** Extra llm-form fields (providers...). */
  llm?: Partial<NonNullable<Config["llm"]>>;
  keyHeader?: string;
}

export async function startPolicyHarness(
  policies: PoliciesConfig,
  options: PolicyHarnessOptions = {},
): Promise<PolicyHarness> {
  const mock = await startMockUpstream();
  const port = await freePort();
  const config =
    options.config?.(port, mock.url) ?? llmConfig(port, mock.url, { policies, ...(options.llm ?? {}) });
  const access = captureLogs();
  const records: RequestRecord[] = [];
  let waiters: Array<{ pred: (r: RequestRecord) => boolean; resolve: (r: RequestRecord) => void }> = [];
  const inner = createObserver({ accessLog: createAccessLog(access.logger, "json") });
  const { gateway } = await startFromConfig(config, {
    observer: {
      start: (req, res, record) => inner.start(req, res, record),
      end: (record) => {
        inner.end(record);
        records.push(record);
        waiters = waiters.filter((w) => {
          if (!w.pred(record)) return true;
          w.resolve(record);
          return false;
        });
      },
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const header = options.keyHeader ?? "x-agw-authorization";
  const auth = (key: string | undefined, extra: Record<string, string> = {}) =>
    key === undefined ? extra : { [header]: `Bearer ${key}`, ...extra };
  return {
    mock,
    gateway,
    port,
    url,
    access,
    records,
    record(pred) {
      const found = records.find(pred);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ pred, resolve }));
    },
    openai: (key, headers) =>
      new OpenAI({
        apiKey: CALLER_KEY,
        baseURL: `${url}/v1`,
        maxRetries: 0,
        defaultHeaders: auth(key, headers),
      }),
    anthropic: (key, headers) =>
      new Anthropic({ apiKey: CALLER_KEY, baseURL: url, maxRetries: 0, defaultHeaders: auth(key, headers) }),
    async close() {
      await gateway.drain(1000);
      await mock.close();
    },
  };
}

/** The error an SDK call rejects with (the test fails if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<{
  status: number;
  headers: Headers | Record<string, string>;
  error: unknown;
  message: string;
}> {
  try {
    await p;
  } catch (err) {
    const e = err as { status?: number; headers?: Headers; error?: unknown; message?: string };
    return { status: e.status ?? 0, headers: e.headers ?? {}, error: e.error, message: e.message ?? "" };
  }
  throw new Error("expected the call to fail");
}

export function headerOf(h: Headers | Record<string, string>, name: string): string | undefined {
  if (h instanceof Headers) return h.get(name) ?? undefined;
  return h[name];
}
