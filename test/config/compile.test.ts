import { describe, expect, it } from "vitest";
import { compileConfig } from "../../src/config/compile.js";
import type { Config } from "../../src/config/schema.js";
import { upstreamTarget } from "../../src/http/upstream-target.js";
import { routeTypeFor } from "../../src/llm/route-types.js";
import { modelEntryFor } from "../../src/llm/routing/model-entry.js";
import type { AiBackendRuntime } from "../../src/runtime/snapshot.js";

const env = { OPENAI_API_KEY: "sk-test", ANTH: "ak-test" };

describe("upstreamTarget: the URL joining rule", () => {
  it("drops a leading /v1 when the base path ends in /v1", () => {
    const t = upstreamTarget("https://api.openai.com/v1");
    expect(t).toMatchObject({
      connectOrigin: "https://api.openai.com",
      hostHeader: "api.openai.com",
      basePath: "/v1",
      stripV1: true,
    });
  });
  it("keeps a base path that does not end in /v1, and a trailing slash changes nothing", () => {
    expect(upstreamTarget("http://127.0.0.1:9001/openai/")).toMatchObject({
      basePath: "/openai",
      stripV1: false,
    });
    expect(upstreamTarget("http://h:1")).toMatchObject({ basePath: "", stripV1: false, hostHeader: "h:1" });
  });
  it("hostOverride dials another address, keeps Host and verifies TLS against the base name", () => {
    const t = upstreamTarget("https://api.openai.com/v1", "127.0.0.1:9001");
    expect(t).toMatchObject({
      connectOrigin: "https://127.0.0.1:9001",
      servername: "api.openai.com",
      hostHeader: "api.openai.com",
    });
    expect(upstreamTarget("http://api.example/v1", "127.0.0.1:9").servername).toBeUndefined();
  });
});

describe("compileConfig", () => {
  it("compiles binds with sorted listeners, backends, weights and resolved keys", () => {
    const config: Config = {
      config: { drainTimeout: "5s" },
      binds: [
        {
          port: 4100,
          listeners: [
            { routes: [{ backends: [{ host: "127.0.0.1:1" }] }] },
            { hostname: "*.example.com", routes: [{ backends: [{ host: "127.0.0.1:2" }] }] },
            { hostname: "*.b.example.com", routes: [{ backends: [{ host: "127.0.0.1:3" }] }] },
            { hostname: "API.example.com", routes: [{ backends: [{ host: "127.0.0.1:4" }] }] },
          ],
        },
        {
          port: 4101,
          address: "127.0.0.1",
          listeners: [
            {
              routes: [
                {
                  name: "ai",
                  backends: [
                    { ai: { name: "o", provider: { openAI: { model: "gpt-4o" } } }, weight: 3 },
                    {
                      ai: { name: "a", provider: { anthropic: {} }, baseUrl: "http://127.0.0.1:9/x" },
                    },
                  ],
                  policies: { backendAuth: { key: "env::OPENAI_API_KEY" } },
                },
              ],
            },
          ],
        },
      ],
    };
    const rt = compileConfig(config, { env });
    expect(rt.process.drainTimeoutMs).toBe(5000);
    const b0 = rt.binds.get(4100)!;
    expect(b0.address).toBe("0.0.0.0");
    expect([...b0.exact.keys()]).toEqual(["api.example.com"]);
    expect(b0.suffixes.map((l) => l.host)).toEqual([".b.example.com", ".example.com"]);
    expect(b0.any?.name).toBe("listener0");
    const route = rt.binds.get(4101)!.any!.matches[0]!.route;
    expect(route.backendAuth).toEqual({ kind: "key", key: "sk-test" });
    expect(route.cumulativeWeights).toEqual([3, 4]);
    expect(route.totalWeight).toBe(4);
    const [o, a] = route.backends as AiBackendRuntime[];
    expect(o!.provider.kind).toBe("openAI");
    expect(o!.model).toBe("gpt-4o");
    expect(o!.target?.connectOrigin).toBe("https://api.openai.com");
    expect(a!.target).toMatchObject({ connectOrigin: "http://127.0.0.1:9", basePath: "/x" });
    expect(routeTypeFor(route.routeTypes!, "/v1/chat/completions")).toBe("completions");
    expect(routeTypeFor(route.routeTypes!, "/v1/files")).toBe("passthrough");
    expect([...rt.upstreams.keys()].sort()).toEqual([
      "http://127.0.0.1:1",
      "http://127.0.0.1:2",
      "http://127.0.0.1:3",
      "http://127.0.0.1:4",
      "http://127.0.0.1:9",
      "https://api.openai.com",
    ]);
    expect(Object.isFrozen(rt)).toBe(true);
    expect(Object.isFrozen(route)).toBe(true);
    expect(Object.isFrozen(route.backends)).toBe(true);
  });

  it("names the field, never the value, when a credential does not resolve", () => {
    const config: Config = {
      binds: [
        {
          port: 1,
          listeners: [
            {
              routes: [
                { backends: [{ host: "h:1" }], policies: { backendAuth: { key: "env::MISSING_KEY" } } },
              ],
            },
          ],
        },
      ],
    };
    expect(() => compileConfig(config, { env })).toThrow(
      "binds[0].listeners[0].routes[0].policies.backendAuth.key: env::MISSING_KEY is not set",
    );
  });

  it("rejects a port used twice", () => {
    const l = [{ routes: [{ backends: [{ host: "h:1" }] }] }];
    expect(() =>
      compileConfig({ binds: [{ port: 4000, listeners: l }], llm: { models: [] } }, { env }),
    ).toThrow("llm.port: port 4000 is already used");
  });
});

