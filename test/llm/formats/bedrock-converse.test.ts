/**
 * The Bedrock Converse format: requests built from what real clients send (through their own
 * converters), responses, ConverseStream frames as agw's event-stream framer hands them over
 * (one WireEvent per frame, `event` = :event-type), and Bedrock's errors.
 */
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../src/errors.js";
import { converseErrorToIR } from "../../../src/llm/formats/bedrock-converse/error.js";
import { converseRequestFromIR } from "../../../src/llm/formats/bedrock-converse/request.js";
import { converseResponseToIR } from "../../../src/llm/formats/bedrock-converse/response.js";
import { createConverseStreamDecoder } from "../../../src/llm/formats/bedrock-converse/stream.js";
import {
  converterFor,
  type IrRequest,
  type IrStreamEvent,
  type WireEvent,
} from "../../../src/llm/formats/index.js";

const CLAUDE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const PNG = "iVBORw0KGgo=";

function fromChat(body: Record<string, unknown>) {
  const { ir } = converterFor("openai-chat").requestToIR(body);
  return converseRequestFromIR(ir);
}

function fromAnthropic(body: Record<string, unknown>) {
  const { ir } = converterFor("anthropic-messages").requestToIR(body);
  return converseRequestFromIR(ir);
}

const base: IrRequest = { model: "meta.llama3-70b-instruct-v1:0", system: [], messages: [], stream: false };
const hi = [{ role: "user" as const, content: [{ type: "text" as const, text: "hi" }] }];

