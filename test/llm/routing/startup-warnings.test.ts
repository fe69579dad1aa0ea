import { describe, expect, it } from "vitest";
import { isLoopback, startupWarnings } from "../../../src/llm/routing/startup-warnings.js";
import { loadYaml } from "./helpers.js";

const env = { OPENAI_API_KEY: "sk-o" };
const managed = (address: string, policies = "") => `
llm:
  address: ${address}
  providers:
    - name: openai
      credential: env::OPENAI_API_KEY
      models: [gpt-4o, gpt-4o-mini]
  targets:
    - name: t
      model: gpt-4o
${policies}`;

describe("startup warnings", () => {
  it("managed credentials on a non-loopback address without a gateway key: one warning naming the fix", () => {
    const w = startupWarnings(loadYaml(managed("0.0.0.0"), env), env);
    expect(w).toHaveLength(1);
    expect(w[0]).toContain('target "t"');
    expect(w[0]).toContain("policies.apiKey");
    expect(w[0]).not.toContain("sk-o");
  });

  it("no warning on loopback, with an apiKey policy, or for passthrough only", () => {
    expect(startupWarnings(loadYaml(managed("127.0.0.1"), env), env)).toEqual([]);
    const keyed = managed(
      "0.0.0.0",
      "  policies:\n    apiKey:\n      keys:\n        - { name: k, key: gw-key }\n",
    );
    expect(startupWarnings(loadYaml(keyed, env), env)).toEqual([]);
    const passthrough = "llm:\n  providers:\n    - name: openai\n      models: [gpt-4o]\n";
    expect(startupWarnings(loadYaml(passthrough, env), env)).toEqual([]);
  });

  it("binds: a backendAuth key on 0.0.0.0 without apiKey warns", () => {
    const yaml = `
binds:
  - port: 4001
    listeners:
      - routes:
          - name: r
            backends: [{ ai: { name: o, provider: { openAI: {} } } }]
            policies: { backendAuth: { key: env::OPENAI_API_KEY } }
`;
    expect(startupWarnings(loadYaml(yaml, env), env)).toEqual([expect.stringContaining('route "r"')]);
  });

  it("knows loopback addresses", () => {
    expect(["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"].every(isLoopback)).toBe(true);
    expect(["0.0.0.0", "::", "10.0.0.1", "192.168.1.1"].some(isLoopback)).toBe(false);
  });
});
