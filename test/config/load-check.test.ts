import { describe, expect, it } from "vitest";
import { errorsOf, load, MINIMAL_BIND, warningsOf, yaml } from "./run.js";

/** A binds route with the given backend lines (indented under `backends:`). */
const route = (...lines: string[]) => yaml(...MINIMAL_BIND, ...lines);

describe("exactly one of", () => {
  it("backend host or ai; provider kind", () => {
    expect(
      errorsOf(
        route(
          "      - host: a:1",
          "        ai: {name: x, provider: {openAI: {}, mock: {}}}",
          "      - weight: 2",
          "      - ai: {name: y, provider: {}}",
        ),
      ),
    ).toEqual([
      'agw.yaml:7:9: binds[0].listeners[0].routes[0].backends[0]: give exactly one of "host" or "ai" (found both)',
      'agw.yaml:7:46: binds[0].listeners[0].routes[0].backends[0].ai.provider: give exactly one of "openAI", "anthropic", "mock", "gemini", "groq", "mistral", "deepseek", "xai", "openrouter", "together", "fireworks", "cerebras", "deepinfra", "perplexity", "ollama", "openAICompatible", "azure", "vertex" or "bedrock" (found "openAI" and "mock")',
      'agw.yaml:8:9: binds[0].listeners[0].routes[0].backends[1]: give exactly one of "host" or "ai" (found neither)',
      'agw.yaml:9:23: binds[0].listeners[0].routes[0].backends[2].ai.provider: give exactly one of "openAI", "anthropic", "mock", "gemini", "groq", "mistral", "deepseek", "xai", "openrouter", "together", "fireworks", "cerebras", "deepinfra", "perplexity", "ollama", "openAICompatible", "azure", "vertex" or "bedrock" (found none)',
    ]);
  });

  it("match path, header and query values", () => {
    const text = yaml(
      "binds:",
      "- port: 8080",
      "  listeners:",
      "  - routes:",
      "    - matches:",
      "      - path: {exact: /a, pathPrefix: /b}",
      "        headers: [{name: h, value: {}}]",
      "        query: [{name: q, value: {exact: a, regex: b}}]",
      "      backends: [{host: 'a:1'}]",
    );
    expect(errorsOf(text)).toEqual([
      'agw.yaml:6:27: binds[0].listeners[0].routes[0].matches[0].path: give exactly one of "exact", "pathPrefix" or "regex" (found "exact" and "pathPrefix")',
      'agw.yaml:7:29: binds[0].listeners[0].routes[0].matches[0].headers[0].value: give exactly one of "exact" or "regex" (found neither)',
      'agw.yaml:8:45: binds[0].listeners[0].routes[0].matches[0].query[0].value: give exactly one of "exact" or "regex" (found both)',
    ]);
  });

  it("guards, regex rules, backendAuth and gateway keys", () => {
    const text = route(
      "      - host: a:1",
      "      policies:",
      "        backendAuth: {}",
      "        apiKey:",
      "          keys: [{name: a}]",
      "        ai:",
      "          promptGuard:",
      "            request:",
      "            - blocklist: {words: [x]}",
      "              webhook: {url: 'http://127.0.0.1:9/g'}",
      "            - regex: {action: mask, rules: [{builtin: email, pattern: x}]}",
    );
    expect(errorsOf(text)).toEqual([
      'agw.yaml:8:9: binds[0].listeners[0].routes[0].policies.backendAuth: give exactly one of "key" or "passthrough" (found neither)',
      'agw.yaml:10:18: binds[0].listeners[0].routes[0].policies.apiKey.keys[0]: give exactly one of "key" or "keyHash" (found neither)',
      'agw.yaml:15:15: binds[0].listeners[0].routes[0].policies.ai.promptGuard.request[0]: give exactly one of "regex", "blocklist" or "webhook" (found "blocklist" and "webhook")',
      'agw.yaml:16:62: binds[0].listeners[0].routes[0].policies.ai.promptGuard.request[1].regex.rules[0]: give exactly one of "builtin" or "pattern" (found both)',
    ]);
  });
});

