// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the tests are about ${VAR} text in YAML and messages
import { describe, expect, it } from "vitest";
import { expandString } from "../../src/config/expand.js";
import { errorsOf, load, yaml } from "./run.js";

const SECRET = "sk-live-ABCDEF0123456789";

describe("expandString", () => {
  const env = { X: "ex", EMPTY: "", K: SECRET };
  it.each([
    ["$X", "ex"],
    ["${X}", "ex"],
    ["a-${X}-b", "a-ex-b"],
    ["$X$X", "exex"],
    ["${UNSET:-fallback}", "fallback"],
    ["${EMPTY:-fallback}", "fallback"],
    ["${X:-fallback}", "ex"],
    ["${UNSET:-}", ""],
    ["$$", "$"],
    ["$$X", "$X"],
    ["cost $5", "cost $5"],
    ["ends with $", "ends with $"],
    ["^/v1/.*$", "^/v1/.*$"],
    ["$EMPTY", ""],
  ])("%j → %j", (text, value) => {
    const r = expandString(text, env);
    expect(r.value).toBe(value);
    expect(r.missing).toEqual([]);
    expect(r.malformed).toEqual([]);
  });

  it("records which variables supplied text, and which are missing", () => {
    expect(expandString("$X/${UNSET:-d}/$NOPE/${NOPE2}", env)).toEqual({
      value: "ex/d//",
      fromEnv: ["X"],
      missing: ["NOPE", "NOPE2"],
      malformed: [],
    });
    expect(expandString("${1X} ${OPEN", env).malformed).toEqual(["${1X}", "${OPEN"]);
  });
});

describe("variables in the file", () => {
  it("expands values (not keys) and keeps the structure", () => {
    const r = load(
      yaml(
        "config:",
        "  adminAddr: ${ADMIN:-127.0.0.1:15000}",
        "  statsAddr: $HOST:15020",
        "llm:",
        "  models:",
        "  - name: $$literal",
        "    provider: mock",
        "  policies:",
        "    ai:",
        "      defaults:",
        "        $KEY_NOT_EXPANDED: ${N}",
      ),
      { HOST: "0.0.0.0", N: "7" },
    );
    expect(r.ok && r.config).toEqual({
      config: { adminAddr: "127.0.0.1:15000", statsAddr: "0.0.0.0:15020" },
      llm: {
        models: [{ name: "$literal", provider: "mock" }],
        policies: { ai: { defaults: { $KEY_NOT_EXPANDED: 7 } } },
      },
    });
  });

  it("types an unquoted value after expansion as YAML would; a quoted one stays a string", () => {
    const r = load(
      yaml(
        "llm:",
        "  port: ${PORT:-4000}",
        "  models:",
        "  - name: '${PORT:-4000}'",
        "    provider: mock",
        "  policies:",
        "    ai:",
        '      defaults: { temperature: $T, stream: $S, user: "$T" }',
      ),
      { T: "0.5", S: "false" },
    );
    expect(r.ok && r.config.llm).toEqual({
      port: 4000,
      models: [{ name: "4000", provider: "mock" }],
      policies: { ai: { defaults: { temperature: 0.5, stream: false, user: "0.5" } } },
    });
  });

  it("keeps an env value that looks like YAML a plain string", () => {
    const r = load(yaml("llm:", "  models:", "  - name: $M", "    provider: mock"), { M: "a: [1" });
    expect(r.ok && r.config.llm?.models?.[0]?.name).toBe("a: [1");
  });

  it("reports an undefined variable at its scalar, naming it", () => {
    expect(errorsOf(yaml("llm:", "  models:", "  - name: gpt", "    provider: ${OPENAI_KIND}"))).toEqual([
      "agw.yaml:4:15: llm.models[0].provider: environment variable OPENAI_KIND is not set (write ${OPENAI_KIND:-default} to give a default)",
    ]);
  });

  it("reports a malformed reference", () => {
    expect(errorsOf(yaml("llm:", "  models:", "  - name: gpt", "    provider: ${OPEN"))).toEqual([
      'agw.yaml:4:15: llm.models[0].provider: "${OPEN" is not a variable reference; write ${NAME} or ${NAME:-default}, or $$ for a literal $',
    ]);
  });

  it("never prints a value that came from the environment", () => {
    const env = { K: SECRET, P: SECRET };
    const text = yaml(
      "config:",
      "  drainTimeout: $K",
      "  workers: ${K}",
      "  adminAddr: x${K}",
      "llm:",
      "  port: $P",
      "  models:",
      "  - name: gpt",
      "    provider: $K",
      "    passthrough: $K",
      "  targets:",
      "  - {name: t, model: $K, provider: $K}",
    );
    const errors = errorsOf(text, env);
    expect(errors).toEqual([
      "agw.yaml:2:17: config.drainTimeout: the value from ${K} is not a duration; write a whole number followed by ms, s, m or h (e.g. 500ms, 30s, 2m)",
      'agw.yaml:3:12: config.workers: expected a whole number from 1 to 256 or "auto", found the value from ${K}',
      "agw.yaml:4:14: config.adminAddr: the value from ${K} is not an address; write host:port (e.g. 127.0.0.1:15000)",
      "agw.yaml:6:9: llm.port: expected a whole number from 1 to 65535, found the value from ${P}",
      "agw.yaml:10:18: llm.models[0].passthrough: the value from ${K} is not one of: opaque, detect",
    ]);
    // The semantic stage too: the same file with shapes fixed.
    const semantic = errorsOf(
      yaml(
        "llm:",
        "  models:",
        "  - name: gpt",
        "    provider: $K",
        "  targets:",
        "  - {name: t, model: $K}",
      ),
      env,
    );
    expect(semantic).toEqual([
      "agw.yaml:4:15: llm.models[0].provider: the value from ${K} is neither a provider kind (openAI, anthropic, mock, gemini, groq, mistral, deepseek, xai, openrouter, together, fireworks, cerebras, deepinfra, perplexity, ollama, openAICompatible, azure, vertex, bedrock) nor the name of an entry in llm.providers",
      "agw.yaml:6:22: llm.targets[0].model: cannot tell which provider serves model the value from ${K}: add provider: <name> or list the model under a provider's models",
    ]);
    for (const line of [...errors, ...semantic]) expect(line).not.toContain("ABCDEF");
  });
});
