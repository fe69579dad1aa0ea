/**
 * OpenAI-compatible services by name: each resolves to its public URL with a Bearer key from
 * env::<NAME>_API_KEY, with no other setting; requests reach the mock at the preset's paths
 * with the managed key; ollama needs no key; openAICompatible needs a baseUrl.
 */

import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfigText } from "../../../src/config/load.js";
import type { Config } from "../../../src/config/schema.js";
import { compileRouteTypes, LLM_DEFAULT_ROUTES } from "../../../src/llm/route-types.js";
import { explainResolution } from "../../../src/llm/routing/explain.js";
import type { Gateway } from "../../../src/server/gateway.js";
import { type MockUpstream, startMockUpstream } from "../../helpers/mock-upstream.js";
import { freePort, startFromConfig } from "../../server/engine-helpers.js";
import { routerOf } from "../routing/helpers.js";

const routeTypes = compileRouteTypes(LLM_DEFAULT_ROUTES);

// Written from each service's documentation, not from the presets table.
const CHAT_URLS: Record<string, string> = {
  groq: "https://api.groq.com/openai/v1/chat/completions",
  mistral: "https://api.mistral.ai/v1/chat/completions",
  deepseek: "https://api.deepseek.com/v1/chat/completions",
  xai: "https://api.x.ai/v1/chat/completions",
  openrouter: "https://openrouter.ai/api/v1/chat/completions",
  together: "https://api.together.xyz/v1/chat/completions",
  fireworks: "https://api.fireworks.ai/inference/v1/chat/completions",
  cerebras: "https://api.cerebras.ai/v1/chat/completions",
  deepinfra: "https://api.deepinfra.com/v1/openai/chat/completions",
  perplexity: "https://api.perplexity.ai/chat/completions",
  ollama: "http://127.0.0.1:11434/v1/chat/completions",
};

describe("presets resolve with nothing but their name", () => {
  for (const [kind, url] of Object.entries(CHAT_URLS)) {
    it(`${kind}: ${url}, Bearer env::${kind.toUpperCase()}_API_KEY`, () => {
      const yaml = `
llm:
  providers:
    - name: ${kind}
      provider: ${kind}
      models: [m-${kind}]
  targets:
    - name: t
      model: m-${kind}
`;
      const envName = `${kind.toUpperCase()}_API_KEY`;
      const router = routerOf(yaml, { [envName]: "sk-preset-secret" });
      const text = explainResolution(router.describe(`m-${kind}`), {
        path: "/v1/messages",
        routeTypes,
      });
      expect(text).toContain(`request URL:    ${url}`);
      expect(text).toContain("(sent as authorization)");
      expect(text).toContain("Anthropic Messages → OpenAI Chat Completions");
      expect(text).not.toContain("sk-preset-secret");
      if (kind !== "ollama") expect(text).toContain(`env::${envName}`);
    });
  }

  it("a preset with a key and no variable set is a load error naming the variable", () => {
    const yaml =
      "llm:\n  providers:\n    - name: groq\n      models: [m]\n  targets:\n    - name: t\n      model: m\n";
    const loaded = loadConfigText(yaml, { file: "f.yaml", env: {} });
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) expect(loaded.errors.map((d) => d.message).join("\n")).toContain("GROQ_API_KEY");
  });

  it("ollama's managed target needs no key", () => {
    const yaml =
      "llm:\n  providers:\n    - name: ollama\n      models: [llama3]\n  targets:\n    - name: t\n      model: llama3\n";
    const router = routerOf(yaml, {});
    expect(router.plan("llama3").candidates[0]?.auth).toEqual({ kind: "none" });
  });

  it("openAICompatible without baseUrl is a load error at the provider, saying what to add", () => {
    const yaml =
      "llm:\n  providers:\n    - name: vllm\n      provider: openAICompatible\n      models: [m]\n";
    const loaded = loadConfigText(yaml, { file: "f.yaml", env: {} });
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    const e = loaded.errors[0];
    expect(e?.message).toContain("add baseUrl");
    expect(e?.line).toBe(3);
  });
});

describe("presets on the wire (mock upstream)", () => {
  let mock: MockUpstream;
  let gateway: Gateway;
  let url: string;
  beforeAll(async () => {
    mock = await startMockUpstream();
    const port = await freePort();
    const config: Config = {
      llm: {
        port,
        address: "127.0.0.1",
        providers: [
          { name: "groq", provider: "groq", baseUrl: `${mock.url}/openai/v1`, models: ["llama-3.3-70b"] },
          { name: "pplx", provider: "perplexity", baseUrl: mock.url, models: ["sonar"] },
          { name: "local", provider: "openAICompatible", baseUrl: `${mock.url}/v1`, models: ["qwen"] },
        ],
        targets: [
          { name: "g", model: "llama-3.3-70b", credential: "sk-groq-managed" },
          { name: "p", model: "sonar", credential: "sk-pplx-managed" },
          { name: "l", model: "qwen" },
        ],
      },
    };
    ({ gateway } = await startFromConfig(config));
    url = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await gateway.drain(1000);
    await mock.close();
  });

  it("an Anthropic client to groq: translated to chat at /openai/v1/chat/completions with the managed Bearer key", async () => {
    mock.script({ reply: { text: "from groq", usage: { input: 2, output: 2 } } });
    const client = new Anthropic({ apiKey: "caller-key", baseURL: url, maxRetries: 0 });
    const r = await client.messages.create({
      model: "llama-3.3-70b",
      max_tokens: 50,
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(r.content[0]).toMatchObject({ type: "text", text: "from groq" });
    const req = await mock.nextRequest();
    expect(req.pathname).toBe("/openai/v1/chat/completions");
    expect(req.headers.authorization).toBe("Bearer sk-groq-managed");
    expect(req.headers["x-api-key"]).toBeUndefined();
  });

  it("perplexity: chat at /chat/completions, with no version segment", async () => {
    mock.script({ reply: { text: "from sonar" } });
    const client = new OpenAI({ apiKey: "caller-key", baseURL: `${url}/v1`, maxRetries: 0 });
    const r = await client.chat.completions.create({
      model: "sonar",
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(r.choices[0]?.message.content).toBe("from sonar");
    const req = await mock.nextRequest();
    expect(req.pathname).toBe("/chat/completions");
    expect(req.headers.authorization).toBe("Bearer sk-pplx-managed");
  });

  it("openAICompatible with no key configured sends none (the caller's is not lent either)", async () => {
    mock.script({ reply: { text: "local" } });
    const client = new OpenAI({ apiKey: "caller-key", baseURL: `${url}/v1`, maxRetries: 0 });
    const r = await client.chat.completions.create({
      model: "qwen",
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(r.choices[0]?.message.content).toBe("local");
    const req = await mock.nextRequest();
    expect(req.pathname).toBe("/v1/chat/completions");
    expect(req.headers.authorization).toBeUndefined();
  });
});
