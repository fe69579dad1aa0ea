/**
 * "Streaming adds no buffering": at low load (one request at a time, one kept-alive
 * connection), the time from the upstream's first byte to the client's first byte. The
 * upstream's gated stream sends its first event at once, stamped with its monotonic clock
 * (`x-bench-t0`; CLOCK_MONOTONIC is one clock for every process of a Linux machine), and the
 * rest only after the gate. Measured straight to the upstream, through the baseline and through
 * agw: a proxy that buffered would show the gate in its first byte.
 */
import http from "node:http";
import { chatBody } from "./scenarios.js";

export interface FirstByteStats {
  target: string;
  ok: boolean;
  reason: string;
  samples: number;
  /** Request start → first body byte at the client, p50 and p99 (ms). */
  ttfbP50Ms: number;
  ttfbP99Ms: number;
  /** Upstream first write → first body byte at the client, p50 (ms); undefined without the stamp. */
  upstreamToClientP50Ms: number | undefined;
  upstreamToClientP99Ms: number | undefined;
}

interface Sample {
  ttfbNs: bigint;
  upToClientNs: bigint | undefined;
}

const BODY = chatBody("gpt-bench", true, true);

function once(agent: http.Agent, baseUrl: string): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const req = http.request(`${baseUrl}/v1/chat/completions`, {
      method: "POST",
      agent,
      headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(BODY)) },
    });
    req.setTimeout(10_000, () => req.destroy(new Error("timeout")));
    req.once("error", reject);
    req.once("response", (res) => {
      if ((res.statusCode ?? 0) !== 200) {
        res.resume();
        reject(new Error(`status ${res.statusCode}`));
        return;
      }
      const stamp = res.headers["x-bench-t0"];
      let first: Sample | undefined;
      res.on("data", () => {
        if (first !== undefined) return;
        const now = process.hrtime.bigint();
        first = {
          ttfbNs: now - start,
          upToClientNs: typeof stamp === "string" && /^\d+$/.test(stamp) ? now - BigInt(stamp) : undefined,
        };
      });
      res.once("end", () => (first === undefined ? reject(new Error("empty body")) : resolve(first)));
      res.once("error", reject);
    });
    req.end(BODY);
  });
}

function pct(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function measureFirstByte(
  target: string,
  baseUrl: string,
  requests: number,
): Promise<FirstByteStats> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const samples: Sample[] = [];
  try {
    for (let i = 0; i < 20; i++) await once(agent, baseUrl); // warm-up: JIT, pools, connections
    for (let i = 0; i < requests; i++) samples.push(await once(agent, baseUrl));
  } catch (err) {
    agent.destroy();
    return {
      target,
      ok: false,
      reason: err instanceof Error ? err.message : String(err),
      samples: samples.length,
      ttfbP50Ms: Number.NaN,
      ttfbP99Ms: Number.NaN,
      upstreamToClientP50Ms: undefined,
      upstreamToClientP99Ms: undefined,
    };
  }
  agent.destroy();
  const ms = (ns: bigint): number => Number(ns) / 1e6;
  const ttfb = samples.map((s) => ms(s.ttfbNs)).sort((a, b) => a - b);
  const stamped = samples.flatMap((s) => (s.upToClientNs === undefined ? [] : [ms(s.upToClientNs)]));
  stamped.sort((a, b) => a - b);
  const haveStamps = stamped.length === samples.length;
  return {
    target,
    ok: true,
    reason: "",
    samples: samples.length,
    ttfbP50Ms: pct(ttfb, 50),
    ttfbP99Ms: pct(ttfb, 99),
    upstreamToClientP50Ms: haveStamps ? pct(stamped, 50) : undefined,
    upstreamToClientP99Ms: haveStamps ? pct(stamped, 99) : undefined,
  };
}
