/**
 * The AWS event-stream decoder is loaded by compiling a config that has a provider streaming in
 * that framing (Bedrock), in either form, so no request waits for it; any other config leaves it
 * unloaded (aws-event-stream.ts loads it on a first frame instead, tested there). This file runs
 * in its own module state: nothing else here loads the decoder first.
 */
import { describe, expect, it } from "vitest";
import { compileConfig } from "../../src/config/compile.js";
import { loadConfigText } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import { eventStreamDecoderLoaded } from "../../src/llm/aws-event-stream.js";
import { configUsesAwsEventStreams } from "../../src/llm/providers/registry.js";

function load(yaml: string): Config {
  const loaded = loadConfigText(yaml, { file: "f.yaml", env: { OPENAI_API_KEY: "sk-test" } });
  if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.message).join("\n"));
  return loaded.config;
}

const WITHOUT = `
llm:
  providers:
    - { name: openai, provider: openAI }
    - { name: anthropic }
  models:
    - { name: "*", provider: openai }
`;

const WITH_LLM = `
llm:
  providers:
    - { name: openai, provider: openAI }
    - { name: br, provider: bedrock, bedrock: { region: eu-central-1 } }
  models:
    - { name: "*", provider: openai }
`;

const WITH_BINDS = `
binds:
  - port: 4100
    listeners:
      - routes:
          - backends:
              - ai: { name: b, provider: { bedrock: { region: us-east-1, model: m } } }
`;

describe("the event-stream decoder is loaded by compiling a config with Bedrock", () => {
  it("names Bedrock in the llm form and in a binds backend, and no other kind", () => {
    expect(configUsesAwsEventStreams(load(WITHOUT))).toBe(false);
    expect(configUsesAwsEventStreams(load(WITH_LLM))).toBe(true);
    expect(configUsesAwsEventStreams(load(WITH_BINDS))).toBe(true);
  });

  it("a config without Bedrock leaves the decoder unloaded; one with Bedrock loads it", () => {
    compileConfig(load(WITHOUT), { env: { OPENAI_API_KEY: "sk-test" } });
    expect(eventStreamDecoderLoaded()).toBe(false);
    compileConfig(load(WITH_LLM), { env: { OPENAI_API_KEY: "sk-test" } });
    expect(eventStreamDecoderLoaded()).toBe(true);
  });
});
