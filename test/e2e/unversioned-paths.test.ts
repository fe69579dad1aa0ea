/**
 * A client pointed at the host without `/v1` (`baseURL: http://host:4000`) reaches the same
 * route types: its OpenAI body is translated for an Anthropic provider, not passed through.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CALLER_KEY, type Harness, startHarness } from "./harness.js";

let h: Harness;
let bare: OpenAI;
beforeAll(async () => {
  h = await startHarness();
  bare = new OpenAI({ apiKey: CALLER_KEY, baseURL: h.url, maxRetries: 0 });
});
afterAll(async () => {
  await h.close();
});

describe("paths without /v1", () => {
  it("/chat/completions to an Anthropic model is translated to /v1/messages", async () => {
    h.mock.script({ reply: { text: "translated", usage: { input: 3, output: 1 } } });
    const r = await bare.chat.completions.create({
      model: "ant-sonnet",
      messages: [{ role: "user", content: "Hi" }],
      max_tokens: 20,
    });
    expect(r.choices[0]?.message.content).toBe("translated");
    const req = await h.mock.nextRequest();
    expect(req.pathname).toBe("/v1/messages");
    expect(req.json).toMatchObject({ model: "claude-upstream", max_tokens: 20 });
  });

  it("/responses streamed to an Anthropic model is translated too", async () => {
    h.mock.script({ reply: { text: "streamed", usage: { input: 3, output: 1 } } });
    const stream = await bare.responses.create({ model: "ant-sonnet", input: "Hi", stream: true });
    let text = "";
    for await (const e of stream) if (e.type === "response.output_text.delta") text += e.delta;
    expect(text).toBe("streamed");
    expect((await h.mock.nextRequest()).pathname).toBe("/v1/messages");
  });

  it("/models lists the configured models", async () => {
    const res = await fetch(`${h.url}/models`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { object: string; data: unknown[] };
    expect(body.object).toBe("list");
  });

  it("only the whole path counts: /v1/threads/x/messages stays an opaque path", async () => {
    const res = await fetch(`${h.url}/v1/threads/t1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${CALLER_KEY}` },
      body: JSON.stringify({ model: "oaichat-x", role: "user", content: "Hi" }),
    });
    // The opaque path does not parse bodies, so with several providers it cannot pick one
    // (OpenAI envelope); parsed as Anthropic Messages it would answer in Anthropic's envelope.
    expect(res.status).toBe(404);
    const body = (await res.json()) as { type?: string; error: { code?: string } };
    expect(body.type).toBeUndefined();
    expect(body.error.code).toBe("model_not_found");
  });
});
