/**
 * Upstream faults on a route with response guards: the answer is read whole to be judged,
 * so a JSON body cut or stalled midway, or one that is not JSON, must still end as a
 * well-formed 502/504 in the caller's envelope, never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Answer,
  call,
  combos,
  endedCleanly,
  expectEnvelope,
  type FaultGateway,
  post,
  sseEvents,
  startFaultGateway,
  stillServes,
} from "./harness.js";

let g: FaultGateway;
beforeAll(async () => {
  g = await startFaultGateway({
    policiesYaml:
      "    ai:\n      promptGuard:\n        response:\n" +
      '          - regex: { action: mask, rules: [{ builtin: email }, { pattern: "sk-[A-Za-z0-9]{20,}" }] }',
  });
});
afterAll(async () => {
  await g.close();
});

const jsonCombos = combos().filter((c) => !c.stream);

describe("faults behind response guards (JSON answers)", () => {
  it.each(jsonCombos)("$label: a body cut midway is 502 upstream_unavailable", async (c) => {
    g.mock.script({
      reply: { text: "a long enough answer to be cut in the middle" },
      fault: { resetAfterBytes: 40 },
    });
    const r = await call(g, c);
    expect(r.status).toBe(502);
    expect(r.headers.get("x-agw-error-code")).toBe("upstream_unavailable");
    expectEnvelope(c.client, r.text);
    await stillServes(g, c);
  });

  it.each(jsonCombos)("$label: a success that is not JSON is 502 upstream_error", async (c) => {
    g.mock.script({ raw: "<html>gateway page</html>", headers: { "content-type": "text/html" } });
    const r = await call(g, c);
    expect(r.status).toBe(502);
    expect(r.headers.get("x-agw-error-code")).toBe("upstream_error");
    expectEnvelope(c.client, r.text);
  });

  it("the guard still masks a whole answer", async () => {
    const c = jsonCombos[0]!;
    g.mock.script({ reply: { text: "write to jane@example.com" } });
    const r = await call(g, c);
    expect(r.status).toBe(200);
    expect(r.text).toContain("<EMAIL_ADDRESS>");
    expect(r.text).not.toContain("jane@example.com");
  });
});

describe("streamed masking masks the whole match", () => {
  /** A chat stream whose content arrives in `size`-character deltas. */
  function chatStream(text: string, size: number): Array<{ data: string }> {
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
      data: JSON.stringify({
        id: "c1",
        object: "chat.completion.chunk",
        created: 1,
        model: "gpt-upstream",
        choices: [{ index: 0, delta, finish_reason: finish }],
      }),
    });
    const out = [chunk({ role: "assistant", content: "" })];
    for (let i = 0; i < text.length; i += size) out.push(chunk({ content: text.slice(i, i + size) }));
    return [...out, chunk({}, "stop"), { data: "[DONE]" }];
  }
  /** The text a client stream carried (chat deltas or Messages text deltas). */
  function streamedText(text: string): string {
    let out = "";
    for (const e of sseEvents(text)) {
      if (e.data === "[DONE]") continue;
      const j = JSON.parse(e.data) as {
        choices?: Array<{ delta?: { content?: string } }>;
        delta?: { type?: string; text?: string };
      };
      out += j.choices?.[0]?.delta?.content ?? (j.delta?.type === "text_delta" ? (j.delta.text ?? "") : "");
    }
    return out;
  }
  const key = (n: number) => `sk-${"Zq7".repeat(n).slice(0, n - 3)}`;

  it.each([
    ["chat", 600, 7],
    ["messages", 600, 7],
    ["chat", 6000, 50],
  ] as const)(
    "%s client, a %i-character key in %i-character deltas: only <masked> arrives",
    async (client, n, size) => {
      const secret = key(n);
      g.mock.script({ events: chatStream(`the key is ${secret} ok`, size) });
      const r = await call(g, { client, upstream: "oai", stream: true, label: "" });
      expect(r.status).toBe(200);
      expect(endedCleanly(client, r.text)).toBe(true);
      const text = streamedText(r.text);
      expect(text).toBe("the key is <masked> ok");
      expect(r.text).not.toContain(secret.slice(-20));
    },
  );
});

