import { afterEach, describe, expect, it } from "vitest";
import { newRecord } from "../../src/http/record.js";
import { recordFromResponseObject, responseUsageSniffer } from "../../src/server/detect.js";
import { freePort, send, startFromConfig, startUpstream } from "./engine-helpers.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const rec = () => newRecord("id", "POST", "/", 1);

describe("usage extraction", () => {
  it("reads OpenAI chat, Responses and Anthropic JSON shapes", () => {
    const a = rec();
    recordFromResponseObject(a, { model: "gpt-4o", usage: { prompt_tokens: 5, completion_tokens: 2 } });
    expect([a.responseModel, a.inputTokens, a.outputTokens]).toEqual(["gpt-4o", 5, 2]);
    const b = rec();
    recordFromResponseObject(b, {
      object: "response",
      model: "o3",
      usage: { input_tokens: 9, output_tokens: 4 },
    });
    expect([b.responseModel, b.inputTokens, b.outputTokens]).toEqual(["o3", 9, 4]);
    const c = rec();
    recordFromResponseObject(c, {
      type: "message",
      model: "claude",
      usage: { input_tokens: 3, output_tokens: 8 },
    });
    expect([c.responseModel, c.inputTokens, c.outputTokens]).toEqual(["claude", 3, 8]);
  });

  it("reads Anthropic and Responses streams, split anywhere", () => {
    const anthropic =
      'event: message_start\ndata: {"type":"message_start","message":{"model":"claude-x","usage":{"input_tokens":25,"output_tokens":1}}}\n\n' +
      'event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"type":"text_delta","text":"hi"}}\n\n' +
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":15}}\n\n' +
      'event: message_stop\ndata: {"type":"message_stop"}\n\n';
    const responses =
      'event: response.created\ndata: {"type":"response.created","response":{"model":"o3","usage":null}}\n\n' +
      'event: response.completed\ndata: {"type":"response.completed","response":{"model":"o3","usage":{"input_tokens":4,"output_tokens":6}}}\n\n';
    for (const [text, expected] of [
      [anthropic, ["claude-x", 25, 15]],
      [responses, ["o3", 4, 6]],
    ] as const) {
      const bytes = Buffer.from(text);
      for (let cut = 1; cut < bytes.length; cut += 37) {
        const r = rec();
        const s = responseUsageSniffer(r, "text/event-stream; charset=utf-8", undefined)!;
        s.push(bytes.subarray(0, cut));
        s.push(bytes.subarray(cut));
        s.end();
        expect([r.responseModel, r.inputTokens, r.outputTokens]).toEqual(expected);
      }
    }
  });

  it("leaves compressed and non-JSON bodies alone", () => {
    expect(responseUsageSniffer(rec(), "application/json", "gzip")).toBeUndefined();
    expect(responseUsageSniffer(rec(), "application/octet-stream", undefined)).toBeUndefined();
  });
});

describe("detect over real sockets", () => {
  const openaiSse = [
    'data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-2024","choices":[{"index":0,"delta":{"content":"Hel"}}],"usage":null}\n\n',
    'data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-2024","choices":[{"index":0,"delta":{"content":"lo"}}],"usage":null}\n\n',
    'data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-2024","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":2,"total_tokens":14}}\n\n',
    "data: [DONE]\n\n",
  ];

  it("records usage from an SSE stream while the client gets identical bytes", async () => {
    const up = await startUpstream((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "text/event-stream" });
        // Awkward splits: mid-line and mid-event.
        const all = Buffer.from(openaiSse.join(""));
        res.write(all.subarray(0, 50));
        res.write(all.subarray(50, 260));
        res.end(all.subarray(260));
      });
    });
    cleanups.push(up.close);
    const port = await freePort();
    const { gateway, logs } = await startFromConfig({
      binds: [
        {
          port,
          address: "127.0.0.1",
          listeners: [
            {
              routes: [
                {
                  name: "det",
                  backends: [
                    {
                      ai: { name: "o", provider: { openAI: {} }, baseUrl: `http://127.0.0.1:${up.port}/v1` },
                    },
                  ],
                  policies: { ai: { routes: { "*": "detect" } } },
                },
              ],
            },
          ],
        },
      ],
    });
    cleanups.push(() => gateway.drain(1000));
    const r = await send(port, {
      method: "POST",
      path: "/v1/chat/completions",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o", stream: true, messages: [] }),
    });
    expect(r.body.toString()).toBe(openaiSse.join(""));
    const line = await logs.waitFor((l) => l.msg === "request" && l.route === "det");
    expect(line).toMatchObject({
      routeType: "detect",
      backend: "o",
      model: "gpt-4o",
      responseModel: "gpt-4o-2024",
      inputTokens: 12,
      outputTokens: 2,
      status: 200,
    });
    expect(typeof line.durationMs).toBe("number");
  });
});
