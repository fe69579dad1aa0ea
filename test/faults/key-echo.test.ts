/**
 * An upstream that echoes the managed key it was sent, in spellings a client decodes: JSON
 * `\u00XX` escapes, percent-encoding, base64, plain inside a streamed delta, in an error
 * event after the stream started, split across network chunks. The client never gets the key,
 * same format or translated, JSON or SSE; it gets "[redacted]" where it was.
 */
import { brotliCompressSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileConfig } from "../../src/config/compile.js";
import { type Gateway, startGateway } from "../../src/server/gateway.js";
import { type MockUpstream, startMockUpstream } from "../helpers/mock-upstream.js";
import { captureLogs, freePort } from "../server/engine-helpers.js";
import { loadYaml, post } from "./harness.js";

const KEY = "sk-echo-managed-5d0c81e7b2";
const KEY_ANT = "sk-ant-echo-managed-93fa2c";

/** Every character as a JSON \u escape (what a JSON parser turns back into the key). */
const escaped = (s: string): string =>
  [...s].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");
const percent = (s: string): string =>
  [...s].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).join("");

let mock: MockUpstream;
let gateway: Gateway;
let url: string;
let guarded: Gateway;
let guardedUrl: string;

beforeAll(async () => {
  mock = await startMockUpstream();
  const port = await freePort();
  const yaml = `
llm:
  port: ${port}
  address: 127.0.0.1
  models:
    - name: "oai-*"
      provider: openAI
      params: { apiKey: "${KEY}", model: gpt-upstream, baseUrl: "${mock.url}/v1" }
    - name: "ant-*"
      provider: anthropic
      params: { apiKey: "${KEY_ANT}", model: claude-upstream, baseUrl: "${mock.url}/v1" }
    - name: "*"
      provider: openAI
      params: { apiKey: "${KEY}", baseUrl: "${mock.url}/v1", keyOnOpaquePaths: true }
`;
  const runtime = compileConfig(loadYaml(yaml, {}), { env: {} });
  gateway = await startGateway({ runtime, logger: captureLogs().logger });
  url = `http://127.0.0.1:${port}`;
  // The same, behind a response guard (same-format answers are then judged in place).
  const gport = await freePort();
  const gyaml = `${yaml.replace(`port: ${port}`, `port: ${gport}`)}  policies:
    ai:
      promptGuard:
        response:
          - regex: { action: mask, rules: [{ pattern: "forbidden-word" }] }
`;
  guarded = await startGateway({
    runtime: compileConfig(loadYaml(gyaml, {}), { env: {} }),
    logger: captureLogs().logger,
  });
  guardedUrl = `http://127.0.0.1:${gport}`;
});

afterAll(async () => {
  await guarded.drain(500);
  await gateway.drain(500);
  await mock.close();
});

/** Whether the text, or any decoding of it a client might do, holds a key. */
function leaks(text: string): boolean {
  const decoded: string[] = [text];
  for (const line of text.split("\n")) {
    const data = line.startsWith("data: ") ? line.slice(6) : line;
    try {
      decoded.push(JSON.stringify(JSON.parse(data), (_k, v) => v));
      decoded.push(String(JSON.parse(`"${data.replace(/"/g, '\\"')}"`)));
    } catch {
      // not JSON
    }
  }
  const all = decoded.join("\n");
  let unescaped = all;
  try {
    unescaped = decodeURIComponent(all.replace(/%(?![0-9a-fA-F]{2})/g, "%25"));
  } catch {
    // leave as is
  }
  const parsedStrings = all.replace(/\\u([0-9a-fA-F]{4})/g, (_m, h: string) =>
    String.fromCharCode(Number.parseInt(h, 16)),
  );
  return [all, unescaped, parsedStrings].some((t) => t.includes(KEY) || t.includes(KEY_ANT));
}

const chat = (model: string, stream = false, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model, stream, messages: [{ role: "user", content: "hi" }], ...extra });
const messages = (model: string, stream = false) =>
  JSON.stringify({ model, stream, max_tokens: 20, messages: [{ role: "user", content: "hi" }] });

