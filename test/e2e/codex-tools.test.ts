/**
 * Codex's default tools on translated routes (Responses client → Chat or Anthropic upstream):
 * namespace tools flattened to `<namespace>__<name>` functions and named back in the answer,
 * custom (freeform) tools as a function with one string `input` answered as custom_tool_call,
 * hosted tools dropped (x-agw-dropped-tools, access log droppedTools) or, with
 * `policies.ai.hostedTools: refuse`, refused with 400.
 */
import OpenAI from "openai";
import type { ResponseCreateParamsNonStreaming } from "openai/resources/responses/responses";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./harness.js";

let h: Harness;
let strict: Harness;
beforeAll(async () => {
  h = await startHarness();
  strict = await startHarness({ policies: { ai: { hostedTools: "refuse" } } });
});
afterAll(async () => {
  await h.close();
  await strict.close();
});

type Body = Record<string, unknown>;

const CODEX_TOOLS = [
  {
    type: "function",
    name: "shell",
    description: "Runs a command",
    strict: false,
    parameters: { type: "object", properties: { command: { type: "array", items: { type: "string" } } } },
  },
  {
    type: "namespace",
    name: "mcp__docs__",
    description: "Docs server",
    tools: [
      {
        type: "function",
        name: "search",
        description: "Search",
        strict: false,
        parameters: { type: "object", properties: { q: { type: "string" } } },
      },
    ],
  },
  {
    type: "custom",
    name: "apply_patch",
    description: "Applies a patch",
    format: { type: "grammar", syntax: "lark", definition: "start: /.+/" },
  },
  { type: "web_search", external_web_access: false },
] as unknown as ResponseCreateParamsNonStreaming["tools"];

const toolCalls = [
  { id: "call_1", name: "mcp__docs__search", arguments: { q: "agw" } },
  { id: "call_2", name: "apply_patch", arguments: { input: "*** Begin Patch" } },
];

function toolNames(body: Body, upstream: "chat" | "anthropic"): string[] {
  const tools = body.tools as Array<Record<string, unknown>>;
  return tools.map((t) =>
    upstream === "chat" ? ((t.function as { name: string }).name as string) : (t.name as string),
  );
}

