/**
 * The `llm` form and the reference's YAML snippets, loaded through the real loader and served
 * as written. They name https://api.openai.com: the gateway's dispatcher factory sends every
 * upstream socket to the local mock instead, in plain HTTP, so nothing leaves the machine.
 */
import { afterEach, describe, expect, it } from "vitest";
import { compileConfig } from "../../src/config/compile.js";
import { loadConfigText } from "../../src/config/load.js";
import { type Gateway, startGateway } from "../../src/server/gateway.js";
import { type MockUpstream, startMockUpstream } from "../helpers/mock-upstream.js";
import { captureLogs, freePort, type LogCapture, localDispatcher, send } from "./engine-helpers.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const env = { OPENAI_API_KEY: "sk-fake-for-tests" };

const LLM_OPAQUE = `# yaml-language-server: $schema=https://agentgateway.dev/schema/config
llm:
  models:
  - name: "*"
    provider: openAI
    params:
      apiKey: "$OPENAI_API_KEY"
    passthrough: opaque
`;

const BINDS_PASSTHROUGH = `# yaml-language-server: $schema=https://agentgateway.dev/schema/config
binds:
- port: 4000
  listeners:
  - routes:
    - backends:
      - ai:
          name: openai
          provider:
            openAI: {}
      policies:
        ai:
          routes:
            "/v1/chat/completions": "completions"
            "*": "passthrough"
        backendAuth:
          key: "$OPENAI_API_KEY"
`;

const LLM_DETECT = `# yaml-language-server: $schema=https://agentgateway.dev/schema/config
llm:
  models:
  - name: "*"
    provider: openAI
    params:
      apiKey: "$OPENAI_API_KEY"
    passthrough: detect
`;

async function serveText(
  text: string,
  m: MockUpstream,
): Promise<{ gateway: Gateway; logs: LogCapture; dialed: string[] }> {
  const loaded = loadConfigText(text, { file: "snippet.yaml", env });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const logs = captureLogs();
  const dialed: string[] = [];
  const gateway = await startGateway({
    runtime: compileConfig(loaded.config, { env }),
    logger: logs.logger,
    dispatcherFactory: localDispatcher(m.port, dialed),
  });
  cleanups.push(() => gateway.drain(1000));
  return { gateway, logs, dialed };
}

const chat = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hello there" }] });

describe("the reference snippets, served as written on port 4000", () => {
  it("llm form, passthrough: opaque — chat reaches api.openai.com with the key, an unknown path with the caller's", async () => {
    const m = await startMockUpstream();
    cleanups.push(() => m.close());
    const { gateway, dialed } = await serveText(LLM_OPAQUE, m);
    expect([...gateway.addresses().keys()]).toEqual([4000]);
    expect(gateway.addresses().get(4000)?.address).toBe("0.0.0.0");

    const r = await send(4000, {
      method: "POST",
      path: "/v1/chat/completions",
      headers: { "content-type": "application/json", authorization: "Bearer caller-should-not-pass" },
      body: chat,
    });
    expect(r.status).toBe(200);
    expect((JSON.parse(r.body.toString()) as { object: string }).object).toBe("chat.completion");
    const s1 = await m.nextRequest();
    expect(s1.path).toBe("/v1/chat/completions");
    expect(s1.headers.host).toBe("api.openai.com");
    expect(s1.headers.authorization).toBe("Bearer sk-fake-for-tests");
    expect(s1.text).toBe(chat);

    // The managed key is not lent to paths passed through unparsed (keyOnOpaquePaths).
    await send(4000, { path: "/v1/files?purpose=batch", headers: { authorization: "Bearer caller-own" } });
    const s2 = await m.nextRequest();
    expect(s2.path).toBe("/v1/files?purpose=batch");
    expect(s2.headers.authorization).toBe("Bearer caller-own");
    expect(dialed).toContain("https://api.openai.com");
    const none = await send(4000, { path: "/v1/files" });
    expect(none.status).toBe(401);
    expect(none.body.toString()).toContain("llm.models[0].params.keyOnOpaquePaths");
  });

  it("binds form with ai.routes and backendAuth key", async () => {
    const m = await startMockUpstream();
    cleanups.push(() => m.close());
    await serveText(BINDS_PASSTHROUGH, m);
    const r = await send(4000, {
      method: "POST",
      path: "/v1/chat/completions",
      headers: { "content-type": "application/json" },
      body: chat,
    });
    expect(r.status).toBe(200);
    const s1 = await m.nextRequest();
    expect(s1.headers.authorization).toBe("Bearer sk-fake-for-tests");
    expect(s1.headers.host).toBe("api.openai.com");
    // "*" is passthrough here: the caller's own key goes, not backendAuth's.
    const r2 = await send(4000, { path: "/v1/models", headers: { authorization: "Bearer caller-own" } });
    expect(r2.status).toBe(200);
    const s2 = await m.nextRequest();
    expect(s2.path).toBe("/v1/models");
    expect(s2.headers.authorization).toBe("Bearer caller-own");
  });

  it("llm form, passthrough: detect — bytes unchanged, model and usage recorded", async () => {
    const m = await startMockUpstream();
    cleanups.push(() => m.close());
    const { logs } = await serveText(LLM_DETECT, m);
    const body = JSON.stringify({ model: "gpt-4o-mini", prompt: "x" });
    const payload = {
      id: "cmpl-1",
      model: "gpt-4o-mini-2024",
      usage: { prompt_tokens: 11, completion_tokens: 7 },
    };
    m.script({ json: payload });
    const r = await send(4000, {
      method: "POST",
      path: "/v1/completions",
      headers: { "content-type": "application/json", authorization: "Bearer caller-own" },
      body,
    });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body.toString())).toEqual(payload);
    const line = await logs.waitFor((l) => l.msg === "request" && l.path === "/v1/completions");
    expect(line).toMatchObject({
      routeType: "detect",
      status: 200,
      model: "gpt-4o-mini",
      responseModel: "gpt-4o-mini-2024",
      inputTokens: 11,
      outputTokens: 7,
    });
  });
});

