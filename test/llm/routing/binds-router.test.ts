/** The binds form's router: ai backends by weight, the route's retry, timeouts and backendAuth. */
import { describe, expect, it } from "vitest";
import type { RouteConfig } from "../../../src/config/schema.js";
import { compileBindsRouter } from "../../../src/llm/routing/binds-router.js";
import { draws, loadYaml, only } from "./helpers.js";

const env = { K: "sk-bind" };
function routeOf(policies: string, backends: string): RouteConfig {
  const config = loadYaml(
    `binds:\n  - port: 4001\n    listeners:\n      - routes:\n          - name: r\n            backends:\n${backends}${policies}`,
    env,
  );
  const route = config.binds?.[0]?.listeners[0]?.routes[0];
  if (route === undefined) throw new Error("no route");
  return route;
}

const two = `              - ai: { name: a, provider: { openAI: { model: fixed-a } }, baseUrl: "http://127.0.0.1:9001/v1" }
                weight: 3
              - ai: { name: b, provider: { anthropic: {} }, baseUrl: "http://127.0.0.1:9002" }
              - host: 127.0.0.1:9003
`;
const policies = `            policies:
              backendAuth: { key: env::K }
              retry: { attempts: 1, backoff: 50ms }
              timeout: { requestTimeout: 7s, streamIdleTimeout: 3s }
`;

describe("binds router", () => {
  it("weighted over the ai backends only (3:1), with the route's retry, timeouts and managed key", () => {
    const router = compileBindsRouter(routeOf(policies, two), "r", "binds[0]", env, draws(0.1, 0.8));
    if (router === undefined) throw new Error("no router");
    const first = router.plan("asked");
    expect(first).toMatchObject({ path: { kind: "route", name: "r" }, strategy: "weighted" });
    expect(only(first.candidates)).toMatchObject({
      name: "a",
      model: "fixed-a",
      headersTimeoutMs: 7000,
      bodyTimeoutMs: 3000,
      auth: { kind: "managed", key: "sk-bind", source: "env::K" },
    });
    expect(first.retry).toMatchObject({ attempts: 1, backoffMs: 50 });
    const second = only(router.plan("asked").candidates);
    expect(second).toMatchObject({ name: "b", model: "asked", responsesApi: false });
    expect(second.provider.kind).toBe("anthropic");
  });

  it("without backendAuth the caller's key passes through; no ai backend, no router", () => {
    const router = compileBindsRouter(
      routeOf("", "              - ai: { name: a, provider: { openAI: {} } }\n"),
      "r",
      "binds[0]",
      env,
      Math.random,
    );
    const plan = router?.plan("gpt-4o");
    expect(plan?.path).toEqual({ kind: "passthrough" });
    expect(plan?.strategy).toBe("single");
    expect(plan?.candidates[0]?.auth).toEqual({ kind: "caller" });
    expect(plan?.candidates[0]?.upstream?.hostHeader).toBe("api.openai.com");
    const hostOnly = routeOf("", "              - host: 127.0.0.1:9003\n");
    expect(compileBindsRouter(hostOnly, "r", "binds[0]", env, Math.random)).toBeUndefined();
  });
});