describe("Converse request from a chat client", () => {
  it("maps system, alternating turns, tool calls and results, images, inference and tool config", () => {
    const { body, dropped, unsupported } = fromChat({
      model: CLAUDE,
      messages: [
        { role: "system", content: "Be brief." },
        {
          role: "user",
          content: [
            { type: "text", text: "What is in this and what is the weather?" },
            { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } },
          ],
        },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "call_1", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } },
            { id: "call_2", type: "function", function: { name: "weather", arguments: '{"city":"Rome"}' } },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: "sunny" },
        { role: "tool", tool_call_id: "call_2", content: "rain" },
        { role: "user", content: "Thanks" },
      ],
      tools: [
        {
          type: "function",
          function: {
            name: "weather",
            description: "Weather by city",
            parameters: { type: "object", properties: { city: { type: "string" } } },
          },
        },
      ],
      tool_choice: "required",
      max_tokens: 300,
      temperature: 0.3,
      top_p: 0.9,
      stop: ["END"],
    });
    expect(unsupported).toBeUndefined();
    expect(body.model).toBeUndefined();
    expect(body.system).toEqual([{ text: "Be brief." }]);
    expect(body.messages).toEqual([
      {
        role: "user",
        content: [
          { text: "What is in this and what is the weather?" },
          { image: { format: "png", source: { bytes: PNG } } },
        ],
      },
      {
        role: "assistant",
        content: [
          { toolUse: { toolUseId: "call_1", name: "weather", input: { city: "Paris" } } },
          { toolUse: { toolUseId: "call_2", name: "weather", input: { city: "Rome" } } },
        ],
      },
      {
        // Both results and the user's next words form one user turn.
        role: "user",
        content: [
          { toolResult: { toolUseId: "call_1", content: [{ text: "sunny" }] } },
          { toolResult: { toolUseId: "call_2", content: [{ text: "rain" }] } },
          { text: "Thanks" },
        ],
      },
    ]);
    expect(body.inferenceConfig).toEqual({
      maxTokens: 300,
      temperature: 0.3,
      topP: 0.9,
      stopSequences: ["END"],
    });
    expect(body.toolConfig).toEqual({
      tools: [
        {
          toolSpec: {
            name: "weather",
            description: "Weather by city",
            inputSchema: { json: { type: "object", properties: { city: { type: "string" } } } },
          },
        },
      ],
      toolChoice: { any: {} },
    });
    expect(body.additionalModelRequestFields).toBeUndefined();
    expect(dropped).toEqual([]);
  });

  it("a named tool choice is {tool: {name}}, auto is {auto: {}}", () => {
    const tools = [{ type: "function", function: { name: "f", parameters: { type: "object" } } }];
    const named = fromChat({
      model: CLAUDE,
      messages: hi,
      tools,
      tool_choice: { type: "function", function: { name: "f" } },
    });
    expect((named.body.toolConfig as { toolChoice: unknown }).toolChoice).toEqual({ tool: { name: "f" } });
    const auto = fromChat({ model: CLAUDE, messages: hi, tools, tool_choice: "auto" });
    expect((auto.body.toolConfig as { toolChoice: unknown }).toolChoice).toEqual({ auto: {} });
  });

  it("tool choice none sends no tools, and says so", () => {
    const { body, dropped } = fromChat({
      model: CLAUDE,
      messages: hi,
      tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }],
      tool_choice: "none",
    });
    expect(body.toolConfig).toBeUndefined();
    expect(dropped.some((d) => d.startsWith("tools"))).toBe(true);
  });

  it("tool choice none keeps the tools when the history has tool blocks (Converse needs toolConfig to read them)", () => {
    const { body, dropped } = fromChat({
      model: CLAUDE,
      messages: [
        { role: "user", content: "go" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "c1", content: "done" },
      ],
      tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }],
      tool_choice: "none",
    });
    const tc = body.toolConfig as { tools: unknown[]; toolChoice?: unknown };
    expect(tc.tools).toHaveLength(1);
    expect(tc.toolChoice).toBeUndefined();
    expect(dropped.some((d) => d.startsWith("tool_choice=none"))).toBe(true);
  });

  it("a history with tool calls but no tools declares the tools it called (Converse refuses tool blocks without toolConfig)", () => {
    const { body, dropped } = fromChat({
      model: CLAUDE,
      messages: [
        { role: "user", content: "go" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "c1", type: "function", function: { name: "lookup", arguments: "{}" } },
            { id: "c2", type: "function", function: { name: "lookup", arguments: "{}" } },
          ],
        },
        { role: "tool", tool_call_id: "c1", content: "a" },
        { role: "tool", tool_call_id: "c2", content: "b" },
        { role: "user", content: "Summarize." },
      ],
    });
    expect(body.toolConfig).toEqual({
      tools: [{ toolSpec: { name: "lookup", inputSchema: { json: { type: "object" } } } }],
    });
    expect(dropped.some((d) => d.startsWith("tools (none given"))).toBe(true);
    expect(fromChat({ model: CLAUDE, messages: hi }).body.toolConfig).toBeUndefined();
  });

  it("a mid-conversation system message rides in its user turn, marked", () => {
    const { body } = fromChat({
      model: CLAUDE,
      messages: [
        { role: "user", content: "a" },
        { role: "assistant", content: "b" },
        { role: "developer", content: "Answer in French." },
        { role: "user", content: "c" },
      ],
    });
    expect(body.messages).toEqual([
      { role: "user", content: [{ text: "a" }] },
      { role: "assistant", content: [{ text: "b" }] },
      { role: "user", content: [{ text: "<system>\nAnswer in French.\n</system>" }, { text: "c" }] },
    ]);
  });

  it("an image by URL, or of a format Converse lacks, is unsupported and says why", () => {
    const url = fromChat({
      model: CLAUDE,
      messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://x/y.png" } }] }],
    });
    expect(url.unsupported).toHaveLength(1);
    expect(url.unsupported![0]).toContain("base64");
    const bmp = fromChat({
      model: CLAUDE,
      messages: [
        { role: "user", content: [{ type: "image_url", image_url: { url: "data:image/bmp;base64,Qk0=" } }] },
      ],
    });
    expect(bmp.unsupported![0]).toContain("image/bmp");
  });

  it("Claude: reasoning effort becomes a thinking budget below maxTokens; temperature is dropped with thinking", () => {
    const { body, dropped } = fromChat({
      model: CLAUDE,
      messages: hi,
      reasoning_effort: "medium",
      temperature: 0.5,
      top_k: 5,
    });
    const extra = body.additionalModelRequestFields as Record<string, unknown>;
    expect(extra.thinking).toEqual({ type: "enabled", budget_tokens: 8192 });
    expect((body.inferenceConfig as { maxTokens: number }).maxTokens).toBeGreaterThan(8192);
    expect((body.inferenceConfig as { temperature?: number }).temperature).toBeUndefined();
    expect(dropped).toContain("temperature");
  });

  it("Claude with adaptive thinking gets thinking adaptive and output_config.effort", () => {
    const { ir } = converterFor("openai-chat").requestToIR({
      model: "us.anthropic.claude-opus-4-6-v1",
      messages: hi,
      reasoning_effort: "high",
    });
    const { body } = converseRequestFromIR(ir);
    expect(body.additionalModelRequestFields).toEqual({
      thinking: { type: "adaptive" },
      output_config: { effort: "high" },
    });
  });

  it("Claude: top_k goes in additionalModelRequestFields without thinking", () => {
    const { body } = converseRequestFromIR({ ...base, model: CLAUDE, messages: hi, topK: 7 });
    expect(body.additionalModelRequestFields).toEqual({ top_k: 7 });
  });

  it("Nova 2 takes reasoningConfig and topK; gpt-oss takes reasoning_effort; other models drop reasoning, named", () => {
    const nova = converseRequestFromIR({
      ...base,
      model: "us.amazon.nova-2-lite-v1:0",
      messages: hi,
      reasoning: { effort: "xhigh" },
      topK: 20,
    });
    expect(nova.body.additionalModelRequestFields).toEqual({
      reasoningConfig: { type: "enabled", maxReasoningEffort: "high" },
      inferenceConfig: { topK: 20 },
    });
    const oss = converseRequestFromIR({
      ...base,
      model: "openai.gpt-oss-120b-1:0",
      messages: hi,
      reasoning: { effort: "minimal" },
    });
    expect(oss.body.additionalModelRequestFields).toEqual({ reasoning_effort: "low" });
    const llama = converseRequestFromIR({ ...base, messages: hi, reasoning: { effort: "high" }, topK: 3 });
    expect(llama.body.additionalModelRequestFields).toBeUndefined();
    expect(llama.dropped).toContain("top_k");
    expect(llama.dropped.some((d) => d.startsWith("reasoning"))).toBe(true);
  });

  it("a json_schema response format is outputConfig.textFormat with the schema as a JSON string", () => {
    const schema = {
      type: "object",
      properties: { a: { type: "string" } },
      required: ["a"],
      additionalProperties: false,
    };
    const { body } = fromChat({
      model: "qwen.qwen3-32b-v1:0",
      messages: hi,
      response_format: { type: "json_schema", json_schema: { name: "out", schema, strict: true } },
    });
    const tf = (
      body.outputConfig as { textFormat: { type: string; structure: { jsonSchema: Record<string, string> } } }
    ).textFormat;
    expect(tf.type).toBe("json_schema");
    expect(tf.structure.jsonSchema.name).toBe("out");
    expect(JSON.parse(tf.structure.jsonSchema.schema!)).toEqual(schema);
  });

  it("for Claude the schema is held to Anthropic's subset: an unsupported keyword is a 400 naming it", () => {
    let err: unknown;
    try {
      fromChat({
        model: CLAUDE,
        messages: hi,
        response_format: {
          type: "json_schema",
          json_schema: {
            name: "out",
            schema: { type: "object", properties: { n: { type: "number", minimum: 3 } } },
          },
        },
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).message).toContain("`minimum`");
  });

  it("json_object is asked for in the system prompt; n > 1 is unsupported; metadata is requestMetadata", () => {
    const { body, unsupported, dropped } = fromChat({
      model: CLAUDE,
      messages: hi,
      response_format: { type: "json_object" },
      n: 2,
      metadata: { team: "a" },
      seed: 1,
      user: "u1",
      parallel_tool_calls: false,
      tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }],
    });
    expect((body.system as Array<{ text: string }>)[0]!.text).toContain("JSON");
    expect(unsupported).toEqual(["n=2"]);
    expect(body.requestMetadata).toEqual({ team: "a" });
    expect(dropped).toEqual(expect.arrayContaining(["seed", "user", "parallel_tool_calls=false"]));
  });
});

