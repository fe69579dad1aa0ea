/**
 * Real client libraries — the Vercel AI SDK, LangChain JS and the openai SDK's `parse` — through
 * agw in every client format × upstream format pair it translates, against the mock upstream,
 * which records the translated request so each test checks what the upstream received:
 *   chat client → Anthropic (ant-*), Responses client → Anthropic (ant-*) and → Chat (oaichat-*),
 *   Messages client → Chat (oaichat-*).
 */
import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAI } from "@ai-sdk/openai";
import { zodOutputFormat } from "@anthropic-ai/sdk/helpers/zod";
import { ChatAnthropic } from "@langchain/anthropic";
import { ChatOpenAI } from "@langchain/openai";
import { generateObject, generateText, type LanguageModel, stepCountIs, streamText, tool } from "ai";
import { zodResponseFormat, zodTextFormat } from "openai/helpers/zod";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { RecordedRequest } from "../helpers/mock-upstream.js";
import { CALLER_KEY, GATEWAY_KEY, type Harness, startHarness } from "./harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    models: (baseUrl) => [
      { name: "claude-sonnet-4-5", provider: "openAI", params: { model: "gpt-upstream", baseUrl } },
    ],
  });
});
beforeEach(() => {
  h.mock.reset();
});
afterAll(async () => {
  await h.close();
});

const headers = { "x-agw-authorization": `Bearer ${GATEWAY_KEY}` };
type Json = Record<string, unknown>;
const bodyOf = (r: RecordedRequest): Json => r.json as Json;

type ClientKind = "chat" | "responses" | "messages";
type UpstreamKind = "anthropic" | "chat";
interface Pair {
  client: ClientKind;
  upstream: UpstreamKind;
  model: string;
}
const PAIRS: Pair[] = [
  // ant-* → the mock's Anthropic API; oaichat-* and claude-sonnet-4-5 → its Chat Completions API.
  { client: "chat", upstream: "anthropic", model: "ant-lib" },
  { client: "responses", upstream: "anthropic", model: "ant-lib" },
  { client: "responses", upstream: "chat", model: "oaichat-lib" },
  // The AI SDK and LangChain pick structured-output support by Claude model name.
  { client: "messages", upstream: "chat", model: "claude-sonnet-4-5" },
];
const UPSTREAM_PATH: Record<UpstreamKind, string> = {
  anthropic: "/v1/messages",
  chat: "/v1/chat/completions",
};

function aiSdkModel(p: Pair): LanguageModel {
  if (p.client === "messages")
    return createAnthropic({ baseURL: `${h.url}/v1`, apiKey: CALLER_KEY, headers })(p.model);
  const openai = createOpenAI({ baseURL: `${h.url}/v1`, apiKey: CALLER_KEY, headers });
  return p.client === "chat" ? openai.chat(p.model) : openai.responses(p.model);
}

/** The tool definitions the upstream received, as name → parameters schema. */
function upstreamTools(p: Pair, body: Json): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const t of (body.tools ?? []) as Json[]) {
    if (p.upstream === "anthropic") out[String(t.name)] = t.input_schema as Json;
    else {
      const f = t.function as Json;
      out[String(f.name)] = f.parameters as Json;
    }
  }
  return out;
}

/** The JSON schema the upstream was told to answer in. */
function upstreamSchema(p: Pair, body: Json): Json | undefined {
  if (p.upstream === "anthropic") {
    const oc = body.output_config as Json | undefined;
    const f = oc?.format as Json | undefined;
    expect(f?.type).toBe("json_schema");
    return f?.schema as Json | undefined;
  }
  const rf = body.response_format as Json | undefined;
  expect(rf?.type).toBe("json_schema");
  return (rf?.json_schema as Json | undefined)?.schema as Json | undefined;
}

const personSchema = z.object({ name: z.string(), city: z.string() });
const PERSON = { name: "Ada", city: "London" };

describe.each(PAIRS)("Vercel AI SDK: $client client → $upstream upstream", (p) => {
  it("generateText with a tool: the call runs, its result goes back, the final text arrives", async () => {
    const first = h.mock.script({
      reply: { toolCalls: [{ id: "call_w1", name: "get_weather", arguments: { city: "Paris" } }] },
    });
    const second = h.mock.script({ reply: { text: "Sunny in Paris." } });
    const seen: string[] = [];
    const r = await generateText({
      model: aiSdkModel(p),
      prompt: "Weather in Paris?",
      tools: {
        get_weather: tool({
          description: "Weather for a city",
          inputSchema: z.object({ city: z.string() }),
          execute: async ({ city }) => {
            seen.push(city);
            return `Sunny in ${city}`;
          },
        }),
      },
      stopWhen: stepCountIs(3),
    });
    expect(r.text).toBe("Sunny in Paris.");
    expect(seen).toEqual(["Paris"]);
    const req1 = await first.request;
    expect(req1.pathname).toBe(UPSTREAM_PATH[p.upstream]);
    expect(upstreamTools(p, bodyOf(req1)).get_weather).toMatchObject({
      type: "object",
      properties: { city: { type: "string" } },
    });
    const req2 = bodyOf(await second.request);
    expect(JSON.stringify(req2.messages)).toContain("Sunny in Paris");
    expect(JSON.stringify(req2.messages)).toContain("call_w1");
  });

  it("streamText: the deltas add up to the upstream's text", async () => {
    const handle = h.mock.script({ reply: { text: "one two three", usage: { input: 4, output: 3 } } });
    const r = streamText({ model: aiSdkModel(p), prompt: "Count." });
    let text = "";
    for await (const d of r.textStream) text += d;
    expect(text).toBe("one two three");
    expect((await r.usage).outputTokens).toBe(3);
    expect(bodyOf(await handle.request).stream).toBe(true);
  });

  it("generateObject: the schema reaches the upstream as its structured-output field", async () => {
    const handle = h.mock.script({ reply: { text: JSON.stringify(PERSON) } });
    const r = await generateObject({ model: aiSdkModel(p), schema: personSchema, prompt: "Who?" });
    expect(r.object).toEqual(PERSON);
    const body = bodyOf(await handle.request);
    expect(upstreamSchema(p, body)).toMatchObject({
      type: "object",
      properties: { name: { type: "string" }, city: { type: "string" } },
      required: ["name", "city"],
      additionalProperties: false,
    });
  });
});

