/**
 * `n > 1` to a provider that has no `n` (Anthropic) is refused with a 400, never answered with
 * fewer choices than asked for; `n` stays as sent to a Chat upstream.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

async function refusal(p: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OpenAI.APIError);
  return err as InstanceType<typeof OpenAI.APIError>;
}

describe("chat client n > 1", () => {
  it("→ anthropic upstream: 400 unsupported_feature naming n, nothing sent upstream (JSON and stream)", async () => {
    for (const stream of [false, true]) {
      const err = await refusal(
        h.openai.chat.completions.create({
          model: "ant-x",
          n: 2,
          stream,
          messages: [{ role: "user", content: "Hi" }],
        }),
      );
      expect(err.status).toBe(400);
      expect(err.code).toBe("unsupported_feature");
      expect(err.message).toContain("n=2");
      expect(err.message).toContain("Anthropic Messages API");
    }
    expect(h.mock.requests.length).toBe(0);
  });

  it("→ anthropic upstream: n = 1 is served", async () => {
    h.mock.script({ reply: { text: "one" } });
    const r = await h.openai.chat.completions.create({
      model: "ant-x",
      n: 1,
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(r.choices.map((c) => c.message.content)).toEqual(["one"]);
  });

  it("→ chat upstream: n is forwarded", async () => {
    const handle = h.mock.script({ reply: { text: "x" } });
    await h.openai.chat.completions.create({
      model: "oaichat-x",
      n: 2,
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(((await handle.request).json as { n?: number }).n).toBe(2);
  });
});
