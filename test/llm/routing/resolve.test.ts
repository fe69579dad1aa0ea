/** The resolution order and its precedence, rule by rule (DESIGN.md "Model resolution"). */
import { describe, expect, it } from "vitest";
import type { GatewayError } from "../../../src/errors.js";
import { draws, keyOf, only, routerOf } from "./helpers.js";

const env = { OPENAI_API_KEY: "sk-o", ANTHROPIC_API_KEY: "sk-a", FN_KEY: "sk-fn" };

/** Every layer claims something, and "shared" is claimed by all of them. */
const ALL = `
llm:
  providers:
    - name: openai
      baseUrl: http://127.0.0.1:9001/v1
      models: [shared, gpt-4o-mini, by-route, by-target]
    - name: anthropic
      baseUrl: http://127.0.0.1:9002/v1
      models: [claude-haiku-4-5, shared]
  models:
    - name: "*"
      provider: openai
    - name: "gpt-*"
      provider: anthropic
    - name: "gpt-4*"
      provider: openai
      params: { model: gpt-4-upstream }
    - name: "*-mini"
      provider: anthropic
    - name: exact-entry
      provider: anthropic
      params: { apiKey: "env::ANTHROPIC_API_KEY", model: claude-haiku-4-5 }
  targets:
    - name: t-route
      provider: openai
      model: upstream-route-model
    - name: t-bare
      provider: openai
      model: by-target
    - name: t-fn
      provider: anthropic
      model: upstream-fn-model
      credential: env::FN_KEY
  routes:
    - name: r
      models: [by-route, shared]
      targets: [t-route]
  functions:
    - name: shared
      targets: [t-fn]
`;

function code(f: () => unknown): { status: number; code: string; message: string } {
  try {
    f();
  } catch (e) {
    const g = e as GatewayError;
    return { status: g.status, code: g.code, message: g.message };
  }
  throw new Error("did not throw");
}

describe("resolution order without a prefix", () => {
  const router = routerOf(ALL, env);

  it("1. a function whose name is the model wins over a route, a provider and a pattern", () => {
    const plan = router.plan("shared");
    expect(plan.path).toEqual({ kind: "function", name: "shared" });
    expect(only(plan.candidates)).toMatchObject({ name: "t-fn", model: "upstream-fn-model" });
  });

  it("2. a route listing the model wins over the provider list; the upstream gets the target's model", () => {
    const plan = router.plan("by-route");
    expect(plan.path).toEqual({ kind: "route", name: "r" });
    expect(only(plan.candidates).model).toBe("upstream-route-model");
  });

  it("2. a bare target gets a single route of its own, named after it", () => {
    const plan = router.plan("by-target");
    expect(plan.path).toEqual({ kind: "route", name: "t-bare" });
    expect(plan.strategy).toBe("single");
    expect(only(plan.candidates).auth.kind).toBe("managed");
    expect(router.describe("by-target").layer).toBe("bareTarget");
  });

  it("2. an exact llm.models entry sits at the route layer, before patterns", () => {
    const d = router.describe("exact-entry");
    expect(d.layer).toBe("modelEntry");
    const c = only(router.plan("exact-entry").candidates);
    expect(c).toMatchObject({ providerName: "anthropic", model: "claude-haiku-4-5" });
    expect(c.auth).toMatchObject({ kind: "managed", key: "sk-a", source: "env::ANTHROPIC_API_KEY" });
  });

  it("3. a provider's models list: passthrough to that provider with the caller's key", () => {
    const plan = router.plan("gpt-4o-mini");
    expect(plan.path).toEqual({ kind: "passthrough" });
    expect(router.describe("gpt-4o-mini").layer).toBe("provider");
    expect(only(plan.candidates)).toMatchObject({
      providerName: "openai",
      model: "gpt-4o-mini",
      auth: { kind: "caller" },
    });
  });

  it("3. a model listed by two providers goes to the first written", () => {
    expect(only(router.plan("claude-haiku-4-5").candidates).providerName).toBe("anthropic");
  });

  it("4. patterns, most specific first: longest prefix, then suffix, then *", () => {
    const four = router.describe("gpt-4-turbo");
    expect(four).toMatchObject({ layer: "modelPattern", pattern: "gpt-4*" });
    expect(only(router.plan("gpt-4-turbo").candidates).model).toBe("gpt-4-upstream");
    expect(router.describe("gpt-3.5").pattern).toBe("gpt-*");
    expect(only(router.plan("gpt-3.5").candidates)).toMatchObject({
      providerName: "anthropic",
      model: "gpt-3.5",
    });
    // prefix beats suffix: "gpt-x-mini" matches both gpt-* and *-mini.
    expect(router.describe("gpt-x-mini").pattern).toBe("gpt-*");
    expect(router.describe("tiny-mini").pattern).toBe("*-mini");
    expect(router.describe("whatever").pattern).toBe("*");
  });

  it("5. nothing matches: 404 model_not_found naming the model", () => {
    const r = routerOf(ALL.replace(/ {4}- name: "\*"\n {6}provider: openai\n/, ""), env);
    expect(code(() => r.plan("whatever"))).toEqual({
      status: 404,
      code: "model_not_found",
      message: 'The model "whatever" is not served by this gateway.',
    });
  });
});

