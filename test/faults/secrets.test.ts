/**
 * Secrets under fault: with known values for managed keys (two providers), a gateway key, a
 * webhook header, a backendAuth key and the caller's own key, every error path we can reach
 * is driven through `serve` (401, 404, 413, 400, 429, 502, 504, upstream errors, mid-stream
 * errors, reload failures, explain), and the values must appear in no log line, error body,
 * response header, metric or config dump. A managed key goes only to its own provider, a
 * caller's key never to a managed target, and `provider::` can only name configured providers.
 */
import { EventEmitter } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { explainModel } from "../../src/llm/routing/explain-config.js";
import { type ServeHandle, type SignalSource, serve } from "../../src/process/serve.js";
import { type MockUpstream, refusedUrl, startMockUpstream } from "../helpers/mock-upstream.js";
import { captureLogs, freePort, type LogCapture } from "../server/engine-helpers.js";
import { loadYaml, until } from "./harness.js";

const SECRETS = {
  MANAGED_A: "sk-secret-managedA-4b1f9e",
  MANAGED_B: "sk-secret-managedB-c07d22",
  GATEWAY_KEY: "agw-secret-gateway-8e5a13",
  HOOK_SECRET: "hook-secret-value-61d0ff",
  BACKEND_KEY: "sk-secret-backend-2a9c47",
} as const;
const CALLER = "sk-secret-caller-d3e8b5";
const ALL = [...Object.values(SECRETS), CALLER];
const env: Record<string, string> = { ...SECRETS };

let a: MockUpstream;
let b: MockUpstream;
let hook: MockUpstream;
let sentinel: net.Server;
let sentinelHits = 0;
let sentinelPort: number;
let dir: string;
let file: string;
let logs: LogCapture;
let handle: ServeHandle;
let exited: Promise<number>;
const signals = new EventEmitter();
let llmPort: number;
let bindPort: number;
let adminPort: number;
let statsPort: number;
let yaml: string;

/** Everything the callers saw (bodies and headers), searched at the end. */
const seenByCallers: string[] = [];

