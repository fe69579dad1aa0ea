/**
 * W3C traceparent: the caller's trace continues upstream under the gateway's span (same-format
 * and translated calls), a trace starts when the caller sends none, the access log carries the
 * trace id; spans reach a local OTLP/HTTP collector with the gen_ai attributes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIdSource, parseTraceparent } from "../../src/observability/tracing.js";
import { type MockUpstream, startMockUpstream } from "../helpers/mock-upstream.js";
import { startUpstream } from "../server/engine-helpers.js";
import { authHeaders, CHAT, gatewayConfig, request, runServe } from "./harness.js";

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(async () => {
  await mock.close();
});

describe("parseTraceparent", () => {
  it("accepts valid headers and rejects malformed, all-zero and version ff ones", () => {
    const t = "0af7651916cd43dd8448eb211c80319c";
    expect(parseTraceparent(`00-${t}-b7ad6b7169203331-01`)).toEqual({
      traceId: t,
      spanId: "b7ad6b7169203331",
      sampled: true,
    });
    expect(parseTraceparent(`00-${t}-b7ad6b7169203331-00`)?.sampled).toBe(false);
    expect(parseTraceparent(`01-${t}-b7ad6b7169203331-01-future`)?.traceId).toBe(t);
    for (const bad of [
      undefined,
      "",
      `00-${t}-b7ad6b7169203331-01-extra`,
      `ff-${t}-b7ad6b7169203331-01`,
      `00-${"0".repeat(32)}-b7ad6b7169203331-01`,
      `00-${t}-${"0".repeat(16)}-01`,
      `00-${t.slice(1)}-b7ad6b7169203331-01`,
    ]) {
      expect(parseTraceparent(bad)).toBeUndefined();
    }
  });
});

interface OtlpAttr {
  key: string;
  value: { stringValue?: string; intValue?: string; doubleValue?: number; boolValue?: boolean };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: OtlpAttr[];
  startTimeUnixNano: string;
  endTimeUnixNano: string;
}

describe("createIdSource", () => {
  it("gives lower-case hex ids of 32 and 16 characters, each from fresh bytes, across pool refills", () => {
    let fills = 0;
    let next = 0;
    const ids = createIdSource((b) => {
      fills++;
      // Every 4 bytes a new count: no two 8-byte ids alike.
      for (let i = 0; i < b.length; i += 4) b.writeUInt32BE(++next, i);
    });
    const seen = new Set<string>();
    for (let i = 0; i < 600; i++) {
      const t = ids.traceId();
      const s = ids.spanId();
      expect(t).toMatch(/^[0-9a-f]{32}$/);
      expect(s).toMatch(/^[0-9a-f]{16}$/);
      seen.add(t.slice(0, 16)).add(t.slice(16)).add(s);
    }
    // 1,800 ids of 8 bytes: the 2 KiB pool was filled eight times, and no 8 bytes were used twice.
    expect(fills).toBe(8);
    expect(seen.size).toBe(1800);
  });

  it("never gives an all-zero id", () => {
    const ids = createIdSource((b) => b.fill(0));
    expect(ids.spanId()).toBe("0000000000000001");
    expect(ids.traceId()).toBe("00000000000000010000000000000001");
  });
});

describe("trace propagation and OTLP export", () => {
  it("continues the caller's trace upstream, starts one when absent, and exports gen_ai spans", async () => {
    const bodies: unknown[] = [];
    const collector = await startUpstream((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        expect(req.url).toBe("/v1/traces");
        expect(req.headers["content-type"]).toBe("application/json");
        bodies.push(JSON.parse(Buffer.concat(chunks).toString()));
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    const run = await runServe(
      gatewayConfig(mock.url, `  tracing:\n    otlpEndpoint: http://127.0.0.1:${collector.port}/v1/traces\n`),
    );
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const callerSpan = "00f067aa0ba902b7";
    try {
      mock.script({ reply: { text: "hi", usage: { input: 9, output: 3 }, model: "gpt-4o-2024-08-06" } });
      const r1 = await request(run.port, {
        path: "/v1/chat/completions",
        headers: { ...authHeaders(), traceparent: `00-${traceId}-${callerSpan}-01` },
        body: CHAT("gpt-4o"),
      });
      expect(r1.status).toBe(200);
      const up1 = parseTraceparent(String(mock.requests.at(-1)?.headers.traceparent));
      expect(up1?.traceId).toBe(traceId);
      expect(up1?.spanId).not.toBe(callerSpan);

      // Translated (Anthropic Messages client → OpenAI upstream): built headers carry it too.
      const r2 = await request(run.port, {
        path: "/v1/messages",
        headers: { ...authHeaders(), traceparent: `00-${traceId}-${callerSpan}-01` },
        body: { model: "gpt-4o", max_tokens: 10, messages: [{ role: "user", content: "Hi" }] },
      });
      expect(r2.status).toBe(200);
      const up2 = parseTraceparent(String(mock.requests.at(-1)?.headers.traceparent));
      expect(up2?.traceId).toBe(traceId);
      expect(up2?.spanId).not.toBe(callerSpan);
      expect(up2?.spanId).not.toBe(up1?.spanId);

      const r3 = await request(run.port, {
        path: "/v1/chat/completions",
        headers: authHeaders(),
        body: CHAT("gpt-4o"),
      });
      expect(r3.status).toBe(200);
      const up3 = parseTraceparent(String(mock.requests.at(-1)?.headers.traceparent));
      expect(up3).toBeDefined();
      expect(up3?.traceId).not.toBe(traceId);
      const line = JSON.parse(
        await run.logs.waitFor((l) => l.includes(`"requestId":"${String(r3.headers["x-agw-request-id"])}"`)),
      ) as Record<string, unknown>;
      expect(line.traceId).toBe(up3?.traceId);
    } finally {
      // Shutdown flushes the exporter's queue.
      expect(await run.stop()).toBe(0);
      await run.cleanup();
      await collector.close();
    }

    const spans = bodies.flatMap((b) =>
      (b as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> }).resourceSpans.flatMap(
        (rs) => rs.scopeSpans.flatMap((ss) => ss.spans),
      ),
    );
    expect(spans).toHaveLength(3);
    const first = spans.find(
      (s) =>
        s.traceId === traceId &&
        s.attributes.some((a) => a.key === "gen_ai.operation.name" && a.value.stringValue === "completions"),
    );
    expect(first).toBeDefined();
    expect(first?.parentSpanId).toBe(callerSpan);
    const attrs = Object.fromEntries(first!.attributes.map((a) => [a.key, a.value]));
    expect(attrs["gen_ai.system"]).toEqual({ stringValue: "openai" });
    expect(attrs["gen_ai.request.model"]).toEqual({ stringValue: "gpt-4o" });
    expect(attrs["gen_ai.response.model"]).toEqual({ stringValue: "gpt-4o-2024-08-06" });
    expect(attrs["gen_ai.usage.input_tokens"]).toEqual({ intValue: "9" });
    expect(attrs["gen_ai.usage.output_tokens"]).toEqual({ intValue: "3" });
    expect(BigInt(first!.endTimeUnixNano)).toBeGreaterThan(BigInt(first!.startTimeUnixNano));
    const upstreamSpan = parseTraceparent(
      String(mock.requests.find((r) => r.headers.traceparent?.includes(traceId))?.headers.traceparent),
    );
    expect(spans.map((s) => s.spanId)).toContain(upstreamSpan?.spanId);
  });
});
