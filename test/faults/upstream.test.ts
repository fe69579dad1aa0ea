/**
 * Upstream faults, for every client format × upstream format × JSON/SSE: refused, reset
 * before headers, reset after headers and mid-stream, a hang past the headers timeout, a drip
 * slower than the idle timeout, malformed JSON and SSE. The caller always gets a well-formed
 * answer in its own format (a 5xx in its envelope, or an error event ending its stream, never
 * a clean end), and the gateway serves the next request normally.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Answer,
  type Combo,
  call,
  combos,
  endedCleanly,
  expectEnvelope,
  type FaultGateway,
  startFaultGateway,
  stillServes,
  streamError,
  until,
} from "./harness.js";

let g: FaultGateway;

/** A good stream in the upstream's own format (recorded through a same-format call), as its SSE blocks. */
async function goodUpstreamStream(c: Combo): Promise<string[]> {
  g.mock.reset();
  const upstreamClient = c.upstream === "ant" ? "messages" : c.client === "messages" ? "chat" : c.client;
  const good = await call(g, { ...c, client: upstreamClient });
  return good.text.split("\n\n");
}
beforeAll(async () => {
  g = await startFaultGateway({ headersMs: 300, idleMs: 200 });
});
afterAll(async () => {
  await g.close();
});

/** A failure before any byte: status, code header and the caller's envelope. */
function expectGatewayError(c: Combo, r: Answer, status: number, code: string): void {
  expect(r.status, r.text).toBe(status);
  expect(r.headers.get("x-agw-error-code")).toBe(code);
  expect(r.headers.get("x-agw-request-id")).toMatch(/./);
  const env = expectEnvelope(c.client, r.text);
  expect(env.message).not.toBe("");
}

/** A stream that started and then failed: an error event in the client's format, no clean end. */
function expectStreamError(c: Combo, r: Answer, code?: string): void {
  expect(r.status).toBe(200);
  expect(r.cut).toBe(false);
  const err = streamError(c.client, r.text);
  expect(err, r.text).toBeDefined();
  expect(endedCleanly(c.client, r.text)).toBe(false);
  if (code !== undefined) expect(JSON.stringify(err)).toContain(code);
}

