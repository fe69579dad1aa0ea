/**
 * What the pipeline notes about each request (the access-log record) and what it logs at
 * debug when a translation drops fields.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RequestRecord } from "../../src/http/record.js";
import { type Harness, startHarness } from "./harness.js";

let h: Harness;
const records: RequestRecord[] = [];
let waiters: Array<(r: RequestRecord) => void> = [];
/** The next record pushed after this call (the pipeline has returned for that request). */
function nextRecord(): Promise<RequestRecord> {
  return new Promise((resolve) => waiters.push(resolve));
}
beforeAll(async () => {
  h = await startHarness({
    wrap: (inner) => ({
      async handle(ctx) {
        try {
          await inner.handle(ctx);
        } finally {
          records.push(ctx.record);
          const w = waiters;
          waiters = [];
          for (const resolve of w) resolve(ctx.record);
        }
      },
    }),
  });
});
afterAll(async () => {
  await h.close();
});

describe("request record", () => {
  it("carries model, provider, upstream model, tokens (cached too) and status", async () => {
    h.mock.script({
      reply: { text: "ok", model: "claude-upstream-2025", usage: { input: 10, output: 2, cachedInput: 6 } },
    });
    const next = nextRecord();
    await h.openai.chat.completions.create({ model: "ant-x", messages: [{ role: "user", content: "hi" }] });
    const r = await next;
    expect(r).toMatchObject({
      model: "ant-x",
      provider: "anthropic",
      upstreamModel: "claude-upstream",
      responseModel: "claude-upstream-2025",
      inputTokens: 16,
      outputTokens: 2,
      cachedInputTokens: 6,
      status: 200,
    });
  });

  it("a streamed same-format answer records the sniffed usage", async () => {
    h.mock.script({ reply: { text: "a b", usage: { input: 5, output: 2 } } });
    const s = h.openai.chat.completions.stream({
      model: "oai-x",
      messages: [{ role: "user", content: "hi" }],
    });
    await s.finalChatCompletion();
    // The record is complete once the pipeline has returned; the client may finish first.
    await expect.poll(() => records.at(-1)?.model, { timeout: 2000 }).toBe("oai-x");
    expect(records.at(-1)).toMatchObject({
      provider: "openAI",
      inputTokens: 5,
      outputTokens: 2,
      status: 200,
    });
  });
});

describe("dropped fields", () => {
  it("are logged at debug, per request, by name", async () => {
    h.mock.script({ reply: { text: "ok" } });
    await h.openai.chat.completions.create({
      model: "ant-x",
      messages: [{ role: "user", content: "hi" }],
      seed: 7,
      logit_bias: { "1": 2 },
    });
    const line = h.debug.find(
      (l) => l.msg === "fields dropped in translation" && l.stage === "upstream request",
    );
    expect(line).toBeDefined();
    expect(line?.dropped).toEqual(expect.arrayContaining(["seed", "logit_bias"]));
    expect(typeof line?.requestId).toBe("string");
  });
});
