/**
 * The routine-event test lets through only content deltas that carry nothing the stream
 * tracker reads (usage, finish, error) and are shaped like a JSON object; anything else is
 * decoded.
 */
import { describe, expect, it } from "vitest";
import { routineEventTest } from "../../../src/llm/pipeline/routine-events.js";

const chat = routineEventTest("openai-chat")!;
const ant = routineEventTest("anthropic-messages")!;
const chunk = (rest: string): string =>
  `{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[${rest}]}`;

describe("routine events", () => {
  it("chat: a content delta with finish_reason null is routine", () => {
    expect(chat({ data: chunk('{"index":0,"delta":{"content":"hi"},"finish_reason":null}') })).toBe(true);
    expect(chat({ data: chunk('{"index":0,"delta":{"content":"hi"}}') })).toBe(true);
    expect(
      chat({ data: chunk('{"index":0,"delta":{"content":"\\"usage\\""},"finish_reason" : null}') }),
    ).toBe(true);
  });

  it("chat: finish, usage, errors, [DONE] and broken events are decoded", () => {
    expect(chat({ data: chunk('{"index":0,"delta":{},"finish_reason":"stop"}') })).toBe(false);
    expect(chat({ data: chunk('{"index":0,"delta":{},"finish_reason": "length"}') })).toBe(false);
    expect(chat({ data: chunk("").replace("]}", '],"usage":{"prompt_tokens":1}}') })).toBe(false);
    expect(chat({ data: '{"error":{"message":"x"}}' })).toBe(false);
    expect(chat({ data: "[DONE]" })).toBe(false);
    expect(chat({ data: '{"broken": ' })).toBe(false);
    expect(chat({ data: '{"id": "x", "choices": [{' })).toBe(false);
    expect(chat({ data: "" })).toBe(false);
    // A value that spells the key makes it ambiguous: decoded.
    expect(chat({ data: chunk('{"delta":{"content":"finish_reason"},"finish_reason":null}') })).toBe(false);
  });

  it("anthropic: only well-shaped content_block_delta events are routine", () => {
    const delta = '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}';
    expect(ant({ event: "content_block_delta", data: delta })).toBe(true);
    expect(ant({ event: "message_delta", data: delta })).toBe(false);
    expect(ant({ event: "content_block_delta", data: '{"type":"message_delta","delta":{}}' })).toBe(false);
    expect(ant({ event: "content_block_delta", data: '{"type":"content_block_delta","index":0,' })).toBe(
      false,
    );
    expect(ant({ event: "message_start", data: '{"type":"message_start","message":{}}' })).toBe(false);
  });

  it("responses streams are decoded whole", () => {
    expect(routineEventTest("openai-responses")).toBeUndefined();
  });
});

describe("routine events with include_usage", () => {
  it("usage null on every chunk is still routine; a usage object is not", () => {
    const d = (usage: string): string =>
      `{"id":"c","choices":[{"index":0,"delta":{"content":"x"},"finish_reason":null}],"usage":${usage}}`;
    expect(chat({ data: d("null") })).toBe(true);
    expect(chat({ data: d('{"prompt_tokens":1}') })).toBe(false);
  });
});
