import { EventStreamCodec } from "@smithy/core/event-streams";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { describe, expect, it } from "vitest";
import {
  createEventStreamParser,
  EventStreamFrameError,
  eventStreamDecoderLoaded,
} from "../../src/llm/aws-event-stream.js";
import type { WireEvent } from "../../src/llm/formats/ir.js";
import { bedrockStreamException } from "../../src/llm/providers/bedrock/stream-exception.js";
import { SseEventTooLargeError } from "../../src/llm/sse.js";

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const str = (value: string) => ({ type: "string" as const, value });

function eventFrame(type: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ":event-type": str(type),
      ":content-type": str("application/json"),
      ":message-type": str("event"),
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

function exceptionFrame(type: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ":exception-type": str(type),
      ":content-type": str("application/json"),
      ":message-type": str("exception"),
    },
    body: fromUtf8(JSON.stringify({ message })),
  });
}

function concat(frames: Uint8Array[]): Buffer {
  return Buffer.concat(frames.map((f) => Buffer.from(f)));
}

function parseAll(
  bytes: Buffer,
  splits: number[],
  wire: "bedrock-converse" | "anthropic-messages" = "bedrock-converse",
) {
  const out: WireEvent[] = [];
  const p = createEventStreamParser((e) => out.push(e), { exception: bedrockStreamException(wire) });
  let at = 0;
  for (const s of [...splits, bytes.length]) {
    p.push(bytes.subarray(at, s));
    at = s;
  }
  p.end();
  return out;
}

describe("AWS event-stream framing", () => {
  const frames = [
    eventFrame("messageStart", { role: "assistant", p: "abcdefgh" }),
    eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "héllo ✓" }, p: "ab" }),
    eventFrame("messageStop", { stopReason: "end_turn" }),
  ];
  const bytes = concat(frames);

  it("loads its decoder on the first frame when nothing loaded it before (no Bedrock compiled)", () => {
    // The first test of this file: nothing has decoded a frame in this module state yet.
    expect(eventStreamDecoderLoaded()).toBe(false);
    const events: WireEvent[] = [];
    const p = createEventStreamParser((e) => events.push(e), {
      exception: bedrockStreamException("bedrock-converse"),
    });
    expect(eventStreamDecoderLoaded()).toBe(false);
    p.push(frames[0]!);
    expect(eventStreamDecoderLoaded()).toBe(true);
    expect(events.map((e) => e.event)).toEqual(["messageStart"]);
  });

  it("gives one event per frame, named by :event-type, whatever the chunk boundaries", () => {
    const whole = parseAll(bytes, []);
    expect(whole.map((e) => e.event)).toEqual(["messageStart", "contentBlockDelta", "messageStop"]);
    expect(JSON.parse(whole[1]!.data)).toEqual({ contentBlockIndex: 0, delta: { text: "héllo ✓" }, p: "ab" });
    // Every split point: mid-prelude, mid-header, mid-payload, mid-CRC.
    for (let i = 1; i < bytes.length; i++) expect(parseAll(bytes, [i])).toEqual(whole);
    // One byte at a time.
    expect(
      parseAll(
        bytes,
        Array.from({ length: bytes.length - 1 }, (_, i) => i + 1),
      ),
    ).toEqual(whole);
  });

  it("unwraps InvokeModel chunks into the model's own events", () => {
    const inner = { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "hi" } };
    const chunk = eventFrame("chunk", {
      bytes: Buffer.from(JSON.stringify(inner)).toString("base64"),
      p: "xyz",
    });
    const [e] = parseAll(Buffer.from(chunk), [7], "anthropic-messages");
    expect(e).toEqual({ event: "content_block_delta", data: JSON.stringify(inner) });
  });

  it("turns exception frames into each wire format's error event", () => {
    const ex = Buffer.from(exceptionFrame("throttlingException", "Too many requests"));
    const [converse] = parseAll(ex, []);
    expect(converse!.event).toBe("exception");
    expect(JSON.parse(converse!.data)).toEqual({
      __type: "throttlingException",
      message: "Too many requests",
    });
    const [anthropic] = parseAll(ex, [], "anthropic-messages");
    expect(anthropic!.event).toBe("error");
    expect(JSON.parse(anthropic!.data)).toEqual({
      type: "error",
      error: { type: "rate_limit_error", message: "Too many requests" },
    });
  });

  it("refuses a frame whose CRC does not match", () => {
    const bad = Buffer.from(frames[1]!);
    bad[bad.length - 6] = bad[bad.length - 6]! ^ 0xff; // a payload byte: the message CRC fails
    expect(() => parseAll(bad, [])).toThrow(EventStreamFrameError);
  });

  it("refuses a frame declared longer than the bound before buffering it", () => {
    const p = createEventStreamParser(() => {}, {
      maxEventBytes: 1024,
      exception: bedrockStreamException("bedrock-converse"),
    });
    const head = Buffer.alloc(8);
    head.writeUInt32BE(10_000_000, 0);
    expect(() => p.push(head)).toThrow(SseEventTooLargeError);
  });

  it("drops a partial frame at the end (the decoder reports the missing stop)", () => {
    const out = parseAll(bytes.subarray(0, bytes.length - 3), []);
    expect(out.map((e) => e.event)).toEqual(["messageStart", "contentBlockDelta"]);
  });
});