function langChainModel(p: Pair): ChatOpenAI | ChatAnthropic {
  if (p.client === "messages")
    return new ChatAnthropic({
      model: p.model,
      apiKey: CALLER_KEY,
      anthropicApiUrl: h.url,
      clientOptions: { defaultHeaders: headers },
      maxRetries: 0,
    });
  return new ChatOpenAI({
    model: p.model,
    apiKey: CALLER_KEY,
    configuration: { baseURL: `${h.url}/v1`, defaultHeaders: headers },
    useResponsesApi: p.client === "responses",
    maxRetries: 0,
  });
}

describe.each(PAIRS)("LangChain JS: $client client → $upstream upstream", (p) => {
  it("bindTools: the tool call comes back with its parsed arguments", async () => {
    const handle = h.mock.script({
      reply: { toolCalls: [{ id: "call_l1", name: "get_weather", arguments: { city: "Rome" } }] },
    });
    const model = langChainModel(p).bindTools([
      {
        type: "function",
        function: {
          name: "get_weather",
          description: "Weather for a city",
          parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
        },
      },
    ]);
    const msg = await model.invoke("Weather in Rome?");
    expect(msg.tool_calls).toEqual([
      expect.objectContaining({ name: "get_weather", args: { city: "Rome" }, id: "call_l1" }),
    ]);
    expect(upstreamTools(p, bodyOf(await handle.request)).get_weather).toMatchObject({
      properties: { city: { type: "string" } },
    });
  });

  it("withStructuredOutput: the answer parses into the schema's shape", async () => {
    const model = langChainModel(p);
    const handle = h.mock.script((req) => {
      const body = req.json as Json;
      // ChatAnthropic asks for structured output as a forced tool call, ChatOpenAI as a JSON schema.
      const forced = JSON.stringify(body.tool_choice ?? "").includes("extract");
      return forced
        ? { reply: { toolCalls: [{ id: "call_s1", name: "extract", arguments: PERSON }] } }
        : { reply: { text: JSON.stringify(PERSON) } };
    });
    const r = await model.withStructuredOutput(personSchema, { name: "extract" }).invoke("Who?");
    expect(r).toEqual(PERSON);
    const body = bodyOf(await handle.request);
    if (p.client === "messages") {
      // ChatAnthropic asks for a forced tool call: it arrives as a forced function.
      expect(body.tool_choice).toEqual({ type: "function", function: { name: "extract" } });
    } else
      expect(upstreamSchema(p, body)).toMatchObject({
        type: "object",
        required: ["name", "city"],
        additionalProperties: false,
      });
    if (p.upstream === "anthropic") expect(JSON.stringify(body.output_config)).not.toContain("$schema");
  });
});

describe("openai SDK chat.completions.parse", () => {
  it("chat client → Anthropic upstream: the zod schema becomes output_config.format and the answer is parsed", async () => {
    const handle = h.mock.script({ reply: { text: JSON.stringify(PERSON) } });
    const r = await h.openai.chat.completions.parse({
      model: "ant-parse",
      messages: [{ role: "user", content: "Who?" }],
      response_format: zodResponseFormat(personSchema, "person"),
    });
    expect(r.choices[0]?.message.parsed).toEqual(PERSON);
    const body = bodyOf(await handle.request);
    expect(body.output_config).toEqual({
      format: {
        type: "json_schema",
        schema: {
          type: "object",
          properties: { name: { type: "string" }, city: { type: "string" } },
          required: ["name", "city"],
          additionalProperties: false,
        },
      },
    });
  });
});

describe("official SDKs' structured-output helpers", () => {
  it.each([
    ["ant-parse", "anthropic"],
    ["oaichat-parse", "chat"],
  ] as const)(
    "openai responses.parse → %s: text.format reaches the upstream, output_parsed is the object",
    async (model, upstream) => {
      const handle = h.mock.script({ reply: { text: JSON.stringify(PERSON) } });
      const r = await h.openai.responses.parse({
        model,
        input: "Who?",
        text: { format: zodTextFormat(personSchema, "person") },
      });
      expect(r.output_parsed).toEqual(PERSON);
      const body = bodyOf(await handle.request);
      expect(upstreamSchema({ client: "responses", upstream, model }, body)).toMatchObject({
        type: "object",
        required: ["name", "city"],
        additionalProperties: false,
      });
    },
  );

  it("anthropic messages.parse → Chat upstream: output_config.format becomes response_format, parsed_output is the object", async () => {
    const handle = h.mock.script({ reply: { text: JSON.stringify(PERSON) } });
    const r = await h.anthropic.messages.parse({
      model: "oaichat-parse",
      max_tokens: 200,
      messages: [{ role: "user", content: "Who?" }],
      output_config: { format: zodOutputFormat(personSchema) },
    });
    expect(r.parsed_output).toEqual(PERSON);
    const body = bodyOf(await handle.request);
    expect((body.response_format as Json).json_schema).toMatchObject({
      name: "output",
      schema: { type: "object", required: ["name", "city"] },
    });
  });
});
