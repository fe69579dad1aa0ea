import { describe, expect, it } from "vitest";
import { routeHeaderValue, routingFields } from "../../../src/llm/routing/record-routing.js";
import { routerOf } from "./helpers.js";

const yaml = `
llm:
  providers:
    - name: openai
      credential: sk-literal
      models: [gpt-4o, gpt-4o-mini]
  targets:
    - name: t
      model: gpt-4o
`;

describe("routing path for the record and x-agw-route", () => {
  it("managed: route, strategy, target and attempts; passthrough: passthrough and the provider", () => {
    const router = routerOf(yaml, {});
    const managed = router.plan("gpt-4o");
    const c = managed.candidates[0];
    if (c === undefined) throw new Error("no candidate");
    expect(routingFields(managed, { candidate: c, attempts: 2, fallbacks: 0, failure: undefined })).toEqual({
      routingPath: "route:t",
      strategy: "single",
      target: "t",
      provider: "openai",
      attempts: 2,
      fallbacks: 0,
    });
    expect(routeHeaderValue(managed, "t", 2)).toBe("route:t; strategy=single; target=t; attempts=2");
    const p = router.plan("gpt-4o-mini");
    expect(routeHeaderValue(p, "openai", 1)).toBe("passthrough; strategy=single; target=openai; attempts=1");
  });
});
