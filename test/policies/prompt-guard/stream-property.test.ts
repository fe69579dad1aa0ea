import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { GuardConfig } from "../../../src/config/schema.js";
import type { IrResponse, IrStreamEvent } from "../../../src/llm/formats/ir.js";
import { createPromptGuard } from "../../../src/policies/prompt-guard/chain.js";
import { createBlocklistGuard, createRegexGuard } from "../../../src/policies/prompt-guard/text-guards.js";

const ALL: GuardConfig = {
  regex: {
    action: "mask",
    rules: [
      { builtin: "email" },
      { builtin: "phoneNumber" },
      { builtin: "ssn" },
      { builtin: "creditCard" },
      { builtin: "ipAddress" },
      { pattern: "tok-[a-z0-9]{4}" },
      { pattern: "ab+c" },
    ],
  },
};

// Pieces that form (and almost form) matches, glued with noise, so splits land inside matches.
const piece = fc.oneof(
  fc.constantFrom(
    "john.doe@example.com",
    "a@b.io",
    "x@y",
    "(555) 123-4567",
    "+44 20 7946 0958",
    "123-45-6789",
    "4111 1111 1111 1111",
    "4111 1111 1111 1112",
    "378282246310005",
    "192.168.0.1",
    "1.2.3.4.5",
    "fe80::1",
    "2001:db8::8a2e:370:7334",
    "tok-ab12",
    "tok-",
    "abbbbc",
    "Project Falcon",
    "secret",
  ),
  fc.constantFrom(" ", ".", ",", "-", "@", ":", "\n", "(", ")", "+"),
  fc.string({ unit: fc.constantFrom(..."abc019 .-@:+x"), maxLength: 6 }),
);
const text = fc.array(piece, { maxLength: 14 }).map((a) => a.join(""));

function splits(t: string) {
  return fc
    .uniqueArray(fc.integer({ min: 1, max: Math.max(1, t.length - 1) }), { maxLength: 8 })
    .map((cuts) => {
      const sorted = [...cuts].filter((c) => c < t.length).sort((a, b) => a - b);
      const out: string[] = [];
      let at = 0;
      for (const c of sorted) {
        out.push(t.slice(at, c));
        at = c;
      }
      out.push(t.slice(at));
      return out;
    });
}

const withSplits = text.chain((t) => splits(t).map((parts) => ({ t, parts })));

