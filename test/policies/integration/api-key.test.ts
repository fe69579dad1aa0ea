/**
 * apiKey through the gateway, with the official SDKs: 401 without or with an unknown key,
 * 403 for a model outside allowedModels, in each client's envelope; the key's name on the
 * access line; the key never upstream (default and custom header, pipeline and opaque proxy);
 * hashed keys; /v1/models filtered by the key.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { llmConfig } from "../../e2e/harness.js";
import { send } from "../../server/engine-helpers.js";
import { headerOf, type PolicyHarness, rejection, startPolicyHarness } from "./harness.js";

const TEAM_KEY = "agw-team-a-secret";
const CI_KEY = "agw-ci-secret";
const sha = (s: string) => createHash("sha256").update(s).digest("hex");

function noKeyUpstream(headers: Record<string, string>): void {
  const all = JSON.stringify(headers);
  expect(all).not.toContain(TEAM_KEY);
  expect(all).not.toContain(CI_KEY);
  expect(headers["x-agw-authorization"]).toBeUndefined();
}

describe("apiKey on the llm form (default header)", () => {
  let h: PolicyHarness;
  beforeAll(async () => {
    h = await startPolicyHarness(
      {
        apiKey: {
          keys: [
            { name: "team-a", key: TEAM_KEY, allowedModels: ["oai-*", "listed-a"], metadata: { team: "a" } },
            { name: "ci", keyHash: `sha256:${sha(CI_KEY)}` },
          ],
        },
      },
      {
        llm: {
          providers: [
            {
              name: "listing",
              provider: "openAI",
              baseUrl: "http://127.0.0.1:1/v1",
              models: ["listed-a", "listed-b"],
            },
          ],
        },
      },
    );
  });
  afterAll(async () => {
    await h.close();
  });

  it("no key: 401 in the OpenAI envelope (chat and responses clients)", async () => {
    const chat = await rejection(
      h.openai().chat.completions.create({ model: "oai-x", messages: [{ role: "user", content: "hi" }] }),
    );
    expect(chat.status).toBe(401);
    expect(headerOf(chat.headers, "x-agw-error-code")).toBe("unauthorized");
    expect(chat.error).toMatchObject({ type: "unauthorized", code: "unauthorized" });
    const resp = await rejection(h.openai().responses.create({ model: "oai-x", input: "hi" }));
    expect(resp.status).toBe(401);
    expect(h.mock.requests).toHaveLength(0);
  });

  it("unknown key: 401 in the Anthropic envelope", async () => {
    const r = await rejection(
      h.anthropic("agw-nope").messages.create({
        model: "ant-x",
        max_tokens: 10,
        messages: [{ role: "user", content: "hi" }],
      }),
    );
    expect(r.status).toBe(401);
    expect(r.error).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    expect(r.message).toContain("not valid");
    expect(r.message).not.toContain("agw-nope");
    expect(h.mock.requests).toHaveLength(0);
  });

  it("a model outside allowedModels: 403 in each envelope", async () => {
    const msg = await rejection(
      h.anthropic(TEAM_KEY).messages.create({
        model: "ant-x",
        max_tokens: 10,
        messages: [{ role: "user", content: "hi" }],
      }),
    );
    expect(msg.status).toBe(403);
    expect(msg.error).toMatchObject({ error: { type: "permission_error" } });
    expect(msg.message).toContain("team-a");
    const chat = await rejection(
      h
        .openai(TEAM_KEY)
        .chat.completions.create({ model: "ant-x", messages: [{ role: "user", content: "hi" }] }),
    );
    expect(chat.status).toBe(403);
    expect(headerOf(chat.headers, "x-agw-error-code")).toBe("forbidden");
    expect(h.mock.requests).toHaveLength(0);
  });

  it("an allowed model passes; the key's name (never the key) is on the access line; no key upstream", async () => {
    const handle = h.mock.script({ reply: { text: "hello" } });
    const r = await h.openai(TEAM_KEY).chat.completions.create({
      model: "oai-x",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(r.choices[0]?.message.content).toBe("hello");
    const up = await handle.request;
    noKeyUpstream(up.headers);
    const line = await h.access.waitFor((l) => l.msg === "request" && l.keyName === "team-a");
    expect(JSON.stringify(line)).not.toContain(TEAM_KEY);
    const rec = await h.record((x) => x.keyName === "team-a" && x.status === 200);
    expect(rec.policyEvents).toContainEqual({ policy: "apiKey", phase: "gateway", action: "allow" });
  });

  it("a hashed key works, across formats (responses client → OpenAI Responses)", async () => {
    const handle = h.mock.script({ reply: { text: "from ci" } });
    const r = await h.openai(CI_KEY).responses.create({ model: "oai-x", input: "hi" });
    expect(r.output_text).toBe("from ci");
    noKeyUpstream((await handle.request).headers);
    await h.record((x) => x.keyName === "ci");
  });

  it("/v1/models lists only what the key may use", async () => {
    const a = await h.openai(TEAM_KEY).models.list();
    const ids = a.data.map((m) => m.id);
    expect(ids).toContain("listed-a");
    expect(ids).not.toContain("listed-b");
    const ci = (await h.openai(CI_KEY).models.list()).data.map((m) => m.id);
    expect(ci).toEqual(expect.arrayContaining(["listed-a", "listed-b"]));
    const none = await send(h.port, { path: "/v1/models" });
    expect(none.status).toBe(401);
  });
});

describe("apiKey with a custom header", () => {
  let h: PolicyHarness;
  beforeAll(async () => {
    h = await startPolicyHarness(
      { apiKey: { header: "x-team-key", keys: [{ name: "team-a", key: TEAM_KEY }] } },
      {
        keyHeader: "x-team-key",
        config: (port, mockUrl) => {
          const c = llmConfig(port, mockUrl, {
            policies: { apiKey: { header: "x-team-key", keys: [{ name: "team-a", key: TEAM_KEY }] } },
          });
          c.llm?.models?.push({ name: "*", provider: "openAI", params: { baseUrl: `${mockUrl}/v1` } });
          return c;
        },
      },
    );
  });
  afterAll(async () => {
    await h.close();
  });

  it("is stripped on the pipeline's same-format path", async () => {
    const handle = h.mock.script({ reply: { text: "ok" } });
    const r = await h.anthropic(TEAM_KEY).messages.create({
      model: "ant-x",
      max_tokens: 10,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(r.content[0]).toMatchObject({ text: "ok" });
    const up = await handle.request;
    expect(up.headers["x-team-key"]).toBeUndefined();
    noKeyUpstream(up.headers);
    // The caller's own provider key still goes through.
    expect(up.headers["x-api-key"]).toBe("sk-caller-key");
  });

  it("is stripped by the opaque proxy", async () => {
    h.mock.script({ status: 200, json: { data: [] } });
    const r = await send(h.port, {
      path: "/v1/files",
      headers: { "x-team-key": `Bearer ${TEAM_KEY}`, authorization: "Bearer sk-caller-key" },
    });
    expect(r.status).toBe(200);
    const up = h.mock.requests.at(-1)!;
    expect(up.pathname).toBe("/v1/files");
    expect(up.headers["x-team-key"]).toBeUndefined();
    noKeyUpstream(up.headers);
    const bad = await send(h.port, { path: "/v1/files" });
    expect(bad.status).toBe(401);
  });
});
