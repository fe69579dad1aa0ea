/** gen_ai_system comes from the provider's kind, whatever the provider is called. */
import { describe, expect, it } from "vitest";
import { compileConfig } from "../../src/config/compile.js";
import { loadConfigText } from "../../src/config/load.js";
import { boundedModel, labelSetsOf, OTHER, systemOf } from "../../src/observability/labels.js";

function runtimeOf(yaml: string) {
  const r = loadConfigText(yaml, { file: "labels.yaml", env: { K: "k" } });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return compileConfig(r.config, { env: { K: "k" } });
}

describe("metric label sets", () => {
  it("maps custom provider and backend names to their kind, and unknown ones to other", () => {
    const sets = labelSetsOf(
      runtimeOf(`
llm:
  port: 4555
  providers:
    - { name: my-gpt, provider: openAI, credential: env::K, models: [gpt-4o] }
    - { name: claude-main, provider: anthropic, models: [claude-x] }
  targets:
    - { name: t, model: gpt-4o }
binds:
  - port: 4556
    listeners:
      - routes:
          - backends:
              - ai: { name: corp-claude, provider: { anthropic: {} } }
`),
    );
    expect(systemOf(sets, "my-gpt")).toBe("openai");
    expect(systemOf(sets, "claude-main")).toBe("anthropic");
    expect(systemOf(sets, "corp-claude")).toBe("anthropic");
    expect(systemOf(sets, "never-configured")).toBe(OTHER);
    expect(boundedModel(sets, "gpt-4o")).toBe("gpt-4o");
    expect(boundedModel(sets, "made-up-by-a-caller")).toBe(OTHER);
  });
});