beforeAll(async () => {
  a = await startMockUpstream();
  b = await startMockUpstream();
  hook = await startMockUpstream();
  hook.always({ status: 200, json: { action: "pass" } });
  sentinel = net.createServer((s) => {
    sentinelHits++;
    s.destroy();
  });
  await new Promise<void>((r) => sentinel.listen(0, "127.0.0.1", r));
  sentinelPort = (sentinel.address() as net.AddressInfo).port;
  [llmPort, bindPort, adminPort, statsPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const dead = await refusedUrl();
  yaml = `
config:
  adminAddr: 127.0.0.1:${adminPort}
  statsAddr: 127.0.0.1:${statsPort}
  maxRequestBody: 8KiB
binds:
  - port: ${bindPort}
    address: 127.0.0.1
    listeners:
      - routes:
          - name: raw
            backends:
              - ai: { name: raw-a, provider: { openAI: { model: raw-model } }, baseUrl: "${a.url}/v1" }
            policies:
              backendAuth: { key: "$BACKEND_KEY" }
              localRateLimit: [{ maxTokens: 2, tokensPerFill: 1, fillInterval: 1h, type: requests }]
llm:
  port: ${llmPort}
  address: 127.0.0.1
  providers:
    - { name: prov-a, provider: openAI, baseUrl: "${a.url}/v1", credential: env::MANAGED_A, models: [pass-a] }
    - { name: prov-b, provider: anthropic, baseUrl: "${b.url}/v1", credential: env::MANAGED_B, models: [pass-b] }
    - { name: prov-dead, provider: openAI, baseUrl: "${dead}/v1", credential: env::MANAGED_A }
  targets:
    - { name: ta, provider: prov-a, model: up-a }
    - { name: tb, provider: prov-b, model: up-b }
    - { name: tdead, provider: prov-dead, model: up-dead }
  routes:
    - { name: ra, models: [managed-a], targets: [ta] }
    - { name: rb, models: [managed-b], targets: [tb] }
    - { name: rdead, models: [managed-dead], targets: [tdead] }
  policies:
    apiKey:
      keys: [{ name: team, key: "$GATEWAY_KEY" }]
    timeout: { requestTimeout: 300ms, streamIdleTimeout: 300ms }
    ai:
      promptGuard:
        request:
          - webhook:
              url: "${hook.url}/guard"
              headers: { authorization: "Bearer $HOOK_SECRET" }
`;
  dir = await mkdtemp(join(tmpdir(), "agw-secrets-"));
  file = join(dir, "agw.yaml");
  await writeFile(file, yaml);
  logs = captureLogs();
  let started!: (h: ServeHandle) => void;
  const ready = new Promise<ServeHandle>((r) => {
    started = r;
  });
  exited = serve({
    file,
    watch: false,
    env,
    logger: logs.logger,
    stderr: (t) => logs.lines.push({ stderr: t }),
    signals: signals as unknown as SignalSource,
    onStarted: started,
  });
  handle = await ready;
});

afterAll(async () => {
  signals.emit("SIGTERM");
  await exited;
  await Promise.all([a.close(), b.close(), hook.close()]);
  await new Promise<void>((r) => sentinel.close(() => r()));
  await rm(dir, { recursive: true, force: true });
});

async function call(
  port: number,
  path: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${CALLER}`,
      "x-agw-authorization": `Bearer ${SECRETS.GATEWAY_KEY}`,
      ...headers,
    },
    body,
  });
  let text = "";
  try {
    text = await res.text();
  } catch {
    // a cut stream: what arrived is enough
  }
  seenByCallers.push(text, JSON.stringify([...res.headers]));
  return { status: res.status, text, headers: res.headers };
}

const chat = (model: string, stream = false, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model, stream, messages: [{ role: "user", content: "hello" }], ...extra });

function expectNoSecret(where: string, text: string): void {
  for (const s of ALL) expect(text.includes(s), `${where} contains a secret`).toBe(false);
}

describe("every error path, no secret anywhere", () => {
  it("drives 401, 404, 413, 400, 429, 502, 504, upstream and mid-stream errors", async () => {
    const P = "/v1/chat/completions";
    // 401: no gateway key, and a wrong one.
    expect((await call(llmPort, P, chat("managed-a"), { "x-agw-authorization": "" })).status).toBe(401);
    expect((await call(llmPort, P, chat("managed-a"), { "x-agw-authorization": "Bearer nope" })).status).toBe(
      401,
    );
    // 404: unknown model, unknown provider prefix.
    expect((await call(llmPort, P, chat("no-such-model"))).status).toBe(404);
    expect((await call(llmPort, P, chat("nobody::x"))).status).toBe(404);
    // 413 and 400.
    expect((await call(llmPort, P, chat("managed-a", false, { pad: "x".repeat(10_000) }))).status).toBe(413);
    expect((await call(llmPort, P, "{not json")).status).toBe(400);
    // 502 (refused) and 504 (hang).
    expect((await call(llmPort, P, chat("managed-dead"))).status).toBe(502);
    a.script({ fault: "hang" });
    expect((await call(llmPort, P, chat("managed-a"))).status).toBe(504);
    // Upstream errors that echo the key they were sent (as real providers do on a 401).
    a.script({
      error: { status: 401, format: "openai", message: `Incorrect API key provided: ${SECRETS.MANAGED_A}` },
    });
    const echoed = await call(llmPort, P, chat("managed-a"));
    expect(echoed.status).toBe(401);
    expect(echoed.text).toContain("Incorrect API key provided: [redacted]");
    b.script({ error: { status: 403, format: "anthropic", message: `bad key ${SECRETS.MANAGED_B}` } });
    expect((await call(llmPort, P, chat("managed-b"))).status).toBe(403);
    b.script({ error: { status: 500, format: "anthropic", message: "boom" } });
    expect(
      (
        await call(
          llmPort,
          "/v1/messages",
          JSON.stringify({ model: "managed-b", max_tokens: 5, messages: [{ role: "user", content: "x" }] }),
        )
      ).status,
    ).toBe(500);
    // Mid-stream failures, same format and translated.
    a.script({ fault: { resetAfterBytes: 120 }, reply: { text: "long ".repeat(40) } });
    expect((await call(llmPort, P, chat("managed-a", true))).status).toBe(200);
    b.script({ fault: { resetAfterBytes: 120 }, reply: { text: "long ".repeat(40) } });
    expect((await call(llmPort, P, chat("managed-b", true))).status).toBe(200);
    // 429 from the local rate limit on the binds route (backendAuth key).
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(bindPort, P, chat("raw-model"))).status);
    expect(statuses).toEqual([200, 200, 429]);
    // A reload that fails, with a secret expanded into a field of the wrong type.
    await writeFile(file, `${yaml}\n# broken\n`.replace(`port: ${llmPort}`, "port: $MANAGED_A"));
    expect(await handle.watcher.reload()).toBe(false);
    await writeFile(file, yaml.replace("maxRequestBody: 8KiB", "maxRequestBody: $GATEWAY_KEY"));
    expect(await handle.watcher.reload()).toBe(false);
    await writeFile(file, yaml);
    expect(await handle.watcher.reload()).toBe(true);
  });

  it("no secret in error bodies or response headers", () => {
    expect(seenByCallers.length).toBeGreaterThan(20);
    for (const t of seenByCallers) expectNoSecret("a response", t);
  });

  it("no secret in any log line (access log, errors, reload failures)", async () => {
    await until(() => logs.lines.some((l) => String(l.msg).includes("reload failed")), 1000, "reload log");
    expect(logs.lines.length).toBeGreaterThan(20);
    for (const l of logs.lines) expectNoSecret("a log line", JSON.stringify(l));
  });

  it("no secret in /metrics or /config_dump", async () => {
    const metrics = await (await fetch(`http://127.0.0.1:${statsPort}/metrics`)).text();
    expect(metrics).toContain("# TYPE");
    expectNoSecret("/metrics", metrics);
    const dump = await (await fetch(`http://127.0.0.1:${adminPort}/config_dump`)).text();
    expect(dump).toContain("prov-a");
    expectNoSecret("/config_dump", dump);
  });

  it("no secret in explain", () => {
    const config = loadYaml(yaml, env);
    for (const model of ["managed-a", "managed-b", "pass-a", "prov-b::x"]) {
      const r = explainModel(config, env, model);
      expect(r.ok).toBe(true);
      if (r.ok) expectNoSecret(`explain ${model}`, r.text);
    }
  });
});

