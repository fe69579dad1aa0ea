/**
 * Response guards keep what they do not touch: a same-format JSON answer read by a masking
 * guard keeps every field the IR does not carry and the upstream's headers; only the masked
 * text changes. A guarded same-format stream keeps the upstream's headers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    policies: {
      ai: {
        promptGuard: {
          response: [
            { regex: { action: "mask", rules: [{ builtin: "ssn" }] } },
            {
              regex: { action: "reject", rules: [{ pattern: "FORBIDDEN-[0-9]+" }] },
              rejection: { status: 409, message: "Answer withheld." },
            },
          ],
        },
      },
    },
  });
});
afterAll(async () => {
  await h.close();
});

const UPSTREAM_HEADERS = { "x-request-id": "up-123", "openai-processing-ms": "7" };

function chatAnswer(text: string, args: string): Record<string, unknown> {
  return {
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 1700000000,
    model: "gpt-upstream",
    system_fingerprint: "fp_abc",
    service_tier: "default",
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: text,
          refusal: null,
          annotations: [],
          tool_calls: [{ id: "call_1", type: "function", function: { name: "lookup", arguments: args } }],
        },
        logprobs: { content: [{ token: "x", logprob: -0.1, bytes: [120], top_logprobs: [] }] },
        finish_reason: "tool_calls",
      },
    ],
    usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
  };
}

describe("guarded same-format JSON answers", () => {
  it("chat: only the masked texts change; other fields and upstream headers are kept", async () => {
    h.mock.script({
      headers: UPSTREAM_HEADERS,
      json: chatAnswer("Her SSN is 123-45-6789.", '{"ssn":"123-45-6789"}'),
    });
    const { data, response } = await h.openai.chat.completions
      .create({ model: "oaichat-x", messages: [{ role: "user", content: "Hi" }], logprobs: true })
      .withResponse();
    expect(response.headers.get("x-request-id")).toBe("up-123");
    expect(response.headers.get("openai-processing-ms")).toBe("7");
    // The token logprobs would spell what was masked: they go with it.
    const expected = chatAnswer("Her SSN is <SSN>.", '{"ssn":"<SSN>"}');
    (expected.choices as Array<Record<string, unknown>>)[0]!.logprobs = null;
    expect(data).toEqual(expected);
  });

  it("chat: an answer with nothing to mask is passed byte for byte", async () => {
    const body = chatAnswer("Nothing here.", "{}");
    h.mock.script({ headers: UPSTREAM_HEADERS, raw: JSON.stringify(body, null, 2) });
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: "Bearer sk-caller-key",
        "x-agw-authorization": "Bearer agw-gateway-key",
      },
      body: JSON.stringify({ model: "oaichat-x", messages: [{ role: "user", content: "Hi" }] }),
    });
    expect(await res.text()).toBe(JSON.stringify(body, null, 2));
    expect(res.headers.get("x-request-id")).toBe("up-123");
  });

  it("messages: tool_use input masked in place; container, stop_sequence, usage details kept", async () => {
    const answer = (ssn: string): Record<string, unknown> => ({
      id: "msg_1",
      type: "message",
      role: "assistant",
      model: "claude-upstream",
      content: [
        { type: "text", text: `SSN ${ssn}`, citations: null },
        { type: "tool_use", id: "toolu_1", name: "lookup", input: { ssn, n: 1 } },
      ],
      stop_reason: "tool_use",
      stop_sequence: null,
      container: null,
      usage: {
        input_tokens: 3,
        output_tokens: 4,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        service_tier: "standard",
      },
    });
    h.mock.script({ headers: { "request-id": "req_up" }, json: answer("123-45-6789") });
    const { data, response } = await h.anthropic.messages
      .create({ model: "ant-x", max_tokens: 10, messages: [{ role: "user", content: "Hi" }] })
      .withResponse();
    expect(response.headers.get("request-id")).toBe("req_up");
    expect(data).toEqual(answer("<SSN>"));
  });

  it("responses: output_text masked, annotations and item ids kept", async () => {
    const answer = (ssn: string): Record<string, unknown> => ({
      id: "resp_1",
      object: "response",
      created_at: 1700000000,
      status: "completed",
      model: "gpt-upstream",
      output: [
        {
          id: "msg_up_1",
          type: "message",
          status: "completed",
          role: "assistant",
          content: [
            {
              type: "output_text",
              text: `SSN ${ssn}`,
              annotations: [{ type: "url_citation" }],
              logprobs: [],
            },
          ],
        },
      ],
      usage: { input_tokens: 1, output_tokens: 2, total_tokens: 3 },
      service_tier: "default",
    });
    h.mock.script({ headers: UPSTREAM_HEADERS, json: answer("123-45-6789") });
    const { data, response } = await h.openai.responses
      .create({ model: "oai-x", input: "Hi" })
      .withResponse();
    expect(response.headers.get("x-request-id")).toBe("up-123");
    expect(data).toMatchObject(answer("<SSN>"));
  });
});

describe("guarded same-format streams", () => {
  it("chat stream: masked, with the upstream's headers", async () => {
    h.mock.script({ headers: UPSTREAM_HEADERS, reply: { text: "SSN 123-45-6789 ok" } });
    const { data: stream, response } = await h.openai.chat.completions
      .create({ model: "oaichat-x", messages: [{ role: "user", content: "Hi" }], stream: true })
      .withResponse();
    let text = "";
    for await (const c of stream) text += c.choices[0]?.delta.content ?? "";
    expect(text).toBe("SSN <SSN> ok");
    expect(response.headers.get("x-request-id")).toBe("up-123");
    expect(response.headers.get("content-type")).toContain("text/event-stream");
  });
});

function sseChunk(content: string | undefined, extra: Record<string, unknown> = {}): string {
  const choice: Record<string, unknown> = {
    index: 0,
    delta: content === undefined ? {} : { content },
    logprobs:
      content === undefined
        ? null
        : { content: [{ token: content, logprob: -0.5, bytes: [], top_logprobs: [] }] },
    finish_reason: content === undefined ? "stop" : null,
  };
  return `data: ${JSON.stringify({
    id: "chatcmpl-s",
    object: "chat.completion.chunk",
    created: 1700000000,
    model: "gpt-upstream",
    system_fingerprint: "fp_x",
    service_tier: "default",
    choices: [choice],
    ...extra,
  })}\n\n`;
}

const USAGE_CHUNK = `data: ${JSON.stringify({
  id: "chatcmpl-s",
  object: "chat.completion.chunk",
  created: 1700000000,
  model: "gpt-upstream",
  system_fingerprint: "fp_x",
  choices: [],
  usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
})}\n\n`;

async function rawStream(
  events: string[],
): Promise<{ chunks: Array<Record<string, unknown>>; raw: string; headers: Headers }> {
  h.mock.script({
    headers: { ...UPSTREAM_HEADERS, "content-type": "text/event-stream" },
    raw: events.join(""),
  });
  const res = await fetch(`${h.url}/v1/chat/completions`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: "Bearer sk-caller-key",
      "x-agw-authorization": "Bearer agw-gateway-key",
    },
    body: JSON.stringify({ model: "oaichat-x", stream: true, messages: [{ role: "user", content: "Hi" }] }),
  });
  const raw = await res.text();
  const chunks = raw
    .split("\n\n")
    .map((b) => b.replace(/^data: /, ""))
    .filter((d) => d.startsWith("{"))
    .map((d) => JSON.parse(d) as Record<string, unknown>);
  return { chunks, raw, headers: res.headers };
}

function contentOf(chunks: Array<Record<string, unknown>>): string {
  return chunks
    .map((c) => (c.choices as Array<{ delta?: { content?: string } }>)[0]?.delta?.content ?? "")
    .join("");
}

describe("guarded same-format chat streams, chunk by chunk", () => {
  it("a match split across chunks is masked; every chunk keeps its own fields", async () => {
    const { chunks, raw, headers } = await rawStream([
      sseChunk("SSN 123-"),
      sseChunk("45-6789 ok"),
      sseChunk(undefined),
      USAGE_CHUNK,
      "data: [DONE]\n\n",
    ]);
    expect(headers.get("x-request-id")).toBe("up-123");
    expect(contentOf(chunks)).toBe("SSN <SSN> ok");
    expect(raw).not.toContain("6789");
    for (const c of chunks) expect(c.system_fingerprint).toBe("fp_x");
    // The client did not ask for usage: the chunk agw asked for is not passed on.
    expect(chunks.every((c) => (c.choices as unknown[]).length > 0)).toBe(true);
    expect(raw.trimEnd().endsWith("data: [DONE]")).toBe(true);
  });

  it("an unmasked chunk passes with its logprobs", async () => {
    const { chunks } = await rawStream([
      sseChunk("Hello"),
      sseChunk(undefined),
      USAGE_CHUNK,
      "data: [DONE]\n\n",
    ]);
    const first = (chunks[0]!.choices as Array<{ logprobs: unknown }>)[0]!;
    expect(first.logprobs).toEqual({
      content: [{ token: "Hello", logprob: -0.5, bytes: [], top_logprobs: [] }],
    });
  });

  it("a reject match ends the stream with an error chunk and never shows the match", async () => {
    const { chunks, raw } = await rawStream([
      sseChunk("ok "),
      sseChunk("FORBIDDEN-42 rest"),
      sseChunk(undefined),
      USAGE_CHUNK,
      "data: [DONE]\n\n",
    ]);
    expect(raw).not.toContain("FORBIDDEN");
    expect(raw).not.toContain("[DONE]");
    const last = chunks[chunks.length - 1]!;
    expect((last.error as { code?: string }).code).toBe("guardrail_rejected");
  });
});

describe("guarded chat streams with tool calls", () => {
  it("held text is released into the chunk that starts a tool call; tool arguments are masked", async () => {
    const toolChunk = (tc: Record<string, unknown>, finish: string | null = null): string =>
      `data: ${JSON.stringify({
        id: "chatcmpl-t",
        object: "chat.completion.chunk",
        created: 1700000000,
        model: "gpt-upstream",
        system_fingerprint: "fp_t",
        choices: [{ index: 0, delta: { tool_calls: [tc] }, logprobs: null, finish_reason: finish }],
      })}\n\n`;
    const { chunks, raw } = await rawStream([
      sseChunk("Checking 12"),
      toolChunk({ index: 0, id: "call_9", type: "function", function: { name: "lookup", arguments: "" } }),
      toolChunk({ index: 0, function: { arguments: '{"ssn":"123-45' } }),
      toolChunk({ index: 0, function: { arguments: '-6789"}' } }),
      sseChunk(undefined),
      USAGE_CHUNK,
      "data: [DONE]\n\n",
    ]);
    expect(raw).not.toContain("6789");
    expect(contentOf(chunks)).toBe("Checking 12");
    const args = chunks
      .flatMap(
        (c) =>
          (c.choices as Array<{ delta?: { tool_calls?: Array<{ function?: { arguments?: string } }> } }>)[0]
            ?.delta?.tool_calls ?? [],
      )
      .map((t) => t.function?.arguments ?? "")
      .join("");
    expect(args).toBe('{"ssn":"<SSN>"}');
  });
});

describe("guarded same-format Anthropic streams, event by event", () => {
  const sse = (type: string, data: Record<string, unknown>): string =>
    `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const events = (second: string): string[] => [
    sse("message_start", {
      message: {
        id: "msg_s",
        type: "message",
        role: "assistant",
        model: "claude-upstream",
        content: [],
        stop_reason: null,
        stop_sequence: null,
        container: null,
        usage: { input_tokens: 3, output_tokens: 1, service_tier: "standard" },
      },
    }),
    sse("content_block_start", { index: 0, content_block: { type: "text", text: "", citations: null } }),
    sse("content_block_delta", { index: 0, delta: { type: "text_delta", text: "SSN 123-" } }),
    sse("content_block_delta", { index: 0, delta: { type: "text_delta", text: second } }),
    sse("content_block_stop", { index: 0 }),
    sse("message_delta", {
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { output_tokens: 5 },
    }),
    sse("message_stop", {}),
  ];

  it("a match split across deltas is masked; the other events pass as sent", async () => {
    h.mock.script({
      headers: { "request-id": "req_s", "content-type": "text/event-stream" },
      raw: events("45-6789").join(""),
    });
    const { data: stream, response } = await h.anthropic.messages
      .create({ model: "ant-x", max_tokens: 10, stream: true, messages: [{ role: "user", content: "Hi" }] })
      .withResponse();
    let text = "";
    const types: string[] = [];
    let start: unknown;
    for await (const ev of stream) {
      types.push(ev.type);
      if (ev.type === "message_start") start = ev.message;
      if (ev.type === "content_block_delta" && ev.delta.type === "text_delta") text += ev.delta.text;
    }
    expect(text).toBe("SSN <SSN>");
    expect(response.headers.get("request-id")).toBe("req_s");
    expect(start).toMatchObject({ container: null, usage: { service_tier: "standard" } });
    expect(types[types.length - 1]).toBe("message_stop");
  });

  it("a reject match ends with an error event and never shows the match", async () => {
    h.mock.script({
      headers: { "content-type": "text/event-stream" },
      raw: events("FORBIDDEN-7 x").join(""),
    });
    const res = await fetch(`${h.url}/v1/messages`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: "Bearer sk-caller-key",
        "anthropic-version": "2023-06-01",
        "x-agw-authorization": "Bearer agw-gateway-key",
      },
      body: JSON.stringify({
        model: "ant-x",
        max_tokens: 10,
        stream: true,
        messages: [{ role: "user", content: "Hi" }],
      }),
    });
    const raw = await res.text();
    expect(raw).not.toContain("FORBIDDEN");
    expect(raw).toContain("event: error");
    expect(raw).not.toContain("message_stop");
  });
});
