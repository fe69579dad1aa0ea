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
      ai: { promptGuard: { response: [{ regex: { action: "mask", rules: [{ builtin: "ssn" }] } }] } },
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
    expect(data).toEqual(chatAnswer("Her SSN is <SSN>.", '{"ssn":"<SSN>"}'));
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
