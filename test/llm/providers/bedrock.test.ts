/**
 * Bedrock's URLs, formats and credentials (explain, the router), its load errors, and the
 * InvokeModel body it sends.
 */
import { describe, expect, it } from "vitest";
import { compileConfig } from "../../../src/config/compile.js";
import { loadConfigText } from "../../../src/config/load.js";
import { isBedrockClaude } from "../../../src/llm/providers/bedrock/provider.js";
import { specOfProvider } from "../../../src/llm/providers/registry.js";
import { wireFormatFor } from "../../../src/llm/providers/spec.js";
import { compileRouteTypes, LLM_DEFAULT_ROUTES } from "../../../src/llm/route-types.js";
import { explainResolution } from "../../../src/llm/routing/explain.js";
import { labelSetsOf, systemOf } from "../../../src/observability/labels.js";
import { routerOf } from "../routing/helpers.js";

const routeTypes = compileRouteTypes(LLM_DEFAULT_ROUTES);
const CLAUDE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const LLAMA = "meta.llama3-3-70b-instruct-v1:0";

function loadErrors(yaml: string): string {
  const loaded = loadConfigText(yaml, { file: "f.yaml", env: {} });
  return loaded.ok ? "" : loaded.errors.map((d) => `${d.line}:${d.col}: ${d.message}`).join("\n");
}

const yaml = (bedrock: string, extra = "") => `
llm:
  providers:
    - name: br
      provider: bedrock
      bedrock: ${bedrock}
${extra}  targets:
    - { name: c, provider: br, model: "${CLAUDE}" }
    - { name: l, provider: br, model: "${LLAMA}" }
`;

