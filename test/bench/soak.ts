/**
 * npm run bench:soak: is agw's memory flat under a long, messy load?
 *
 *   npm run bench:soak -- [--minutes 5] [--connections 64] [--reconnect-rate 10]
 *                         [--aborters 4] [--agw auto|dist|src]
 *
 * For `--minutes`, autocannon cycles through every scenario agw answers, each connection
 * reconnecting after `--reconnect-rate` requests (connection churn), while `--aborters` loops
 * open gated streams and cut them after the first chunk (client aborts mid-stream). agw's RSS
 * is sampled every 5 s. The run is split into max(3, minutes) equal windows; RSS is "flat" when
 * the last window's mean is within 10% of the second window's (with 5 minutes: the last minute
 * against the second). Loopback only; stops by itself (a watchdog ends it if anything hangs).
 */
import http from "node:http";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { load, probe } from "./load.js";
import { installCleanup, stopAll, treeRssKb } from "./processes.js";
import { machine, timestamp, writeResults } from "./report.js";
import { chatBody, SCENARIOS, type Scenario } from "./scenarios.js";
import { type AgwSource, agwCommand, RESULTS, ROOT, startAgw, startStack } from "./stack.js";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "5" },
    connections: { type: "string", default: "64" },
    "reconnect-rate": { type: "string", default: "10" },
    aborters: { type: "string", default: "4" },
    agw: { type: "string", default: "auto" },
  },
});
const minutes = Number(values.minutes);
const connections = Number(values.connections);
const reconnectRate = Number(values["reconnect-rate"]);
const aborters = Number(values.aborters);
for (const [name, v] of Object.entries({ minutes, connections, reconnectRate, aborters })) {
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
}
if (minutes > 120) throw new Error("--minutes is capped at 120");
const SAMPLE_MS = 5000;
/** Long enough that every abort lands mid-stream, while the upstream is still holding the rest. */
const GATE_MS = 200;

interface Sample {
  tSec: number;
  rssMb: number;
}

/** Opens gated streams one after another and cuts each after its first chunk, until `deadline`. */
async function abortLoop(baseUrl: string, bodies: readonly string[], deadline: number): Promise<number> {
  let aborted = 0;
  let i = 0;
  while (Date.now() < deadline) {
    const body = bodies[i++ % bodies.length]!;
    const cut = await new Promise<boolean>((resolve) => {
      const req = http.request(`${baseUrl}/v1/chat/completions`, {
        method: "POST",
        agent: false,
        headers: { "content-type": "application/json" },
      });
      req.setTimeout(10_000, () => req.destroy());
      req.once("error", () => resolve(false));
      req.once("response", (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          res.once("end", () => resolve(false));
          return;
        }
        res.once("data", () => {
          req.destroy();
          resolve(true);
        });
        res.once("end", () => resolve(false));
        res.once("error", () => resolve(false));
      });
      req.end(body);
    });
    if (cut) aborted++;
  }
  return aborted;
}

function mean(list: readonly Sample[]): number {
  return list.reduce((a, s) => a + s.rssMb, 0) / Math.max(1, list.length);
}

