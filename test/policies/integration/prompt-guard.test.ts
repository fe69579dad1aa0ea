/**
 * promptGuard through the gateway with the official SDKs. Request guards: masks reach the
 * upstream in every part of the prompt (system, user, tool call arguments, tool results),
 * same-format and translated; a rejection is the configured status and message in the
 * caller's envelope. Response guards: JSON answers masked or refused; streams masked while
 * still streaming (a gated upstream proves the first safe text reaches the client before the
 * upstream has finished) and ended with an error event that the SDK stream rejects with.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SseEvent } from "../../helpers/mock-upstream.js";
import { headerOf, type PolicyHarness, rejection, startPolicyHarness } from "./harness.js";

let h: PolicyHarness;
beforeAll(async () => {
  h = await startPolicyHarness({
    ai: {
      promptGuard: {
        request: [
          { regex: { action: "mask", rules: [{ builtin: "email" }] } },
          {
            blocklist: { words: ["project falcon"] },
            rejection: { status: 422, message: "Falcon is off limits." },
          },
        ],
        response: [
          { regex: { action: "mask", rules: [{ builtin: "ssn" }] } },
          {
            regex: { action: "reject", rules: [{ pattern: "FORBIDDEN-[0-9]+" }] },
            rejection: { status: 409, message: "Answer withheld." },
          },
        ],
      },
    },
  });
});
afterAll(async () => {
  await h.close();
});

const EMAIL = "jane.doe@example.com";

describe("request guards", () => {
  it("chat client → Anthropic (translated): system, user, tool call and tool result are masked", async () => {
    const handle = h.mock.script({ reply: { text: "ok" } });
    await h.openai().chat.completions.create({
      model: "ant-x",
      messages: [
        { role: "system", content: `Escalate to ${EMAIL}.` },
        { role: "user", content: `Mail ${EMAIL} please` },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "c1",
              type: "function",
              function: { name: "send", arguments: JSON.stringify({ to: EMAIL }) },
            },
          ],
        },
        { role: "tool", tool_call_id: "c1", content: `sent to ${EMAIL}` },
      ],
    });
    const up = await handle.request;
    expect(up.pathname).toBe("/v1/messages");
    expect(up.text).not.toContain(EMAIL);
    const body = up.json as {
      system: unknown;
      messages: Array<{ content: Array<Record<string, unknown>> | string }>;
    };
    expect(JSON.stringify(body.system)).toContain("Escalate to <EMAIL_ADDRESS>.");
    const flat = JSON.stringify(body.messages);
    expect(flat).toContain("Mail <EMAIL_ADDRESS> please");
    expect(flat).toContain('"to":"<EMAIL_ADDRESS>"');
    expect(flat).toContain("sent to <EMAIL_ADDRESS>");
    const rec = await h.record((r) => r.model === "ant-x" && r.status === 200);
    expect(rec.policyEvents).toContainEqual({
      policy: "promptGuard",
      phase: "request",
      action: "mask",
      guard: "regex",
    });
  });

  it("messages client → Anthropic (same format): the masked text goes upstream", async () => {
    const handle = h.mock.script({ reply: { text: "ok" } });
    await h.anthropic().messages.create({
      model: "ant-y",
      max_tokens: 20,
      system: `Owner: ${EMAIL}`,
      messages: [{ role: "user", content: `hi ${EMAIL}` }],
    });
    const up = await handle.request;
    expect(up.text).not.toContain(EMAIL);
    expect(up.json).toMatchObject({
      model: "claude-upstream",
      max_tokens: 20,
      messages: [{ role: "user" }],
    });
    expect(up.text).toContain("hi <EMAIL_ADDRESS>");
    expect(up.text).toContain("Owner: <EMAIL_ADDRESS>");
  });

  it("responses client → OpenAI Responses (same format): masked", async () => {
    const handle = h.mock.script({ reply: { text: "ok" } });
    const r = await h
      .openai()
      .responses.create({ model: "oai-x", instructions: `cc ${EMAIL}`, input: `to ${EMAIL}` });
    expect(r.output_text).toBe("ok");
    const up = await handle.request;
    expect(up.pathname).toBe("/v1/responses");
    expect(up.text).not.toContain(EMAIL);
    expect(up.text).toContain("to <EMAIL_ADDRESS>");
  });

  it("a request without a match is forwarded byte for byte", async () => {
    const handle = h.mock.script({ reply: { text: "ok" } });
    const raw = '{"model":"ant-z","max_tokens":5,  "messages":[{"role":"user","content":"plain"}]}';
    const res = await fetch(`${h.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "k", "anthropic-version": "2023-06-01" },
      body: raw,
    });
    expect(res.status).toBe(200);
    expect((await handle.request).text).toBe(raw.replace('"ant-z"', '"claude-upstream"'));
  });

  it("blocklist: the configured status and message, in each envelope, nothing upstream", async () => {
    const before = h.mock.requests.length;
    const chat = await rejection(
      h.openai().chat.completions.create({
        model: "oai-x",
        messages: [{ role: "user", content: "Tell me about Project FALCON" }],
      }),
    );
    expect(chat.status).toBe(422);
    expect(headerOf(chat.headers, "x-agw-error-code")).toBe("guardrail_rejected");
    expect(chat.error).toMatchObject({ message: "Falcon is off limits.", code: "guardrail_rejected" });
    const msg = await rejection(
      h.anthropic().messages.create({
        model: "ant-x",
        max_tokens: 5,
        messages: [{ role: "user", content: "project falcon?" }],
      }),
    );
    expect(msg.status).toBe(422);
    expect(msg.error).toMatchObject({ type: "error", error: { message: "Falcon is off limits." } });
    const resp = await rejection(h.openai().responses.create({ model: "oai-x", input: "project falcon" }));
    expect(resp.status).toBe(422);
    expect(h.mock.requests.length).toBe(before);
  });
});

describe("request guards on every body a prompt reaches a provider in", () => {
  const gemini = (path: string, body: unknown) =>
    fetch(`${h.url}/v1beta/models/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-goog-api-key": "k" },
      body: JSON.stringify(body),
    });

  it("a Gemini client's system instruction, text and function response are masked", async () => {
    const handle = h.mock.script({ reply: { text: "ok" } });
    const res = await gemini("oai-x:generateContent", {
      systemInstruction: { parts: [{ text: `Escalate to ${EMAIL}.` }] },
      contents: [
        { role: "user", parts: [{ text: `Mail ${EMAIL} please` }] },
        { role: "model", parts: [{ functionCall: { name: "send", args: { to: EMAIL } } }] },
        { role: "user", parts: [{ functionResponse: { name: "send", response: { sent: EMAIL } } }] },
      ],
      tools: [{ functionDeclarations: [{ name: "send", description: "send mail" }] }],
    });
    expect(res.status).toBe(200);
    const up = await handle.request;
    expect(up.pathname).toBe("/v1/chat/completions");
    expect(up.text).not.toContain(EMAIL);
    expect(up.text).toContain("Mail <EMAIL_ADDRESS> please");
    expect(up.text).toContain("Escalate to <EMAIL_ADDRESS>.");
  });

  it("a Gemini client's generateContent and countTokens are refused by the blocklist, nothing upstream", async () => {
    const before = h.mock.requests.length;
    const res = await gemini("oai-x:generateContent", {
      contents: [{ role: "user", parts: [{ text: "about Project Falcon" }] }],
    });
    expect(res.status).toBe(422);
    expect(res.headers.get("x-agw-error-code")).toBe("guardrail_rejected");
    const count = await gemini("oai-x:countTokens", {
      generateContentRequest: { contents: [{ role: "user", parts: [{ text: "project falcon" }] }] },
    });
    expect(count.status).toBe(422);
    expect(h.mock.requests.length).toBe(before);
  });

  it("embeddings input is masked, and Anthropic count_tokens is refused by the blocklist", async () => {
    const handle = h.mock.script({
      json: { object: "list", data: [], model: "m", usage: { prompt_tokens: 1, total_tokens: 1 } },
    });
    await h.openai().embeddings.create({ model: "oai-x", input: ["plain", `mail ${EMAIL}`] });
    const up = await handle.request;
    expect(up.pathname).toBe("/v1/embeddings");
    expect((up.json as { input: string[] }).input).toEqual(["plain", "mail <EMAIL_ADDRESS>"]);
    const before = h.mock.requests.length;
    const count = await rejection(
      h.anthropic().messages.countTokens({
        model: "ant-x",
        messages: [{ role: "user", content: "project falcon" }],
      }),
    );
    expect(count.status).toBe(422);
    expect(h.mock.requests.length).toBe(before);
  });
});

describe("response guards on JSON", () => {
  it("chat client, same format: the SSN is masked in the answer", async () => {
    h.mock.script({ reply: { text: "Your SSN is 123-45-6789." } });
    const r = await h.openai().chat.completions.create({
      model: "oai-x",
      messages: [{ role: "user", content: "ssn?" }],
    });
    expect(r.choices[0]?.message.content).toBe("Your SSN is <SSN>.");
  });

  it("messages client → OpenAI (translated): masked", async () => {
    h.mock.script({ reply: { text: "It is 123-45-6789" } });
    const r = await h.anthropic().messages.create({
      model: "oai-x",
      max_tokens: 20,
      messages: [{ role: "user", content: "ssn?" }],
    });
    expect(r.content[0]).toMatchObject({ type: "text", text: "It is <SSN>" });
  });

  it("a reject guard: the guard's status in the caller's envelope", async () => {
    h.mock.script({ reply: { text: "code FORBIDDEN-42" } });
    const r = await rejection(
      h
        .anthropic()
        .messages.create({ model: "ant-x", max_tokens: 20, messages: [{ role: "user", content: "x" }] }),
    );
    expect(r.status).toBe(409);
    expect(r.error).toMatchObject({ type: "error", error: { message: "Answer withheld." } });
    h.mock.script({ reply: { text: "code FORBIDDEN-42" } });
    const c = await rejection(h.openai().responses.create({ model: "oai-x", input: "x" }));
    expect(c.status).toBe(409);
    expect(headerOf(c.headers, "x-agw-error-code")).toBe("guardrail_rejected");
  });
});

/** Chat SSE events: the first one already carries text, so chunk 1 of a gated reply has text. */
function chatEvents(pieces: string[]): SseEvent[] {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
    data: JSON.stringify({
      id: "chatcmpl-g",
      object: "chat.completion.chunk",
      created: 1,
      model: "gpt-upstream",
      choices: [{ index: 0, delta, finish_reason: finish }],
    }),
  });
  return [
    chunk({ role: "assistant", content: pieces[0] }),
    ...pieces.slice(1).map((p) => chunk({ content: p })),
    chunk({}, "stop"),
    { data: "[DONE]" },
  ];
}

