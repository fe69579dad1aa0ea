/** `agw explain` text for the reference examples: layer, path, strategy, targets, credential source, translation. */
import { describe, expect, it } from "vitest";
import { compileRouteTypes, LLM_DEFAULT_ROUTES } from "../../../src/llm/route-types.js";
import { explainResolution } from "../../../src/llm/routing/explain.js";
import { routerOf } from "./helpers.js";

const env = {
  OPENAI_API_KEY: "sk-secret-openai",
  ANTHROPIC_API_KEY: "sk-secret-ant",
  MANAGED_OPENAI_KEY: "sk-secret-m",
};
const routeTypes = compileRouteTypes(LLM_DEFAULT_ROUTES);

const yaml = `
llm:
  providers:
    - name: openai
      baseUrl: https://api.openai.com/v1
      credential: env::OPENAI_API_KEY
      models: [gpt-4o, gpt-4o-mini, o3]
    - name: anthropic
      baseUrl: https://api.anthropic.com/v1
      credential: env::ANTHROPIC_API_KEY
      models: [claude-sonnet-4-6]
  targets:
    - name: openai-gpt4o
      model: gpt-4o
      credential: env::MANAGED_OPENAI_KEY
      weight: 70
    - name: openai-gpt4o-shared
      model: gpt-4o
      weight: 30
    - name: anthropic-sonnet
      model: claude-sonnet-4-6
  routes:
    - name: primary
      models: [gpt-4o]
      strategy: weighted
      targets: [openai-gpt4o, openai-gpt4o-shared]
      retry: { attempts: 2, backoff: 500ms }
  functions:
    - name: summarize
      strategy: fallback
      targets: [openai-gpt4o, anthropic-sonnet]
`;
const router = routerOf(yaml, env);
const explain = (model: string, path?: string) =>
  explainResolution(router.describe(model), path === undefined ? {} : { path, routeTypes });

describe("explain", () => {
  it("a weighted route: both targets in order with weights, sources and upstream models", () => {
    const text = explain("gpt-4o", "/v1/chat/completions");
    expect(text).toContain("layer:      route (L2): an explicit route lists this model");
    expect(text).toContain("path:       route:primary");
    expect(text).toContain("strategy:   weighted");
    expect(text).toContain("retry:      2 after the first try, backoff 500ms");
    expect(text).toContain("route type: completions (/v1/chat/completions)");
    expect(text).toMatch(/1\. openai-gpt4o {2}weight 70[\s\S]*2\. openai-gpt4o-shared {2}weight 30/);
    expect(text).toContain("provider:       openai (openAI) at https://api.openai.com/v1");
    expect(text).toContain("upstream model: gpt-4o");
    expect(text).toContain("credential:     env::MANAGED_OPENAI_KEY (managed");
    expect(text).toContain("credential:     env::OPENAI_API_KEY (managed");
    expect(text).toContain("translation:    none: OpenAI Chat Completions is native to openai");
  });

  it("a function with fallback across formats names the translation", () => {
    const text = explain("summarize", "/v1/chat/completions");
    expect(text).toContain("path:       function:summarize");
    expect(text).toContain("strategy:   fallback");
    expect(text).toContain("translation:    OpenAI Chat Completions → Anthropic Messages");
    expect(text).toContain("credential:     env::ANTHROPIC_API_KEY (managed");
  });

  it("passthrough, a bare target, and the provider prefix", () => {
    const mini = explain("gpt-4o-mini");
    expect(mini).toContain("layer:      provider (L1)");
    expect(mini).toContain("path:       passthrough");
    expect(mini).toContain("the caller's key (Authorization or x-api-key)");
    expect(explain("claude-sonnet-4-6")).toContain(
      "a target serves its own model (no explicit route claims it)",
    );
    const forced = explain("openai::gpt-4o", "/v1/messages");
    expect(forced).toContain("provider prefix");
    expect(forced).toContain("upstream model: gpt-4o\n");
    expect(forced).toContain("translation:    Anthropic Messages → OpenAI Chat Completions");
  });

  it("an opaque path is forwarded untouched", () => {
    expect(explain("gpt-4o-mini", "/v1/files")).toContain("route type: passthrough (/v1/files)");
  });

  it("never prints a key", () => {
    for (const m of ["gpt-4o", "summarize", "gpt-4o-mini", "claude-sonnet-4-6"]) {
      expect(explain(m, "/v1/responses")).not.toMatch(/sk-secret/);
    }
  });
});