describe("prefixes decide alone", () => {
  const router = routerOf(ALL, env);

  it("provider::model is passthrough to that provider even when a function, route and pattern claim the model", () => {
    for (const model of ["shared", "by-route", "by-target", "exact-entry"]) {
      const plan = router.plan(`anthropic::${model}`);
      expect(plan.path).toEqual({ kind: "passthrough" });
      expect(router.describe(`anthropic::${model}`).layer).toBe("providerPrefix");
      const c = only(plan.candidates);
      expect(c).toMatchObject({ providerName: "anthropic", model, auth: { kind: "caller" } });
      expect(keyOf(c.auth)).toBeUndefined();
    }
  });

  it("provider::model works for a model the provider does not list", () => {
    expect(only(router.plan("openai::brand-new").candidates).model).toBe("brand-new");
  });

  it("an unknown provider prefix is a 404, never a host", () => {
    expect(code(() => router.plan("api.evil.com::gpt-4o"))).toMatchObject({
      status: 404,
      code: "model_not_found",
    });
    expect(code(() => router.plan("nope::gpt-4o")).message).toContain('No provider named "nope"');
    // Provider kinds are not configured providers.
    expect(code(() => router.plan("openAI::gpt-4o")).status).toBe(404);
    expect(code(() => router.plan("openai::")).status).toBe(404);
    expect(code(() => router.plan("::gpt-4o")).status).toBe(404);
  });

  it("route::name and function::name select directly; unknown names are a 404", () => {
    expect(router.plan("route::r").path).toEqual({ kind: "route", name: "r" });
    expect(router.describe("route::r").layer).toBe("routePrefix");
    expect(router.plan("route::t-bare").path).toEqual({ kind: "route", name: "t-bare" });
    expect(router.plan("function::shared").path).toEqual({ kind: "function", name: "shared" });
    expect(router.plan("function::shared").requestedModel).toBe("function::shared");
    expect(code(() => router.plan("route::missing")).message).toContain('No route named "missing"');
    expect(code(() => router.plan("function::missing")).message).toContain('No function named "missing"');
  });

  it("the names of routes and functions never reach the upstream: the target's model does", () => {
    const expected: Array<[string, string]> = [
      ["route::r", "upstream-route-model"],
      ["function::shared", "upstream-fn-model"],
      ["shared", "upstream-fn-model"],
      ["by-route", "upstream-route-model"],
    ];
    for (const [model, upstream] of expected)
      expect(only(router.plan(model).candidates).model).toBe(upstream);
  });
});