async function main(): Promise<void> {
  installCleanup();
  const totalSec = minutes * 60;
  const watchdog = setTimeout(
    () => {
      process.stderr.write("soak: watchdog: the run overran; stopping\n");
      void stopAll().then(() => process.exit(2));
    },
    (totalSec + 120) * 1000,
  );

  const stem = `soak-${timestamp()}`;
  const command = await agwCommand(values.agw as AgwSource, join(ROOT, "examples/bench.yaml"));
  const stack = await startStack({ gateMs: GATE_MS });
  const agw = await startAgw({
    command,
    upstreamUrl: stack.upstreamUrl,
    workers: "1",
    logFile: join(RESULTS, `${stem}-agw.log`),
  });
  process.stderr.write(`soak: agw from ${command.how}; ${minutes} min\n`);

  const working: Scenario[] = [];
  for (const s of SCENARIOS) {
    const p = await probe(agw.url, s);
    if (p.ok) working.push(s);
    else process.stderr.write(`soak: leaving out ${s.id}: failed: ${p.status} ${p.reason}\n`);
  }
  if (working.length === 0) throw new Error("agw answered no scenario");

  const samples: Sample[] = [];
  const t0 = Date.now();
  const sample = (): void => {
    const kb = treeRssKb(agw.child.pid);
    if (kb !== undefined) samples.push({ tSec: (Date.now() - t0) / 1000, rssMb: kb / 1024 });
  };
  sample();
  const sampler = setInterval(() => {
    sample();
    const last = samples[samples.length - 1];
    if (last !== undefined && samples.length % 6 === 1) {
      process.stderr.write(`soak: ${Math.round(last.tSec)} s, agw RSS ${last.rssMb.toFixed(1)} MB\n`);
    }
  }, SAMPLE_MS);

  const deadline = t0 + totalSec * 1000;
  const gated = [chatBody("gpt-bench", true, true), chatBody("claude-bench", true, true)];
  const [result, ...aborts] = await Promise.all([
    load(agw.url, working, { connections, durationSec: totalSec, reconnectRate }),
    ...Array.from({ length: aborters }, () => abortLoop(agw.url, gated, deadline)),
  ]);
  clearInterval(sampler);
  sample();
  const after = await probe(agw.url, working[0]!);

  const windows = Math.max(3, Math.floor(minutes));
  const w = totalSec / windows;
  const inWindow = (k: number) => samples.filter((s) => s.tSec >= k * w && s.tSec < (k + 1) * w);
  const second = mean(inWindow(1));
  const last = mean(samples.filter((s) => s.tSec >= (windows - 1) * w));
  const drift = (last - second) / second;
  const flat = Math.abs(drift) <= 0.1;
  const abortedTotal = (aborts as number[]).reduce((a, n) => a + n, 0);

  const report = {
    date: new Date().toISOString(),
    machine: machine(),
    agw: command.how,
    settings: {
      minutes,
      connections,
      reconnectRate,
      aborters,
      gateMs: GATE_MS,
      scenarios: working.map((s) => s.id),
    },
    load: result,
    clientAborts: abortedTotal,
    healthyAfter: after.ok,
    rss: { windowSec: w, secondWindowMeanMb: second, lastWindowMeanMb: last, drift, flat, samples },
  };
  const md = [
    `## agw soak, ${report.date}`,
    "",
    `${minutes} min, ${connections} connections reconnecting every ${reconnectRate} requests, over ${working.map((s) => s.id).join(", ")}; ${aborters} loops aborting gated streams after their first chunk. agw from ${command.how}.`,
    "",
    "| requests | RPS | non-2xx | errors | client aborts | agw RSS 2nd window mean MB | last window mean MB | drift | flat (≤ 10%) | healthy after |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    `| ${result.requests.toLocaleString("en-US")} | ${Math.round(result.rps).toLocaleString("en-US")} | ${result.non2xx} | ${result.errors} | ${abortedTotal.toLocaleString("en-US")} | ${second.toFixed(1)} | ${last.toFixed(1)} | ${(drift * 100).toFixed(1)}% | ${flat ? "yes" : "NO"} | ${after.ok ? "yes" : `no (${after.status} ${after.reason})`} |`,
    "",
    `Windows of ${Math.round(w)} s; RSS sampled every ${SAMPLE_MS / 1000} s (${samples.length} samples, min ${Math.min(...samples.map((s) => s.rssMb)).toFixed(1)} MB, max ${Math.max(...samples.map((s) => s.rssMb)).toFixed(1)} MB).`,
  ].join("\n");
  const files = writeResults(RESULTS, stem, report, md);
  process.stdout.write(`${md}\n`);
  process.stderr.write(`soak: wrote ${files.join(", ")}\n`);
  clearTimeout(watchdog);
  if (!flat || !after.ok) process.exitCode = 1;
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`soak: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
