/**
 * Every table and example of the four routing documents in shared/reference/, their TOML
 * translated to our YAML llm form ([providers.x] → llm.providers[{name: x}], base_url → baseUrl,
 * [targets.x] → llm.targets, [routes.x] → llm.routes, [server] → llm.address/port). Each row
 * "model → routing mode, caller needs a key?" is asserted on the plan: the path kind and the
 * candidate's auth kind (managed: no caller key; caller: the caller must send one).
 */
import { describe, expect, it } from "vitest";
import { loadConfigText } from "../../../src/config/load.js";
import { GatewayError } from "../../../src/errors.js";
import { pathLabel } from "../../../src/llm/routing/resolution.js";
import { keyOf, only, routerOf } from "./helpers.js";

const env = {
  OPENAI_API_KEY: "sk-openai-provider",
  ANTHROPIC_API_KEY: "sk-ant-provider",
  MANAGED_OPENAI_KEY: "sk-managed-openai",
};

type Mode = "managed" | "passthrough";

function expectRow(yaml: string, model: string, mode: Mode, callerNeedsKey: boolean, e = env) {
  const plan = routerOf(yaml, e).plan(model);
  const c = only(plan.candidates);
  if (mode === "managed") expect(plan.path.kind).toBe("route");
  else expect(plan.path).toEqual({ kind: "passthrough" });
  expect(c.auth.kind).toBe(callerNeedsKey ? "caller" : "managed");
  return { plan, c };
}

