/**
 * Structured output to an Anthropic upstream: a schema Anthropic cannot carry is refused with a
 * 400 that names the keyword and where it is, never dropped; and the Claude model table.
 */
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../src/errors.js";
import { claudeModelLimits } from "../../../src/llm/formats/anthropic-messages/model-limits.js";
import { converterFor } from "../../../src/llm/formats/index.js";

function chatToAnthropic(schema: Record<string, unknown>): unknown {
  const { ir } = converterFor("openai-chat").requestToIR({
    model: "claude-sonnet-4-5",
    messages: [{ role: "user", content: "hi" }],
    response_format: { type: "json_schema", json_schema: { name: "x", schema } },
  });
  return converterFor("anthropic-messages").requestFromIR(ir).body;
}

function refusal(schema: Record<string, unknown>): GatewayError {
  try {
    chatToAnthropic(schema);
  } catch (e) {
    if (e instanceof GatewayError) return e;
    throw e;
  }
  throw new Error("not refused");
}

describe("response schema → Anthropic output_config.format", () => {
  it.each([
    [
      "minimum",
      { type: "object", properties: { age: { type: "integer", minimum: 0 } } },
      "schema.properties.age",
    ],
    [
      "maxLength",
      { type: "object", properties: { s: { type: "string", maxLength: 3 } } },
      "schema.properties.s",
    ],
    ["minItems", { type: "array", items: { type: "string" }, minItems: 2 }, "schema"],
    [
      "additionalProperties",
      { type: "object", properties: {}, additionalProperties: { type: "string" } },
      "schema",
    ],
    ["not", { type: "object", properties: { a: { not: { type: "null" } } } }, "schema.properties.a"],
    [
      "$ref",
      { type: "object", properties: { a: { $ref: "https://example.com/s.json" } } },
      "schema.properties.a",
    ],
    [
      "$ref",
      {
        type: "object",
        properties: { root: { $ref: "#/$defs/node" } },
        $defs: { node: { type: "object", properties: { next: { $ref: "#/$defs/node" } } } },
      },
      "schema.$defs.node",
    ],
    ["enum", { type: "object", properties: { e: { enum: [{ a: 1 }] } } }, "schema.properties.e"],
  ])("refuses %s with a 400 naming it and where it is", (keyword, schema, where) => {
    const e = refusal(schema);
    expect(e.status).toBe(400);
    expect(e.code).toBe("unsupported_feature");
    expect(e.message).toContain(`\`${keyword}\``);
    expect(e.message).toContain(`at ${where}`);
  });

  it("a property named like a refused keyword is not a keyword", () => {
    const body = chatToAnthropic({
      type: "object",
      properties: { minimum: { type: "number" } },
      required: ["minimum"],
      additionalProperties: false,
    }) as { output_config: { format: { schema: unknown } } };
    expect(body.output_config.format.schema).toEqual({
      type: "object",
      properties: { minimum: { type: "number" } },
      required: ["minimum"],
      additionalProperties: false,
    });
  });

  it("zod int()'s safe-integer bounds constrain nothing: left out, not refused", () => {
    const body = chatToAnthropic({
      type: "object",
      properties: { n: { type: "integer", minimum: -9007199254740991, maximum: 9007199254740991 } },
      required: ["n"],
      additionalProperties: false,
    }) as { output_config: { format: { schema: unknown } } };
    expect(body.output_config.format.schema).toEqual({
      type: "object",
      properties: { n: { type: "integer" } },
      required: ["n"],
      additionalProperties: false,
    });
    expect(refusal({ type: "integer", minimum: 1 }).message).toContain("`minimum` at schema");
  });

  it("json_schema with thinking: both output_config keys are sent", () => {
    const { ir } = converterFor("openai-chat").requestToIR({
      model: "claude-opus-4-6",
      messages: [{ role: "user", content: "hi" }],
      reasoning_effort: "high",
      response_format: {
        type: "json_schema",
        json_schema: { name: "x", schema: { type: "object", properties: {}, additionalProperties: false } },
      },
    });
    const { body } = converterFor("anthropic-messages").requestFromIR(ir);
    expect(body.thinking).toEqual({ type: "adaptive" });
    expect(body.output_config).toEqual({
      effort: "high",
      format: {
        type: "json_schema",
        schema: { type: "object", properties: {}, additionalProperties: false },
      },
    });
  });
});

describe("Claude model limits", () => {
  it.each([
    ["claude-opus-4-6", 128000, true],
    ["claude-sonnet-4-6", 64000, true],
    ["claude-sonnet-4-5-20250929", 64000, false],
    ["claude-opus-4-20250514", 32000, false],
    ["us.anthropic.claude-opus-4-1-20250805-v1:0", 32000, false],
    ["claude-3-5-haiku-latest", 8192, false],
  ])("%s: cap %i, adaptive %s", (model, cap, adaptive) => {
    expect(claudeModelLimits(model)).toMatchObject({ maxOutputTokens: cap, adaptive });
  });

  it("an unknown name has no limits", () => {
    expect(claudeModelLimits("my-model")).toBeUndefined();
  });
});
