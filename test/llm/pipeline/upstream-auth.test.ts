import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../src/errors.js";
import { appendAuth, callerKey } from "../../../src/llm/pipeline/upstream-auth.js";
import { PROVIDERS } from "../../../src/llm/providers/registry.js";
import type { Candidate, CandidateAuth } from "../../../src/runtime/plan.js";

function candidate(kind: "openAI" | "anthropic", auth: CandidateAuth): Candidate {
  return {
    name: "t",
    providerName: "p",
    provider: PROVIDERS[kind],
    upstream: undefined,
    model: undefined,
    auth,
    responsesApi: false,
    headersTimeoutMs: 1000,
    bodyTimeoutMs: 1000,
  };
}

function apply(kind: "openAI" | "anthropic", auth: CandidateAuth, headers: Record<string, string>): string[] {
  const out: string[] = [];
  appendAuth(out, candidate(kind, auth), headers);
  return out;
}

describe("callerKey", () => {
  it("reads Authorization: Bearer (any case) and x-api-key", () => {
    expect(callerKey({ authorization: "Bearer sk-1" })).toBe("sk-1");
    expect(callerKey({ authorization: "bearer   sk-2 " })).toBe("sk-2");
    expect(callerKey({ "x-api-key": "sk-3" })).toBe("sk-3");
    expect(callerKey({ authorization: "Basic abc" })).toBeUndefined();
    expect(callerKey({})).toBeUndefined();
  });
});

describe("appendAuth", () => {
  it("managed: the gateway's key, never the caller's", () => {
    const out = apply(
      "openAI",
      { kind: "managed", key: "sk-managed", source: "s" },
      { authorization: "Bearer sk-caller" },
    );
    expect(out).toEqual(["authorization", "Bearer sk-managed"]);
    expect(out.join(" ")).not.toContain("sk-caller");
  });

  it("caller: a Bearer key moves to x-api-key for Anthropic, x-api-key moves to Bearer for OpenAI", () => {
    expect(apply("anthropic", { kind: "caller" }, { authorization: "Bearer sk-c" })).toEqual([
      "x-api-key",
      "sk-c",
      "anthropic-version",
      "2023-06-01",
    ]);
    expect(apply("openAI", { kind: "caller" }, { "x-api-key": "sk-c" })).toEqual([
      "authorization",
      "Bearer sk-c",
    ]);
  });

  it("caller without a key: 401 unauthorized naming the header", () => {
    let err: unknown;
    try {
      apply("anthropic", { kind: "caller" }, {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ status: 401, code: "unauthorized" });
    expect((err as Error).message).toContain("x-api-key");
  });

  it("managedFirst: the key when set, else the caller's, else 401", () => {
    expect(
      apply("openAI", { kind: "managedFirst", key: "sk-m", source: "s" }, { authorization: "Bearer sk-c" }),
    ).toEqual(["authorization", "Bearer sk-m"]);
    expect(
      apply(
        "openAI",
        { kind: "managedFirst", key: undefined, source: "s" },
        { authorization: "Bearer sk-c" },
      ),
    ).toEqual(["authorization", "Bearer sk-c"]);
    expect(() => apply("openAI", { kind: "managedFirst", key: undefined, source: "s" }, {})).toThrow(
      GatewayError,
    );
  });

  it("none: nothing", () => {
    expect(apply("openAI", { kind: "none" }, { authorization: "Bearer x" })).toEqual([]);
  });
});
