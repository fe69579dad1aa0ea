/**
 * Failures as the official SDKs see them: upstream errors in the other API's envelope come
 * back in the caller's (status kept, the SDK's own error class), a stream that breaks in
 * the middle makes the SDK stream reject (never a clean end), and the gateway's own errors
 * (413, invalid JSON, missing model, 401, 501) carry x-agw-error-code in the caller's envelope.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ maxRequestBodyBytes: 4096, streamIdleMs: 300 });
});
afterAll(async () => {
  await h.close();
});

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
}

describe("upstream error statuses in the caller's envelope", () => {
  it("Anthropic 429 → chat client gets RateLimitError with Retry-After", async () => {
    h.mock.script({ error: { status: 429, format: "anthropic", message: "slow down", retryAfter: 2 } });
    const err = await rejection(
      h.openai.chat.completions.create({ model: "ant-x", messages: [{ role: "user", content: "hi" }] }),
    );
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const e = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.status).toBe(429);
    expect(e.message).toContain("slow down");
    expect(e.headers?.get("retry-after")).toBe("2");
  });

  it("OpenAI 400 → messages client gets BadRequestError with an Anthropic error body", async () => {
    h.mock.script({ error: { status: 400, format: "openai", message: "bad field" } });
    const err = await rejection(
      h.anthropic.messages.create({
        model: "oai-x",
        max_tokens: 10,
        messages: [{ role: "user", content: "hi" }],
      }),
    );
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    const e = err as InstanceType<typeof Anthropic.BadRequestError>;
    expect(e.status).toBe(400);
    expect(e.error).toMatchObject({
      type: "error",
      error: { type: "invalid_request_error", message: "bad field" },
    });
  });

  it("Anthropic 500 → responses client gets InternalServerError", async () => {
    h.mock.script({ error: { status: 500, format: "anthropic", message: "boom" } });
    const err = await rejection(h.openai.responses.create({ model: "ant-x", input: "hi" }));
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect((err as Error).message).toContain("boom");
  });

  it("same format: the upstream's error body is passed as is", async () => {
    h.mock.script({ error: { status: 400, format: "openai", message: "context too long" } });
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "oai-x", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { message: "context too long" } });
  });

  it("an unreachable upstream is a 502 upstream_unavailable in the caller's envelope", async () => {
    h.mock.script({ fault: "resetBeforeHeaders" });
    const err = await rejection(
      h.anthropic.messages.create({
        model: "oai-x",
        max_tokens: 10,
        messages: [{ role: "user", content: "hi" }],
      }),
    );
    expect(err).toBeInstanceOf(Anthropic.InternalServerError);
    expect((err as { status: number }).status).toBe(502);
  });
});

describe("a stream that breaks in the middle makes the SDK stream reject", () => {
  const reply = { text: "one two three four five six seven eight nine ten eleven twelve" };

  it("chat client, same format, upstream reset mid-stream", async () => {
    h.mock.script({ reply, fault: { resetAfterBytes: 300 } });
    const stream = h.openai.chat.completions.stream({
      model: "oai-x",
      messages: [{ role: "user", content: "hi" }],
    });
    await expect(stream.finalChatCompletion()).rejects.toThrow();
  });

  it("chat client, Anthropic upstream reset mid-stream", async () => {
    h.mock.script({ reply, fault: { resetAfterBytes: 400 } });
    const stream = h.openai.chat.completions.stream({
      model: "ant-x",
      messages: [{ role: "user", content: "hi" }],
    });
    await expect(stream.finalChatCompletion()).rejects.toThrow();
  });

  it("messages client, OpenAI upstream reset mid-stream", async () => {
    h.mock.script({ reply, fault: { resetAfterBytes: 300 } });
    const stream = h.anthropic.messages.stream({
      model: "oai-x",
      max_tokens: 50,
      messages: [{ role: "user", content: "hi" }],
    });
    await expect(stream.finalMessage()).rejects.toThrow();
  });

  it("responses client, chat upstream truncated (clean end without finish)", async () => {
    h.mock.script({
      events: [
        {
          data: {
            id: "c1",
            object: "chat.completion.chunk",
            created: 1,
            model: "m",
            choices: [{ index: 0, delta: { content: "partial" }, finish_reason: null }],
          },
        },
      ],
    });
    const stream = h.openai.responses.stream({ model: "oaichat-x", input: "hi" });
    await expect(stream.finalResponse()).rejects.toThrow();
  });

  it("messages client, same format, truncated stream gets an Anthropic error event", async () => {
    h.mock.script({ reply, fault: { resetAfterBytes: 500 } });
    const res = await fetch(`${h.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "k" },
      body: JSON.stringify({
        model: "ant-x",
        max_tokens: 50,
        stream: true,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    const text = await res.text();
    expect(text).toContain("event: error");
    expect(text).not.toContain("message_stop");
  });

  it("an idle upstream stream ends with an error after the stream idle timeout", async () => {
    const handle = h.mock.script({ reply, gate: true });
    const stream = h.openai.chat.completions.stream({
      model: "ant-x",
      messages: [{ role: "user", content: "hi" }],
    });
    await expect(stream.finalChatCompletion()).rejects.toThrow(/idle/);
    handle.gate.releaseAll();
  });
});

describe("gateway errors in the caller's envelope", () => {
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${h.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });

  it("413 request_body_too_large", async () => {
    const big = JSON.stringify({ model: "oai-x", messages: [{ role: "user", content: "x".repeat(5000) }] });
    const res = await post("/v1/chat/completions", big);
    expect(res.status).toBe(413);
    expect(res.headers.get("x-agw-error-code")).toBe("request_body_too_large");
    expect(await res.json()).toMatchObject({ error: { code: "request_body_too_large" } });
  });

  it("400 invalid_request_body on a messages route, Anthropic envelope", async () => {
    const res = await post("/v1/messages", "{not json");
    expect(res.status).toBe(400);
    expect(res.headers.get("x-agw-error-code")).toBe("invalid_request_body");
    expect(await res.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
  });

  it("400 missing_model through the SDK", async () => {
    const err = await rejection(
      h.openai.chat.completions.create({ messages: [{ role: "user", content: "hi" }] } as never),
    );
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).headers?.get("x-agw-error-code")).toBe(
      "missing_model",
    );
  });

  it("401 unauthorized names the header when a caller-key provider gets no key", async () => {
    const before = h.mock.requests.length;
    const res = await post(
      "/v1/messages",
      JSON.stringify({ model: "ant-x", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }),
    );
    expect(res.status).toBe(401);
    expect(res.headers.get("x-agw-error-code")).toBe("unauthorized");
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toContain("x-api-key");
    expect(h.mock.requests.length).toBe(before);
  });

  it("501 for embeddings on an Anthropic model", async () => {
    const e1 = await post("/v1/embeddings", JSON.stringify({ model: "ant-x", input: "hi" }), {
      authorization: "Bearer k",
    });
    expect(e1.status).toBe(501);
    expect(e1.headers.get("x-agw-error-code")).toBe("not_implemented");
    expect(await e1.json()).toMatchObject({ error: { code: "not_implemented" } });
  });
});