describe("functions over models, strategies and the model list", () => {
  const yaml = `
llm:
  providers:
    - name: openai
      baseUrl: http://127.0.0.1:9001/v1
      credential: env::OPENAI_API_KEY
      models: [gpt-4o, gpt-4o-mini]
    - name: anthropic
      baseUrl: http://127.0.0.1:9002/v1
      models: [claude-sonnet-4-6]
  targets:
    - name: a
      model: gpt-4o
      weight: 3
    - name: b
      model: claude-sonnet-4-6
      credential: env::ANTHROPIC_API_KEY
  routes:
    - name: split
      models: [gpt-4o]
      strategy: weighted
      targets: [a, b]
    - name: chain
      models: [chain-model]
      strategy: fallback
      targets: [b, a]
      retry: { attempts: 2, backoff: 100ms }
  functions:
    - name: summarize
      strategy: fallback
      models: [chain-model, gpt-4o-mini]
    - name: gpt-4o-mini
      models: [gpt-4o-mini]
`;

  it("fallback lists every target in order with the route's retry", () => {
    const plan = routerOf(yaml, env).plan("chain-model");
    expect(plan.candidates.map((c) => c.name)).toEqual(["b", "a"]);
    expect(plan.retry).toMatchObject({ attempts: 2, backoffMs: 100 });
  });

  it("weighted draws one target per request by relative weight (3:1)", () => {
    const router = routerOf(yaml, env, draws(0, 0.74, 0.75, 0.99));
    const picks = [1, 2, 3, 4].map(() => only(router.plan("gpt-4o").candidates).name);
    expect(picks).toEqual(["a", "a", "b", "b"]);
  });

  it("a function over models resolves each model as a request would; the upstream gets real model names", () => {
    const plan = routerOf(yaml, env).plan("summarize");
    expect(plan.path).toEqual({ kind: "function", name: "summarize" });
    expect(plan.candidates.map((c) => [c.name, c.model, c.auth.kind])).toEqual([
      ["b", "claude-sonnet-4-6", "managed"],
      ["a", "gpt-4o", "managed"],
      ["openai", "gpt-4o-mini", "caller"],
    ]);
  });

  it("a function named like one of its models resolves that model past the function layer", () => {
    const plan = routerOf(yaml, env).plan("gpt-4o-mini");
    expect(plan.path).toEqual({ kind: "function", name: "gpt-4o-mini" });
    expect(only(plan.candidates)).toMatchObject({ providerName: "openai", model: "gpt-4o-mini" });
  });

  it("a function over a model nothing serves fails when the router is built, naming both", () => {
    const bad = yaml.replace("models: [chain-model, gpt-4o-mini]", "models: [chain-model, nowhere]");
    expect(() => routerOf(bad, env)).toThrow(/functions\.summarize: model "nowhere" does not resolve/);
  });

  it("models() lists function names, route models and provider models once each", () => {
    expect([...routerOf(yaml, env).models()].sort()).toEqual(
      ["summarize", "gpt-4o-mini", "gpt-4o", "chain-model", "claude-sonnet-4-6"].sort(),
    );
  });
});

describe("timeouts", () => {
  it("target timeout → provider timeout → llm.policies.timeout → 300s / 60s", () => {
    const yaml = `
llm:
  providers:
    - name: openai
      baseUrl: http://127.0.0.1:9001/v1
      credential: sk-literal
      timeout: 20s
      streamIdleTimeout: 5s
      models: [m1, m2]
    - name: other
      provider: openAI
      baseUrl: http://127.0.0.1:9003/v1
      models: [m3]
  targets:
    - name: fast
      model: m1
      timeout: 2s
    - name: plain
      model: m2
  policies:
    timeout: { requestTimeout: 40s }
`;
    const router = routerOf(yaml, env);
    expect(only(router.plan("m1").candidates)).toMatchObject({ headersTimeoutMs: 2000, bodyTimeoutMs: 5000 });
    expect(only(router.plan("m2").candidates)).toMatchObject({
      headersTimeoutMs: 20_000,
      bodyTimeoutMs: 5000,
    });
    expect(only(router.plan("m3").candidates)).toMatchObject({
      headersTimeoutMs: 40_000,
      bodyTimeoutMs: 60_000,
    });
    const bare = routerOf("llm:\n  providers:\n    - name: openai\n      models: [x]\n", env);
    expect(only(bare.plan("x").candidates)).toMatchObject({
      headersTimeoutMs: 300_000,
      bodyTimeoutMs: 60_000,
    });
    // A literal key shows the field, never the value.
    expect(only(router.plan("m2").candidates).auth).toMatchObject({ source: "providers.openai.credential" });
  });
});