describe("keys go only where they belong", () => {
  it("a managed key reaches only its own provider; the caller's key never a managed target", async () => {
    a.reset();
    b.reset();
    expect((await call(llmPort, "/v1/chat/completions", chat("managed-a"))).status).toBe(200);
    expect((await call(llmPort, "/v1/chat/completions", chat("managed-b"))).status).toBe(200);
    expect(a.requests[0]?.headers.authorization).toBe(`Bearer ${SECRETS.MANAGED_A}`);
    expect(b.requests[0]?.headers["x-api-key"]).toBe(SECRETS.MANAGED_B);
    for (const r of a.requests) expect(JSON.stringify(r.headers) + r.text).not.toContain(SECRETS.MANAGED_B);
    for (const r of b.requests) expect(JSON.stringify(r.headers) + r.text).not.toContain(SECRETS.MANAGED_A);
    for (const r of [...a.requests, ...b.requests]) {
      expect(JSON.stringify(r.headers)).not.toContain(CALLER);
      expect(JSON.stringify(r.headers)).not.toContain(SECRETS.GATEWAY_KEY);
    }
    // Passthrough carries the caller's key and no managed one.
    a.reset();
    expect((await call(llmPort, "/v1/chat/completions", chat("pass-a"))).status).toBe(200);
    expect(a.requests[0]?.headers.authorization).toBe(`Bearer ${CALLER}`);
    expect(JSON.stringify(a.requests[0]?.headers)).not.toContain(SECRETS.MANAGED_A);
  });

  it("the webhook gets its header, and nobody else does", () => {
    expect(hook.requests.length).toBeGreaterThan(0);
    expect(hook.requests[0]?.headers.authorization).toBe(`Bearer ${SECRETS.HOOK_SECRET}`);
    for (const r of [...a.requests, ...b.requests])
      expect(JSON.stringify(r.headers)).not.toContain(SECRETS.HOOK_SECRET);
  });

  it.each([
    ["http://127.0.0.1:SENTINEL::x"],
    ["127.0.0.1:SENTINEL::x"],
    ["http://evil::x"],
    ["evil.example.com::gpt-4o"],
    ["//127.0.0.1:SENTINEL::x"],
    ["prov-a/../127.0.0.1:SENTINEL::x"],
    ["PROV-A::x"],
    ["::x"],
  ])("provider prefix %s names no configured provider → 404, nothing leaves", async (raw) => {
    a.reset();
    b.reset();
    const model = raw.replace("SENTINEL", String(sentinelPort));
    const r = await call(llmPort, "/v1/chat/completions", chat(model));
    expect(r.status).toBe(404);
    expect(a.requests.length + b.requests.length).toBe(0);
    expect(sentinelHits).toBe(0);
  });
});