describe("Codex tools on translated routes", () => {
  for (const [model, upstream] of [
    ["oaichat-codex", "chat"],
    ["ant-codex", "anthropic"],
  ] as const) {
    it(`→ ${upstream}: flattened, hosted dropped and said so; calls named back (JSON)`, async () => {
      const handle = h.mock.script({ reply: { toolCalls } });
      const { data: r, response } = await h.openai.responses
        .create({ model, input: "Fix it", tools: CODEX_TOOLS })
        .withResponse();
      expect(response.headers.get("x-agw-dropped-tools")).toBe("web_search");
      const sent = (await handle.request).json as Body;
      expect(toolNames(sent, upstream)).toEqual(["shell", "mcp__docs__search", "apply_patch"]);
      expect(r.output).toEqual([
        expect.objectContaining({
          type: "function_call",
          call_id: "call_1",
          name: "search",
          namespace: "mcp__docs__",
          arguments: '{"q":"agw"}',
        }),
        expect.objectContaining({
          type: "custom_tool_call",
          call_id: "call_2",
          name: "apply_patch",
          input: "*** Begin Patch",
        }),
      ]);
      const line = await h.logs.waitFor((l) => l.msg === "request" && l.model === model);
      expect(line.droppedTools).toBe("web_search");
    });

    it(`→ ${upstream}: the same, streamed`, async () => {
      h.mock.script({ reply: { toolCalls } });
      const stream = h.openai.responses.stream({ model, input: "Fix it", tools: CODEX_TOOLS });
      const final = await stream.finalResponse();
      expect(final.output.map((o) => [o.type, (o as { name?: string }).name])).toEqual([
        ["function_call", "search"],
        ["custom_tool_call", "apply_patch"],
      ]);
      expect((final.output[1] as { input?: string }).input).toBe("*** Begin Patch");
    });
  }

  it("a namespaced name longer than 64 characters goes up shortened, the same in every turn, and comes back whole", async () => {
    const ns = "mcp__atlassian_confluence_enterprise_server__";
    const name = "search_pages_by_cql_with_pagination";
    const tools = [
      {
        type: "namespace",
        name: ns,
        description: "Wiki",
        tools: [{ type: "function", name, parameters: { type: "object", properties: {} } }],
      },
    ] as unknown as ResponseCreateParamsNonStreaming["tools"];
    const first = h.mock.script((req) => {
      const sent = (req.json as { tools: Array<{ name: string }> }).tools[0]!.name;
      return { reply: { toolCalls: [{ id: "toolu_9", name: sent, arguments: { cql: "x" } }] } };
    });
    const r = await h.openai.responses.create({ model: "ant-codex", input: "find", tools });
    const flat = ((await first.request).json as { tools: Array<{ name: string }> }).tools[0]!.name;
    expect(`${ns}${name}`.length).toBeGreaterThan(64);
    expect(flat.length).toBe(64);
    expect(flat).toMatch(/^mcp__atlassian_confluence_enterprise_server__search_pag_[0-9a-f]{8}$/);
    expect(r.output).toEqual([expect.objectContaining({ type: "function_call", name, namespace: ns })]);
    const second = h.mock.script({ reply: { text: "done" } });
    await h.openai.responses.create({
      model: "ant-codex",
      tools,
      input: [
        { role: "user", content: "find" },
        { type: "function_call", call_id: "toolu_9", name, namespace: ns, arguments: '{"cql":"x"}' },
        { type: "function_call_output", call_id: "toolu_9", output: "3 pages" },
      ] as unknown as ResponseCreateParamsNonStreaming["input"],
    });
    const msgs = ((await second.request).json as Body).messages as Array<{
      content: Array<{ name?: string }>;
    }>;
    expect(msgs[1]!.content[0]!.name).toBe(flat);
  });

  it("a second turn sends the namespaced call and the custom call back under their flat names", async () => {
    const handle = h.mock.script({ reply: { text: "done" } });
    await h.openai.responses.create({
      model: "ant-codex",
      tools: CODEX_TOOLS,
      input: [
        { role: "user", content: "Fix it" },
        {
          type: "function_call",
          call_id: "call_1",
          name: "search",
          namespace: "mcp__docs__",
          arguments: '{"q":"agw"}',
        },
        { type: "function_call_output", call_id: "call_1", output: "found" },
        { type: "custom_tool_call", call_id: "call_2", name: "apply_patch", input: "*** Begin Patch" },
        { type: "custom_tool_call_output", call_id: "call_2", output: "ok" },
      ] as unknown as ResponseCreateParamsNonStreaming["input"],
    });
    const msgs = ((await handle.request).json as Body).messages as Array<{ content: unknown[] }>;
    expect(msgs[1]!.content).toEqual([
      { type: "tool_use", id: "call_1", name: "mcp__docs__search", input: { q: "agw" } },
    ]);
    expect(msgs[3]!.content).toEqual([
      { type: "tool_use", id: "call_2", name: "apply_patch", input: { input: "*** Begin Patch" } },
    ]);
  });

  it("hostedTools: refuse answers 400 naming the hosted tools, nothing sent upstream", async () => {
    const err = await strict.openai.responses
      .create({ model: "ant-codex", input: "Fix it", tools: CODEX_TOOLS })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(OpenAI.APIError);
    const e = err as InstanceType<typeof OpenAI.APIError>;
    expect(e.status).toBe(400);
    expect(e.code).toBe("unsupported_feature");
    expect(e.message).toContain("web_search");
    expect(strict.mock.requests.length).toBe(0);
  });

  it("a native Responses upstream receives the tools as sent", async () => {
    const handle = h.mock.script({ reply: { text: "ok" } });
    const { response } = await h.openai.responses
      .create({ model: "oai-codex", input: "Fix it", tools: CODEX_TOOLS })
      .withResponse();
    expect(response.headers.get("x-agw-dropped-tools")).toBeNull();
    expect(((await handle.request).json as Body).tools).toEqual(CODEX_TOOLS);
  });
});

describe("the dropped-tools header on a stream", () => {
  it("is on the SSE response head", async () => {
    h.mock.script({ reply: { text: "ok" } });
    const res = await fetch(`${h.url}/v1/responses`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: "Bearer sk-caller-key",
        "x-agw-authorization": "Bearer agw-gateway-key",
      },
      body: JSON.stringify({ model: "ant-codex", input: "Hi", stream: true, tools: CODEX_TOOLS }),
    });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    expect(res.headers.get("x-agw-dropped-tools")).toBe("web_search");
    await res.text();
  });
});