describe("the llm form", () => {
  it("compiles into one bind on 4000 with the default route-type map and detect for *", () => {
    const rt = compileConfig(
      {
        llm: {
          models: [{ name: "*", provider: "openAI", params: { apiKey: "sk-x" }, passthrough: "detect" }],
        },
      },
      { env },
    );
    const bind = rt.binds.get(4000)!;
    expect(bind.address).toBe("0.0.0.0");
    const route = bind.any!.matches[0]!.route;
    const t = route.routeTypes!;
    expect(routeTypeFor(t, "/v1/chat/completions")).toBe("completions");
    expect(routeTypeFor(t, "/v1/messages")).toBe("messages");
    expect(routeTypeFor(t, "/v1/messages/count_tokens")).toBe("anthropicTokenCount");
    expect(routeTypeFor(t, "/v1/responses")).toBe("responses");
    expect(routeTypeFor(t, "/v1/embeddings")).toBe("embeddings");
    expect(routeTypeFor(t, "/v1/models")).toBe("models");
    expect(routeTypeFor(t, "/v1/files")).toBe("detect");
    expect(route.llm!.defaultEntry!.auth).toEqual({ kind: "key", key: "sk-x" });
  });

  it("orders model entries exact, longest prefix, longest suffix, then *", () => {
    const rt = compileConfig(
      {
        llm: {
          port: 4200,
          address: "127.0.0.1",
          models: [
            { name: "*", provider: "openAI" },
            { name: "gpt-*", provider: "openAI", params: { baseUrl: "http://127.0.0.1:1/v1" } },
            { name: "gpt-4o-*", provider: "openAI", params: { baseUrl: "http://127.0.0.1:2/v1" } },
            { name: "*-haiku", provider: "anthropic" },
            { name: "gpt-4o-mini", provider: "anthropic", params: { model: "claude-x" } },
          ],
        },
      },
      { env },
    );
    const table = rt.binds.get(4200)!.any!.matches[0]!.route.llm!;
    expect(table.entries.map((e) => e.pattern)).toEqual(["gpt-4o-mini", "gpt-4o-*", "gpt-*", "*-haiku", "*"]);
    expect(modelEntryFor(table, "gpt-4o-mini")?.backend.model).toBe("claude-x");
    expect(modelEntryFor(table, "gpt-4o-2024")?.pattern).toBe("gpt-4o-*");
    expect(modelEntryFor(table, "gpt-3.5")?.pattern).toBe("gpt-*");
    expect(modelEntryFor(table, "claude-3-haiku")?.backend.provider.kind).toBe("anthropic");
    expect(modelEntryFor(table, "llama")?.pattern).toBe("*");
    expect(table.defaultEntry?.pattern).toBe("*");
    // No "*": several entries leave the unknown model undecided.
    const two = compileConfig(
      {
        llm: {
          models: [
            { name: "a*", provider: "openAI" },
            { name: "b*", provider: "anthropic" },
          ],
        },
      },
      { env },
    );
    expect(two.binds.get(4000)!.any!.matches[0]!.route.llm!.defaultEntry).toBeUndefined();
  });

  it("uses providers: named entries, their base URL and passthrough model lists", () => {
    const rt = compileConfig(
      {
        llm: {
          providers: [
            {
              name: "claude",
              provider: "anthropic",
              baseUrl: "http://127.0.0.1:7/v1",
              models: ["claude-opus"],
              credential: "env::ANTH",
              passthroughCredential: "managedFirst",
            },
          ],
          models: [{ name: "*", provider: "claude" }],
        },
      },
      { env },
    );
    const table = rt.binds.get(4000)!.any!.matches[0]!.route.llm!;
    const e = modelEntryFor(table, "claude-opus")!;
    expect(e.kind).toBe("exact");
    expect(e.auth).toEqual({ kind: "key", key: "ak-test" });
    expect(table.defaultEntry!.backend.provider.kind).toBe("anthropic");
    expect(table.defaultEntry!.backend.target?.connectOrigin).toBe("http://127.0.0.1:7");
  });
});
