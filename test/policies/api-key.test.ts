import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createApiKeyPolicy } from "../../src/policies/api-key.js";

const hash = (k: string) => `sha256:${createHash("sha256").update(k).digest("hex")}`;

const cfg = {
  keys: [
    { name: "alice", key: "sk-alice-123", metadata: { team: "a" } },
    { name: "bob", keyHash: hash("sk-bob-456"), allowedModels: ["gpt-4o*", "*-haiku", "o3"] },
    { name: "carol", key: "sk-carol-789", allowedModels: ["*"] },
  ],
};

describe("apiKey policy", () => {
  const policy = createApiKeyPolicy(cfg);

  it("accepts an inline key with Bearer, case-insensitive scheme, and exposes name and metadata", () => {
    const r = policy.authenticate({ "x-agw-authorization": "bearer sk-alice-123" });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.key.name).toBe("alice");
    expect(r.key.metadata).toEqual({ team: "a" });
    expect(r.event).toEqual({ policy: "apiKey", phase: "gateway", action: "allow" });
  });

  it("accepts a hashed key and a bare key without scheme", () => {
    const r = policy.authenticate({ "x-agw-authorization": "sk-bob-456" });
    expect(r.ok && r.key.name).toBe("bob");
  });

  it("answers 401 for a missing, malformed or unknown key, never echoing the key", () => {
    for (const headers of [
      {},
      { "x-agw-authorization": "" },
      { "x-agw-authorization": "Basic abc def" },
      { "x-agw-authorization": "Bearer sk-wrong-000" },
      { authorization: "Bearer sk-alice-123" },
    ]) {
      const r = policy.authenticate(headers);
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.error.status).toBe(401);
      expect(r.error.code).toBe("unauthorized");
      expect(r.error.message).not.toContain("sk-");
      expect(r.event.action).toBe("reject");
    }
  });

  it("reads a configured header", () => {
    const p = createApiKeyPolicy({ header: "X-Gateway-Key", keys: [{ name: "k", key: "secret" }] });
    expect(p.header).toBe("x-gateway-key");
    expect(p.authenticate({ "x-gateway-key": "Bearer secret" }).ok).toBe(true);
    expect(p.authenticate({ "x-agw-authorization": "Bearer secret" }).ok).toBe(false);
  });

  it("compares against every stored digest whatever the position of the match", () => {
    for (const [presented, expected] of [
      ["sk-alice-123", "alice"],
      ["sk-carol-789", "carol"],
      ["nope", undefined],
    ] as const) {
      let calls = 0;
      const p = createApiKeyPolicy(cfg, {
        digestEqual: (a, b) => {
          calls++;
          return a.equals(b);
        },
      });
      const r = p.authenticate({ "x-agw-authorization": `Bearer ${presented}` });
      expect(calls).toBe(3);
      expect(r.ok ? r.key.name : undefined).toBe(expected);
    }
  });

  it("applies allowedModels patterns (exact, prefix*, *suffix, *) and 403 otherwise", () => {
    const r = policy.authenticate({ "x-agw-authorization": "Bearer sk-bob-456" });
    if (!r.ok) throw new Error("expected ok");
    const bob = r.key;
    expect(bob.allowsModel("gpt-4o")).toBe(true);
    expect(bob.allowsModel("gpt-4o-mini")).toBe(true);
    expect(bob.allowsModel("claude-3-haiku")).toBe(true);
    expect(bob.allowsModel("o3")).toBe(true);
    expect(bob.allowsModel("o3-mini")).toBe(false);
    expect(bob.allowsModel("gpt-4")).toBe(false);
    expect(policy.authorizeModel(bob, "gpt-4o")).toBeUndefined();
    const err = policy.authorizeModel(bob, "claude-opus");
    expect(err?.status).toBe(403);
    expect(err?.code).toBe("forbidden");
    expect(err?.message).toContain('"bob"');
    expect(policy.filterModels(bob, ["gpt-4o", "o3-mini", "x-haiku"])).toEqual(["gpt-4o", "x-haiku"]);
    expect(policy.filterModels(bob, [{ id: "o3" }, { id: "o1" }])).toEqual([{ id: "o3" }]);
  });

  it("allows every model without allowedModels", () => {
    const r = policy.authenticate({ "x-agw-authorization": "Bearer sk-alice-123" });
    if (!r.ok) throw new Error("expected ok");
    expect(r.key.allowsModel("anything")).toBe(true);
  });

  it("rejects a config entry without key or keyHash", () => {
    expect(() => createApiKeyPolicy({ keys: [{ name: "x" }] })).toThrow(/neither key nor keyHash/);
  });
});
