/**
 * Policies on binds routes: an ai route (LLM pipeline) with a gateway key, a request guard,
 * a header modifier and a managed backend key; a host route (opaque proxy) with a gateway key
 * on a custom header, header modifiers both ways and a request rate limit.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../../src/config/schema.js";
import { send } from "../../server/engine-helpers.js";
import { type PolicyHarness, rejection, startPolicyHarness } from "./harness.js";

const CARD = "4111 1111 1111 1111";

function bindsConfig(port: number, mockUrl: string): Config {
  const mockHost = new URL(mockUrl).host;
  return {
    binds: [
      {
        port,
        address: "127.0.0.1",
        listeners: [
          {
            routes: [
              {
                name: "llm",
                matches: [{ path: { pathPrefix: "/v1" } }],
                backends: [
                  {
                    ai: {
                      name: "openai",
                      provider: { openAI: { model: "gpt-upstream" } },
                      baseUrl: `${mockUrl}/v1`,
                    },
                  },
                ],
                policies: {
                  backendAuth: { key: "sk-managed" },
                  apiKey: { keys: [{ name: "team", key: "agw-team" }] },
                  ai: {
                    promptGuard: {
                      request: [{ regex: { action: "mask", rules: [{ builtin: "creditCard" }] } }],
                    },
                  },
                  requestHeaderModifier: { set: { "x-route": "llm" } },
                },
              },
              {
                name: "files",
                matches: [{ path: { pathPrefix: "/files" } }],
                backends: [{ host: mockHost }],
                policies: {
                  apiKey: { header: "x-k", keys: [{ name: "files", key: "agw-files" }] },
                  requestHeaderModifier: { set: { "x-route": "files" }, remove: ["x-forwarded-for"] },
                  responseHeaderModifier: { set: { "x-served-by": "agw" }, remove: ["x-agw-request-id"] },
                  localRateLimit: [{ maxTokens: 1, tokensPerFill: 1, fillInterval: "1h", type: "requests" }],
                },
              },
            ],
          },
        ],
      },
    ],
  };
}

let h: PolicyHarness;
beforeAll(async () => {
  h = await startPolicyHarness({}, { config: bindsConfig });
});
afterAll(async () => {
  await h.close();
});

describe("ai route on binds", () => {
  it("key checked, card masked, header set, managed key upstream, gateway key not", async () => {
    const handle = h.mock.script({ reply: { text: "ok" } });
    const r = await h.openai("agw-team").chat.completions.create({
      model: "whatever",
      messages: [{ role: "user", content: `card ${CARD}` }],
    });
    expect(r.choices[0]?.message.content).toBe("ok");
    const up = await handle.request;
    expect(up.text).not.toContain(CARD);
    expect(up.text).toContain("card <CREDIT_CARD>");
    expect(up.headers["x-route"]).toBe("llm");
    expect(up.headers.authorization).toBe("Bearer sk-managed");
    expect(JSON.stringify(up.headers)).not.toContain("agw-team");
    const denied = await rejection(
      h.openai().chat.completions.create({ model: "m", messages: [{ role: "user", content: "x" }] }),
    );
    expect(denied.status).toBe(401);
  });
});

describe("host route on binds (opaque proxy)", () => {
  it("custom key header stripped, request and response headers edited, then rate limited", async () => {
    h.mock.script({ status: 200, json: { ok: true } });
    const r = await send(h.port, { path: "/files/a", headers: { "x-k": "Bearer agw-files" } });
    expect(r.status).toBe(200);
    expect(r.headers["x-served-by"]).toBe("agw");
    expect(r.headers["x-agw-request-id"]).toBeUndefined();
    expect(r.headers["x-ratelimit-limit"]).toBe("1");
    const up = h.mock.requests.at(-1)!;
    expect(up.pathname).toBe("/files/a");
    expect(up.headers["x-k"]).toBeUndefined();
    expect(up.headers["x-route"]).toBe("files");
    expect(up.headers["x-forwarded-for"]).toBeUndefined();
    const limited = await send(h.port, { path: "/files/b", headers: { "x-k": "Bearer agw-files" } });
    expect(limited.status).toBe(429);
    expect(limited.headers["retry-after"]).toBe("3600");
    expect(JSON.parse(limited.body.toString())).toMatchObject({ error: { code: "rate_limited" } });
    expect(limited.headers["x-served-by"]).toBe("agw");
    const noKey = await send(h.port, { path: "/files/c" });
    expect(noKey.status).toBe(401);
  });
});