describe("streaming masker", () => {
  const guard = createRegexGuard(ALL);

  it("any split of any text streams to the whole text's mask, holding back at most the bound", () => {
    fc.assert(
      fc.property(withSplits, ({ t, parts }) => {
        const s = guard.scanner();
        let out = "";
        for (const p of parts) {
          out += s.push(p).out;
          expect(s.held).toBeLessThanOrEqual(guard.holdbackBound);
        }
        out += s.flush().out;
        expect(out).toBe(guard.scan(t).out);
      }),
      { numRuns: 600 },
    );
  });

  it("character-by-character streaming agrees too", () => {
    fc.assert(
      fc.property(text, (t) => {
        const s = guard.scanner();
        let out = "";
        for (const ch of t) out += s.push(ch).out;
        out += s.flush().out;
        expect(out).toBe(guard.scan(t).out);
      }),
      { numRuns: 300 },
    );
  });

  it("plain prose is not held back: only a trailing word that could start a match", () => {
    const builtins = createRegexGuard({
      regex: { action: "mask", rules: (ALL.regex?.rules ?? []).slice(0, 5) },
    });
    const s = builtins.scanner();
    expect(s.push("The weather is fine today, thanks! ").out).toBe("The weather is fine today, thanks! ");
    expect(s.held).toBe(0);
    expect(s.push("Mail me at jo").out).toBe("Mail me at ");
    expect(s.held).toBe(2);
    expect(s.push("e@example.com and").out).toBe("<EMAIL_ADDRESS> ");
    expect(s.flush().out).toBe("and");
  });

  it("custom patterns hold back only from a position agreeing with their literal start", () => {
    const g = createRegexGuard({ regex: { action: "mask", rules: [{ pattern: "tok-[a-z0-9]{4}" }] } });
    const s = g.scanner();
    expect(s.push("no match here, to").out).toBe("no match here, ");
    expect(s.push("k-ab1").out).toBe("");
    expect(s.push("2 then tok").out).toBe("<masked> then ");
    expect(s.push("en").out).toBe("token");
    // An unbounded pattern holds from its literal start ("a") for up to the capped window,
    // since nothing tells the scanner that "abbbc" cannot grow: released at part end.
    const u = createRegexGuard({ regex: { action: "mask", rules: [{ pattern: "ab+c" }] } }).scanner();
    expect(u.push("xyz ab").out).toBe("xyz ");
    expect(u.push("bbc!").out).toBe("");
    expect(u.flush().out).toBe("<masked>!");
  });

  it("blocklist streams: holds back only a prefix of a word, rejects on the whole word", () => {
    const g = createBlocklistGuard({ blocklist: { words: ["Project Falcon"] } });
    fc.assert(
      fc.property(withSplits, ({ t, parts }) => {
        const s = g.scanner();
        let out = "";
        let hit = false;
        for (const p of parts) {
          const r = s.push(p);
          out += r.out;
          hit ||= r.hits.length > 0;
          expect(s.held).toBeLessThanOrEqual(g.holdbackBound);
        }
        const f = s.flush();
        out += f.out;
        hit ||= f.hits.length > 0;
        const whole = g.scan(t);
        expect(hit).toBe(whole.hits.length > 0);
        expect(out).toBe(whole.out);
        if (hit) expect(out.toLowerCase()).not.toContain("project falcon");
      }),
      { numRuns: 300 },
    );
  });
});

function streamEvents(parts: string[], argsParts: string[]): IrStreamEvent[] {
  return [
    { type: "message_start", id: "m1", model: "x" },
    { type: "part_start", index: 0, part: { kind: "text" } },
    ...parts.map((text): IrStreamEvent => ({ type: "text_delta", index: 0, text })),
    { type: "part_stop", index: 0 },
    { type: "part_start", index: 1, part: { kind: "tool_call", id: "c1", name: "f" } },
    ...argsParts.map((json): IrStreamEvent => ({ type: "tool_args_delta", index: 1, json })),
    { type: "part_stop", index: 1 },
    { type: "message_delta", stopReason: "end_turn" },
    { type: "message_stop" },
  ];
}

function collect(events: IrStreamEvent[]) {
  let text = "";
  let args = "";
  for (const e of events) {
    if (e.type === "text_delta") text += e.text;
    if (e.type === "tool_args_delta") args += e.json;
  }
  return { text, args };
}