describe("Converse request from an Anthropic client", () => {
  it("signed thinking and redacted thinking round-trip as reasoningContent; cache_control becomes cachePoint", () => {
    const { body } = fromAnthropic({
      model: CLAUDE,
      max_tokens: 2000,
      system: [{ type: "text", text: "Long context", cache_control: { type: "ephemeral" } }],
      messages: [
        { role: "user", content: [{ type: "text", text: "q", cache_control: { type: "ephemeral" } }] },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "hmm", signature: "sig-1" },
            { type: "redacted_thinking", data: "ZW5j" },
            { type: "tool_use", id: "tu_1", name: "f", input: { x: 1 } },
          ],
        },
        {
          role: "user",
          content: [
            {
              type: "tool_result",
              tool_use_id: "tu_1",
              is_error: true,
              content: [
                { type: "text", text: "boom" },
                { type: "image", source: { type: "base64", media_type: "image/jpeg", data: PNG } },
              ],
            },
          ],
        },
      ],
      tools: [{ name: "f", input_schema: { type: "object" }, cache_control: { type: "ephemeral" } }],
      thinking: { type: "enabled", budget_tokens: 1500 },
    });
    expect(body.system).toEqual([{ text: "Long context" }, { cachePoint: { type: "default" } }]);
    expect(body.messages).toEqual([
      { role: "user", content: [{ text: "q" }, { cachePoint: { type: "default" } }] },
      {
        role: "assistant",
        content: [
          { reasoningContent: { reasoningText: { text: "hmm", signature: "sig-1" } } },
          { reasoningContent: { redactedContent: "ZW5j" } },
          { toolUse: { toolUseId: "tu_1", name: "f", input: { x: 1 } } },
        ],
      },
      {
        role: "user",
        content: [
          {
            toolResult: {
              toolUseId: "tu_1",
              content: [{ text: "boom" }, { image: { format: "jpeg", source: { bytes: PNG } } }],
              status: "error",
            },
          },
        ],
      },
    ]);
    expect((body.toolConfig as { tools: unknown[] }).tools).toEqual([
      { toolSpec: { name: "f", inputSchema: { json: { type: "object" } } } },
      { cachePoint: { type: "default" } },
    ]);
    // The signed tool turn allows thinking; the client's budget is kept below its max_tokens.
    expect(body.additionalModelRequestFields).toEqual({ thinking: { type: "enabled", budget_tokens: 1500 } });
    expect(body.inferenceConfig).toEqual({ maxTokens: 2000 });
  });

  it("an unsigned thinking part is dropped, and thinking is then refused for an unsigned tool turn", () => {
    const ir: IrRequest = {
      ...base,
      model: CLAUDE,
      messages: [
        { role: "user", content: [{ type: "text", text: "q" }] },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "from elsewhere" },
            { type: "tool_call", id: "t", name: "f", arguments: "{}" },
          ],
        },
        { role: "tool", content: [{ type: "tool_result", toolCallId: "t", content: "ok" }] },
      ],
      tools: [{ name: "f", parameters: { type: "object" } }],
      reasoning: { effort: "low" },
    };
    const { body, dropped } = converseRequestFromIR(ir);
    expect(dropped).toContain("messages[1].thinking(unsigned)");
    expect(dropped.some((d) => d.startsWith("reasoning (the last assistant tool_use turn"))).toBe(true);
    expect(body.additionalModelRequestFields).toBeUndefined();
  });
});

