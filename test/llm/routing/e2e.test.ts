/**
 * Routing end to end over real sockets: the official openai SDK → agw (llm form) → the mock
 * upstream(s). Proves which key and which model reach the upstream for managed targets,
 * passthrough, managedFirst, functions, fallback and the provider:: prefix, and that the
 * gateway's own key header never leaves the gateway.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileConfig } from "../../../src/config/compile.js";
import { type Gateway, startGateway } from "../../../src/server/gateway.js";
import { type MockUpstream, startMockUpstream } from "../../helpers/mock-upstream.js";
import { captureLogs, freePort } from "../../server/engine-helpers.js";
import { loadYaml } from "./helpers.js";

const env = {
  OPENAI_API_KEY: "sk-openai-managed",
  BACKUP_KEY: "sk-backup-managed",
  BROKEN_KEY: "sk-broken-managed",
  GOOD_KEY: "sk-good-managed",
};
const CALLER = "sk-caller-own";
const GATEWAY_KEY = "agw-gateway-secret";

let good: MockUpstream;
let broken: MockUpstream;
let gateway: Gateway;
let base: string;

beforeAll(async () => {
  good = await startMockUpstream();
  broken = await startMockUpstream();
  const port = await freePort();
  const yaml = `
llm:
  port: ${port}
  address: 127.0.0.1
  providers:
    - name: openai
      baseUrl: ${good.url}/v1
      credential: env::OPENAI_API_KEY
      models: [gpt-4o, gpt-4o-mini]
    - name: anthropic
      baseUrl: ${good.url}/v1
      models: [claude-x]
    - name: backup
      provider: openAI
      baseUrl: ${good.url}/v1
      credential: env::BACKUP_KEY
      passthroughCredential: managedFirst
      models: [backup-model]
    - name: broken
      provider: openAI
      baseUrl: ${broken.url}/v1
      credential: env::BROKEN_KEY
  targets:
    - name: managed-4o
      model: gpt-4o
    - name: broken-t
      provider: broken
      model: broken-upstream
    - name: good-t
      provider: openai
      model: good-upstream
      credential: env::GOOD_KEY
  routes:
    - name: chain
      models: [resilient]
      strategy: fallback
      targets: [broken-t, good-t]
  functions:
    - name: summarize
      targets: [managed-4o]
`;
  const runtime = compileConfig(loadYaml(yaml, env), { env });
  gateway = await startGateway({ runtime, logger: captureLogs().logger });
  base = `http://127.0.0.1:${port}/v1`;
});

afterAll(async () => {
  await gateway.drain(1000);
  await good.close();
  await broken.close();
});

function client(apiKey = CALLER): OpenAI {
  return new OpenAI({
    baseURL: base,
    apiKey,
    maxRetries: 0,
    defaultHeaders: { "x-agw-authorization": `Bearer ${GATEWAY_KEY}` },
  });
}

async function chat(model: string, apiKey?: string) {
  const r = await client(apiKey).chat.completions.create({
    model,
    messages: [{ role: "user", content: "hi there" }],
  });
  const seen = good.requests[good.requests.length - 1];
  if (seen === undefined) throw new Error("the upstream saw nothing");
  return { r, seen, body: seen.json as { model?: string } };
}

function noGatewayKey(headers: Record<string, string>) {
  expect(headers["x-agw-authorization"]).toBeUndefined();
  expect(JSON.stringify(headers)).not.toContain(GATEWAY_KEY);
}

describe("routing over sockets", () => {
  it("a managed target gets the managed key, never the caller's; the gateway key stays home", async () => {
    const { r, seen, body } = await chat("gpt-4o");
    expect(r.choices[0]?.message.content).toContain("hi there");
    expect(seen.headers.authorization).toBe("Bearer sk-openai-managed");
    expect(JSON.stringify(seen.headers)).not.toContain(CALLER);
    expect(body.model).toBe("gpt-4o");
    noGatewayKey(seen.headers);
  });

  it("passthrough forwards the caller's key and never a managed one", async () => {
    const { seen, body } = await chat("gpt-4o-mini");
    expect(seen.headers.authorization).toBe(`Bearer ${CALLER}`);
    expect(JSON.stringify(seen.headers)).not.toMatch(/sk-[a-z]+-managed/);
    expect(body.model).toBe("gpt-4o-mini");
    noGatewayKey(seen.headers);
  });

  it("passthrough to Anthropic moves the caller's Bearer key to x-api-key", async () => {
    const { seen } = await chat("claude-x");
    expect(seen.pathname).toBe("/v1/messages");
    expect(seen.headers["x-api-key"]).toBe(CALLER);
    expect(seen.headers.authorization).toBeUndefined();
    noGatewayKey(seen.headers);
  });

  it("managedFirst sends the provider's key even when the caller sent one", async () => {
    const { seen } = await chat("backup-model");
    expect(seen.headers.authorization).toBe("Bearer sk-backup-managed");
    expect(JSON.stringify(seen.headers)).not.toContain(CALLER);
  });

  it("passthrough without a caller key: 401 saying which header to send, nothing sent upstream", async () => {
    const before = good.requests.length;
    const res = await fetch(`${base}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "x" }] }),
    });
    expect(res.status).toBe(401);
    const err = (await res.json()) as { error: { message: string } };
    expect(err.error.message).toContain("Authorization: Bearer");
    expect(good.requests.length).toBe(before);
  });

  it("a function's name never reaches the upstream: the target's model does", async () => {
    const { seen, body } = await chat("summarize");
    expect(body.model).toBe("gpt-4o");
    expect(seen.text).not.toContain("summarize");
  });

  it("fallback: a 500ing target is left for the next, which answers with its own key and model", async () => {
    broken.always({ error: { status: 500, format: "openai", message: "down" } });
    const brokenBefore = broken.requests.length;
    const { r, seen, body } = await chat("resilient");
    expect(r.choices[0]?.message.content).toContain("hi there");
    expect(broken.requests.length).toBe(brokenBefore + 1);
    expect((broken.requests[brokenBefore]?.json as { model?: string } | undefined)?.model).toBe(
      "broken-upstream",
    );
    expect(broken.requests[brokenBefore]?.headers.authorization).toBe("Bearer sk-broken-managed");
    expect(body.model).toBe("good-upstream");
    expect(seen.headers.authorization).toBe("Bearer sk-good-managed");
    broken.always(undefined);
  });

  it("openai::gpt-4o forces passthrough past the managed route for gpt-4o", async () => {
    const { seen, body } = await chat("openai::gpt-4o");
    expect(body.model).toBe("gpt-4o");
    expect(seen.headers.authorization).toBe(`Bearer ${CALLER}`);
  });

  it("an unknown model or prefix is a 404 model_not_found in the OpenAI envelope", async () => {
    for (const model of ["no-such-model", "nowhere::gpt-4o"]) {
      const err = await client()
        .chat.completions.create({ model, messages: [{ role: "user", content: "x" }] })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.NotFoundError);
      expect((err as InstanceType<typeof OpenAI.NotFoundError>).message).toContain(
        model.split("::")[0] ?? model,
      );
    }
  });

  it("/v1/models lists the router's names", async () => {
    const ids = [];
    for await (const m of client().models.list()) ids.push(m.id);
    expect(ids).toEqual(
      expect.arrayContaining(["summarize", "resilient", "gpt-4o", "gpt-4o-mini", "claude-x", "backup-model"]),
    );
  });
});
