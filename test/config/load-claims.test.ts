import { describe, expect, it } from "vitest";
import { errorsOf, load, warningsOf, yaml } from "./run.js";

const PROVIDERS = [
  "llm:",
  "  providers:",
  "  - {name: openai, provider: mock, models: [gpt-4o, gpt-4o-mini]}",
  "  - {name: backup, provider: mock, models: [gpt-4o]}",
];

describe("which route serves a model: nothing is shadowed silently", () => {
  it("a model belongs to one explicit route", () => {
    const text = yaml(
      ...PROVIDERS,
      "  targets:",
      "  - {name: a, model: gpt-4o, provider: openai}",
      "  - {name: b, model: gpt-4o, provider: backup}",
      "  routes:",
      "  - {name: primary, models: [gpt-4o], targets: [a]}",
      "  - {name: second, models: [gpt-4o-mini, gpt-4o], targets: [b]}",
    );
    expect(errorsOf(text)).toEqual([
      'agw.yaml:10:42: llm.routes[1].models[1]: model "gpt-4o" is already served by route "primary" (line 9); a model belongs to one route (list several targets with strategy weighted or fallback instead)',
    ]);
  });

  it("a bare target whose model a route already serves is an error unless a function uses it", () => {
    const text = yaml(
      ...PROVIDERS,
      "  targets:",
      "  - {name: a, model: gpt-4o, provider: openai}",
      "  - {name: spare, model: gpt-4o, provider: backup}",
      "  - {name: for-fn, model: gpt-4o, provider: backup}",
      "  routes:",
      "  - {name: primary, models: [gpt-4o], targets: [a]}",
      "  functions:",
      "  - {name: summarize, strategy: fallback, targets: [a, for-fn]}",
    );
    expect(errorsOf(text)).toEqual([
      'agw.yaml:7:26: llm.targets[1].model: target "spare" is in no route, so it would get a route of its own for model "gpt-4o", but route "primary" (line 10) already serves that model; add "spare" to that route\'s targets, or use it from a function',
    ]);
  });

  it("two bare targets on one model", () => {
    const text = yaml(
      ...PROVIDERS,
      "  targets:",
      "  - {name: a, model: gpt-4o, provider: openai}",
      "  - {name: b, model: gpt-4o, provider: backup}",
    );
    expect(errorsOf(text)).toEqual([
      'agw.yaml:7:22: llm.targets[1].model: target "b" is in no route, so it would get a route of its own for model "gpt-4o", but target "a" (a route of its own) (line 6) already serves that model; add "b" to that route\'s targets, or use it from a function',
    ]);
  });

  it("an exact llm.models entry for a routed model would never be used", () => {
    const text = yaml(
      ...PROVIDERS,
      "  targets:",
      "  - {name: a, model: gpt-4o, provider: openai}",
      "  models:",
      "  - {name: gpt-4o, provider: mock}",
      "  - {name: 'gpt-*', provider: mock}",
    );
    expect(errorsOf(text)).toEqual([
      'agw.yaml:8:12: llm.models[0].name: model "gpt-4o" is already served by target "a" (a route of its own) (line 6), so this entry would never be used',
    ]);
  });

  it("no provider may be named route or function", () => {
    const text = yaml("llm:", "  providers:", "  - {name: route, provider: mock, models: [x]}");
    expect(errorsOf(text)).toEqual([
      'agw.yaml:3:12: llm.providers[0].name: a provider cannot be named "route": "route::" already selects a route by name; choose another name',
    ]);
  });

  it("warns when two providers list one model, and when a function takes a routed model's requests", () => {
    const text = yaml(
      ...PROVIDERS,
      "  targets:",
      "  - {name: a, model: gpt-4o-mini, provider: openai}",
      "  functions:",
      "  - {name: gpt-4o-mini, targets: [a]}",
    );
    expect(load(text).ok).toBe(true);
    expect(warningsOf(text)).toEqual([
      'agw.yaml:4:45: llm.providers[1].models[0]: model "gpt-4o" is also listed by provider "openai", which serves its passthrough requests; callers reach this provider with "backup::gpt-4o"',
      'agw.yaml:8:12: llm.functions[0].name: requests for model "gpt-4o-mini" run this function, not target "a" (a route of its own) (line 6), because functions are looked up first',
    ]);
  });
});