describe("Converse response → IR", () => {
  it("maps text, reasoning with signature, tool use, stop reason and usage with cache tokens folded in", () => {
    const { ir, dropped } = converseResponseToIR({
      output: {
        message: {
          role: "assistant",
          content: [
            { reasoningContent: { reasoningText: { text: "think", signature: "s1" } } },
            { reasoningContent: { redactedContent: "cmVk" } },
            { text: "Calling." },
            { toolUse: { toolUseId: "tooluse_1", name: "f", input: { a: [1] } } },
            { citationsContent: { content: [] } },
          ],
        },
      },
      stopReason: "tool_use",
      usage: {
        inputTokens: 10,
        outputTokens: 5,
        totalTokens: 115,
        cacheReadInputTokens: 80,
        cacheWriteInputTokens: 20,
      },
      metrics: { latencyMs: 100 },
    });
    expect(ir.content).toEqual([
      { type: "thinking", thinking: "think", signature: "s1" },
      { type: "redacted_thinking", data: "cmVk" },
      { type: "text", text: "Calling." },
      { type: "tool_call", id: "tooluse_1", name: "f", arguments: '{"a":[1]}' },
    ]);
    expect(ir.stopReason).toBe("tool_use");
    expect(ir.usage).toEqual({
      inputTokens: 110,
      outputTokens: 5,
      totalTokens: 115,
      cacheReadTokens: 80,
      cacheCreationTokens: 20,
    });
    expect(ir.model).toBe("");
    expect(dropped).toEqual(["content[citationsContent]"]);
  });

  it.each([
    ["end_turn", "end_turn"],
    ["max_tokens", "max_tokens"],
    ["stop_sequence", "stop_sequence"],
    ["guardrail_intervened", "content_filter"],
    ["content_filtered", "content_filter"],
    ["model_context_window_exceeded", "max_tokens"],
  ])("stopReason %s → %s", (wire, irStop) => {
    const { ir } = converseResponseToIR({ output: { message: { content: [] } }, stopReason: wire });
    expect(ir.stopReason).toBe(irStop);
  });

  it("a guardrail intervention reaches a chat client as a content_filter finish", () => {
    const { ir } = converseResponseToIR({
      output: { message: { content: [{ text: "Sorry, blocked." }] } },
      stopReason: "guardrail_intervened",
      usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
    });
    const chat = converterFor("openai-chat").responseFromIR(ir).body as {
      choices: Array<{ finish_reason: string }>;
    };
    expect(chat.choices[0]!.finish_reason).toBe("content_filter");
  });

  it("the stop sequence Claude reports is kept; responseUsage reads usage alone", () => {
    const body = {
      output: { message: { content: [{ text: "x" }] } },
      stopReason: "stop_sequence",
      additionalModelResponseFields: { stop_sequence: "END" },
      usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 },
    };
    expect(converseResponseToIR(body).ir.stopSequence).toBe("END");
    expect(converterFor("bedrock-converse").responseUsage(body)).toEqual({
      usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 },
      model: "",
    });
  });
});