describe("Bedrock URLs, formats and credentials (explain)", () => {
  it("the regional endpoint, the model escaped in the path, Converse or InvokeModel by client and model", () => {
    const router = routerOf(yaml("{ region: eu-central-1 }"), {});
    const chat = explainResolution(router.describe(CLAUDE), { path: "/v1/chat/completions", routeTypes });
    expect(chat).toContain(
      "request URL:    https://bedrock-runtime.eu-central-1.amazonaws.com/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse",
    );
    expect(chat).toContain("the AWS default credential chain (SigV4)");
    const messages = explainResolution(router.describe(CLAUDE), { path: "/v1/messages", routeTypes });
    expect(messages).toContain("/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke");
    const llama = explainResolution(router.describe(LLAMA), { path: "/v1/messages", routeTypes });
    expect(llama).toContain("/model/meta.llama3-3-70b-instruct-v1%3A0/converse");
    expect(router.plan(CLAUDE).candidates[0]?.auth.kind).toBe("authorizer");
  });

  it("api: converse | invoke | auto, and a guardrail keeps every client on Converse", () => {
    const spec = (b: object) =>
      specOfProvider({ name: "br", provider: "bedrock", bedrock: { region: "r", ...b } });
    const wire = (
      b: object,
      client: "openai-chat" | "anthropic-messages" | "openai-responses",
      model: string,
    ) => wireFormatFor(spec(b), false, client, model);
    expect(wire({}, "anthropic-messages", CLAUDE)).toBe("anthropic-messages");
    expect(wire({}, "openai-chat", CLAUDE)).toBe("bedrock-converse");
    expect(wire({}, "anthropic-messages", LLAMA)).toBe("bedrock-converse");
    expect(wire({ api: "converse" }, "anthropic-messages", CLAUDE)).toBe("bedrock-converse");
    expect(wire({ api: "invoke" }, "openai-responses", CLAUDE)).toBe("anthropic-messages");
    expect(wire({ api: "invoke" }, "openai-chat", LLAMA)).toBe("bedrock-converse");
    expect(wire({ guardrail: { identifier: "g", version: "1" } }, "anthropic-messages", CLAUDE)).toBe(
      "bedrock-converse",
    );
  });

  it("knows Claude by foundation model, inference profile and ARN", () => {
    expect(isBedrockClaude("anthropic.claude-3-5-haiku-20241022-v1:0")).toBe(true);
    expect(isBedrockClaude("global.anthropic.claude-opus-4-5-20251101-v1:0")).toBe(true);
    expect(
      isBedrockClaude("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"),
    ).toBe(true);
    expect(isBedrockClaude("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc")).toBe(
      false,
    );
    expect(isBedrockClaude(LLAMA)).toBe(false);
  });

  it("the InvokeModel body: no model or stream, Bedrock's anthropic_version, the caller's betas merged", () => {
    const spec = specOfProvider({ name: "br", provider: "bedrock", bedrock: { region: "r" } });
    const body = spec.editBody?.(
      "anthropic-messages",
      { model: "m", stream: true, max_tokens: 5, anthropic_beta: ["a"] },
      { "anthropic-beta": "a, b" },
    );
    expect(body).toEqual({
      anthropic_version: "bedrock-2023-05-31",
      max_tokens: 5,
      anthropic_beta: ["a", "b"],
    });
    const guarded = specOfProvider({
      name: "br",
      provider: "bedrock",
      bedrock: { region: "r", guardrail: { identifier: "g1", version: "DRAFT", trace: true } },
    });
    expect(guarded.editBody?.("bedrock-converse", { messages: [] })).toEqual({
      messages: [],
      guardrailConfig: { guardrailIdentifier: "g1", guardrailVersion: "DRAFT", trace: "enabled" },
    });
    expect(guarded.headersFor?.("anthropic-messages")).toEqual([
      "x-amzn-bedrock-guardrailidentifier",
      "g1",
      "x-amzn-bedrock-guardrailversion",
      "DRAFT",
      "x-amzn-bedrock-trace",
      "ENABLED",
    ]);
  });

  it("a credential is a Bedrock API key, sent as Bearer before the chain", () => {
    const router = routerOf(
      yaml("{ region: us-east-1 }", "      credential: env::AWS_BEARER_TOKEN_BEDROCK\n"),
      {
        AWS_BEARER_TOKEN_BEDROCK: "ABSKkey",
      },
    );
    expect(router.plan(LLAMA).candidates[0]?.auth).toMatchObject({
      kind: "managed",
      key: "ABSKkey",
      source: "env::AWS_BEARER_TOKEN_BEDROCK",
    });
    const text = explainResolution(router.describe(LLAMA), { path: "/v1/chat/completions", routeTypes });
    expect(text).not.toContain("ABSKkey");
  });

  it("gen_ai_system is aws.bedrock", () => {
    const loaded = loadConfigText(yaml("{ region: us-east-1 }"), { file: "f.yaml", env: {} });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    expect(systemOf(labelSetsOf(compileConfig(loaded.config, { env: {} })), "br")).toBe("aws.bedrock");
  });
});

describe("Bedrock load errors", () => {
  it("a region is required, a bedrock block only on bedrock, the bare kind not in llm.models", () => {
    expect(loadErrors("llm:\n  providers:\n    - name: br\n      provider: bedrock\n")).toMatch(
      /^3:7: Bedrock provider "br" needs a region: add bedrock: \{ region: <AWS region, e\.g\. us-east-1> \}/,
    );
    expect(
      loadErrors("llm:\n  providers:\n    - name: openai\n      bedrock: { region: us-east-1 }\n"),
    ).toMatch(/^4:7: bedrock: applies only to provider: bedrock/);
    expect(loadErrors('llm:\n  models:\n    - { name: "*", provider: bedrock }\n')).toContain(
      'model entry "*" names the bedrock kind, which needs a region',
    );
    expect(loadErrors(yaml("{ region: us-east-1, api: bedrock }"))).toBe(
      '6:42: "bedrock" is not one of: auto, converse, invoke',
    );
    expect(loadErrors(yaml('{ region: us-east-1, guardrail: { identifier: g, version: "v1" } }'))).toBe(
      '6:74: "v1" does not match the pattern ^([1-9][0-9]{0,7}|DRAFT)$',
    );
  });
});
