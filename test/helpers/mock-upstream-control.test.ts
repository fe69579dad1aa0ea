/**
 * The mock's control surface: recording, script queueing, exact-bytes scripts, gates and
 * faults. Ordering is proven by awaited events, never by sleeping.
 */
import net from "node:net";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type MockUpstream, refusedUrl, startMockUpstream } from "./mock-upstream.js";

let mock: MockUpstream;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  mock = await startMockUpstream();
  openai = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: "sk-test", maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: mock.url, apiKey: "ak-test", maxRetries: 0 });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => {
  mock.reset();
});

const chatBody = (text: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model: "m", messages: [{ role: "user", content: text }], ...extra });

/** Opens a new TCP connection (no pooling) and reports how it went. */
function freshConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve("connected");
    });
    s.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? "error"));
  });
}

/** Reads a body chunk by chunk; the error (if any) ends the read. */
async function readAll(res: Response): Promise<{ bytes: Buffer; reads: number; error: unknown }> {
  const reader = res.body!.getReader();
  const parts: Buffer[] = [];
  let reads = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      reads += 1;
      parts.push(Buffer.from(value));
    }
    return { bytes: Buffer.concat(parts), reads, error: undefined };
  } catch (error) {
    return { bytes: Buffer.concat(parts), reads, error };
  }
}

describe("recording", () => {
  it("keeps method, path with query, lower-cased headers and the exact body bytes", async () => {
    const body = Buffer.from([0x7b, 0xff, 0x0d, 0x0a, 0x00, 0xe2, 0x82]);
    const res = await fetch(`${mock.url}/v1/anything?x=1&y=%20`, {
      method: "PUT",
      headers: { "X-Custom-Header": "Value", Authorization: "Bearer k" },
      body,
    });
    expect(res.status).toBe(404);
    const r = mock.requests[0]!;
    expect(r.method).toBe("PUT");
    expect(r.path).toBe("/v1/anything?x=1&y=%20");
    expect(r.pathname).toBe("/v1/anything");
    expect(r.headers["x-custom-header"]).toBe("Value");
    expect(r.headers.authorization).toBe("Bearer k");
    expect(r.body.equals(body)).toBe(true);
    expect(r.json).toBeUndefined();
    await r.finished;
    expect(r.completed).toBe(true);
    expect(r.aborted).toBe(false);
  });

  it("records what the SDKs send (auth headers, JSON body)", async () => {
    await openai.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "x" }] });
    await anthropic.messages.create({
      model: "c",
      max_tokens: 3,
      messages: [{ role: "user", content: "y" }],
    });
    const [o, a] = mock.requests;
    expect(o?.headers.authorization).toBe("Bearer sk-test");
    expect(o?.json).toEqual({ model: "gpt-4o", messages: [{ role: "user", content: "x" }] });
    // @anthropic-ai/sdk 1.x sends the API key as a bearer token, not x-api-key.
    expect(a?.headers.authorization).toBe("Bearer ak-test");
    expect(a?.headers["anthropic-version"]).toBeDefined();
    expect(a?.text).toBe(
      JSON.stringify({ model: "c", max_tokens: 3, messages: [{ role: "user", content: "y" }] }),
    );
  });

  it("nextRequest() hands out requests in order, whether they arrived before or after the call", async () => {
    await fetch(`${mock.url}/v1/chat/completions`, { method: "POST", body: chatBody("one") });
    const first = await mock.nextRequest();
    const pending = mock.nextRequest();
    await fetch(`${mock.url}/v1/chat/completions`, { method: "POST", body: chatBody("two") });
    const second = await pending;
    expect(first.json).toMatchObject({ messages: [{ content: "one" }] });
    expect(second.json).toMatchObject({ messages: [{ content: "two" }] });
    expect(second.index).toBe(1);
  });
});