function frames(...events: Array<[string, unknown]>): WireEvent[] {
  return events.map(([event, payload]) => ({ event, data: JSON.stringify(payload) }));
}

function decode(events: WireEvent[], finish = true): IrStreamEvent[] {
  const d = createConverseStreamDecoder();
  const out = events.flatMap((e) => d.push(e));
  if (finish) out.push(...d.finish());
  return out;
}

describe("ConverseStream decoder", () => {
  it("text, then a tool call whose input is split across deltas, then stop and usage", () => {
    const out = decode(
      frames(
        ["messageStart", { role: "assistant", p: "abcdef" }],
        ["contentBlockDelta", { contentBlockIndex: 0, delta: { text: "Let me " }, p: "ab" }],
        ["contentBlockDelta", { contentBlockIndex: 0, delta: { text: "check." } }],
        ["contentBlockStop", { contentBlockIndex: 0 }],
        [
          "contentBlockStart",
          { contentBlockIndex: 1, start: { toolUse: { toolUseId: "tooluse_9", name: "weather" } } },
        ],
        ["contentBlockDelta", { contentBlockIndex: 1, delta: { toolUse: { input: '{"ci' } } }],
        ["contentBlockDelta", { contentBlockIndex: 1, delta: { toolUse: { input: 'ty":"Paris"}' } } }],
        ["contentBlockStop", { contentBlockIndex: 1 }],
        ["messageStop", { stopReason: "tool_use" }],
        [
          "metadata",
          {
            usage: { inputTokens: 12, outputTokens: 30, totalTokens: 142, cacheReadInputTokens: 100 },
            metrics: { latencyMs: 250 },
            p: "xyz",
          },
        ],
      ),
    );
    expect(out).toEqual([
      { type: "message_start", id: "", model: "" },
      { type: "part_start", index: 0, part: { kind: "text" } },
      { type: "text_delta", index: 0, text: "Let me " },
      { type: "text_delta", index: 0, text: "check." },
      { type: "part_stop", index: 0 },
      { type: "part_start", index: 1, part: { kind: "tool_call", id: "tooluse_9", name: "weather" } },
      { type: "tool_args_delta", index: 1, json: '{"ci' },
      { type: "tool_args_delta", index: 1, json: 'ty":"Paris"}' },
      { type: "part_stop", index: 1 },
      {
        type: "message_delta",
        stopReason: "tool_use",
        usage: { inputTokens: 112, outputTokens: 30, totalTokens: 142, cacheReadTokens: 100 },
      },
      { type: "message_stop" },
    ]);
  });

  it("reasoning with its signature, a redacted block, then text; indexes renumbered in start order", () => {
    const out = decode(
      frames(
        ["messageStart", { role: "assistant" }],
        ["contentBlockDelta", { contentBlockIndex: 0, delta: { reasoningContent: { text: "Think" } } }],
        ["contentBlockDelta", { contentBlockIndex: 0, delta: { reasoningContent: { text: "ing." } } }],
        ["contentBlockDelta", { contentBlockIndex: 0, delta: { reasoningContent: { signature: "SIG==" } } }],
        ["contentBlockStop", { contentBlockIndex: 0 }],
        [
          "contentBlockDelta",
          { contentBlockIndex: 1, delta: { reasoningContent: { redactedContent: "UkVE" } } },
        ],
        ["contentBlockStop", { contentBlockIndex: 1 }],
        ["contentBlockDelta", { contentBlockIndex: 3, delta: { text: "Answer" } }],
        ["contentBlockStop", { contentBlockIndex: 3 }],
        ["messageStop", { stopReason: "end_turn" }],
        ["metadata", { usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 } }],
      ),
    );
    expect(out.slice(1, -2)).toEqual([
      { type: "part_start", index: 0, part: { kind: "thinking" } },
      { type: "thinking_delta", index: 0, thinking: "Think" },
      { type: "thinking_delta", index: 0, thinking: "ing." },
      { type: "signature_delta", index: 0, signature: "SIG==" },
      { type: "part_stop", index: 0 },
      { type: "part_start", index: 1, part: { kind: "redacted_thinking", data: "UkVE" } },
      { type: "part_stop", index: 1 },
      { type: "part_start", index: 2, part: { kind: "text" } },
      { type: "text_delta", index: 2, text: "Answer" },
      { type: "part_stop", index: 2 },
    ]);
    expect(out.at(-2)).toEqual({
      type: "message_delta",
      stopReason: "end_turn",
      usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 },
    });
  });

  it("the decoded stream encodes for an Anthropic client with the signature intact", () => {
    const ir = decode(
      frames(
        ["messageStart", { role: "assistant" }],
        ["contentBlockDelta", { contentBlockIndex: 0, delta: { reasoningContent: { text: "t" } } }],
        ["contentBlockDelta", { contentBlockIndex: 0, delta: { reasoningContent: { signature: "S" } } }],
        ["contentBlockStop", { contentBlockIndex: 0 }],
        ["messageStop", { stopReason: "end_turn" }],
        ["metadata", { usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } }],
      ),
    );
    const enc = converterFor("anthropic-messages").createEncoder();
    const wire = ir.flatMap((e) => enc.push(e)).map((w) => JSON.parse(w.data) as Record<string, unknown>);
    expect(wire).toContainEqual({
      type: "content_block_delta",
      index: 0,
      delta: { type: "signature_delta", signature: "S" },
    });
    expect(wire.at(-1)).toEqual({ type: "message_stop" });
  });

  it("an exception frame mid-stream is an IR error, and nothing follows it", () => {
    const d = createConverseStreamDecoder();
    d.push({ event: "messageStart", data: '{"role":"assistant"}' });
    d.push({ event: "contentBlockDelta", data: '{"contentBlockIndex":0,"delta":{"text":"Hel"}}' });
    const out = d.push({
      event: "exception",
      data: '{"__type":"throttlingException","message":"Too many tokens, please wait."}',
    });
    expect(out).toEqual([
      {
        type: "error",
        error: {
          status: 429,
          type: "rate_limit",
          code: "ThrottlingException",
          message: "Too many tokens, please wait.",
        },
      },
    ]);
    expect(
      d.push({ event: "contentBlockDelta", data: '{"contentBlockIndex":0,"delta":{"text":"lo"}}' }),
    ).toEqual([]);
    expect(d.finish()).toEqual([]);
  });

  it("a model stream error carries the model's own message and a 424", () => {
    const [ev] = decode(
      [
        {
          event: "exception",
          data: '{"__type":"modelStreamErrorException","message":"stream failed","originalStatusCode":500,"originalMessage":"model crashed"}',
        },
      ],
      false,
    );
    expect(ev).toEqual({
      type: "error",
      error: {
        status: 424,
        type: "server",
        code: "ModelStreamErrorException",
        message: "stream failed (model crashed)",
      },
    });
  });

  it("a stream cut before messageStop is reported as truncated, never a clean end", () => {
    const out = decode(
      frames(
        ["messageStart", { role: "assistant" }],
        ["contentBlockDelta", { contentBlockIndex: 0, delta: { text: "partial" } }],
      ),
    );
    const last = out.at(-1)!;
    expect(last.type).toBe("error");
    expect(last.type === "error" && last.error.code).toBe("upstream_stream_truncated");
    expect(out.some((e) => e.type === "message_stop")).toBe(false);
  });

  it("an empty stream is truncated too", () => {
    const out = decode([]);
    expect(out).toHaveLength(1);
    expect(out[0]!.type).toBe("error");
  });

  it("after messageStop without metadata the message ends cleanly, without usage; open blocks are closed", () => {
    const out = decode(
      frames(
        ["messageStart", { role: "assistant" }],
        ["contentBlockDelta", { contentBlockIndex: 0, delta: { text: "done" } }],
        ["messageStop", { stopReason: "max_tokens" }],
      ),
    );
    expect(out.slice(-3)).toEqual([
      { type: "part_stop", index: 0 },
      { type: "message_delta", stopReason: "max_tokens" },
      { type: "message_stop" },
    ]);
  });

  it("a frame whose payload is not JSON stops the stream with an error", () => {
    const d = createConverseStreamDecoder();
    const out = d.push({ event: "contentBlockDelta", data: "{not json" });
    expect(out[0]!.type).toBe("error");
    expect(d.finish()).toEqual([]);
  });
});