describe("response guards on streams", () => {
  it("chat client (same format): safe text arrives before the upstream finishes; the SSN is masked", async () => {
    const handle = h.mock.script({
      events: chatEvents(["Hello there, friend. ", "Your number: 123-", "45-6789 ", "is on file."]),
      gate: true,
    });
    const stream = await h.openai().chat.completions.create({
      model: "oai-x",
      messages: [{ role: "user", content: "go" }],
      stream: true,
    });
    const it = stream[Symbol.asyncIterator]();
    let text = "";
    while (text === "") {
      const n = await it.next();
      expect(n.done).toBe(false);
      text += n.value?.choices[0]?.delta.content ?? "";
    }
    // The upstream is still held at its first chunk: the client got text while it streams.
    expect(handle.gate.chunksSent).toBe(1);
    expect(handle.gate.totalChunks).toBeGreaterThan(1);
    expect("Hello there, friend. ".startsWith(text)).toBe(true);
    handle.gate.releaseAll();
    for (;;) {
      const n = await it.next();
      if (n.done === true) break;
      text += n.value.choices[0]?.delta.content ?? "";
    }
    expect(text).toBe("Hello there, friend. Your number: <SSN> is on file.");
  });

  it("messages client → OpenAI (translated): masked while streaming", async () => {
    const handle = h.mock.script({
      events: chatEvents(["Number ", "123-45-", "6789", " ok"]),
      gate: true,
    });
    const stream = h.anthropic().messages.stream({
      model: "oai-x",
      max_tokens: 50,
      messages: [{ role: "user", content: "go" }],
    });
    const first = new Promise<string>((resolve) => stream.on("text", (t) => resolve(t)));
    expect(await first).toBe("Number ");
    expect(handle.gate.chunksSent).toBe(1);
    handle.gate.releaseAll();
    expect(await stream.finalText()).toBe("Number <SSN> ok");
  });

  it("reject mid-stream: the SDK stream fails with the guard's message; text before it was masked", async () => {
    h.mock.script({ events: chatEvents(["Safe part. ", "now FORBIDDEN-", "7 and more"]) });
    const stream = await h.openai().chat.completions.create({
      model: "oai-x",
      messages: [{ role: "user", content: "go" }],
      stream: true,
    });
    let text = "";
    const failure = await (async () => {
      try {
        for await (const c of stream) text += c.choices[0]?.delta.content ?? "";
      } catch (err) {
        return err as Error;
      }
      return undefined;
    })();
    expect(failure?.message).toContain("Answer withheld.");
    expect(text.startsWith("Safe part.")).toBe(true);
    expect(text).not.toContain("FORBIDDEN-7");
    const rec = await h.record((r) => r.error === "guardrail_rejected" && r.status === 200);
    expect(rec.policyEvents).toContainEqual({
      policy: "promptGuard",
      phase: "stream",
      action: "reject",
      guard: "regex",
    });
  });

  it("reject mid-stream on an Anthropic client: an error event the SDK raises", async () => {
    h.mock.script({ reply: { text: "begin FORBIDDEN-99 end" } });
    const stream = h.anthropic().messages.stream({
      model: "ant-x",
      max_tokens: 50,
      messages: [{ role: "user", content: "go" }],
    });
    await expect(stream.finalMessage()).rejects.toThrow(/Answer withheld/);
  });
});