describe("request guards read what the provider reads", () => {
  let q: FaultGateway;
  beforeAll(async () => {
    q = await startFaultGateway({
      policiesYaml:
        "    ai:\n      promptGuard:\n        request:\n          - blocklist: { words: [project falcon] }\n" +
        "          - regex: { action: mask, rules: [{ builtin: email }] }",
    });
  });
  afterAll(async () => {
    await q.close();
  });

  /** Posts a raw body; nothing may reach the upstream. */
  async function refusedRaw(path: string, raw: string): Promise<Answer> {
    const before = q.mock.requests.length;
    const r = await post(q.url, path, raw);
    expect(q.mock.requests.length).toBe(before);
    return r;
  }

  it("a key given twice is 400 duplicate_key naming its path (the model, the messages)", async () => {
    const model = await refusedRaw(
      "/v1/chat/completions",
      '{"model":"oai-a","model":"oai-b","messages":[{"role":"user","content":"hi"}]}',
    );
    expect(model.status).toBe(400);
    expect(model.headers.get("x-agw-error-code")).toBe("duplicate_key");
    expect(expectEnvelope("chat", model.text).message).toContain("$.model");
    const msgs = await refusedRaw(
      "/v1/messages",
      '{"model":"ant-x","max_tokens":5,"messages":[{"role":"user","content":"project falcon"}],' +
        '"messages":[{"role":"user","content":"hi"}]}',
    );
    expect(msgs.status).toBe(400);
    expect(msgs.headers.get("x-agw-error-code")).toBe("duplicate_key");
    expect(expectEnvelope("messages", msgs.text).message).toContain("$.messages");
    // Escapes do not hide a repeat; a nested object is checked too.
    const nested = await refusedRaw(
      "/v1/responses",
      '{"model":"oai-x","input":[{"type":"message","role":"user","content":"hi","\\u0063ontent":"x"}]}',
    );
    expect(nested.status).toBe(400);
    expect(expectEnvelope("responses", nested.text).message).toContain("$.input[0].content");
  });

  const BAD = "Project Falcon";
  const chat = (messages: unknown[], extra: Record<string, unknown> = {}) => ({
    path: "/v1/chat/completions",
    body: { model: "oai-x", messages, ...extra },
  });
  const msgs = (content: unknown[], extra: Record<string, unknown> = {}) => ({
    path: "/v1/messages",
    body: { model: "ant-x", max_tokens: 5, messages: [{ role: "user", content }], ...extra },
  });
  const resp = (extra: Record<string, unknown>) => ({
    path: "/v1/responses",
    body: { model: "oai-x", input: "hi", ...extra },
  });
  const doc = (source: unknown) => ({ type: "document", source });
  const cases: Array<[string, { path: string; body: Record<string, unknown> }]> = [
    [
      "chat assistant.function_call.arguments (legacy tool call)",
      chat([
        { role: "user", content: "hi" },
        { role: "assistant", content: null, function_call: { name: "f", arguments: `{"q":"${BAD}"}` } },
        { role: "function", name: "f", content: "done" },
      ]),
    ],
    ["chat legacy function message content", chat([{ role: "function", name: "f", content: BAD }])],
    ["chat assistant refusal", chat([{ role: "assistant", content: null, refusal: BAD }])],
    [
      "chat tool description",
      chat([{ role: "user", content: "hi" }], {
        tools: [{ type: "function", function: { name: "f", description: BAD, parameters: {} } }],
      }),
    ],
    [
      "chat prediction.content",
      chat([{ role: "user", content: "hi" }], { prediction: { type: "content", content: BAD } }),
    ],
    ["messages document, text source", msgs([doc({ type: "text", media_type: "text/plain", data: BAD })])],
    [
      "messages document, content source",
      msgs([doc({ type: "content", content: [{ type: "text", text: BAD }] })]),
    ],
    ["messages document title", msgs([{ ...doc({ type: "url", url: "https://x.test/a.pdf" }), title: BAD }])],
    [
      "messages search_result",
      msgs([
        {
          type: "search_result",
          source: "https://x.test",
          title: "t",
          content: [{ type: "text", text: BAD }],
        },
      ]),
    ],
    [
      "messages tool_result holding a document",
      msgs([
        {
          type: "tool_result",
          tool_use_id: "t1",
          content: [doc({ type: "text", media_type: "text/plain", data: BAD })],
        },
      ]),
    ],
    [
      "messages tool_use input",
      msgs([{ type: "tool_use", id: "t1", name: "f", input: { q: { deep: BAD } } }]),
    ],
    [
      "messages tool description",
      msgs([{ type: "text", text: "hi" }], { tools: [{ name: "f", description: BAD, input_schema: {} }] }),
    ],
    ["responses prompt.variables", resp({ prompt: { id: "pmpt_1", variables: { topic: BAD } } })],
    [
      "responses prompt.variables input_text",
      resp({ prompt: { id: "pmpt_1", variables: { topic: { type: "input_text", text: BAD } } } }),
    ],
    ["responses instructions", resp({ instructions: BAD })],
    [
      "responses custom_tool_call input",
      resp({ input: [{ type: "custom_tool_call", call_id: "c", name: "f", input: BAD }] }),
    ],
    [
      "responses other item types (computer_call typing)",
      resp({
        input: [
          {
            type: "computer_call",
            id: "cu",
            call_id: "c",
            action: { type: "type", text: BAD },
            status: "completed",
          },
        ],
      }),
    ],
  ];

  it.each(cases)("%s: refused, nothing upstream", async (_label, c) => {
    const r = await refusedRaw(c.path, JSON.stringify(c.body));
    expect(r.status).toBe(403);
    expect(r.headers.get("x-agw-error-code")).toBe("guardrail_rejected");
  });

  it.each([
    ["zero-width space", "project\u200b falcon"],
    ["soft hyphen and word joiner", "pro\u00adject fal\u2060con"],
    ["fullwidth letters", "ｐｒｏｊｅｃｔ ｆａｌｃｏｎ"],
  ])("blocklist through %s: refused", async (_label, text) => {
    const r = await refusedRaw(
      "/v1/chat/completions",
      JSON.stringify(chat([{ role: "user", content: text }]).body),
    );
    expect(r.status).toBe(403);
    expect(r.headers.get("x-agw-error-code")).toBe("guardrail_rejected");
  });

  it("a Cyrillic look-alike is not folded (documented): the request goes through", async () => {
    q.mock.script({ reply: { text: "ok" } });
    const r = await post(
      q.url,
      "/v1/chat/completions",
      JSON.stringify(chat([{ role: "user", content: "project f\u0430lcon" }]).body),
    );
    expect(r.status).toBe(200);
  });

  it("a clean request with these fields is still forwarded byte for byte", async () => {
    const raw = JSON.stringify(
      msgs([
        doc({ type: "text", media_type: "text/plain", data: "harmless" }),
        { type: "search_result", source: "s", title: "t", content: [{ type: "text", text: "fine" }] },
      ]).body,
    );
    q.mock.script({ reply: { text: "ok" } });
    const r = await post(q.url, "/v1/messages", raw);
    expect(r.status).toBe(200);
    const up = q.mock.requests[q.mock.requests.length - 1]!;
    expect(up.body.toString()).toBe(raw.replace('"ant-x"', '"claude-upstream"'));
  });

  it("a mask reaches fields the IR does not carry (same format: the masked body goes upstream)", async () => {
    q.mock.script({ reply: { text: "ok" } });
    const body = msgs([
      doc({ type: "text", media_type: "text/plain", data: "write to jane@example.com" }),
      {
        type: "search_result",
        source: "s",
        title: "t",
        content: [{ type: "text", text: "or jo@example.org" }],
      },
      { type: "text", text: "summarise" },
    ]).body;
    const r = await post(q.url, "/v1/messages", JSON.stringify(body));
    expect(r.status).toBe(200);
    const up = q.mock.requests[q.mock.requests.length - 1]!;
    expect(up.body.toString()).not.toMatch(/example\.(com|org)/);
    expect(up.json).toMatchObject({
      messages: [
        {
          content: [
            { type: "document", source: { data: "write to <EMAIL_ADDRESS>" } },
            { type: "search_result", content: [{ text: "or <EMAIL_ADDRESS>" }] },
            { type: "text", text: "summarise" },
          ],
        },
      ],
    });
  });

  it("nesting deeper than 128 levels is 400 invalid_request_body", async () => {
    const deep = `{"model":"oai-x","messages":[],"x":${"[".repeat(200)}${"]".repeat(200)}}`;
    const r = await refusedRaw("/v1/chat/completions", deep);
    expect(r.status).toBe(400);
    expect(r.headers.get("x-agw-error-code")).toBe("invalid_request_body");
    expect(expectEnvelope("chat", r.text).message).toContain("128");
  });
});
