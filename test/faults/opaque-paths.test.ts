/**
 * Paths agw passes through unparsed (issue 16, item 2): a gateway key that allowedModels limits
 * cannot reach them unless allowOpaquePaths says so, the managed key goes on them only where
 * keyOnOpaquePaths lends it (else the caller's own key goes), and no spelling of an LLM path
 * (case, trailing slash) is passed through unparsed past the guards and the key's models.
 * Real sockets: agw on 127.0.0.1:0 in front of the mock upstream.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileConfig } from "../../src/config/compile.js";
import { type Gateway, startGateway } from "../../src/server/gateway.js";
import { type MockUpstream, startMockUpstream } from "../helpers/mock-upstream.js";
import { captureLogs, freePort, send } from "../server/engine-helpers.js";
import { loadYaml } from "./harness.js";

const MANAGED = "sk-opaque-managed-5d1c7e";
const CALLER = "sk-opaque-caller-90aa31";

interface Served {
  mock: MockUpstream;
  gateway: Gateway;
  port: number;
}

async function serve(yaml: (mockUrl: string, port: number) => string): Promise<Served> {
  const mock = await startMockUpstream();
  const port = await freePort();
  const config = loadYaml(yaml(mock.url, port), {});
  const gateway = await startGateway({
    runtime: compileConfig(config, { env: {} }),
    logger: captureLogs().logger,
  });
  return { mock, gateway, port };
}

async function stop(s: Served | undefined): Promise<void> {
  if (s === undefined) return;
  await s.gateway.drain(500);
  await s.mock.close();
}

/** The requests the attack review saw reach the upstream with the managed key. */
const OPAQUE: ReadonlyArray<{ method: string; path: string; body?: string }> = [
  { method: "POST", path: "/v1/completions", body: JSON.stringify({ model: "gpt-4o", prompt: "hi" }) },
  { method: "GET", path: "/v1/files" },
  { method: "GET", path: "/v1/files/file-abc/content" },
  { method: "GET", path: "/v1/batches" },
  { method: "GET", path: "/v1/responses/resp_123" },
  {
    method: "POST",
    path: "/v1/images/generations",
    body: JSON.stringify({ model: "dall-e-3", prompt: "x" }),
  },
];

function gw(key: string): Record<string, string> {
  return { "x-agw-authorization": `Bearer ${key}` };
}

