import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { load, warningsOf, yaml } from "./run.js";

describe("documents the loader accepts as written", () => {
  it("the llm form with a catch-all model binding", () => {
    const text = yaml(
      "llm:",
      "  models:",
      '  - name: "*"',
      "    provider: openAI",
      "    params:",
      '      apiKey: "$OPENAI_API_KEY"',
      "    passthrough: opaque",
    );
    const r = load(text, { OPENAI_API_KEY: "sk-test-1" });
    expect(r).toEqual({
      ok: true,
      config: {
        llm: {
          models: [{ name: "*", provider: "openAI", params: { apiKey: "sk-test-1" }, passthrough: "opaque" }],
        },
      },
      warnings: [],
    });
  });

  it("the binds form with an ai backend, route types and backendAuth", () => {
    const text = yaml(
      "binds:",
      "- port: 4000",
      "  listeners:",
      "  - routes:",
      "    - backends:",
      "      - ai:",
      "          name: openai",
      "          provider:",
      "            openAI: {}",
      "      policies:",
      "        ai:",
      "          routes:",
      '            "/v1/chat/completions": "completions"',
      '            "*": "passthrough"',
      "        backendAuth:",
      '          key: "$OPENAI_API_KEY"',
    );
    const r = load(text, { OPENAI_API_KEY: "sk-test-2" });
    expect(r).toEqual({
      ok: true,
      config: {
        binds: [
          {
            port: 4000,
            listeners: [
              {
                routes: [
                  {
                    backends: [{ ai: { name: "openai", provider: { openAI: {} } } }],
                    policies: {
                      ai: { routes: { "/v1/chat/completions": "completions", "*": "passthrough" } },
                      backendAuth: { key: "sk-test-2" },
                    },
                  },
                ],
              },
            ],
          },
        ],
      },
      warnings: [],
    });
  });

  it("leaves env:: references as written and injects no defaults", () => {
    const text = yaml(
      "llm:",
      "  providers: [{name: openai, credential: env::K, models: [gpt-4o]}]",
      "  targets: [{name: t, model: gpt-4o}]",
    );
    const r = load(text, { K: "secret" });
    expect(r.ok && r.config).toEqual({
      llm: {
        providers: [{ name: "openai", credential: "env::K", models: ["gpt-4o"] }],
        targets: [{ name: "t", model: "gpt-4o" }],
      },
    });
  });

  it("every example in examples/ that needs no environment loads cleanly", () => {
    let dir: string[];
    try {
      dir = readdirSync(new URL("../../examples/", import.meta.url)).filter((f) => f.endsWith(".yaml"));
    } catch {
      dir = [];
    }
    for (const name of dir) {
      const text = readFileSync(new URL(`../../examples/${name}`, import.meta.url), "utf8");
      // Examples name their keys with $VARS; give every variable without a default a placeholder.
      const env: Record<string, string> = {};
      for (const m of text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)(:-)?|env::([A-Za-z_][A-Za-z0-9_]*)/g)) {
        if (m[2] === undefined) env[m[1] ?? m[3] ?? ""] = "placeholder";
      }
      expect(() => warningsOf(text, env), name).not.toThrow();
    }
  });
});
