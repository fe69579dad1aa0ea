/**
 * Upstream answers are size-capped (small caps configured here): a JSON answer over
 * `maxUpstreamResponse` is a 502 upstream_response_too_large in the caller's envelope, an SSE
 * line that never ends stops at `maxUpstreamEvent` with an error event in the caller's format,
 * and either way the upstream connection is cut (the endless upstream sees its socket close)
 * and the gateway keeps serving. A webhook guard's answer is capped too.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { compileConfig } from "../../src/config/compile.js";
import { createWebhookGuard, WEBHOOK_ANSWER_LIMIT } from "../../src/policies/prompt-guard/webhook.js";
import { type Gateway, startGateway } from "../../src/server/gateway.js";
import { captureLogs, freePort } from "../server/engine-helpers.js";
import {
  bodyOf,
  type ClientKind,
  endedCleanly,
  expectEnvelope,
  loadYaml,
  pathOf,
  post,
  streamError,
  until,
  within,
} from "./harness.js";

const MAX_RESPONSE = 64 * 1024;
const MAX_EVENT = 16 * 1024;

type Mode =
  | "endlessJson"
  | "endlessSse"
  | "bigJson"
  | "okJsonNearLimit"
  | "okSse"
  | "endlessLineSseAfterEvent"
  | "endlessDeltas";

/** An upstream that answers per `mode`, writing endlessly where asked until its socket closes. */
interface Endless {
  url: string;
  mode: Mode;
  /** Sockets closed while an endless answer was being written. */
  closedMidAnswer: number;
  sent: number;
  close(): Promise<void>;
}