describe("stream guard over IR events", () => {
  const pg = createPromptGuard({
    response: [
      { regex: { action: "mask", rules: [{ pattern: "tok-[a-z0-9]{4}" }] } },
      { regex: { action: "mask", rules: [{ builtin: "email" }, { builtin: "creditCard" }] } },
    ],
  });

  it("chained mask guards on a stream equal checkResponse on the whole response, text and tool args", async () => {
    await fc.assert(
      fc.asyncProperty(withSplits, withSplits, async (a, b) => {
        const sg = pg.createStreamGuard();
        if (sg === undefined) throw new Error("expected a stream guard");
        const out: IrStreamEvent[] = [];
        for (const e of streamEvents(a.parts, b.parts)) {
          out.push(...sg.push(e));
          expect(sg.held).toBeLessThanOrEqual(sg.holdbackBound * 2);
        }
        const whole: IrResponse = {
          id: "m1",
          model: "x",
          content: [
            { type: "text", text: a.t },
            { type: "tool_call", id: "c1", name: "f", arguments: b.t },
          ],
          stopReason: "end_turn",
          usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
        };
        const checked = await pg.checkResponse(whole);
        if (!checked.ok) throw new Error("unexpected rejection");
        const got = collect(out);
        expect(got.text).toBe((checked.value.content[0] as { text: string }).text);
        expect(got.args).toBe((checked.value.content[1] as { arguments: string }).arguments);
        expect(out.at(-1)).toEqual({ type: "message_stop" });
        expect(out.filter((e) => e.type === "part_stop")).toHaveLength(2);
      }),
      { numRuns: 200 },
    );
  });

  it("reports mask and allow events per guard at the end", () => {
    const sg = pg.createStreamGuard()!;
    for (const e of streamEvents(["mail a@b.io"], ["{}"])) sg.push(e);
    expect(sg.events()).toEqual([
      { policy: "promptGuard", phase: "stream", action: "allow", guard: "regex" },
      { policy: "promptGuard", phase: "stream", action: "mask", guard: "regex" },
    ]);
  });

  it("a reject guard ends the stream with a guardrail error event and nothing after it", () => {
    const rg = createPromptGuard({
      response: [
        { blocklist: { words: ["forbidden"] }, rejection: { status: 451, message: "Not allowed here." } },
      ],
    });
    const sg = rg.createStreamGuard()!;
    const out: IrStreamEvent[] = [];
    for (const e of streamEvents(["this is fine. this is forb", "idden text", " more"], ["{}"]))
      out.push(...sg.push(e));
    expect(collect(out).text).toBe("this is fine. this is ");
    expect(out.at(-1)).toEqual({
      type: "error",
      error: { status: 451, type: "permission", code: "guardrail_rejected", message: "Not allowed here." },
    });
    expect(out.some((e) => e.type === "message_stop" || e.type === "part_stop")).toBe(false);
    expect(sg.events()).toEqual([
      { policy: "promptGuard", phase: "stream", action: "reject", guard: "blocklist" },
    ]);
  });

  it("no response guards, no stream guard; webhooks ask for buffering", () => {
    expect(createPromptGuard({ request: [] }).createStreamGuard()).toBeUndefined();
    const w = createPromptGuard({ response: [{ webhook: { url: "http://127.0.0.1:1/x" } }] });
    expect(w.streamsNeedBuffering).toBe(true);
    expect(w.createStreamGuard()).toBeUndefined();
  });
});

describe("a match that may still grow (unbounded custom pattern)", () => {
  const g = createRegexGuard({ regex: { action: "mask", rules: [{ pattern: "sk-[A-Za-z0-9]{20,}" }] } });
  const stream = (t: string, size: number): string => {
    const s = g.scanner();
    let out = "";
    for (let i = 0; i < t.length; i += size) {
      out += s.push(t.slice(i, i + size)).out;
      expect(s.held).toBeLessThanOrEqual(g.holdbackBound);
    }
    return out + s.flush().out;
  };
  const key = (n: number) => `sk-${"aB3".repeat(Math.ceil(n / 3)).slice(0, n - 3)}`;

  it("a 300-character key in 7-character deltas is masked whole", () => {
    const t = `key: ${key(300)} end`;
    expect(stream(t, 7)).toBe("key: <masked> end");
    expect(stream(t, 7)).toBe(g.scan(t).out);
  });

  it("past the 4096-character bound the held text is masked and the rest of the match dropped", () => {
    const t = `key: ${key(10_000)} end`;
    expect(stream(t, 7)).toBe("key: <masked> end");
    expect(stream(t, 5000)).toBe("key: <masked> end");
  });

  it("any split agrees with the whole text", () => {
    fc.assert(
      fc.property(fc.integer({ min: 20, max: 5000 }), fc.integer({ min: 1, max: 600 }), (n, size) => {
        const t = `a ${key(n)}. b sk-short ${key(30)}`;
        expect(stream(t, size)).toBe(g.scan(t).out);
      }),
      { numRuns: 40 },
    );
  });
});
