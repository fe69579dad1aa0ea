/**
 * models, count_tokens and embeddings through the official SDKs: the model list answered
 * from the config (both forms), count_tokens forwarded to Anthropic, embeddings to OpenAI.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../src/config/schema.js";
import { freePort, startFromConfig } from "../server/engine-helpers.js";
import { CALLER_KEY, type Harness, MANAGED_KEY, startHarness } from "./harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe("count_tokens and embeddings", () => {
  it("count_tokens is forwarded to the Anthropic provider with the model rewritten", async () => {
    const handle = h.mock.script({ json: { input_tokens: 42 } });
    const r = await h.anthropic.messages.countTokens({
      model: "ant-x",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(r.input_tokens).toBe(42);
    const req = await handle.request;
    expect(req.pathname).toBe("/v1/messages/count_tokens");
    expect(req.json).toEqual({ model: "claude-upstream", messages: [{ role: "user", content: "hi" }] });
    expect(req.headers["x-api-key"]).toBe(CALLER_KEY);
  });

  it("count_tokens on an OpenAI model is estimated with o200k_base, marked in a header, the upstream not called", async () => {
    const before = h.mock.requests.length;
    const count = async (body: Record<string, unknown>) => {
      const res = await fetch(`${h.url}/v1/messages/count_tokens`, {
        method: "POST",
        headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
        body: JSON.stringify({ model: "oai-x", ...body }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-agw-token-count")).toBe("estimated; encoding=o200k_base");
      return ((await res.json()) as { input_tokens: number }).input_tokens;
    };
    const say = (text: string) => ({ messages: [{ role: "user", content: text }] });
    // "hello world" is two o200k tokens ("hello", " world"); the overheads cancel out.
    expect((await count(say("hello world"))) - (await count(say("")))).toBe(2);
    const sdk = await h.anthropic.messages.countTokens({
      model: "oai-x",
      messages: [{ role: "user", content: "hello world" }],
    });
    expect(sdk.input_tokens).toBe(await count(say("hello world")));
    // Everything the model reads counts: system, tool definitions, tool inputs, images.
    const base = await count(say("hi"));
    expect(await count({ ...say("hi"), system: "You are terse and precise." })).toBeGreaterThan(base + 3);
    const tool = {
      name: "get_weather",
      description: "Weather for a city",
      input_schema: { type: "object", properties: { city: { type: "string" } } },
    };
    expect(await count({ ...say("hi"), tools: [tool] })).toBeGreaterThan(base + 8);
    const image = {
      type: "image",
      source: { type: "base64", media_type: "image/png", data: "A".repeat(100_000) },
    };
    expect(
      await count({ messages: [{ role: "user", content: [{ type: "text", text: "hi" }, image] }] }),
    ).toBe(base + 1600);
    // Past 1 MiB of text the count is extrapolated, not encoded: proportional, and it returns.
    const mib = await count(say("word ".repeat(1 << 16)));
    const big = await count(say("word ".repeat(1 << 18)));
    expect(big / mib).toBeGreaterThan(3.9);
    expect(big / mib).toBeLessThan(4.1);
    expect(h.mock.requests.length).toBe(before);
  });

  it("embeddings are forwarded to the OpenAI provider with the managed key", async () => {
    const handle = h.mock.script({});
    const r = await h.openai.embeddings.create({ model: "oai-embed", input: "hello world" });
    expect(r.data[0]?.embedding.length).toBeGreaterThan(0);
    const req = await handle.request;
    expect(req.pathname).toBe("/v1/embeddings");
    expect(req.json).toMatchObject({ model: "gpt-upstream", input: "hello world" });
    expect(req.headers.authorization).toBe(`Bearer ${MANAGED_KEY}`);
  });
});

describe("models", () => {
  it("llm form: exact model entries and provider model lists, in the OpenAI list shape", async () => {
    const port = await freePort();
    const config: Config = {
      llm: {
        port,
        address: "127.0.0.1",
        providers: [
          {
            name: "openai",
            provider: "openAI",
            baseUrl: "http://127.0.0.1:1/v1",
            models: ["gpt-4o", "gpt-4o-mini"],
          },
        ],
        models: [
          { name: "house-model", provider: "mock" },
          { name: "claude-*", provider: "anthropic" },
        ],
      },
    };
    const { gateway } = await startFromConfig(config);
    cleanups.push(() => gateway.drain(1000));
    const client = new OpenAI({ apiKey: "k", baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
    const list = [];
    for await (const m of client.models.list()) list.push(m);
    // Order is the router's resolution order; the set is what matters here.
    expect(list.map((m) => [m.id, m.owned_by, m.object]).sort()).toEqual([
      ["gpt-4o", "openai", "model"],
      ["gpt-4o-mini", "openai", "model"],
      ["house-model", "mock", "model"],
    ]);
    expect(typeof list[0]?.created).toBe("number");
  });

  it("an Anthropic client gets Anthropic's page shape, paged by its SDK; a catch-all config lists the providers' models", async () => {
    const port = await freePort();
    const models = Array.from({ length: 25 }, (_, i) => `model-${String(i).padStart(2, "0")}`);
    const config: Config = {
      llm: {
        port,
        address: "127.0.0.1",
        providers: [{ name: "ant", provider: "anthropic", baseUrl: "http://127.0.0.1:1/v1", models }],
        models: [{ name: "*", provider: "ant" }],
      },
    };
    const { gateway } = await startFromConfig(config);
    cleanups.push(() => gateway.drain(1000));
    const url = `http://127.0.0.1:${port}`;
    const client = new Anthropic({ apiKey: "k", baseURL: url, maxRetries: 0 });
    const seen: string[] = [];
    for await (const m of client.models.list()) {
      expect(m.type).toBe("model");
      expect(m.display_name).toBe(m.id);
      expect(Number.isNaN(Date.parse(m.created_at))).toBe(false);
      seen.push(m.id);
    }
    expect(seen).toEqual(models); // two pages of 20 and 5, through after_id
    const page = await fetch(`${url}/v1/models?limit=2&after_id=model-22`, {
      headers: { "anthropic-version": "2023-06-01" },
    });
    expect(await page.json()).toMatchObject({
      data: [{ id: "model-23" }, { id: "model-24" }],
      has_more: false,
      first_id: "model-23",
      last_id: "model-24",
    });
    const back = await fetch(`${url}/v1/models?limit=2&before_id=model-02`, {
      headers: { "anthropic-version": "2023-06-01" },
    });
    expect(await back.json()).toMatchObject({
      data: [{ id: "model-00" }, { id: "model-01" }],
      has_more: false,
    });
    const bad = await fetch(`${url}/v1/models?limit=0`, { headers: { "anthropic-version": "2023-06-01" } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain("limit must be an integer from 1 to 1000");
    // Without anthropic-version: OpenAI's list, all of it.
    const openai = (await (await fetch(`${url}/v1/models`)).json()) as { object: string; data: unknown[] };
    expect(openai.object).toBe("list");
    expect(openai.data).toHaveLength(25);
  });

  it("binds form: the backends' fixed models", async () => {
    const port = await freePort();
    const config: Config = {
      binds: [
        {
          port,
          address: "127.0.0.1",
          listeners: [
            {
              routes: [
                {
                  backends: [
                    { ai: { name: "a", provider: { openAI: { model: "gpt-4o" } } }, weight: 1 },
                    { ai: { name: "b", provider: { anthropic: { model: "claude-sonnet" } } }, weight: 1 },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    const { gateway } = await startFromConfig(config);
    cleanups.push(() => gateway.drain(1000));
    const res = await fetch(`http://127.0.0.1:${port}/v1/models`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { object: string; data: Array<{ id: string; owned_by: string }> };
    expect(body.object).toBe("list");
    // Weighted backends serve any model, so only the names are asserted.
    expect(body.data.map((m) => m.id)).toEqual(["gpt-4o", "claude-sonnet"]);
    expect(body.data.every((m) => typeof m.owned_by === "string")).toBe(true);
  });
});