describe("keyOnOpaquePaths needs a key to lend", () => {
  it("on backendAuth, an llm.models entry and a provider", () => {
    const text = yaml(
      "llm:",
      "  providers:",
      "  - {name: p, baseUrl: 'http://127.0.0.1:9/v1', models: [m1], keyOnOpaquePaths: true}",
      "  models:",
      "  - name: '*'",
      "    provider: openAI",
      "    params: {keyOnOpaquePaths: true}",
      "  policies:",
      "    backendAuth: {passthrough: {}, keyOnOpaquePaths: true}",
    );
    const errors = errorsOf(text);
    expect(errors).toContainEqual(
      expect.stringMatching(
        /^agw\.yaml:9:\d+: llm\.policies\.backendAuth\.keyOnOpaquePaths: keyOnOpaquePaths lends backendAuth\.key .*add key/,
      ),
    );
    expect(errors).toContainEqual(
      expect.stringMatching(
        /^agw\.yaml:7:\d+: llm\.models\[0\]\.params\.keyOnOpaquePaths: .*add params\.apiKey/,
      ),
    );
    expect(errors).toContainEqual(
      expect.stringMatching(
        /^agw\.yaml:3:\d+: llm\.providers\[0\]\.keyOnOpaquePaths: .*passthroughCredential: managedFirst/,
      ),
    );
  });
});

describe("duplicates", () => {
  it("bind ports, listener names, route names and gateway key names", () => {
    const text = yaml(
      "binds:",
      "- port: 8080",
      "  listeners:",
      "  - name: l",
      "    routes:",
      "    - {name: r, backends: [{host: 'a:1'}]}",
      "    - {name: r, backends: [{host: 'a:1'}], policies: {apiKey: {keys: [{name: k, key: s1}, {name: k, key: s2}]}}}",
      "  - name: l",
      "    routes: [{backends: [{host: 'a:1'}]}]",
      "- port: 8080",
      "  listeners: [{routes: [{backends: [{host: 'a:1'}]}]}]",
    );
    const errors = errorsOf(text);
    expect(errors).toEqual([
      'agw.yaml:7:14: binds[0].listeners[0].routes[1].name: route "r" is already defined at line 6',
      'agw.yaml:7:98: binds[0].listeners[0].routes[1].policies.apiKey.keys[1].name: gateway key "k" is already defined at line 7',
      'agw.yaml:8:11: binds[0].listeners[1].name: listener "l" is already defined at line 4',
      "agw.yaml:10:9: binds[1].port: port 8080 is already used by another bind at line 2",
    ]);
    for (const e of errors) expect(e).not.toMatch(/s1|s2/);
  });

  it("llm providers, targets, routes and functions", () => {
    const text = yaml(
      "llm:",
      "  providers:",
      "  - {name: mock, models: [m1]}",
      "  - {name: mock, models: [m2]}",
      "  targets:",
      "  - {name: t, model: m1, provider: mock}",
      "  - {name: t, model: m1, provider: mock}",
      "  routes:",
      "  - {name: r, models: [a], targets: [t]}",
      "  - {name: r, models: [b], targets: [t]}",
      "  functions:",
      "  - {name: f, targets: [t]}",
      "  - {name: f, targets: [t]}",
    );
    expect(errorsOf(text)).toEqual([
      'agw.yaml:4:12: llm.providers[1].name: provider "mock" is already defined at line 3',
      'agw.yaml:7:12: llm.targets[1].name: target "t" is already defined at line 6',
      'agw.yaml:10:12: llm.routes[1].name: route "r" is already defined at line 9',
      'agw.yaml:13:12: llm.functions[1].name: function "f" is already defined at line 12',
    ]);
  });
});

