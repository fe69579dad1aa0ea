import { describe, expect, it } from "vitest";
import { errorsOf, MINIMAL_BIND, yaml } from "./run.js";

describe("schema errors", () => {
  it("locates an unknown key at the key, with a did-you-mean", () => {
    expect(errorsOf(yaml("binds:", "- port: 4000", "  lisenters: []"))).toEqual([
      'agw.yaml:2:3: binds[0]: missing required key "listeners"',
      'agw.yaml:3:3: binds[0]: unknown key "lisenters" (did you mean "listeners"?)',
    ]);
  });

  it("locates an unknown key deep in binds, and lists allowed keys when nothing is close", () => {
    expect(
      errorsOf(
        yaml(
          ...MINIMAL_BIND,
          "      - ai:",
          "          name: x",
          "          provider: {openai: {}}",
          "          zebra: 1",
        ),
      ),
    ).toEqual([
      'agw.yaml:8:22: binds[0].listeners[0].routes[0].backends[0].ai.provider: unknown key "openai" (did you mean "openAI"?)',
      'agw.yaml:9:11: binds[0].listeners[0].routes[0].backends[0].ai: unknown key "zebra"; allowed keys: name, provider, baseUrl, hostOverride',
    ]);
  });

  it("locates a missing key at its parent; for the root at 1:1", () => {
    expect(errorsOf(yaml("binds:", "- port: 4000", "  listeners:", "  - routes:", "    - name: r"))).toEqual([
      'agw.yaml:5:7: binds[0].listeners[0].routes[0]: missing required key "backends"',
    ]);
    expect(errorsOf(yaml("llm:", "  targets:", "  - name: t"))).toEqual([
      'agw.yaml:3:5: llm.targets[0]: missing required key "model"',
    ]);
  });

  it("locates a wrong type at the value", () => {
    expect(errorsOf(yaml("llm:", "  port: '4000'", "  providers: {}"))).toEqual([
      'agw.yaml:2:9: llm.port: expected a whole number from 1 to 65535, found the string "4000"',
      "agw.yaml:3:14: llm.providers: expected a list, found a mapping",
    ]);
    expect(errorsOf(yaml("llm:", "  providers:"))).toEqual([
      "agw.yaml:2:3: llm.providers: expected a list, found nothing (the value is empty)",
    ]);
  });

  it("lists the allowed values of an enum with a suggestion", () => {
    expect(
      errorsOf(yaml("llm:", "  models:", "  - name: '*'", "    provider: mock", "    passthrough: opaq")),
    ).toEqual([
      'agw.yaml:5:18: llm.models[0].passthrough: "opaq" is not one of: opaque, detect (did you mean "opaque"?)',
    ]);
  });

  it("explains a bad duration, size and address", () => {
    expect(
      errorsOf(
        yaml(
          "config:",
          "  drainTimeout: 5 seconds",
          "  maxRequestBody: 2M",
          "  adminAddr: localhost",
          "llm: {}",
        ),
      ),
    ).toEqual([
      'agw.yaml:2:17: config.drainTimeout: "5 seconds" is not a duration; write a whole number followed by ms, s, m or h (e.g. 500ms, 30s, 2m)',
      'agw.yaml:3:19: config.maxRequestBody: "2M" is not a size; write a whole number followed by B, KiB, MiB, GiB, KB, MB or GB (e.g. 512KiB, 2MiB)',
      'agw.yaml:4:14: config.adminAddr: "localhost" is not an address; write host:port (e.g. 127.0.0.1:15000)',
    ]);
  });

  it("collapses a union into one message saying what is accepted", () => {
    expect(errorsOf(yaml("config:", "  workers: many", "llm: {}"))).toEqual([
      'agw.yaml:2:12: config.workers: expected a whole number from 1 to 256 or "auto", found the string "many"',
    ]);
    expect(errorsOf(yaml("config:", "  workers: 0", "llm: {}"))).toEqual([
      'agw.yaml:2:12: config.workers: expected a whole number from 1 to 256 or "auto", found the number 0',
    ]);
  });

  it("gives ranges with their bound, and names, URLs, empty lists", () => {
    expect(
      errorsOf(
        yaml(
          "llm:",
          "  port: 70000",
          "  providers:",
          "  - name: my provider",
          "    baseUrl: not a url",
          "  routes:",
          "  - {name: r, models: [], targets: [t]}",
        ),
      ),
    ).toEqual([
      "agw.yaml:2:9: llm.port: must be at most 65535, found 70000",
      'agw.yaml:4:11: llm.providers[0].name: "my provider" is not a valid name; use letters, digits, ".", "_" and "-", starting with a letter or digit',
      'agw.yaml:5:14: llm.providers[0].baseUrl: "not a url" is not a URL; write an absolute URL such as http://127.0.0.1:9001/v1',
      "agw.yaml:7:23: llm.routes[0].models: must not be an empty list",
    ]);
  });

  it("prints map keys with odd characters in brackets", () => {
    expect(
      errorsOf(
        yaml(
          ...MINIMAL_BIND,
          "      - host: a:1",
          "      policies:",
          "        ai:",
          "          routes:",
          '            "/v1/chat/completions": complete',
        ),
      ),
    ).toEqual([
      'agw.yaml:10:37: binds[0].listeners[0].routes[0].policies.ai.routes["/v1/chat/completions"]: "complete" is not one of: completions, messages, responses, embeddings, models, anthropicTokenCount, generateContent, geminiCountTokens, passthrough, detect (did you mean "completions"?)',
    ]);
  });

  it("lists every error of a file, not only the first", () => {
    expect(
      errorsOf(
        yaml(
          "config:",
          "  logging: {level: infoo}",
          "binds:",
          "- port: 0",
          "  listeners: []",
          "llm:",
          "  prot: 4001",
        ),
      ),
    ).toEqual([
      'agw.yaml:2:20: config.logging.level: "infoo" is not one of: trace, debug, info, warn, error, fatal, silent (did you mean "info"?)',
      "agw.yaml:4:9: binds[0].port: must be at least 1, found 0",
      "agw.yaml:5:14: binds[0].listeners: must not be an empty list",
      'agw.yaml:7:3: llm: unknown key "prot" (did you mean "port"?)',
    ]);
  });

  it("never prints an inline credential", () => {
    const errors = errorsOf(
      yaml(
        ...MINIMAL_BIND,
        "      - host: a:1",
        "      policies:",
        "        apiKey:",
        "          keys:",
        "          - {name: k, keyHash: hunter2-secret}",
      ),
    );
    expect(errors).toEqual([
      "agw.yaml:10:32: binds[0].listeners[0].routes[0].policies.apiKey.keys[0].keyHash: the value is not a key hash; write sha256: followed by 64 lowercase hex digits",
    ]);
  });
});