describe("passthrough-routing.txt", () => {
  const registration = `
llm:
  providers:
    - name: openai
      baseUrl: https://api.openai.com/v1
      models: [gpt-4o, gpt-4o-mini, o3]
    - name: anthropic
      baseUrl: https://api.anthropic.com/v1
      models: [claude-sonnet-4-6, claude-haiku-4-5]
`;

  it("provider model registration: gpt-4o → OpenAI, claude-sonnet-4-6 → Anthropic, both with the caller's key", () => {
    const a = expectRow(registration, "gpt-4o", "passthrough", true);
    expect(a.c.providerName).toBe("openai");
    expect(a.c.provider.kind).toBe("openAI");
    expect(a.c.upstream?.hostHeader).toBe("api.openai.com");
    expect(a.c.model).toBe("gpt-4o");
    const b = expectRow(registration, "claude-sonnet-4-6", "passthrough", true);
    expect(b.c.providerName).toBe("anthropic");
    expect(b.c.provider.kind).toBe("anthropic");
    expect(b.c.upstream?.hostHeader).toBe("api.anthropic.com");
  });

  it("a model no provider registers is a 404 naming the model", () => {
    const router = routerOf(registration, env);
    expect(() => router.plan("llama-3")).toThrow(GatewayError);
    try {
      router.plan("llama-3");
    } catch (e) {
      expect(e).toMatchObject({ status: 404, code: "model_not_found" });
      expect((e as Error).message).toContain('"llama-3"');
    }
  });

  it("the simplest deployment ([server] + providers only): every model is passthrough", () => {
    const yaml = `
llm:
  address: 0.0.0.0
  port: 4000
  providers:
    - name: openai
      baseUrl: https://api.openai.com/v1
      models: [gpt-4o, gpt-4o-mini]
    - name: anthropic
      baseUrl: https://api.anthropic.com/v1
      models: [claude-sonnet-4-6]
`;
    for (const model of ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4-6"])
      expectRow(yaml, model, "passthrough", true);
  });

  it("openai::gpt-4o bypasses a route and a function configured for gpt-4o", () => {
    const yaml = `
llm:
  providers:
    - name: openai
      baseUrl: https://api.openai.com/v1
      credential: env::OPENAI_API_KEY
      models: [gpt-4o]
  targets:
    - name: openai-gpt4o
      model: gpt-4o
  routes:
    - name: primary
      models: [gpt-4o]
      targets: [openai-gpt4o]
  functions:
    - name: gpt-4o
      targets: [openai-gpt4o]
`;
    const router = routerOf(yaml, env);
    expect(router.plan("gpt-4o").path).toEqual({ kind: "function", name: "gpt-4o" });
    const plan = router.plan("openai::gpt-4o");
    expect(plan.path).toEqual({ kind: "passthrough" });
    const c = only(plan.candidates);
    expect(c.auth).toEqual({ kind: "caller" });
    expect(c.model).toBe("gpt-4o");
    expect(c.providerName).toBe("openai");
  });

  it("a provider credential serves managed targets only; passthrough still forwards the caller's key", () => {
    const yaml = `
llm:
  providers:
    - name: openai
      baseUrl: https://api.openai.com/v1
      credential: env::OPENAI_API_KEY
      models: [gpt-4o, gpt-4o-mini]
`;
    const { c } = expectRow(yaml, "gpt-4o", "passthrough", true);
    expect(keyOf(c.auth)).toBeUndefined();
  });

  it("without a provider credential, managed targets use the convention env::OPENAI_API_KEY; passthrough never does", () => {
    const yaml = `
llm:
  providers:
    - name: openai
      baseUrl: https://api.openai.com/v1
      models: [gpt-4o, gpt-4o-mini]
  targets:
    - name: openai-gpt4o
      model: gpt-4o
`;
    const managed = expectRow(yaml, "gpt-4o", "managed", false);
    expect(managed.c.auth).toEqual({
      kind: "managed",
      key: "sk-openai-provider",
      source: "env::OPENAI_API_KEY",
    });
    expectRow(yaml, "gpt-4o-mini", "passthrough", true);
  });

  it("coexistence: gpt-4o managed (gateway key), gpt-4o-mini and o3 passthrough (caller key)", () => {
    const yaml = `
llm:
  providers:
    - name: openai
      baseUrl: https://api.openai.com/v1
      credential: env::OPENAI_API_KEY
      models: [gpt-4o, gpt-4o-mini, o3]
  targets:
    - name: openai-gpt4o
      model: gpt-4o
`;
    const m = expectRow(yaml, "gpt-4o", "managed", false);
    expect(keyOf(m.c.auth)).toBe("sk-openai-provider");
    expectRow(yaml, "gpt-4o-mini", "passthrough", true);
    expectRow(yaml, "o3", "passthrough", true);
  });
});

describe("simple-routing.txt", () => {
  const bare = `
llm:
  providers:
    - name: openai
      baseUrl: https://api.openai.com/v1
      credential: env::OPENAI_API_KEY
      models: [gpt-4o, gpt-4o-mini]
  targets:
    - name: openai-gpt4o
      model: gpt-4o
`;

  it("option A, bare target: gpt-4o managed with the provider's credential, gpt-4o-mini passthrough", () => {
    const m = expectRow(bare, "gpt-4o", "managed", false);
    expect(m.plan.path).toEqual({ kind: "route", name: "openai-gpt4o" });
    expect(m.plan.strategy).toBe("single");
    expect(m.c.auth).toEqual({ kind: "managed", key: "sk-openai-provider", source: "env::OPENAI_API_KEY" });
    expectRow(bare, "gpt-4o-mini", "passthrough", true);
  });

  it("option A, a target credential replaces the provider's", () => {
    const yaml = bare.replace(
      "model: gpt-4o\n",
      "model: gpt-4o\n      credential: env::MANAGED_OPENAI_KEY\n",
    );
    const m = expectRow(yaml, "gpt-4o", "managed", false);
    expect(m.c.auth).toEqual({
      kind: "managed",
      key: "sk-managed-openai",
      source: "env::MANAGED_OPENAI_KEY",
    });
  });

  it("option B, explicit route: the same candidate as the bare target, under the route's name", () => {
    const yaml = `${bare}  routes:
    - name: primary
      models: [gpt-4o]
      strategy: single
      targets: [openai-gpt4o]
`;
    const a = routerOf(bare, env).plan("gpt-4o");
    const b = routerOf(yaml, env).plan("gpt-4o");
    expect(b.path).toEqual({ kind: "route", name: "primary" });
    expect(b.strategy).toBe("single");
    expect(b.candidates).toEqual(a.candidates);
  });

  it("a target some route uses still serves its own model (adding a fallback route keeps gpt-4o managed)", () => {
    const yaml = `${bare}    - name: broken
      model: fb-model
      provider: openai
  routes:
    - name: fallback
      models: [fb-model]
      strategy: fallback
      targets: [broken, openai-gpt4o]
`;
    const m = expectRow(yaml, "gpt-4o", "managed", false);
    expect(m.plan.path).toEqual({ kind: "route", name: "openai-gpt4o" });
    expect(routerOf(yaml, env).describe("gpt-4o").layer).toBe("bareTarget");
    expect(routerOf(yaml, env).plan("fb-model").path).toEqual({ kind: "route", name: "fallback" });
    expectRow(yaml, "gpt-4o-mini", "passthrough", true);
  });

  it("an explicit route that claims the target's model wins over the target's own route", () => {
    const yaml = `${bare}  routes:
    - name: primary
      models: [gpt-4o, other]
      targets: [openai-gpt4o]
`;
    expect(routerOf(yaml, env).plan("gpt-4o").path).toEqual({ kind: "route", name: "primary" });
  });

  it("two targets routes use, with one model: the first serves it, and the load warns how to choose", () => {
    const yaml = `${bare}    - name: second
      model: gpt-4o
      credential: env::MANAGED_OPENAI_KEY
  routes:
    - name: r
      models: [fast]
      strategy: fallback
      targets: [second, openai-gpt4o]
`;
    const loaded = loadConfigText(yaml, { file: "f.yaml", env });
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    const warning = loaded.warnings.map((d) => d.message).join("\n");
    expect(warning).toContain('model "gpt-4o" is served by target "openai-gpt4o"');
    expect(warning).toContain('not by target "second"');
    expect(routerOf(yaml, env).plan("gpt-4o").path).toEqual({ kind: "route", name: "openai-gpt4o" });
  });

  it("testing it: a credential variable that is not set fails the load, naming it", () => {
    const loaded = loadConfigText(bare, { file: "f.yaml", env: {} });
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) expect(loaded.errors.map((d) => d.message).join("\n")).toContain("OPENAI_API_KEY");
  });

  const mixed = `
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
    - name: anthropic-sonnet
      model: claude-sonnet-4-6
`;
  const table: Array<[string, Mode, boolean]> = [
    ["gpt-4o", "managed", false],
    ["claude-sonnet-4-6", "managed", false],
    ["gpt-4o-mini", "passthrough", true],
    ["o3", "passthrough", true],
  ];
  it.each(table)("mixed mode: %s → %s, caller needs a key: %s", (model, mode, needsKey) => {
    expectRow(mixed, model, mode, needsKey);
  });

  it("mixed mode: each managed target carries its own provider's key", () => {
    const router = routerOf(mixed, env);
    expect(keyOf(only(router.plan("gpt-4o").candidates).auth)).toBe("sk-openai-provider");
    const sonnet = only(router.plan("claude-sonnet-4-6").candidates);
    expect(keyOf(sonnet.auth)).toBe("sk-ant-provider");
    expect(sonnet.provider.kind).toBe("anthropic");
  });

  describe("credential resolution order", () => {
    const yaml = (target: string, provider: string) => `
llm:
  providers:
    - name: openai
      baseUrl: https://api.openai.com/v1
${provider}      models: [gpt-4o]
  targets:
    - name: t
      model: gpt-4o
${target}`;
    it("1. the target's credential", () => {
      const r = routerOf(
        yaml("      credential: env::MANAGED_OPENAI_KEY\n", "      credential: env::ANTHROPIC_API_KEY\n"),
        env,
      );
      expect(only(r.plan("gpt-4o").candidates).auth).toMatchObject({ key: "sk-managed-openai" });
    });
    it("2. the provider's credential", () => {
      const r = routerOf(yaml("", "      credential: env::ANTHROPIC_API_KEY\n"), env);
      expect(only(r.plan("gpt-4o").candidates).auth).toMatchObject({
        key: "sk-ant-provider",
        source: "env::ANTHROPIC_API_KEY",
      });
    });
    it("3. the convention env::OPENAI_API_KEY", () => {
      const r = routerOf(yaml("", ""), env);
      expect(only(r.plan("gpt-4o").candidates).auth).toMatchObject({
        key: "sk-openai-provider",
        source: "env::OPENAI_API_KEY",
      });
    });
    it("4. none resolves: the load fails, naming the target and the variable", () => {
      const loaded = loadConfigText(yaml("", ""), { file: "f.yaml", env: {} });
      expect(loaded.ok).toBe(false);
      if (!loaded.ok) {
        const text = loaded.errors.map((d) => `${d.line}: ${d.message}`).join("\n");
        expect(text).toContain('target "t" has no credential');
        expect(text).toContain("OPENAI_API_KEY");
      }
    });
  });
});

