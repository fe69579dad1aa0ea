import { describe, expect, it } from "vitest";
import { compilePolicies } from "../../src/policies/compile.js";
import { POLICY_ORDER, runPolicyPhase } from "../../src/policies/order.js";

describe("policy order", () => {
  it("is written as data, phase by phase", () => {
    expect(POLICY_ORDER).toEqual({
      gateway: ["cors", "apiKey", "budget", "requestRateLimit", "requestHeaderModifier"],
      llmRequest: ["modelAliases", "shaping", "promptGuardRequest", "tokenRateLimitReserve"],
      llmResponse: ["promptGuardResponse", "tokenRateLimitAmend", "responseHeaderModifier"],
    });
  });

  it("the runner follows the order whatever the steps' key order, skips absent steps, stops at the first value", async () => {
    const ran: string[] = [];
    const step = (name: string, stop?: string) => async () => {
      ran.push(name);
      return stop;
    };
    const r = await runPolicyPhase(
      "gateway",
      { requestHeaderModifier: step("headers"), requestRateLimit: step("rate", "429"), cors: step("cors") },
      {},
    );
    expect(r).toBe("429");
    expect(ran).toEqual(["cors", "rate"]);
    ran.length = 0;
    expect(await runPolicyPhase("llmResponse", { tokenRateLimitAmend: step("amend") }, {})).toBeUndefined();
    expect(ran).toEqual(["amend"]);
  });
});

describe("compilePolicies", () => {
  it("compiles only what is configured", () => {
    expect(compilePolicies(undefined)).toEqual({});
    const c = compilePolicies({
      cors: { allowOrigins: ["*"] },
      apiKey: { keys: [{ name: "k", key: "s" }] },
      localRateLimit: [{ maxTokens: 1, tokensPerFill: 1, fillInterval: "1s" }],
      responseHeaderModifier: { set: { a: "b" } },
      ai: { modelAliases: { a: "b" }, promptGuard: { request: [{ blocklist: { words: ["x"] } }] } },
    });
    expect(Object.keys(c).sort()).toEqual([
      "apiKey",
      "cors",
      "promptGuard",
      "rateLimit",
      "responseHeaders",
      "shaping",
    ]);
    expect(c.shaping?.resolveAlias("a")).toBe("b");
    expect(compilePolicies({ ai: { routes: { "*": "passthrough" } } })).toEqual({});
  });
});