describe("an echoed managed key in an error body", () => {
  it.each([
    ["\\u escapes", escaped(KEY)],
    ["percent-encoding", percent(KEY)],
    ["a mix", `${KEY.slice(0, 4)}${escaped(KEY.slice(4, 9))}${percent(KEY.slice(9, 12))}${KEY.slice(12)}`],
  ])("same format (chat → OpenAI), %s: redacted", async (_name, spelled) => {
    mock.script({
      status: 401,
      raw: `{"error":{"message":"Incorrect API key provided: ${spelled}","type":"invalid_request_error"}}`,
    });
    const r = await post(url, "/v1/chat/completions", chat("oai-x"));
    expect(r.status).toBe(401);
    expect(leaks(r.text)).toBe(false);
    const j = JSON.parse(r.text) as { error: { message: string } };
    expect(j.error.message).toBe("Incorrect API key provided: [redacted]");
  });

  it("translated (messages → OpenAI): the Anthropic error carries no key", async () => {
    mock.script({
      status: 401,
      raw: `{"error":{"message":"Incorrect API key provided: ${escaped(KEY)}","type":"invalid_request_error"}}`,
    });
    const r = await post(url, "/v1/messages", messages("oai-x"));
    expect(r.status).toBe(401);
    expect(leaks(r.text)).toBe(false);
    expect(r.text).toContain("[redacted]");
  });

  it.each([
    ["gzip", (b: Buffer) => gzipSync(b)],
    ["br", (b: Buffer) => brotliCompressSync(b)],
  ])("compressed (%s) though agw asked for none: decoded, then redacted", async (encoding, compress) => {
    mock.script({
      status: 401,
      headers: { "content-encoding": encoding },
      raw: compress(
        Buffer.from(
          `{"error":{"message":"Incorrect API key provided: ${KEY}","type":"invalid_request_error"}}`,
        ),
      ),
    });
    const r = await post(url, "/v1/chat/completions", chat("oai-x"));
    expect(r.status).toBe(401);
    expect(leaks(r.text)).toBe(false);
    expect((JSON.parse(r.text) as { error: { message: string } }).error.message).toBe(
      "Incorrect API key provided: [redacted]",
    );
  });

  it("an encoding agw cannot decode: the body is withheld, the status kept", async () => {
    mock.script({ status: 401, headers: { "content-encoding": "zstd" }, raw: Buffer.from(`opaque ${KEY}`) });
    const r = await post(url, "/v1/messages", messages("oai-x"));
    expect(r.status).toBe(401);
    expect(leaks(r.text)).toBe(false);
    expect(r.text).toContain("withheld");
  });

  it("base64 (a Basic credential echoed): redacted", async () => {
    const basic = Buffer.from(`user:${KEY}`).toString("base64");
    mock.script({ status: 403, raw: `{"error":{"message":"denied: Basic ${basic}"}}` });
    const r = await post(url, "/v1/chat/completions", chat("oai-x"));
    expect(r.status).toBe(403);
    expect(r.text).toContain("[redacted]");
    expect(Buffer.from(r.text.match(/Basic (\S*)"/)?.[1] ?? "", "base64").toString("latin1")).not.toContain(
      KEY,
    );
  });
});

describe("an echoed managed key behind a response guard", () => {
  it("a same-format JSON answer judged in place: body and header redacted", async () => {
    mock.script({
      headers: { "x-echo": KEY },
      json: {
        id: "c1",
        object: "chat.completion",
        created: 1,
        model: "gpt-upstream",
        choices: [{ index: 0, message: { role: "assistant", content: `key ${KEY}` }, finish_reason: "stop" }],
        usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
      },
    });
    const res = await fetch(`${guardedUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: chat("oai-x"),
    });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get("x-echo")).toBe("[redacted]");
    expect(text).toContain("key [redacted]");
    expect(leaks(text)).toBe(false);
  });
});

describe("an echoed managed key on a path passed through unparsed", () => {
  it("a 401 from /v1/files, with the key lent by keyOnOpaquePaths: redacted", async () => {
    mock.script({ status: 401, raw: `{"error":{"message":"Incorrect API key provided: ${escaped(KEY)}"}}` });
    const res = await fetch(`${url}/v1/files`);
    const text = await res.text();
    expect(res.status).toBe(401);
    expect(mock.requests.at(-1)?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(leaks(text)).toBe(false);
    expect(text).toContain("[redacted]");
  });
});

describe("an echoed managed key in a stream", () => {
  const chatDelta = (content: string) =>
    `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-upstream","choices":[{"index":0,"delta":{"content":"${content}"},"finish_reason":null}]}\n\n`;

  it.each([
    ["usage hidden (events re-framed)", {}],
    ["usage asked (bytes passed through)", { stream_options: { include_usage: true } }],
  ])("chat same format, %s: error event after the start and a delta", async (_n, extra) => {
    mock.script({
      events: [
        chatDelta("hello "),
        chatDelta(`your key is ${KEY}`),
        `data: {"error":{"message":"bad key ${escaped(KEY)}","type":"server_error"}}\n\n`,
      ],
      chunking: { every: 9 },
    });
    const r = await post(url, "/v1/chat/completions", chat("oai-x", true, extra));
    expect(r.status).toBe(200);
    expect(r.text).toContain("hello");
    expect(r.text).toContain("your key is [redacted]");
    expect(r.text).toContain("bad key [redacted]");
    expect(leaks(r.text)).toBe(false);
  });

  it("messages same format: an error event after message_start", async () => {
    mock.script({
      events: [
        {
          event: "message_start",
          data: {
            type: "message_start",
            message: {
              id: "msg_1",
              type: "message",
              role: "assistant",
              model: "claude-upstream",
              content: [],
              stop_reason: null,
              usage: { input_tokens: 1, output_tokens: 0 },
            },
          },
        },
        `event: error\ndata: {"type":"error","error":{"type":"authentication_error","message":"key ${escaped(KEY_ANT)} revoked"}}\n\n`,
      ],
      chunking: { every: 7 },
    });
    const r = await post(url, "/v1/messages", messages("ant-x", true));
    expect(r.status).toBe(200);
    expect(r.text).toContain("message_start");
    expect(r.text).toContain("key [redacted] revoked");
    expect(leaks(r.text)).toBe(false);
  });

  // Behind a response guard, same-format streams are judged chunk by chunk (guarded-*-stream.ts).
  it("chat same format behind a response guard: a delta and an error event", async () => {
    mock.script({
      events: [
        chatDelta("hello "),
        chatDelta(`your key is ${KEY}`),
        `data: {"error":{"message":"bad key ${escaped(KEY)}","type":"server_error"}}\n\n`,
      ],
      chunking: { every: 9 },
    });
    const r = await post(guardedUrl, "/v1/chat/completions", chat("oai-x", true));
    expect(r.status).toBe(200);
    expect(r.text).toContain("hello");
    expect(leaks(r.text)).toBe(false);
    expect(r.text).toContain("[redacted]");
  });

  it("messages same format behind a response guard: an error event after message_start", async () => {
    mock.script({
      events: [
        {
          event: "message_start",
          data: {
            type: "message_start",
            message: {
              id: "msg_1",
              type: "message",
              role: "assistant",
              model: "claude-upstream",
              content: [],
              stop_reason: null,
              usage: { input_tokens: 1, output_tokens: 0 },
            },
          },
        },
        `event: error\ndata: {"type":"error","error":{"type":"authentication_error","message":"key ${escaped(KEY_ANT)} revoked"}}\n\n`,
      ],
      chunking: { every: 7 },
    });
    const r = await post(guardedUrl, "/v1/messages", messages("ant-x", true));
    expect(r.status).toBe(200);
    expect(r.text).toContain("message_start");
    expect(leaks(r.text)).toBe(false);
  });

  it("a header echoing the key on a same-format stream is redacted", async () => {
    mock.script({ headers: { "x-echo": `Bearer ${KEY}` }, events: [chatDelta("ok"), "data: [DONE]\n\n"] });
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: chat("oai-x", true),
    });
    expect(res.headers.get("x-echo")).toBe("Bearer [redacted]");
    expect(await res.text()).toContain("ok");
  });

  it("translated (chat → Anthropic): the error event's message is redacted", async () => {
    mock.script({
      events: [
        `event: error\ndata: {"type":"error","error":{"type":"api_error","message":"key ${percent(KEY_ANT)} revoked"}}\n\n`,
      ],
    });
    const r = await post(url, "/v1/chat/completions", chat("ant-x", true));
    expect(r.status).toBe(200);
    expect(leaks(r.text)).toBe(false);
    expect(r.text).toContain("[redacted]");
  });
});
