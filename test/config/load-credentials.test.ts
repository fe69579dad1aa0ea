// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the tests are about ${VAR} text in YAML and messages
import { describe, expect, it } from "vitest";
import { errorsOf, load, warningsOf, yaml } from "./run.js";

const SECRET = "sk-live-ABCDEF0123456789";

describe("credentials at load", () => {
  it("reports every unset env:: reference at its value, naming the field and variable", () => {
    const text = yaml(
      "binds:",
      "- port: 8080",
      "  listeners:",
      "  - routes:",
      "    - backends: [{ai: {name: a, provider: {openAI: {}}}}]",
      "      policies: {backendAuth: {key: env::UPSTREAM_KEY}}",
      "llm:",
      "  port: 4001",
      "  providers:",
      "  - {name: openai, credential: env::OPENAI_MANAGED, models: [gpt-4o]}",
      "  models:",
      "  - {name: '*', provider: openAI, params: {apiKey: env::PASS_KEY}}",
      "  targets:",
      "  - {name: t, model: gpt-4o, credential: 'env::'}",
    );
    expect(errorsOf(text)).toEqual([
      "agw.yaml:6:37: binds[0].listeners[0].routes[0].policies.backendAuth.key: key refers to environment variable UPSTREAM_KEY, which is not set",
      "agw.yaml:10:32: llm.providers[0].credential: credential refers to environment variable OPENAI_MANAGED, which is not set",
      "agw.yaml:12:52: llm.models[0].params.apiKey: apiKey refers to environment variable PASS_KEY, which is not set",
      "agw.yaml:14:42: llm.targets[0].credential: credential env:: needs a variable name, e.g. env::OPENAI_API_KEY",
    ]);
    const ok = load(text, { UPSTREAM_KEY: SECRET, OPENAI_MANAGED: SECRET, PASS_KEY: SECRET });
    expect(ok.ok).toBe(false); // only the empty env:: remains
    if (!ok.ok) expect(ok.errors.map((e) => e.path)).toEqual(["llm.targets[0].credential"]);
  });

  it("a managed target falls back target → provider → convention variable, else errors at the target", () => {
    const text = yaml(
      "llm:",
      "  providers:",
      "  - {name: my-openai, provider: openAI, models: [gpt-4o, gpt-4o-mini]}",
      "  - {name: mock, models: [fake]}",
      "  - {name: anthropic, credential: env::ANTH, models: [claude]}",
      "  targets:",
      "  - {name: managed, model: gpt-4o}",
      "  - {name: own, model: gpt-4o-mini, credential: env::OWN}",
      "  - {name: offline, model: fake}",
      "  - {name: claude, model: claude}",
    );
    expect(errorsOf(text, { OWN: "x", ANTH: "y" })).toEqual([
      'agw.yaml:7:5: llm.targets[0]: target "managed" has no credential: set MY_OPENAI_API_KEY, or give credential: on the target or on provider "my-openai"',
    ]);
    expect(warningsOf(text, { OWN: "x", ANTH: "y", MY_OPENAI_API_KEY: "z" })).toEqual([]);
    // An empty variable is as good as unset.
    expect(errorsOf(text, { OWN: "x", ANTH: "y", MY_OPENAI_API_KEY: "" })).toHaveLength(1);
    // A key with a trailing newline cannot be sent in a header.
    expect(errorsOf(text, { OWN: "x", ANTH: "y", MY_OPENAI_API_KEY: "sk-z\n" })).toEqual([
      'agw.yaml:7:5: llm.targets[0]: target "managed" takes its key from MY_OPENAI_API_KEY, which is sent in a header, and a header value cannot contain a line feed (LF) (at character 5): remove it from the key',
    ]);
  });

  it("never prints a credential value or an env value in any message", () => {
    const text = yaml(
      "llm:",
      "  providers:",
      "  - {name: openai, credential: '$SECRET', models: [gpt-4o]}",
      "  targets:",
      "  - {name: t, model: gpt-4o, credential: '$REF'}",
    );
    const r = load(text, { SECRET, REF: "env::NOT_SET_ANYWHERE" });
    expect(r.ok).toBe(false);
    const all = JSON.stringify(r);
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain("NOT_SET_ANYWHERE");
    if (!r.ok) {
      expect(r.errors.map((e) => `${e.line}:${e.col}: ${e.path}: ${e.message}`)).toEqual([
        "5:42: llm.targets[0].credential: credential (from ${REF}) names a variable that is not set",
      ]);
    }
  });
});
