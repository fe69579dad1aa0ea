import { describe, expect, it } from "vitest";
import { createCorsPolicy } from "../../src/policies/cors.js";
import { createHeaderModifier } from "../../src/policies/header-modifier.js";

describe("cors", () => {
  const cors = createCorsPolicy({
    allowOrigins: ["https://app.example.com", "https://*.tools.example.com"],
    allowHeaders: ["content-type", "authorization"],
    exposeHeaders: ["x-agw-request-id"],
    allowCredentials: true,
    maxAge: "10m",
  });
  const pre = (origin: string, extra: Record<string, string> = {}) =>
    cors.preflight("OPTIONS", { origin, "access-control-request-method": "POST", ...extra });

  it("answers an allowed preflight locally with 204 and the allow headers", () => {
    expect(pre("https://app.example.com")).toEqual({
      status: 204,
      headers: {
        "access-control-allow-origin": "https://app.example.com",
        "access-control-allow-credentials": "true",
        "access-control-allow-methods": "GET, POST, OPTIONS",
        "access-control-allow-headers": "content-type, authorization",
        "access-control-max-age": "600",
        vary: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
      },
      event: { policy: "cors", phase: "gateway", action: "allow" },
    });
    expect(pre("https://a.tools.example.com")?.status).toBe(204);
  });

  it("refuses a preflight from another origin with 403 and no CORS headers", () => {
    for (const o of ["https://evil.example", "http://app.example.com", "https://tools.example.com"]) {
      expect(pre(o)).toEqual({
        status: 403,
        headers: { vary: "Origin" },
        event: { policy: "cors", phase: "gateway", action: "reject" },
      });
    }
  });

  it("is not a preflight without OPTIONS, Origin and Access-Control-Request-Method", () => {
    expect(
      cors.preflight("POST", { origin: "https://app.example.com", "access-control-request-method": "POST" }),
    ).toBeUndefined();
    expect(cors.preflight("OPTIONS", { origin: "https://app.example.com" })).toBeUndefined();
    expect(cors.preflight("OPTIONS", { "access-control-request-method": "POST" })).toBeUndefined();
  });

  it("adds allow-origin, credentials and expose to actual responses of allowed origins only", () => {
    expect(cors.responseHeaders({ origin: "https://app.example.com" })).toEqual({
      "access-control-allow-origin": "https://app.example.com",
      "access-control-allow-credentials": "true",
      "access-control-expose-headers": "x-agw-request-id",
      vary: "Origin",
    });
    expect(cors.responseHeaders({ origin: "https://evil.example" })).toEqual({ vary: "Origin" });
    expect(cors.responseHeaders({})).toEqual({});
  });

  it("any origin without credentials answers *, echoing requested headers when none are configured", () => {
    const any = createCorsPolicy({ allowOrigins: ["*"], allowMethods: ["POST"] });
    const p = any.preflight("options", {
      origin: "https://x.test",
      "access-control-request-method": "POST",
      "access-control-request-headers": "x-stainless-os, authorization",
    });
    expect(p?.headers).toMatchObject({
      "access-control-allow-origin": "*",
      "access-control-allow-methods": "POST",
      "access-control-allow-headers": "x-stainless-os, authorization",
    });
    expect(p?.headers["access-control-allow-credentials"]).toBeUndefined();
    const withCreds = createCorsPolicy({ allowOrigins: ["*"], allowCredentials: true });
    expect(withCreds.responseHeaders({ origin: "https://x.test" })["access-control-allow-origin"]).toBe(
      "https://x.test",
    );
  });
});

describe("header modifiers", () => {
  it("removes, sets (replacing all values) and adds, case-insensitively, without touching the input", () => {
    const m = createHeaderModifier({
      set: { "X-Env": "prod" },
      add: { "x-tag": "b" },
      remove: ["X-Drop"],
    });
    const input = ["Host", "h", "x-env", "dev", "X-ENV", "dev2", "x-drop", "1", "x-tag", "a"];
    expect(m.apply(input)).toEqual(["Host", "h", "x-tag", "a", "x-env", "prod", "x-tag", "b"]);
    expect(input).toHaveLength(10);
    expect(m.empty).toBe(false);
  });

  it("an absent or empty config changes nothing", () => {
    expect(createHeaderModifier(undefined).empty).toBe(true);
    expect(createHeaderModifier({}).apply(["a", "1"])).toEqual(["a", "1"]);
  });
});