describe("llm references", () => {
  it("unknown targets in routes and functions, unknown provider in a target", () => {
    const text = yaml(
      "llm:",
      "  providers:",
      "  - {name: mock, models: [m1]}",
      "  targets:",
      "  - {name: primary, model: m1}",
      "  - {name: other, model: m1, provider: mokc}",
      "  routes:",
      "  - {name: r, models: [a], targets: [primry]}",
      "  functions:",
      "  - {name: f, targets: [zzz]}",
    );
    expect(errorsOf(text)).toEqual([
      'agw.yaml:6:40: llm.targets[1].provider: unknown provider "mokc" (did you mean "mock"?)',
      'agw.yaml:8:38: llm.routes[0].targets[0]: unknown target "primry" (did you mean "primary"?)',
      'agw.yaml:10:25: llm.functions[0].targets[0]: unknown target "zzz"',
    ]);
  });

  it("a target whose model no provider lists, or two providers list", () => {
    const text = yaml(
      "llm:",
      "  providers:",
      "  - {name: a, provider: mock, models: [gpt-4o]}",
      "  - {name: b, provider: mock, models: [gpt-4o]}",
      "  targets:",
      "  - {name: t1, model: gpt-4x}",
      "  - {name: t2, model: gpt-4o}",
      "  - {name: t3, model: gpt-4o, provider: b}",
    );
    expect(errorsOf(text)).toEqual([
      'agw.yaml:6:23: llm.targets[0].model: cannot tell which provider serves model "gpt-4x": add provider: <name> or list the model under a provider\'s models (did you mean "gpt-4o"?)',
      'agw.yaml:7:23: llm.targets[1].model: model "gpt-4o" is listed by more than one provider: "a" (line 3) and "b" (line 4); add provider: <name> to the target',
    ]);
  });

  it("functions need exactly one of targets or models", () => {
    const text = yaml(
      "llm:",
      "  providers: [{name: mock, models: [m]}]",
      "  targets: [{name: t, model: m}]",
      "  functions:",
      "  - {name: f, targets: [t], models: [m]}",
      "  - {name: g}",
    );
    expect(errorsOf(text)).toEqual([
      'agw.yaml:5:29: llm.functions[0]: give exactly one of "targets" or "models" (found both)',
      'agw.yaml:6:5: llm.functions[1]: give exactly one of "targets" or "models" (found neither)',
    ]);
  });

  it("strategy single with more than one target", () => {
    const text = yaml(
      "llm:",
      "  providers: [{name: mock, models: [m]}]",
      "  targets: [{name: a, model: m}, {name: b, model: m}]",
      "  routes:",
      "  - {name: r, models: [x], targets: [a, b]}",
      "  - {name: s, models: [y], targets: [a, b], strategy: single}",
      "  - {name: w, models: [z], targets: [a, b], strategy: weighted}",
    );
    expect(errorsOf(text)).toEqual([
      "agw.yaml:5:28: llm.routes[0].targets: strategy single takes one target, found 2; use strategy: weighted or strategy: fallback (single is the default)",
      "agw.yaml:6:55: llm.routes[1].strategy: strategy single takes one target, found 2; use strategy: weighted or strategy: fallback",
    ]);
  });

  it("provider kinds: inferred from the name, else asked for; model bindings name a kind or a provider", () => {
    const text = yaml(
      "llm:",
      "  providers:",
      "  - {name: OpenAI, models: [a]}",
      "  - {name: corp-llm, models: [b]}",
      "  models:",
      "  - {name: 'x*', provider: anthropic}",
      "  - {name: 'y*', provider: corp-llm}",
      "  - {name: 'z*', provider: antropic}",
    );
    expect(errorsOf(text, { OPENAI_API_KEY: "k" })).toEqual([
      'agw.yaml:4:5: llm.providers[1]: cannot tell what kind of provider "corp-llm" is from its name: add provider: openAI, anthropic, mock, gemini, groq, mistral, deepseek, xai, openrouter, together, fireworks, cerebras, deepinfra, perplexity, ollama, openAICompatible, azure, vertex or bedrock',
      'agw.yaml:8:28: llm.models[2].provider: "antropic" is neither a provider kind (openAI, anthropic, mock, gemini, groq, mistral, deepseek, xai, openrouter, together, fireworks, cerebras, deepinfra, perplexity, ollama, openAICompatible, azure, vertex, bedrock) nor the name of an entry in llm.providers (did you mean "anthropic"?)',
    ]);
  });
});