describe.each(combos())("$label", (c) => {
  it("connection refused → 502 upstream_unavailable", async () => {
    await g.mock.closeListener();
    try {
      const r = await call(g, c);
      expectGatewayError(c, r, 502, "upstream_unavailable");
    } finally {
      await g.mock.reopenListener();
    }
    await stillServes(g, c);
  });

  it("reset before headers → 502 upstream_unavailable", async () => {
    g.mock.script({ fault: "resetBeforeHeaders" });
    expectGatewayError(c, await call(g, c), 502, "upstream_unavailable");
    await stillServes(g, c);
  });

  it("never answers → 504 upstream_timeout after the headers timeout", async () => {
    g.mock.script({ fault: "hang" });
    const t0 = Date.now();
    const r = await call(g, c);
    const took = Date.now() - t0;
    expectGatewayError(c, r, 504, "upstream_timeout");
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(2000);
    await stillServes(g, c);
  });

  it("reset right after headers → 502 (JSON) or an error event (SSE)", async () => {
    g.mock.script({ fault: "resetAfterHeaders" });
    const r = await call(g, c);
    if (c.stream) expectStreamError(c, r);
    else expectGatewayError(c, r, 502, "upstream_unavailable");
    await stillServes(g, c);
  });

  it("reset mid-body → 502 (JSON) or an error event (SSE)", async () => {
    g.mock.script({ fault: { resetAfterBytes: 60 }, reply: { text: "a fairly long answer ".repeat(8) } });
    const r = await call(g, c);
    if (c.stream) expectStreamError(c, r, "upstream");
    else expectGatewayError(c, r, 502, "upstream_unavailable");
    await stillServes(g, c);
  });

  it("drips slower than the idle timeout → 504 (JSON) or an error event (SSE)", async () => {
    // undici's timers tick about every 500 ms: the gap must clear the idle timeout by more.
    g.mock.script({ fault: { dripMs: 1500 }, chunking: { every: 40 }, reply: { text: "slow ".repeat(20) } });
    const t0 = Date.now();
    const r = await call(g, c);
    expect(Date.now() - t0).toBeLessThan(1500);
    if (c.stream) expectStreamError(c, r, c.client === "messages" ? "timeout_error" : "upstream_timeout");
    else expectGatewayError(c, r, 504, "upstream_timeout");
    await stillServes(g, c);
  });

  it("malformed body → 502 in the caller's envelope (JSON) or an error event (SSE)", async () => {
    const raw = c.stream
      ? 'data: {"id": "x", "choices": [{\n\nevent: foo\ndata: }}}\n\n'
      : '{"id": "x", "choi';
    g.mock.script({ raw });
    const r = await call(g, c);
    if (c.stream) expectStreamError(c, r);
    else expectGatewayError(c, r, 502, "upstream_error");
    await stillServes(g, c);
  });

  it.each([["null"], ["[]"], ['"text"'], ["{}"], ['{"choices": 5, "content": {"x": 1}, "output": "no"}']])(
    "valid JSON of the wrong shape (%s) gets a well-formed answer, never a 500",
    async (raw) => {
      g.mock.script({ raw: c.stream ? `data: ${raw}\n\n` : raw });
      const r = await call(g, c);
      expect(r.status, r.text).not.toBe(500);
      expect(r.headers.get("x-agw-error-code")).not.toBe("internal_error");
      if (c.stream && r.status === 200) expect(endedCleanly(c.client, r.text)).toBe(false);
      else if (r.status >= 400) expectEnvelope(c.client, r.text);
      else JSON.parse(r.text);
      await stillServes(g, c);
    },
  );

  it("a malformed event inside an otherwise complete stream is not lost silently", async () => {
    if (!c.stream) return;
    // Record a good stream of the upstream's format, then corrupt one event in the middle.
    const blocks = await goodUpstreamStream(c);
    expect(blocks.length).toBeGreaterThan(4);
    const mid = Math.floor(blocks.length / 2);
    blocks[mid] = (blocks[mid] ?? "").replace(/data: .*/, 'data: {"broken": ');
    g.mock.script({ raw: blocks.join("\n\n") });
    const r = await call(g, c);
    if ((c.client !== "messages") === (c.upstream === "oai")) {
      // Same format: bytes pass through as sent, then the gateway's error event ends the stream.
      expect(r.text).toContain('data: {"broken": ');
    }
    expectStreamError(c, r, c.client === "messages" ? "api_error" : "upstream_stream_malformed");
    await stillServes(g, c);
  });

  it("a content delta broken inside, yet shaped like a JSON object, is reported too", async () => {
    if (!c.stream) return;
    const blocks = await goodUpstreamStream(c);
    // A text delta past the first event, its text given a bad escape: `{...}` still, not JSON.
    const at = blocks.findIndex((b, i) => i > 1 && /"(content|text)":"[^"]/.test(b));
    expect(at).toBeGreaterThan(1);
    blocks[at] = (blocks[at] ?? "").replace(/"(content|text)":"/, '"$1":"\\q');
    expect(blocks[at]).toMatch(/\{.*\\q.*\}$/);
    g.mock.script({ raw: blocks.join("\n\n") });
    const r = await call(g, c);
    expectStreamError(c, r, c.client === "messages" ? "api_error" : "upstream_stream_malformed");
    await stillServes(g, c);
  });

  it("a stream that ends without its terminal event is an error, not a clean end", async () => {
    if (!c.stream) return;
    g.mock.script({
      fault: { resetAfterBytes: 10_000 },
      reply: { text: "short" },
      chunking: { every: 4096 },
    });
    const r = await call(g, c);
    // The whole body fitted, so the mock's reset lands after a complete stream: a clean end is right.
    expect(r.status).toBe(200);
    const truncated = r.text.slice(0, Math.floor(r.text.length / 2));
    g.mock.script({ events: [], raw: truncated });
    const r2 = await call(g, c);
    expectStreamError(c, r2);
    await stillServes(g, c);
  });
});

describe("after every fault", () => {
  it("nothing is left in flight", async () => {
    await until(() => g.gateway.inFlight() === 0, 1000, "in flight back to 0");
    expect(g.logs.lines.filter((l) => l.msg === "request failed")).toEqual([]);
  });
});
