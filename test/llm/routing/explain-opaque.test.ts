/** `agw explain --path` on a path passed through unparsed: the credential that really goes (issue 16, item 2). */
import { describe, expect, it } from "vitest";
import { explainModel } from "../../../src/llm/routing/explain-config.js";
import { loadYaml } from "./helpers.js";

const env = { OPENAI_API_KEY: "sk-secret-openai" };

function explain(yaml: string, path: string): string {
  const r = explainModel(loadYaml(yaml, env), env, "gpt-4o", path);
  if (!r.ok) throw new Error(r.message);
  return r.text;
}

const llm = (lend: string) => `
llm:
  models:
    - name: "*"
      provider: openAI
      params: { apiKey: "$OPENAI_API_KEY"${lend} }
  policies:
    apiKey:
      keys:
        - { name: narrow, key: k1, allowedModels: [gpt-4o-mini] }
`;

describe("explain, opaque paths", () => {
  it("does not claim the managed key when it is not lent", () => {
    const text = explain(llm(""), "/v1/files");
    expect(text).toContain("route type: passthrough (/v1/files)");
    expect(text).toContain("credential: the caller's own (Authorization or x-api-key), as sent");
    expect(text).toContain("set llm.models[0].params.keyOnOpaquePaths: true to lend it");
    expect(text).toContain('gateway keys: 403 for "narrow"');
    expect(text).not.toContain("targets, in order");
    expect(text).not.toContain("managed: the gateway's key");
    expect(text).not.toContain("sk-secret");
  });

  it("names the managed key when keyOnOpaquePaths lends it", () => {
    const text = explain(llm(", keyOnOpaquePaths: true"), "/v1/batches");
    expect(text).toContain("credential: llm.models[0].params.apiKey (managed: lent to these paths");
  });

  it("a spelling variant of an LLM path is that route type, with its targets", () => {
    const text = explain(llm(""), "/V1/Chat/Completions/");
    expect(text).toContain("route type: completions (/V1/Chat/Completions/)");
    expect(text).toContain("targets, in order");
  });

  it("binds form: backendAuth without keyOnOpaquePaths", () => {
    const text = explain(
      `
binds:
  - port: 4000
    listeners:
      - routes:
          - backends: [{ ai: { name: openai, provider: { openAI: {} } } }]
            policies:
              ai: { routes: { "/v1/chat/completions": completions, "*": passthrough } }
              backendAuth: { key: "$OPENAI_API_KEY" }
`,
      "/v1/models",
    );
    expect(text).toContain("binds[0].listeners[0].routes[0].policies.backendAuth.key is not sent here");
  });
});
