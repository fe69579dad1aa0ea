/**
 * Driving a target: one probe request (is the answer a 2xx in the client's format?), then
 * load at fixed concurrency from wrk (C) when it is installed, else from autocannon (Node,
 * the fallback; it shares the cores with the proxies and takes CPU from both). A target that
 * fails the probe is not loaded: the report says "failed: <status>" instead of measuring
 * error pages. BENCH_LOADGEN=wrk|autocannon forces one.
 */
import http from "node:http";
import autocannon, { type AutocannonResult } from "autocannon";
import type { Scenario } from "./scenarios.js";
import { runWrk, wrkAvailable } from "./wrk.js";

export type Generator = "wrk" | "autocannon";

let chosen: Generator | undefined;

/** The load generator this run uses: BENCH_LOADGEN, else wrk when installed, else autocannon. */
export function generator(): Generator {
  if (chosen !== undefined) return chosen;
  const asked = process.env.BENCH_LOADGEN;
  if (asked !== undefined && asked !== "wrk" && asked !== "autocannon")
    throw new Error(`BENCH_LOADGEN must be wrk or autocannon, not ${asked}`);
  if (asked === "wrk" && !wrkAvailable())
    throw new Error("BENCH_LOADGEN=wrk but wrk is not installed (apt-get install wrk)");
  chosen = asked ?? (wrkAvailable() ? "wrk" : "autocannon");
  if (chosen === "autocannon" && asked === undefined)
    process.stderr.write(
      "bench: wrk not found (apt-get install wrk); falling back to autocannon, which runs in Node beside the proxies\n",
    );
  return chosen;
}

export interface Probe {
  ok: boolean;
  status: number;
  /** Why it failed, in a few words (the gateway's error code when it sent one). */
  reason: string;
  /** The credential the upstream saw (managed, caller, none), when the answer says. */
  credential: string | undefined;
}

export function probe(baseUrl: string, s: Scenario, timeoutMs = 10_000): Promise<Probe> {
  return new Promise((resolve) => {
    const req = http.request(`${baseUrl}${s.path}`, { method: "POST", headers: s.headers, agent: false });
    req.setTimeout(timeoutMs, () => req.destroy(new Error("timeout")));
    const fail = (err: Error): void =>
      resolve({ ok: false, status: 0, reason: err.message, credential: undefined });
    req.once("error", fail);
    req.once("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        if (text.length < 65_536) text += c;
      });
      res.once("end", () => {
        const status = res.statusCode ?? 0;
        const code = res.headers["x-agw-error-code"];
        const seen = res.headers["x-bench-credential"];
        const credential = typeof seen === "string" ? seen : undefined;
        if (status < 200 || status > 299) {
          const reason = typeof code === "string" ? code : text.slice(0, 120);
          resolve({ ok: false, status, reason, credential });
        } else if (!text.includes(s.expect)) {
          resolve({ ok: false, status, reason: `2xx but the body lacks ${s.expect}`, credential });
        } else resolve({ ok: true, status, reason: "", credential });
      });
      res.once("error", fail);
    });
    req.end(s.body);
  });
}

export interface LoadOptions {
  connections: number;
  durationSec: number;
  /** Reconnect every N requests per connection (connection churn). */
  reconnectRate?: number;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  /** The most frequent non-2xx status, when any. */
  worstStatus: number | undefined;
}

export function summarize(r: AutocannonResult): LoadResult {
  let worst: number | undefined;
  let worstCount = 0;
  for (const [code, { count }] of Object.entries(r.statusCodeStats ?? {})) {
    const n = Number(code);
    if ((n < 200 || n > 299) && count > worstCount) {
      worst = n;
      worstCount = count;
    }
  }
  const seconds = r.duration > 0 ? r.duration : 1;
  return {
    requests: r.requests.total,
    seconds,
    rps: r.requests.total / seconds,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
    worstStatus: worst,
  };
}

/**
 * Loads `requests` (cycled per connection) with the run's generator; resolves with its summary.
 * Connection churn (`reconnectRate`) needs autocannon: wrk keeps its connections open.
 */
export function load(
  baseUrl: string,
  requests: Array<{ path: string; headers: Record<string, string>; body: string }>,
  options: LoadOptions,
): Promise<LoadResult> {
  if (options.reconnectRate === undefined && generator() === "wrk") return runWrk(baseUrl, requests, options);
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: baseUrl,
        connections: options.connections,
        duration: options.durationSec,
        timeout: 30,
        requests: requests.map((r) => ({ method: "POST", path: r.path, headers: r.headers, body: r.body })),
        ...(options.reconnectRate === undefined ? {} : { reconnectRate: options.reconnectRate }),
      },
      (err, result) => (err ? reject(err) : resolve(summarize(result))),
    );
  });
}

export function loadScenario(baseUrl: string, s: Scenario, options: LoadOptions): Promise<LoadResult> {
  return load(baseUrl, [s], options);
}