describe("Bedrock errors → IR", () => {
  it.each([
    [400, "ValidationException", 400, "invalid_request"],
    [403, "AccessDeniedException", 403, "permission"],
    [404, "ResourceNotFoundException", 404, "not_found"],
    [429, "ThrottlingException", 429, "rate_limit"],
    [429, "ModelNotReadyException", 429, "rate_limit"],
    [400, "ServiceQuotaExceededException", 429, "rate_limit"],
    [408, "ModelTimeoutException", 408, "timeout"],
    [424, "ModelErrorException", 424, "server"],
    [503, "ServiceUnavailableException", 503, "unavailable"],
    [500, "InternalServerException", 500, "server"],
    [403, "UnrecognizedClientException", 401, "authentication"],
    [403, "InvalidSignatureException", 401, "authentication"],
  ])("%i %s → %i %s", (status, name, irStatus, type) => {
    const err = converseErrorToIR(status, { __type: name, message: "m" });
    expect(err).toEqual({ status: irStatus, type, message: "m", code: name });
  });

  it("reads `Message`, strips a namespace and a header suffix, and keeps Retry-After", () => {
    const err = converseErrorToIR(
      429,
      {
        __type: "com.amazon.bedrock#ThrottlingException:http://internal.amazon.com/coral/",
        Message: "slow down",
      },
      "3",
    );
    expect(err).toEqual({
      status: 429,
      type: "rate_limit",
      message: "slow down",
      code: "ThrottlingException",
      retryAfter: 3,
    });
  });

  it("an unknown or missing kind falls back to the HTTP status", () => {
    expect(converseErrorToIR(502, { message: "bad gateway" })).toEqual({
      status: 502,
      type: "server",
      message: "bad gateway",
    });
    expect(converseErrorToIR(413, "too big")).toEqual({
      status: 413,
      type: "request_too_large",
      message: "too big",
    });
  });
});

describe("the client side of Converse", () => {
  it("a Converse request from a client is unsupported, saying agw does not accept it", () => {
    const r = converterFor("bedrock-converse").requestToIR({ messages: [] });
    expect(r.unsupported).toHaveLength(1);
    expect(r.unsupported[0]).toContain("Converse");
  });
});