describe("managed-passthrough.txt", () => {
  const yaml = (credentialMode: string) => `
llm:
  providers:
    - name: openai
      baseUrl: https://api.openai.com/v1
      credential: env::OPENAI_API_KEY
${credentialMode}      models: [gpt-4o, gpt-4o-mini]
`;

  it("passthrough applies to a model no route or function claims; unknown models are a 404", () => {
    expectRow(yaml(""), "gpt-4o-mini", "passthrough", true);
    expect(() => routerOf(yaml(""), env).plan("gpt-5")).toThrow(/gpt-5/);
  });

  it("managedFirst (managed-credential-wins): the managed key when it resolves", () => {
    const c = only(
      routerOf(yaml("      passthroughCredential: managedFirst\n"), env).plan("gpt-4o").candidates,
    );
    expect(c.auth).toEqual({
      kind: "managedFirst",
      key: "sk-openai-provider",
      source: "env::OPENAI_API_KEY",
    });
  });

  it("managedFirst without a resolvable managed key: the caller's key is used", () => {
    const noCred = `
llm:
  providers:
    - name: openai
      baseUrl: https://api.openai.com/v1
      passthroughCredential: managedFirst
      models: [gpt-4o]
`;
    const c = only(routerOf(noCred, {}).plan("gpt-4o").candidates);
    expect(c.auth).toEqual({ kind: "managedFirst", key: undefined, source: "env::OPENAI_API_KEY" });
  });

  it("the provider::model prefix forces a direct proxy to the named provider, past a route for the model", () => {
    const routed = `${yaml("")}  targets:
    - name: t
      model: gpt-4o
  routes:
    - name: r
      models: [gpt-4o]
      targets: [t]
`;
    const router = routerOf(routed, env);
    expect(router.plan("gpt-4o").path).toEqual({ kind: "route", name: "r" });
    const plan = router.plan("openai::gpt-4o");
    expect(plan.path.kind).toBe("passthrough");
    expect(only(plan.candidates).auth.kind).toBe("caller");
  });

  it("the routing path recorded: passthrough for passthrough, the route, strategy and target for managed", () => {
    const routed = `${yaml("")}  targets:
    - name: t
      model: gpt-4o
`;
    const router = routerOf(routed, env);
    const p = router.plan("gpt-4o-mini");
    expect(pathLabel(p.path)).toBe("passthrough");
    const m = router.plan("gpt-4o");
    expect(pathLabel(m.path)).toBe("route:t");
    expect(m.strategy).toBe("single");
    expect(only(m.candidates).name).toBe("t");
  });
});

