/**
 * 5xx and 429 storms through retry and fallback, counted at the upstreams: exact attempt
 * counts per target, Retry-After honoured, a 4xx returned at once, nothing retried once the
 * first byte reached the client, and the caller's answer always in its own format.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { compileConfig } from "../../src/config/compile.js";
import { type Gateway, startGateway } from "../../src/server/gateway.js";
import { type MockUpstream, startMockUpstream } from "../helpers/mock-upstream.js";
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
} from "./harness.js";

const env = { PRIMARY_KEY: "sk-storm-primary", BACKUP_KEY: "sk-storm-backup" };
let primary: MockUpstream;
let backup: MockUpstream;
let gateway: Gateway;
let url: string;
let logs: ReturnType<typeof captureLogs>;

beforeAll(async () => {
  primary = await startMockUpstream();
  backup = await startMockUpstream();
  const port = await freePort();
  const yaml = `
llm:
  port: ${port}
  address: 127.0.0.1
  providers:
    - { name: primary, provider: openAI, baseUrl: "${primary.url}/v1", credential: env::PRIMARY_KEY }
    - { name: backup, provider: anthropic, baseUrl: "${backup.url}/v1", credential: env::BACKUP_KEY }
  targets:
    - { name: p-t, provider: primary, model: p-model }
    - { name: b-t, provider: backup, model: b-model }
  routes:
    - name: chain
      models: [storm]
      strategy: fallback
      targets: [p-t, b-t]
      retry: { attempts: 2, backoff: 1ms, maxRetryAfter: 2s }
    - name: solo
      models: [solo]
      strategy: single
      targets: [p-t]
      retry: { attempts: 3, backoff: 1ms, maxRetryAfter: 2s }
  policies:
    timeout: { requestTimeout: 2s, streamIdleTimeout: 2s }
`;
  const runtime = compileConfig(loadYaml(yaml, env), { env });
  logs = captureLogs();
  gateway = await startGateway({ runtime, logger: logs.logger });
  url = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await gateway.drain(500);
  await primary.close();
  await backup.close();
});
beforeEach(() => {
  primary.reset();
  backup.reset();
});

const cases: Array<{ client: ClientKind; stream: boolean }> = [
  { client: "chat", stream: false },
  { client: "chat", stream: true },
  { client: "messages", stream: false },
  { client: "messages", stream: true },
];

describe.each(cases)("$client stream=$stream", ({ client, stream }) => {
  const ask = (model: string) => post(url, pathOf(client), bodyOf(client, model, stream, "storm test"));

  it("a 500 storm on the first target: 1 + 2 retries there, then the fallback answers", async () => {
    primary.always({ error: { status: 500, format: "openai", message: "boom" } });
    const r = await ask("storm");
    expect(r.status, JSON.stringify(logs.lines.filter((l) => l.level === 50))).toBe(200);
    expect(r.text).toContain("storm");
    if (stream) expect(endedCleanly(client, r.text)).toBe(true);
    expect(primary.requests.length).toBe(3);
    expect(backup.requests.length).toBe(1);
    expect((backup.requests[0]?.json as { model?: string } | undefined)?.model).toBe("b-model");
  });

  it("503 everywhere: 3 attempts per target, then the last 503 in the caller's envelope", async () => {
    primary.always({ error: { status: 503, format: "openai", message: "primary down" } });
    backup.always({ error: { status: 503, format: "anthropic", message: "backup down" } });
    const r = await ask("storm");
    expect(r.status).toBe(503);
    expect(expectEnvelope(client, r.text).message).toContain("backup down");
    expect(primary.requests.length).toBe(3);
    expect(backup.requests.length).toBe(3);
  });

  it("resets before headers count as attempts and fall back the same way", async () => {
    primary.always({ fault: "resetBeforeHeaders" });
    const r = await ask("storm");
    expect(r.status).toBe(200);
    expect(primary.requests.length).toBe(3);
    expect(backup.requests.length).toBe(1);
  });

  it("a 400 goes back to the caller at once: no retry, no fallback", async () => {
    primary.always({ error: { status: 400, format: "openai", message: "bad field" } });
    const r = await ask("storm");
    expect(r.status).toBe(400);
    expect(expectEnvelope(client, r.text).message).toContain("bad field");
    expect(primary.requests.length).toBe(1);
    expect(backup.requests.length).toBe(0);
  });

  it("429 with Retry-After: the wait is honoured and the attempt count is exact", async () => {
    primary.script({ error: { status: 429, format: "openai", message: "slow", retryAfter: 0.3 } });
    primary.script({ error: { status: 429, format: "openai", message: "slow", retryAfter: 0.3 } });
    const r = await ask("solo");
    expect(r.status).toBe(200);
    expect(primary.requests.length).toBe(3);
    const [a, b, c] = primary.requests;
    expect(b!.receivedAt - a!.receivedAt).toBeGreaterThanOrEqual(280);
    expect(c!.receivedAt - b!.receivedAt).toBeGreaterThanOrEqual(280);
  });

  it("a 429 storm on a single target: 1 + 3 attempts, then 429 with Retry-After kept", async () => {
    primary.always({ error: { status: 429, format: "openai", message: "quota", retryAfter: 0 } });
    const r = await ask("solo");
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBe("0");
    expect(expectEnvelope(client, r.text).message).toContain("quota");
    expect(primary.requests.length).toBe(4);
  });

  it("nothing is retried once the first byte went out", async () => {
    if (!stream) return;
    primary.always({ fault: { resetAfterBytes: 200 }, reply: { text: "partial answer ".repeat(30) } });
    const r = await ask("storm");
    expect(r.status).toBe(200);
    expect(streamError(client, r.text)).toBeDefined();
    expect(primary.requests.length).toBe(1);
    expect(backup.requests.length).toBe(0);
  });
});