describe("values", () => {
  it("headers: CR, LF, NUL and other characters Node refuses in any configured header are load errors", () => {
    const text = yaml(
      "llm:",
      "  models: [{name: '*', provider: openAI, params: {apiKey: env::K}}]",
      "  policies:",
      "    responseHeaderModifier:",
      '      set: {x-a: "one\\r\\nSet-Cookie: x=1"}',
      '      add: {"x b": ok, x-c: "nul\\0"}',
      '      remove: ["x\\nd"]',
      "    requestHeaderModifier:",
      '      set: {x-e: "smart \u2019 quote"}',
      "    cors: {allowOrigins: ['https://a.test'], exposeHeaders: ['x-ok', 'x(bad)']}",
      "    apiKey: {header: 'x key', keys: [{name: k, key: secret}]}",
      "    ai:",
      "      promptGuard:",
      '        request: [{webhook: {url: "http://127.0.0.1:9/g", headers: {x-token: "a\\tb\\u0001"}}}]',
    );
    const errors = errorsOf(text, { K: "sk-from-env\n" });
    expect(errors).toEqual([
      "agw.yaml:2:59: llm.models[0].params.apiKey: the key (from K) is sent in a header, and a header value cannot contain a line feed (LF) (at character 12): remove it from the key",
      "agw.yaml:5:18: llm.policies.responseHeaderModifier.set.x-a: a header value cannot contain a carriage return (CR) (at character 4)",
      'agw.yaml:6:13: llm.policies.responseHeaderModifier.add["x b"]: "x b" is not a valid header name (a space is not allowed): use letters, digits and !#$%&\'*+-.^_`|~ only',
      "agw.yaml:6:29: llm.policies.responseHeaderModifier.add.x-c: a header value cannot contain a NUL character (at character 4)",
      'agw.yaml:7:16: llm.policies.responseHeaderModifier.remove[0]: "x\\nd" is not a valid header name (a line feed (LF) is not allowed): use letters, digits and !#$%&\'*+-.^_`|~ only',
      "agw.yaml:9:18: llm.policies.requestHeaderModifier.set.x-e: a header value cannot contain the character U+2019 (beyond Latin-1) (at character 7)",
      'agw.yaml:10:70: llm.policies.cors.exposeHeaders[1]: "x(bad)" is not a valid header name ("(" is not allowed): use letters, digits and !#$%&\'*+-.^_`|~ only',
      'agw.yaml:11:22: llm.policies.apiKey.header: "x key" is not a valid header name (a space is not allowed): use letters, digits and !#$%&\'*+-.^_`|~ only',
      "agw.yaml:14:78: llm.policies.ai.promptGuard.request[0].webhook.headers.x-token: a header value cannot contain a control character (U+0001) (at character 4)",
    ]);
    // Never the value itself (it may be a secret).
    for (const e of errors) expect(e).not.toMatch(/sk-from-env|Set-Cookie|smart/);
  });

  it("cors: any origin with credentials is refused, with what to write instead", () => {
    const cors = (origins: string) =>
      yaml(
        "llm:",
        "  models: [{name: '*', provider: mock}]",
        "  policies:",
        "    cors:",
        `      allowOrigins: ${origins}`,
        "      allowCredentials: true",
      );
    expect(errorsOf(cors('["https://a.test", "*"]'))).toEqual([
      'agw.yaml:5:40: llm.policies.cors.allowOrigins[1]: allowOrigins "*" cannot be combined with allowCredentials: true (any web site could make credentialed calls): list the origins allowed, e.g. ["https://app.example.com"], or drop allowCredentials',
    ]);
    expect(warningsOf(cors('["https://a.test"]'))).toEqual([]);
  });

  it("regexes that do not compile, with the engine's reason", () => {
    const text = yaml(
      "binds:",
      "- port: 8080",
      "  listeners:",
      "  - routes:",
      "    - matches:",
      "      - path: {regex: '/v1/(chat'}",
      "        headers: [{name: h, value: {regex: '[a'}}]",
      "      backends: [{host: 'a:1'}]",
      "      policies:",
      "        ai:",
      "          promptGuard:",
      "            response: [{regex: {action: reject, rules: [{pattern: '*x'}]}}]",
    );
    expect(errorsOf(text)).toEqual([
      'agw.yaml:6:23: binds[0].listeners[0].routes[0].matches[0].path.regex: "/v1/(chat" is not a valid regular expression: Unterminated group',
      'agw.yaml:7:44: binds[0].listeners[0].routes[0].matches[0].headers[0].value.regex: "[a" is not a valid regular expression: Unterminated character class',
      'agw.yaml:12:67: binds[0].listeners[0].routes[0].policies.ai.promptGuard.response[0].regex.rules[0].pattern: "*x" is not a valid regular expression: Nothing to repeat',
    ]);
  });

  it("model patterns allow one * at the start or the end only", () => {
    const text = yaml(
      "llm:",
      "  models:",
      "  - {name: 'gpt-*', provider: mock}",
      "  - {name: 'g*t', provider: mock}",
      "  - {name: '**', provider: mock}",
      "  policies:",
      "    ai:",
      "      modelAliases: {'*-fast': a, 'a*b*': b}",
      "    apiKey:",
      "      keys: [{name: k, keyHash: 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', allowedModels: ['*', 'x*y']}]",
    );
    const hint =
      'is not a model pattern; write an exact name, "prefix*", "*suffix" or "*" (one * at the start or the end)';
    expect(errorsOf(text)).toEqual([
      `agw.yaml:4:12: llm.models[1].name: "g*t" ${hint}`,
      `agw.yaml:5:12: llm.models[2].name: "**" ${hint}`,
      `agw.yaml:8:35: llm.policies.ai.modelAliases["a*b*"]: "a*b*" ${hint}`,
      `agw.yaml:10:129: llm.policies.apiKey.keys[0].allowedModels[1]: "x*y" ${hint}`,
    ]);
  });

  it("durations: intervals and timeouts must be positive, nothing over 24h", () => {
    const text = yaml(
      "config:",
      "  drainTimeout: 0s",
      "llm:",
      "  policies:",
      "    localRateLimit: [{maxTokens: 1, tokensPerFill: 1, fillInterval: 0ms}]",
      "    timeout: {requestTimeout: 25h, streamIdleTimeout: 0s}",
    );
    expect(errorsOf(text)).toEqual([
      'agw.yaml:5:69: llm.policies.localRateLimit[0].fillInterval: must be longer than 0 (found "0ms")',
      'agw.yaml:6:31: llm.policies.timeout.requestTimeout: "25h" is longer than 24h, the longest duration accepted',
      'agw.yaml:6:55: llm.policies.timeout.streamIdleTimeout: must be longer than 0 (found "0s")',
    ]);
  });
});