describe("managed-direct-routing.txt", () => {
  // A "Direct routing rule" is a route with the single strategy whose target names the
  // provider and the stored credential.
  const yaml = `
llm:
  providers:
    - name: openai
      baseUrl: https://api.openai.com/v1
      models: [gpt-4o, gpt-4o-mini]
    - name: anthropic
      baseUrl: https://api.anthropic.com/v1
      models: [claude-sonnet-4-6]
  targets:
    - name: openai-stored
      provider: openai
      model: gpt-4o
      credential: env::MANAGED_OPENAI_KEY
    - name: anthropic-stored
      provider: anthropic
      model: claude-sonnet-4-6
      credential: env::ANTHROPIC_API_KEY
  routes:
    - name: direct-gpt-4o
      models: [gpt-4o]
      strategy: single
      targets: [openai-stored]
    - name: direct-sonnet
      models: [claude-sonnet-4-6]
      strategy: single
      targets: [anthropic-stored]
`;
  const table: Array<[string, Mode, boolean]> = [
    ["gpt-4o", "managed", false],
    ["claude-sonnet-4-6", "managed", false],
    ["gpt-4o-mini", "passthrough", true],
  ];
  it.each(table)("%s → %s, caller supplies a provider key: %s", (model, mode, needsKey) => {
    expectRow(yaml, model, mode, needsKey);
  });

  it("a direct rule sends all traffic for its model to its one target, with the stored credential", () => {
    const router = routerOf(yaml, env);
    for (let i = 0; i < 5; i++) {
      const plan = router.plan("gpt-4o");
      expect(plan).toMatchObject({ path: { kind: "route", name: "direct-gpt-4o" }, strategy: "single" });
      expect(only(plan.candidates)).toMatchObject({ name: "openai-stored", model: "gpt-4o" });
      expect(keyOf(only(plan.candidates).auth)).toBe("sk-managed-openai");
    }
  });
});
