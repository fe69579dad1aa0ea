/**
 * The routine-event test lets through only text deltas in the provider's compact spelling,
 * checked as valid JSON that carries content and nothing else; anything else (finish, usage,
 * errors, tool and reasoning deltas, other spellings, broken events) is decoded.
 */
import { describe, expect, it } from "vitest";
import { routineEventTest } from "../../../src/llm/pipeline/routine-events.js";

const chat = routineEventTest("openai-chat")!;
const ant = routineEventTest("anthropic-messages")!;
const chunk = (rest: string, tail = ""): string =>
  `{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[${rest}]${tail}}`;
const content = (text: string): string =>
  chunk(`{"index":0,"delta":{"content":${JSON.stringify(text)}},"logprobs":null,"finish_reason":null}`);

describe("routine events", () => {
  it("chat: a content delta in OpenAI's spelling is routine, whatever its text", () => {
    expect(chat({ data: content("hi") })).toBe(true);
    expect(chat({ data: content('"usage": {"finish_reason": "stop"}, "error"') })).toBe(true);
    expect(chat({ data: content("") })).toBe(true);
  });

  it("chat: finish, usage, errors, tool and reasoning deltas, [DONE], other spellings and broken events are decoded", () => {
    expect(chat({ data: chunk('{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}') })).toBe(
      false,
    );
    expect(
      chat({
        data: chunk(
          '{"index":0,"delta":{"content":"x"},"logprobs":null,"finish_reason":null}',
          ',"usage":{"prompt_tokens":1}',
        ),
      }),
    ).toBe(false);
    expect(
      chat({
        data: chunk('{"index":0,"delta":{"reasoning_content":"x"},"logprobs":null,"finish_reason":null}'),
      }),
    ).toBe(false);
    expect(
      chat({
        data: chunk(
          '{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{"}}]},"logprobs":null,"finish_reason":null}',
        ),
      }),
    ).toBe(false);
    expect(chat({ data: '{"error":{"message":"x"}}' })).toBe(false);
    expect(chat({ data: "[DONE]" })).toBe(false);
    expect(chat({ data: '{"broken": ' })).toBe(false);
    expect(chat({ data: "" })).toBe(false);
    // Shaped like a routine delta, broken inside (a bad escape): decoded, so it is reported.
    expect(chat({ data: content("x").replace('"x"', '"\\x"') })).toBe(false);
    // Another spelling of the same chunk: decoded (correct, only slower).
    expect(chat({ data: content("hi").replace('"content":', '"content": ') })).toBe(false);
  });

  it("chat: usage null on every chunk (include_usage) is still routine", () => {
    const d = chunk(
      '{"index":0,"delta":{"content":"x"},"logprobs":null,"finish_reason":null}',
      ',"usage":null',
    );
    expect(chat({ data: d })).toBe(true);
  });

  it("anthropic: only text deltas in Anthropic's spelling are routine", () => {
    const delta = '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}';
    expect(ant({ event: "content_block_delta", data: delta })).toBe(true);
    expect(ant({ event: "message_delta", data: delta })).toBe(false);
    expect(ant({ event: "content_block_delta", data: '{"type":"message_delta","delta":{}}' })).toBe(false);
    expect(ant({ event: "content_block_delta", data: '{"type":"content_block_delta","index":0,' })).toBe(
      false,
    );
    expect(ant({ event: "content_block_delta", data: delta.replace('"hi"', '"\\q"') })).toBe(false);
    expect(
      ant({
        event: "content_block_delta",
        data: '{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{"}}',
      }),
    ).toBe(false);
    expect(ant({ event: "message_start", data: '{"type":"message_start","message":{}}' })).toBe(false);
  });

  it("responses streams are decoded whole", () => {
    expect(routineEventTest("openai-responses")).toBeUndefined();
  });
});