describe("globalRateLimit", () => {
  it("needs config.redis; its URL is never printed", () => {
    const limit = "    globalRateLimit: [{maxTokens: 1, tokensPerFill: 1, fillInterval: 1s}]";
    const errs = errorsOf(yaml("llm:", "  models: [{name: m, provider: mock}]", "  policies:", limit));
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(
      /^agw\.yaml:4:5: llm\.policies\.globalRateLimit: globalRateLimit keeps its buckets in Redis/,
    );
    const bad = errorsOf(
      yaml(
        "config:",
        "  redis: {url: 'http://:hunter2@r:6379'}",
        "llm:",
        "  models: [{name: m, provider: mock}]",
        "  policies:",
        limit,
      ),
    );
    expect(bad.join("\n")).toMatch(/config\.redis\.url/);
    expect(bad.join("\n")).not.toContain("hunter2");
    const good = "  redis: {url: 'redis://:pw@r:6379'}";
    expect(
      load(yaml("config:", good, "llm:", "  models: [{name: m, provider: mock}]", "  policies:", limit)).ok,
    ).toBe(true);
  });
});

describe("the file as a whole", () => {
  it("needs something to serve", () => {
    expect(errorsOf(yaml("config:", "  workers: 2"))).toEqual([
      "agw.yaml:1:1: (root): nothing to serve: add binds or llm",
    ]);
    expect(errorsOf(yaml("binds: []"))).toEqual(["agw.yaml:1:1: (root): nothing to serve: add binds or llm"]);
  });

  it("llm's port must not collide with a bind, default 4000 included", () => {
    const binds = ["binds:", "- port: 4000", "  listeners: [{routes: [{backends: [{host: 'a:1'}]}]}]"];
    expect(errorsOf(yaml(...binds, "llm:", "  models: [{name: '*', provider: mock}]"))).toEqual([
      "agw.yaml:4:1: llm: port 4000 is also used by binds[0] at line 2 (llm listens on 4000 when port is not given); give llm a port of its own",
    ]);
    expect(errorsOf(yaml(...binds, "llm:", "  port: 4000"))).toEqual([
      "agw.yaml:5:9: llm.port: port 4000 is also used by binds[0] at line 2; give llm a port of its own",
    ]);
    expect(warningsOf(yaml(...binds, "llm:", "  port: 4001"))).toEqual([]);
  });

  it("warns about suspicious but valid things", () => {
    const text = yaml(
      "llm:",
      "  providers:",
      "  - {name: anthropic, credential: env::K, models: ['claude-*'], responsesApi: false}",
    );
    expect(warningsOf(text, { K: "x" })).toEqual([
      'agw.yaml:3:52: llm.providers[0].models[0]: "claude-*" looks like a pattern, but a provider\'s models are matched exactly; use llm.models for patterns',
      "agw.yaml:3:65: llm.providers[0].responsesApi: responsesApi only applies to openAI, groq, xai, openrouter, fireworks, ollama or azure providers, not anthropic",
    ]);
  });
});

describe("budgets and prices", () => {
  it("warns when a budgeted file sends models the catalog cannot price, naming config.modelCatalog", () => {
    const text = yaml(
      "llm:",
      "  models:",
      "  - {name: fast, provider: openAI, params: {model: my-finetune, apiKey: k}}",
      "  - {name: gpt-4o, provider: openAI, params: {apiKey: k}}",
      "  policies:",
      "    apiKey:",
      "      keys:",
      "      - {name: a, key: k1, budget: {usd: 5, period: daily}}",
    );
    expect(warningsOf(text)).toEqual([
      'agw.yaml:8:28: llm.policies.apiKey.keys[0].budget: the price catalog has no price for "my-finetune": requests for it are not counted against budgets; give its prices in config.modelCatalog (input and output in USD per million tokens)',
    ]);
    const priced = yaml(
      "config:",
      "  modelCatalog:",
      "    my-finetune: {input: 1, output: 2}",
      ...text.split("\n").filter((l) => l !== ""),
    );
    expect(warningsOf(priced)).toEqual([]);
  });
});