describe("llm form: a managed key on '*' and keys limited by allowedModels", () => {
  let s: Served;
  beforeAll(async () => {
    s = await serve(
      (url, port) => `
llm:
  port: ${port}
  address: 127.0.0.1
  models:
    - name: "*"
      provider: openAI
      params: { apiKey: "${MANAGED}", baseUrl: "${url}/v1" }
  policies:
    apiKey:
      keys:
        - { name: narrow, key: k-narrow, allowedModels: [gpt-4o-mini] }
        - { name: narrow-opaque, key: k-narrow-opaque, allowedModels: [gpt-4o-mini], allowOpaquePaths: true }
        - { name: wide, key: k-wide }
    ai:
      promptGuard:
        request:
          - blocklist: { words: ["project falcon"] }
`,
    );
  });
  afterAll(() => stop(s));

  it.each(OPAQUE)(
    "$method $path with a limited key: 403 naming allowOpaquePaths, nothing sent",
    async (r) => {
      const before = s.mock.requests.length;
      const a = await send(s.port, {
        method: r.method,
        path: r.path,
        headers: { ...gw("k-narrow"), authorization: `Bearer ${CALLER}`, "content-type": "application/json" },
        ...(r.body === undefined ? {} : { body: r.body }),
      });
      expect(a.status).toBe(403);
      expect(a.headers["x-agw-error-code"]).toBe("forbidden");
      expect(a.body.toString()).toContain("allowOpaquePaths");
      expect(s.mock.requests.length).toBe(before);
    },
  );

  it.each(OPAQUE)(
    "$method $path with allowOpaquePaths: the caller's key goes, never the managed one",
    async (r) => {
      s.mock.script({ status: 200, json: { ok: true } });
      const a = await send(s.port, {
        method: r.method,
        path: r.path,
        headers: {
          ...gw("k-narrow-opaque"),
          authorization: `Bearer ${CALLER}`,
          "content-type": "application/json",
        },
        ...(r.body === undefined ? {} : { body: r.body }),
      });
      expect(a.status).toBe(200);
      const up = await s.mock.nextRequest();
      expect(up.pathname).toBe(r.path);
      expect(up.headers.authorization).toBe(`Bearer ${CALLER}`);
      expect(JSON.stringify(up.headers)).not.toContain(MANAGED);
      expect(up.headers["x-agw-authorization"]).toBeUndefined();
    },
  );

  it("an opaque path without the caller's own key: 401 naming keyOnOpaquePaths, nothing sent", async () => {
    const before = s.mock.requests.length;
    const a = await send(s.port, { path: "/v1/files", headers: gw("k-wide") });
    expect(a.status).toBe(401);
    expect(a.headers["x-agw-error-code"]).toBe("unauthorized");
    expect(a.body.toString()).toContain("llm.models[0].params.keyOnOpaquePaths");
    expect(a.body.toString()).not.toContain(MANAGED);
    expect(s.mock.requests.length).toBe(before);
  });

  const SPELLINGS = [
    "/v1/chat/completions/",
    "/V1/chat/completions",
    "/v1/Chat/Completions",
    "/CHAT/COMPLETIONS/",
  ];

  it.each(SPELLINGS)("%s is a completions request: the key's models are judged", async (path) => {
    const before = s.mock.requests.length;
    const a = await send(s.port, {
      method: "POST",
      path,
      headers: { ...gw("k-narrow"), "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(a.status).toBe(403);
    const err = (JSON.parse(a.body.toString()) as { error: { message: string } }).error;
    expect(err.message).toContain('may not use model "gpt-4o"');
    expect(s.mock.requests.length).toBe(before);
  });

  it.each(SPELLINGS)("%s is a completions request: the guard reads it", async (path) => {
    const before = s.mock.requests.length;
    const a = await send(s.port, {
      method: "POST",
      path,
      headers: { ...gw("k-wide"), "content-type": "application/json" },
      body: JSON.stringify({
        model: "gpt-4o",
        messages: [{ role: "user", content: "about Project Falcon" }],
      }),
    });
    expect(a.status).toBe(403);
    expect(a.headers["x-agw-error-code"]).toBe("guardrail_rejected");
    expect(s.mock.requests.length).toBe(before);
  });

  it.each(SPELLINGS)("%s is served as /v1/chat/completions with the managed key", async (path) => {
    const a = await send(s.port, {
      method: "POST",
      path,
      headers: { ...gw("k-narrow"), "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(a.status).toBe(200);
    const up = await s.mock.nextRequest();
    expect(up.pathname).toBe("/v1/chat/completions");
    expect(up.headers.authorization).toBe(`Bearer ${MANAGED}`);
  });
});

describe("keyOnOpaquePaths lends the managed key, where the config says so", () => {
  let llm: Served | undefined;
  let binds: Served | undefined;
  afterAll(async () => {
    await stop(llm);
    await stop(binds);
  });

  it("llm form: params.keyOnOpaquePaths and apiKey.allowOpaquePaths (policy-wide)", async () => {
    llm = await serve(
      (url, port) => `
llm:
  port: ${port}
  address: 127.0.0.1
  models:
    - name: "*"
      provider: openAI
      params: { apiKey: "${MANAGED}", baseUrl: "${url}/v1", keyOnOpaquePaths: true }
  policies:
    apiKey:
      allowOpaquePaths: true
      keys:
        - { name: narrow, key: k-narrow, allowedModels: [gpt-4o-mini] }
        - { name: narrow-closed, key: k-closed, allowedModels: [gpt-4o-mini], allowOpaquePaths: false }
`,
    );
    llm.mock.script({ status: 200, json: { data: [] } });
    const a = await send(llm.port, {
      path: "/v1/files",
      headers: { ...gw("k-narrow"), authorization: "Bearer other" },
    });
    expect(a.status).toBe(200);
    const up = await llm.mock.nextRequest();
    expect(up.headers.authorization).toBe(`Bearer ${MANAGED}`);
    // A key's own setting wins over the policy's.
    const b = await send(llm.port, { path: "/v1/files", headers: gw("k-closed") });
    expect(b.status).toBe(403);
  });

  it("binds form: backendAuth.keyOnOpaquePaths; without it the caller's key goes", async () => {
    binds = await serve(
      (url, port) => `
binds:
  - port: ${port}
    address: 127.0.0.1
    listeners:
      - routes:
          - name: lent
            matches: [{ path: { pathPrefix: /lent } }]
            backends: [{ ai: { name: openai, provider: { openAI: {} }, baseUrl: "${url}/v1" } }]
            policies:
              backendAuth: { key: "${MANAGED}", keyOnOpaquePaths: true }
          - name: kept
            backends: [{ ai: { name: openai, provider: { openAI: {} }, baseUrl: "${url}/v1" } }]
            policies:
              backendAuth: { key: "${MANAGED}" }
`,
    );
    binds.mock.always({ status: 200, json: { ok: true } });
    expect((await send(binds.port, { path: "/lent/v1/files" })).status).toBe(200);
    expect((await binds.mock.nextRequest()).headers.authorization).toBe(`Bearer ${MANAGED}`);
    expect(
      (await send(binds.port, { path: "/v1/files", headers: { authorization: `Bearer ${CALLER}` } })).status,
    ).toBe(200);
    expect((await binds.mock.nextRequest()).headers.authorization).toBe(`Bearer ${CALLER}`);
    const none = await send(binds.port, { path: "/v1/files" });
    expect(none.status).toBe(401);
    expect(none.body.toString()).toContain("policies.backendAuth.keyOnOpaquePaths");
  });
});