describe("llm form model choice", () => {
  it("routes by model across providers; an undecidable path answers 404 model_not_found", async () => {
    const openai = await startMockUpstream();
    const anthropic = await startMockUpstream();
    cleanups.push(
      () => openai.close(),
      () => anthropic.close(),
    );
    const port = await freePort();
    const loaded = loadConfigText(
      `llm:
  port: ${port}
  address: 127.0.0.1
  models:
  - name: "gpt-*"
    provider: openAI
    params: { baseUrl: "${openai.url}/v1", apiKey: "sk-o" }
  - name: "claude-*"
    provider: anthropic
    params: { baseUrl: "${anthropic.url}/v1", apiKey: "sk-a" }
`,
      { file: "m.yaml", env: {} },
    );
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const logs = captureLogs();
    const gateway = await startGateway({
      runtime: compileConfig(loaded.config, { env: {} }),
      logger: logs.logger,
    });
    cleanups.push(() => gateway.drain(1000));

    const r1 = await send(port, { method: "POST", path: "/v1/chat/completions", body: chat });
    expect(r1.status).toBe(200);
    expect((await openai.nextRequest()).headers.authorization).toBe("Bearer sk-o");

    const msg = JSON.stringify({
      model: "claude-3",
      max_tokens: 3,
      messages: [{ role: "user", content: "hi" }],
    });
    const r2 = await send(port, { method: "POST", path: "/v1/messages", body: msg });
    expect(r2.status).toBe(200);
    const s2 = await anthropic.nextRequest();
    expect(s2.headers["x-api-key"]).toBe("sk-a");
    expect(s2.text).toBe(msg);

    const r3 = await send(port, {
      method: "POST",
      path: "/v1/chat/completions",
      body: chat.replace("gpt", "llama"),
    });
    expect(r3.status).toBe(404);
    expect(r3.headers["x-agw-error-code"]).toBe("model_not_found");

    const r4 = await send(port, { path: "/v1/files" });
    expect(r4.status).toBe(404);
    expect(r4.headers["x-agw-error-code"]).toBe("model_not_found");

    const r5 = await send(port, { method: "POST", path: "/v1/messages", body: "{}" });
    expect(r5.status).toBe(400);
    expect(r5.headers["x-agw-error-code"]).toBe("missing_model");
    // Errors on messages routes use Anthropic's envelope.
    expect(JSON.parse(r5.body.toString())).toMatchObject({
      type: "error",
      error: { type: "invalid_request_error" },
    });
    expect(openai.requests).toHaveLength(1);
    expect(anthropic.requests).toHaveLength(1);
  });
});