describe("scripts", () => {
  it("one-shot scripts are FIFO, then always(), then the default", async () => {
    mock.always({ reply: { text: "always" } });
    mock.script({ reply: { text: "first" } });
    const h = mock.script((req) => ({
      reply: { text: `second for ${String((req.json as { model: string }).model)}` },
    }));
    const ask = async () =>
      (await openai.chat.completions.create({ model: "gpt-x", messages: [{ role: "user", content: "q" }] }))
        .choices[0]?.message.content;
    expect(await ask()).toBe("first");
    expect(await ask()).toBe("second for gpt-x");
    expect((await h.request).index).toBe(1);
    expect(await ask()).toBe("always");
    mock.always(undefined);
    expect(await ask()).toBe("echo: q");
  });

  it("a throwing script answers 500 with the reason, so test bugs are visible", async () => {
    mock.script(() => {
      throw new Error("boom");
    });
    const res = await fetch(`${mock.url}/v1/chat/completions`, { method: "POST", body: chatBody("x") });
    expect(res.status).toBe(500);
    expect(await res.text()).toContain("script threw: boom");
  });

  it("json, raw and events are sent exactly, with status and headers", async () => {
    mock.script({ json: { hello: "world" }, status: 201, headers: { "X-Extra": "1" } });
    const a = await fetch(`${mock.url}/v1/chat/completions`, { method: "POST", body: chatBody("x") });
    expect(a.status).toBe(201);
    expect(a.headers.get("x-extra")).toBe("1");
    expect(await a.json()).toEqual({ hello: "world" });

    mock.script({ raw: "not json {" });
    const b = await fetch(`${mock.url}/v1/chat/completions`, { method: "POST", body: chatBody("x") });
    expect(await b.text()).toBe("not json {");

    mock.script({
      events: [
        ": comment\n\n",
        { event: "custom", data: { a: 1 } },
        { data: "two\nlines" },
        "data: [DONE]\n\n",
      ],
    });
    const c = await fetch(`${mock.url}/v1/chat/completions`, { method: "POST", body: chatBody("x") });
    expect(c.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(await c.text()).toBe(
      ': comment\n\nevent: custom\ndata: {"a":1}\n\ndata: two\ndata: lines\n\ndata: [DONE]\n\n',
    );
  });

  it("chunking.at splits the body exactly there (proven with a gate)", async () => {
    const h = mock.script({ raw: "abcdefgh", chunking: { at: [3, 5] }, gate: true });
    const res = await fetch(`${mock.url}/x`, { method: "POST", body: "{}" });
    const reader = res.body!.getReader();
    await h.gate.sent(1);
    expect(Buffer.from((await reader.read()).value!).toString()).toBe("abc");
    h.gate.release();
    await h.gate.sent(2);
    expect(Buffer.from((await reader.read()).value!).toString()).toBe("de");
    h.gate.release();
    expect(Buffer.from((await reader.read()).value!).toString()).toBe("fgh");
    expect((await reader.read()).done).toBe(true);
    expect(h.gate.totalChunks).toBe(3);
  });

  it("delayMs holds the headers back at least that long", async () => {
    mock.script({ delayMs: 30 });
    const t0 = performance.now();
    const res = await fetch(`${mock.url}/v1/chat/completions`, { method: "POST", body: chatBody("x") });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
    expect(res.status).toBe(200);
  });
});

describe("gate", () => {
  it("the client sees chunk 1 before the upstream sends chunk 2", async () => {
    const h = mock.script({ reply: { text: "alpha beta gamma" }, gate: true });
    const stream = await openai.chat.completions.create({
      model: "m",
      stream: true,
      messages: [{ role: "user", content: "x" }],
    });
    const it = stream[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.value?.choices[0]?.delta.role).toBe("assistant");
    expect(h.gate.chunksSent).toBe(1);
    h.gate.release();
    const second = await it.next();
    expect(second.value?.choices[0]?.delta.content).toBe("alpha");
    expect(h.gate.chunksSent).toBe(2);
    const rec = await h.request;
    expect(rec.gate).toBe(h.gate);
    h.gate.releaseAll();
    const rest: string[] = [];
    for (let n = await it.next(); !n.done; n = await it.next())
      rest.push(n.value.choices[0]?.delta.content ?? "");
    expect(rest.join("")).toBe(" beta gamma");
    await h.gate.done;
    await rec.finished;
    expect(rec.completed).toBe(true);
  });

  it("sent(n) rejects when the response ends before chunk n", async () => {
    const h = mock.script({ json: { a: 1 }, gate: true });
    await (await fetch(`${mock.url}/v1/chat/completions`, { method: "POST", body: chatBody("x") })).json();
    await expect(h.gate.sent(5)).rejects.toThrow(/before chunk 5/);
  });
});

describe("faults", () => {
  it("resetBeforeHeaders and refuse give the SDK a connection error", async () => {
    for (const fault of ["resetBeforeHeaders", "refuse"] as const) {
      mock.script({ fault });
      const err = await openai.chat.completions
        .create({ model: "m", messages: [{ role: "user", content: "x" }] })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.APIConnectionError);
    }
    expect(mock.requests).toHaveLength(2);
    expect(mock.requests.every((r) => !r.aborted && !r.completed)).toBe(true);
  });

  it("resetAfterHeaders: status and headers arrive, the body fails", async () => {
    mock.script({ fault: "resetAfterHeaders" });
    const res = await fetch(`${mock.url}/v1/chat/completions`, {
      method: "POST",
      body: chatBody("x", { stream: true }),
    });
    expect(res.status).toBe(200);
    const r = await readAll(res);
    expect(r.error).toBeDefined();
    expect(r.bytes.length).toBe(0);
  });

  it("resetAfterBytes delivers exactly that many body bytes, then resets", async () => {
    mock.script({ fault: { resetAfterBytes: 40 } });
    const res = await fetch(`${mock.url}/v1/messages`, {
      method: "POST",
      body: JSON.stringify({
        model: "c",
        max_tokens: 5,
        stream: true,
        messages: [{ role: "user", content: "x" }],
      }),
    });
    const r = await readAll(res);
    expect(r.error).toBeDefined();
    expect(r.bytes.length).toBe(40);
    expect(r.bytes.toString()).toBe('event: message_start\ndata: {"type":"mess');
  });

  it("hang is ended by the client's abort, and the request is marked aborted", async () => {
    mock.script({ fault: "hang" });
    const ac = new AbortController();
    const call = anthropic.messages
      .create(
        { model: "c", max_tokens: 5, messages: [{ role: "user", content: "x" }] },
        { signal: ac.signal },
      )
      .catch((e: unknown) => e);
    const rec = await mock.nextRequest();
    ac.abort();
    expect(await call).toBeInstanceOf(Anthropic.APIUserAbortError);
    await rec.finished;
    expect(rec.aborted).toBe(true);
    expect(rec.completed).toBe(false);
  });

  it("dripMs sends the body in many small reads", async () => {
    mock.script({ raw: "abcdef", fault: { dripMs: 2 } });
    const res = await fetch(`${mock.url}/x`, { method: "POST", body: "{}" });
    const r = await readAll(res);
    expect(r.bytes.toString()).toBe("abcdef");
    expect(r.reads).toBeGreaterThan(1);
  });

  it("closeListener() refuses new connections; reopenListener() serves again on the same port", async () => {
    await mock.closeListener();
    expect(await freshConnect(mock.port)).toBe("ECONNREFUSED");
    await mock.reopenListener();
    expect(await freshConnect(mock.port)).toBe("connected");
  });

  it("refusedUrl() is a port where nothing listens", async () => {
    const url = new URL(await refusedUrl());
    expect(await freshConnect(Number(url.port))).toBe("ECONNREFUSED");
  });

  it("close() ends hanging exchanges and refuses afterwards", async () => {
    const m = await startMockUpstream();
    m.always({ fault: "hang" });
    const pending = fetch(`${m.url}/v1/chat/completions`, { method: "POST", body: chatBody("x") }).catch(
      (e: unknown) => e,
    );
    const rec = await m.nextRequest();
    await m.close();
    expect(await pending).toBeInstanceOf(TypeError);
    await rec.finished;
    const after = await fetch(`${m.url}/v1/models`).catch((e: unknown) => e);
    expect(after).toBeInstanceOf(TypeError);
  });
});
