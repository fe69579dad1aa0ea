/**
 * Request shaping, CORS and header modifiers through the gateway: defaults, overrides, model
 * aliases and prompts reach the upstream in another format (and in the same one); CORS
 * preflights are answered locally and actual answers (errors too) carry the CORS headers;
 * request headers are edited on the way up, response headers on every answer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send } from "../../server/engine-helpers.js";
import { type PolicyHarness, rejection, startPolicyHarness } from "./harness.js";

const ORIGIN = "https://app.example.com";

let h: PolicyHarness;
beforeAll(async () => {
  h = await startPolicyHarness({
    ai: {
      defaults: { temperature: 0.3, top_k: 5 },
      overrides: { max_tokens: 64 },
      modelAliases: { fast: "ant-fast", "smart-*": "oai-smart" },
      prompts: {
        prepend: [{ role: "system", content: "Be brief." }],
        append: [{ role: "user", content: "(end)" }],
      },
    },
    cors: { allowOrigins: [ORIGIN], exposeHeaders: ["x-agw-request-id"], maxAge: "10m" },
    requestHeaderModifier: { set: { "x-team": "platform" }, add: { "x-extra": "1" }, remove: ["x-debug"] },
    responseHeaderModifier: { add: { "x-served-by": "agw" }, remove: ["x-agw-route"] },
  });
});
afterAll(async () => {
  await h.close();
});

describe("shaping", () => {
  it("chat client, alias → Anthropic (translated): defaults, overrides and prompts arrive in Messages form", async () => {
    const handle = h.mock.script({ reply: { text: "ok" } });
    await h.openai(undefined, { "x-debug": "1" }).chat.completions.create({
      model: "fast",
      max_tokens: 1000,
      temperature: 0.9,
      messages: [{ role: "user", content: "hi" }],
    });
    const up = await handle.request;
    expect(up.pathname).toBe("/v1/messages");
    const body = up.json as Record<string, unknown>;
    // The caller's temperature beats the default; top_k (which chat cannot spell) still arrives.
    expect(body).toMatchObject({ model: "claude-upstream", temperature: 0.9, top_k: 5, max_tokens: 64 });
    expect(JSON.stringify(body.system)).toContain("Be brief.");
    const msgs = body.messages as Array<{ role: string; content: unknown }>;
    expect(JSON.stringify(msgs.at(-1))).toContain("(end)");
    expect(JSON.stringify(msgs[0])).toContain("hi");
    // The header modifier applies on the translated path too.
    expect(up.headers["x-team"]).toBe("platform");
    expect(up.headers["x-extra"]).toBe("1");
    expect(up.headers["x-debug"]).toBeUndefined();
    const rec = await h.record((r) => r.model === "fast");
    expect(rec.policyEvents).toEqual(
      expect.arrayContaining([
        { policy: "modelAliases", phase: "request", action: "allow" },
        { policy: "shaping", phase: "request", action: "allow" },
      ]),
    );
  });

  it("Gemini client → OpenAI chat: defaults, overrides and prompts apply to a body that names no model", async () => {
    const handle = h.mock.script({ reply: { text: "ok" } });
    const res = await fetch(`${h.url}/v1beta/models/smart-1:generateContent`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-goog-api-key": "k" },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }] }),
    });
    expect(res.status).toBe(200);
    const up = (await handle.request).json as {
      model: string;
      temperature: number;
      messages: Array<{ role: string; content: unknown }>;
    };
    expect(up.model).toBe("gpt-upstream");
    expect(up.temperature).toBe(0.3);
    expect(up.messages[0]).toMatchObject({ role: "system", content: "Be brief." });
    expect(JSON.stringify(up.messages.at(-1))).toContain("(end)");
  });

  it("messages client, pattern alias → OpenAI chat: defaults fill in, overrides win over the caller", async () => {
    const handle = h.mock.script({ reply: { text: "ok" } });
    await h.anthropic().messages.create({
      model: "smart-1",
      max_tokens: 900,
      messages: [{ role: "user", content: "hello" }],
    });
    const up = await handle.request;
    expect(up.pathname).toBe("/v1/chat/completions");
    const body = up.json as { messages: Array<{ role: string; content: unknown }>; [k: string]: unknown };
    expect(body.model).toBe("gpt-upstream");
    expect(body.temperature).toBe(0.3);
    expect(body.max_tokens ?? body.max_completion_tokens).toBe(64);
    expect(body.messages[0]).toMatchObject({ role: "system" });
    expect(JSON.stringify(body.messages[0])).toContain("Be brief.");
    expect(JSON.stringify(body.messages.at(-1))).toContain("(end)");
  });

  it("responses client, same format: the shaped request goes upstream through the IR", async () => {
    const handle = h.mock.script({ reply: { text: "ok" } });
    await h.openai().responses.create({ model: "oai-x", input: "q" });
    const up = await handle.request;
    expect(up.pathname).toBe("/v1/responses");
    expect(up.json).toMatchObject({ model: "gpt-upstream", temperature: 0.3, max_output_tokens: 64 });
    expect(up.text).toContain("Be brief.");
    expect(up.headers["x-team"]).toBe("platform");
  });
});

describe("CORS", () => {
  it("an allowed preflight is answered locally (204) before anything else", async () => {
    const before = h.mock.requests.length;
    const r = await send(h.port, {
      method: "OPTIONS",
      path: "/v1/chat/completions",
      headers: {
        origin: ORIGIN,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(r.status).toBe(204);
    expect(r.headers["access-control-allow-origin"]).toBe(ORIGIN);
    expect(r.headers["access-control-allow-methods"]).toContain("POST");
    expect(r.headers["access-control-allow-headers"]).toBe("authorization, content-type");
    expect(r.headers["access-control-max-age"]).toBe("600");
    expect(r.headers["x-served-by"]).toBe("agw");
    expect(h.mock.requests.length).toBe(before);
  });

  it("a disallowed origin's preflight: 403 with an empty body and no allow headers", async () => {
    const r = await send(h.port, {
      method: "OPTIONS",
      path: "/v1/chat/completions",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(r.status).toBe(403);
    expect(r.body.byteLength).toBe(0);
    expect(r.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("actual answers, success and error, carry the CORS and modified response headers", async () => {
    h.mock.script({ reply: { text: "ok" } });
    const ok = await send(h.port, {
      method: "POST",
      path: "/v1/chat/completions",
      headers: { origin: ORIGIN, "content-type": "application/json" },
      body: JSON.stringify({ model: "oai-x", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(ok.status).toBe(200);
    expect(ok.headers["access-control-allow-origin"]).toBe(ORIGIN);
    expect(ok.headers["access-control-expose-headers"]).toBe("x-agw-request-id");
    expect(ok.headers.vary).toContain("Origin");
    expect(ok.headers["x-served-by"]).toBe("agw");
    const bad = await send(h.port, {
      method: "POST",
      path: "/v1/chat/completions",
      headers: { origin: ORIGIN, "content-type": "application/json" },
      body: "{not json",
    });
    expect(bad.status).toBe(400);
    expect(bad.headers["access-control-allow-origin"]).toBe(ORIGIN);
    expect(bad.headers["x-served-by"]).toBe("agw");
    expect(bad.headers["x-agw-error-code"]).toBe("invalid_request_body");
  });

  it("SDK errors carry them too (the error reaches the SDK in its envelope)", async () => {
    const r = await rejection(
      h.anthropic(undefined, { origin: ORIGIN }).messages.create({
        model: "nobody-serves-this",
        max_tokens: 5,
        messages: [{ role: "user", content: "x" }],
      }),
    );
    expect(r.status).toBe(404);
    expect((r.headers as Headers).get("access-control-allow-origin")).toBe(ORIGIN);
    expect((r.headers as Headers).get("x-served-by")).toBe("agw");
  });
});
