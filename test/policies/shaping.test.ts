import { describe, expect, it } from "vitest";
import type { IrRequest } from "../../src/llm/formats/ir.js";
import { createShaping } from "../../src/policies/shaping.js";

const base = (over: Partial<IrRequest> = {}): IrRequest => ({
  model: "fast",
  stream: false,
  system: [{ type: "text", text: "caller system" }],
  messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
  ...over,
});

describe("request shaping", () => {
  it("aliases: exact first, then the most specific pattern, ties in config order", () => {
    const s = createShaping({
      modelAliases: {
        "gpt-*": "generic",
        "gpt-4o*": "four-o",
        "*-mini": "mini",
        fast: "gpt-4o-mini",
        "*": "fallback",
      },
    });
    expect(s.resolveAlias("fast")).toBe("gpt-4o-mini");
    expect(s.resolveAlias("gpt-4o-mini")).toBe("four-o");
    expect(s.resolveAlias("gpt-3.5")).toBe("generic");
    expect(s.resolveAlias("o3-mini")).toBe("mini");
    expect(s.resolveAlias("claude")).toBe("fallback");
    const t = createShaping({ modelAliases: { "ab*": "first", "*yz": "second" } });
    expect(t.resolveAlias("abyz")).toBe("first");
    expect(createShaping({}).resolveAlias("x")).toBe("x");
  });

  it("defaults fill only unset fields; overrides always win; names of every format map to IR fields", () => {
    const s = createShaping({
      defaults: {
        temperature: 0.2,
        top_p: 0.9,
        max_output_tokens: 100,
        stop: "END",
        seed: 7,
        reasoning_effort: "low",
      },
      overrides: {
        max_completion_tokens: 512,
        stop_sequences: ["A", "B"],
        top_k: 5,
        metadata: { team: "x" },
      },
    });
    const r = s.shape(base({ temperature: 1, maxTokens: 9000 }), "openai-chat");
    expect(r.ir).toMatchObject({
      temperature: 1,
      topP: 0.9,
      maxTokens: 512,
      stop: ["A", "B"],
      seed: 7,
      topK: 5,
      reasoning: { effort: "low" },
      metadata: { team: "x" },
    });
    expect(r.skipped).toEqual([]);
    expect(r.events).toEqual([{ policy: "shaping", phase: "request", action: "allow" }]);
  });

  it("unknown fields go to the client format's extras as if the caller sent them; defaults keep the caller's", () => {
    const s = createShaping({
      defaults: { logprobs: true, service_tier: "flex" },
      overrides: { store: false },
    });
    const r = s.shape(base({ extras: { "openai-chat": { service_tier: "priority" } } }), "openai-chat");
    expect(r.ir.extras).toEqual({
      "openai-chat": { service_tier: "priority", logprobs: true, store: false },
    });
    const a = s.shape(base(), "anthropic-messages");
    expect(a.ir.extras).toEqual({
      "anthropic-messages": { logprobs: true, service_tier: "flex", store: false },
    });
  });

  it("a wrongly typed value for a known field is skipped and named", () => {
    const r = createShaping({ overrides: { temperature: "hot", stop: [1] } }).shape(base(), "openai-chat");
    expect(r.ir.temperature).toBeUndefined();
    expect(r.skipped).toEqual(["temperature", "stop"]);
  });

  it("prompts: system to the IR system prompt, others around the messages, in order", () => {
    const s = createShaping({
      prompts: {
        prepend: [
          { role: "system", content: "S1" },
          { role: "user", content: "U1" },
          { role: "assistant", content: "A1" },
        ],
        append: [
          { role: "user", content: "U2" },
          { role: "system", content: "S2" },
        ],
      },
    });
    const input = base();
    const r = s.shape(input, "anthropic-messages");
    expect(r.ir.system.map((p) => p.text)).toEqual(["S1", "caller system", "S2"]);
    expect(r.ir.messages.map((m) => [m.role, (m.content[0] as { text: string }).text])).toEqual([
      ["user", "U1"],
      ["assistant", "A1"],
      ["user", "hi"],
      ["user", "U2"],
    ]);
    expect(input.system).toHaveLength(1);
    expect(input.messages).toHaveLength(1);
  });

  it("aliasing inside shape records a modelAliases event and leaves the input alone", () => {
    const input = base();
    const r = createShaping({ modelAliases: { fast: "gpt-4o-mini" } }).shape(input, "openai-responses");
    expect(r.ir.model).toBe("gpt-4o-mini");
    expect(input.model).toBe("fast");
    expect(r.events).toEqual([{ policy: "modelAliases", phase: "request", action: "allow" }]);
  });
});
