/**
 * responseUsage (the same-format path's accounting) reads the usage and model exactly as
 * responseToIR does, for every format and any response object, usage shapes included.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { converterFor, type IrFormat } from "../../../src/llm/formats/index.js";

const count = fc.oneof(fc.nat(), fc.double(), fc.constant(null), fc.string());
const usage = fc.oneof(
  fc.record(
    {
      prompt_tokens: count,
      completion_tokens: count,
      total_tokens: count,
      prompt_tokens_details: fc.record({ cached_tokens: count }, { requiredKeys: [] }),
      completion_tokens_details: fc.record({ reasoning_tokens: count }, { requiredKeys: [] }),
      input_tokens: count,
      output_tokens: count,
      cache_read_input_tokens: count,
      cache_creation_input_tokens: count,
      input_tokens_details: fc.record({ cached_tokens: count }, { requiredKeys: [] }),
      output_tokens_details: fc.record({ reasoning_tokens: count }, { requiredKeys: [] }),
      inputTokens: count,
      outputTokens: count,
      totalTokens: count,
      cacheReadInputTokens: count,
      cacheWriteInputTokens: count,
    },
    { requiredKeys: [] },
  ),
  fc.anything(),
);
const body = fc
  .tuple(
    fc.dictionary(fc.string(), fc.jsonValue()),
    fc.option(usage, { nil: undefined }),
    fc.option(fc.oneof(fc.string(), fc.nat()), { nil: undefined }),
  )
  .map(([rest, u, model]) => ({
    ...rest,
    ...(u === undefined ? {} : { usage: u }),
    ...(model === undefined ? {} : { model }),
  }));

describe("responseUsage", () => {
  it.each(["openai-chat", "anthropic-messages", "openai-responses", "bedrock-converse"] as IrFormat[])(
    "%s: the same usage and model as responseToIR",
    (format) => {
      const c = converterFor(format);
      fc.assert(
        fc.property(body, (b) => {
          let expected: { usage: unknown; model: string } | undefined;
          try {
            const { ir } = c.responseToIR(b);
            expected = { usage: ir.usage, model: ir.model };
          } catch {
            return; // responseToIR refuses it: the fast path reads nothing either (tested in the pipeline)
          }
          expect(c.responseUsage(b as Record<string, unknown>)).toEqual(expected);
        }),
        { numRuns: 3000 },
      );
    },
  );
});