async function startEndless(): Promise<Endless> {
  const state: Endless = {
    url: "",
    mode: "okSse",
    closedMidAnswer: 0,
    sent: 0,
    close: async () => {},
  };
  const chunk = Buffer.alloc(8192, 0x61);
  const server = http.createServer((req, res) => {
    req.resume();
    const endless = (head: string, sse: boolean): void => {
      res.writeHead(200, { "content-type": sse ? "text/event-stream" : "application/json" });
      res.write(head);
      let open = true;
      res.on("close", () => {
        if (open) state.closedMidAnswer++;
        open = false;
      });
      const pump = (): void => {
        while (open) {
          state.sent += chunk.byteLength;
          if (!res.write(chunk)) {
            res.once("drain", pump);
            return;
          }
        }
      };
      pump();
    };
    const chatJson = (content: string) =>
      JSON.stringify({
        id: "c1",
        object: "chat.completion",
        created: 1,
        model: "up",
        choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      });
    const first = `data: ${JSON.stringify({
      id: "c1",
      object: "chat.completion.chunk",
      created: 1,
      model: "up",
      choices: [{ index: 0, delta: { role: "assistant", content: "hi" }, finish_reason: null }],
    })}\n\n`;
    switch (state.mode) {
      case "endlessJson":
        endless('{"id":"c1","object":"chat.completion","choices":[{"message":{"content":"', false);
        return;
      case "endlessSse":
        endless('data: {"id":"c1","choices":[{"delta":{"content":"', true);
        return;
      case "endlessDeltas": {
        // Well-formed small events, forever: only a whole-answer bound stops them.
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write(first);
        const delta = Buffer.from(
          `data: ${JSON.stringify({
            id: "c1",
            object: "chat.completion.chunk",
            created: 1,
            model: "up",
            choices: [{ index: 0, delta: { content: "a".repeat(1000) }, finish_reason: null }],
          })}\n\n`,
        );
        let open = true;
        res.on("close", () => {
          if (open) state.closedMidAnswer++;
          open = false;
        });
        const pump = (): void => {
          while (open) {
            state.sent += delta.byteLength;
            if (!res.write(delta)) return void res.once("drain", pump);
          }
        };
        pump();
        return;
      }
      case "endlessLineSseAfterEvent":
        endless(`${first}data: {"id":"c1","choices":[{"delta":{"content":"`, true);
        return;
      case "bigJson": {
        const body = chatJson("a".repeat(MAX_RESPONSE + 10));
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
        res.end(body);
        return;
      }
      case "okJsonNearLimit": {
        const body = chatJson("a".repeat(MAX_RESPONSE - 1000));
        res.writeHead(200, { "content-type": "application/json" });
        res.end(body);
        return;
      }
      case "okSse": {
        res.writeHead(200, { "content-type": "text/event-stream" });
        const last = `data: ${JSON.stringify({
          id: "c1",
          object: "chat.completion.chunk",
          created: 1,
          model: "up",
          choices: [{ index: 0, delta: {}, finish_reason: "stop" }],
        })}\n\ndata: [DONE]\n\n`;
        res.end(first + last);
        return;
      }
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return state;
}

let up: Endless;
let gateway: Gateway;
let url: string;
let logs: ReturnType<typeof captureLogs>;

beforeAll(async () => {
  up = await startEndless();
  const port = await freePort();
  const yaml = `
config:
  maxUpstreamResponse: ${MAX_RESPONSE}B
  maxUpstreamEvent: ${MAX_EVENT}B
llm:
  port: ${port}
  address: 127.0.0.1
  models:
    - name: "*"
      provider: openAI
      params: { apiKey: sk-size-test, baseUrl: "${up.url}/v1" }
  policies:
    timeout: { requestTimeout: 5s, streamIdleTimeout: 5s }
`;
  logs = captureLogs();
  gateway = await startGateway({
    runtime: compileConfig(loadYaml(yaml, {}), { env: {} }),
    logger: logs.logger,
  });
  url = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await gateway.drain(500);
  await up.close();
});
beforeEach(() => {
  up.closedMidAnswer = 0;
  up.sent = 0;
});

// chat → OpenAI is the same-format fast path; messages → OpenAI is translated.
const clients: ClientKind[] = ["chat", "messages"];

async function accessLine(path: string, before: number): Promise<Record<string, unknown>> {
  await until(
    () => logs.lines.slice(before).some((l) => l.msg === "request" && l.path === path),
    3000,
    "access line",
  );
  return logs.lines.slice(before).find((l) => l.msg === "request" && l.path === path)!;
}

async function stillServes(client: ClientKind): Promise<void> {
  up.mode = "okSse";
  const r = await post(url, pathOf(client), bodyOf(client, "m", true));
  expect(r.status).toBe(200);
  expect(endedCleanly(client, r.text)).toBe(true);
}

describe.each(clients)("%s client", (client) => {
  it("an endless JSON answer: 502 upstream_response_too_large, the upstream cut", async () => {
    up.mode = "endlessJson";
    const before = logs.lines.length;
    const r = await within(post(url, pathOf(client), bodyOf(client, "m", false)), 10_000, "answer");
    expect(r.status).toBe(502);
    expect(r.headers.get("x-agw-error-code")).toBe("upstream_response_too_large");
    expect(expectEnvelope(client, r.text).message).toContain("config.maxUpstreamResponse");
    await until(() => up.closedMidAnswer === 1, 3000, "upstream socket closed");
    // Cut soon after the cap, not read to the end (socket buffers allow some slack).
    expect(up.sent).toBeLessThan(MAX_RESPONSE + 8 * 1024 * 1024);
    expect((await accessLine(pathOf(client), before)).error).toBe("upstream_response_too_large");
    await stillServes(client);
  });

  it("a JSON answer one chunk over the cap (declared length) is refused; one under it passes", async () => {
    up.mode = "bigJson";
    const big = await post(url, pathOf(client), bodyOf(client, "m", false));
    expect(big.status).toBe(502);
    expect(big.headers.get("x-agw-error-code")).toBe("upstream_response_too_large");
    up.mode = "okJsonNearLimit";
    const ok = await post(url, pathOf(client), bodyOf(client, "m", false));
    expect(ok.status).toBe(200);
  });

  it.each(["endlessSse", "endlessLineSseAfterEvent"] as const)(
    "%s: the stream ends with an upstream_response_too_large error event, the upstream cut",
    async (mode) => {
      up.mode = mode;
      const before = logs.lines.length;
      const r = await within(post(url, pathOf(client), bodyOf(client, "m", true)), 10_000, "stream");
      expect(r.status).toBe(200);
      expect(endedCleanly(client, r.text)).toBe(false);
      const err = streamError(client, r.text);
      expect(JSON.stringify(err)).toContain("config.maxUpstreamEvent");
      if (client === "chat") expect(err).toMatchObject({ error: { code: "upstream_response_too_large" } });
      await until(() => up.closedMidAnswer === 1, 3000, "upstream socket closed");
      expect(up.sent).toBeLessThan(MAX_EVENT + 8 * 1024 * 1024);
      expect((await accessLine(pathOf(client), before)).error).toBe("upstream_response_too_large");
      await stillServes(client);
    },
  );
});

describe("a stream held whole for a webhook response guard", () => {
  it("ends with upstream_response_too_large past maxUpstreamResponse, the upstream cut", async () => {
    const port = await freePort();
    const yaml = `
config:
  maxUpstreamResponse: ${MAX_RESPONSE}B
llm:
  port: ${port}
  address: 127.0.0.1
  models:
    - name: "*"
      provider: openAI
      params: { apiKey: sk-size-test, baseUrl: "${up.url}/v1" }
  policies:
    timeout: { requestTimeout: 5s, streamIdleTimeout: 5s }
    ai:
      promptGuard:
        response:
          - webhook: { url: "http://127.0.0.1:9/never-called" }
`;
    const guarded = await startGateway({
      runtime: compileConfig(loadYaml(yaml, {}), { env: {} }),
      logger: captureLogs().logger,
    });
    try {
      up.mode = "endlessDeltas";
      const r = await within(
        post(`http://127.0.0.1:${port}`, pathOf("chat"), bodyOf("chat", "m", true)),
        10_000,
        "stream",
      );
      expect(endedCleanly("chat", r.text)).toBe(false);
      expect(streamError("chat", r.text)).toMatchObject({ error: { code: "upstream_response_too_large" } });
      await until(() => up.closedMidAnswer === 1, 3000, "upstream socket closed");
    } finally {
      await guarded.drain(500);
    }
  });
});

describe("webhook guard answer", () => {
  it("an endless webhook answer is a failed check (failClosed), not held whole", async () => {
    const hook = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"action":"mask","text":"');
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let open = true;
      res.on("close", () => {
        open = false;
      });
      const pump = (): void => {
        while (open) if (!res.write(chunk)) return void res.once("drain", pump);
      };
      pump();
    });
    await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
    try {
      const guard = createWebhookGuard({
        webhook: { url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/check`, timeout: "20s" },
      });
      const verdict = await within(guard.check(["hello"], "request"), 20_000, "verdict");
      expect(verdict).toEqual({ action: "failed", reason: "webhook answer too large" });
      expect(WEBHOOK_ANSWER_LIMIT).toBe(32 * 1024 * 1024);
    } finally {
      hook.closeAllConnections();
      await new Promise<void>((r) => hook.close(() => r()));
    }
  }, 30_000);
});
