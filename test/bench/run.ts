/**
 * npm run bench: agw against a plain node:http + undici proxy, in one run, on one machine.
 *
 *   npm run bench -- [--connections 32] [--duration 30] [--rounds 5] [--warmup 1]
 *                    [--scenarios chat,chat-stream,...] [--workers 1|auto]
 *                    [--first-byte 200] [--gate-ms 10] [--agw auto|dist|src] [--cpu-prof]
 *
 * See test/bench/README.md for what the figures mean.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type FirstByteStats, measureFirstByte } from "./first-byte.js";
import { generator, type LoadResult, load as loadMix, loadScenario, probe } from "./load.js";
import { installCleanup, stopAll, treeCpuMicros, treeRssKb } from "./processes.js";
import {
  type BenchReport,
  machine,
  renderMarkdown,
  type ScenarioRow,
  type SuiteReport,
  type TargetFigures,
  timestamp,
  writeResults,
} from "./report.js";
import { pickScenarios, type Scenario } from "./scenarios.js";
import {
  type Agw,
  type AgwSource,
  agwCommand,
  RESULTS,
  ROOT,
  type Stack,
  startAgw,
  startStack,
  stopAgw,
} from "./stack.js";

const { values } = parseArgs({
  options: {
    connections: { type: "string", default: "32" },
    duration: { type: "string", default: "30" },
    rounds: { type: "string", default: "5" },
    warmup: { type: "string", default: "1" },
    scenarios: { type: "string", default: "all" },
    workers: { type: "string", default: "1" },
    "first-byte": { type: "string", default: "200" },
    "gate-ms": { type: "string", default: "10" },
    agw: { type: "string", default: "auto" },
    "cpu-prof": { type: "boolean", default: false },
  },
});

function positive(name: string, text: string | undefined, min = 1): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}, not ${text}`);
  return n;
}

const opts = {
  connections: Math.floor(positive("connections", values.connections)),
  durationSec: positive("duration", values.duration),
  rounds: Math.floor(positive("rounds", values.rounds)),
  warmupSec: positive("warmup", values.warmup, 0),
  scenarios: pickScenarios(values.scenarios),
  workersAuto: values.workers === "auto",
  firstByte: Math.floor(positive("first-byte", values["first-byte"], 0)),
  gateMs: positive("gate-ms", values["gate-ms"]),
  agw: values.agw as AgwSource,
};
if (!["auto", "dist", "src"].includes(opts.agw)) throw new Error("--agw must be auto, dist or src");
if (!["1", "auto"].includes(values.workers ?? "1")) throw new Error("--workers must be 1 or auto");

const toMb = (kb: number | undefined): number | undefined => (kb === undefined ? undefined : kb / 1024);

/** Samples a proxy's RSS (process and workers) while it is loaded; keeps the peak. */
class RssSampler {
  #timer: NodeJS.Timeout | undefined;
  peakKb = 0;
  constructor(private readonly pid: number) {}
  start(): void {
    this.#timer = setInterval(() => {
      const kb = treeRssKb(this.pid);
      if (kb !== undefined && kb > this.peakKb) this.peakKb = kb;
    }, 200);
  }
  stop(): void {
    clearInterval(this.#timer);
    const kb = treeRssKb(this.pid);
    if (kb !== undefined && kb > this.peakKb) this.peakKb = kb;
  }
}

function combine(runs: readonly LoadResult[], cpuMicros: number): TargetFigures {
  const requests = runs.reduce((a, r) => a + r.requests, 0);
  const seconds = runs.reduce((a, r) => a + r.seconds, 0);
  const non2xx = runs.reduce((a, r) => a + r.non2xx, 0);
  const errors = runs.reduce((a, r) => a + r.errors, 0);
  const mean = (f: (r: LoadResult) => number) => runs.reduce((a, r) => a + f(r), 0) / runs.length;
  const worst = runs.find((r) => r.worstStatus !== undefined)?.worstStatus;
  // Anything beyond a stray error means the figures are of error pages, not of the scenario.
  const failed = requests === 0 || (non2xx + errors) / Math.max(1, requests) > 0.01;
  return {
    failure: failed
      ? `failed: ${worst ?? "errors"} (${non2xx} non-2xx, ${errors} errors in ${requests})`
      : undefined,
    rps: requests / seconds,
    p50Ms: Math.round(mean((r) => r.p50Ms) * 100) / 100,
    p99Ms: Math.round(mean((r) => r.p99Ms) * 100) / 100,
    requests,
    non2xx,
    errors,
    cpuUsPerRequest: requests === 0 ? Number.NaN : cpuMicros / requests,
  };
}

/**
 * agw RPS / baseline RPS of each round: the two runs of a round are adjacent in time, so a
 * drift in the machine's speed between rounds cancels out of each round's ratio.
 */
function pairedRatios(base: readonly LoadResult[], mine: readonly LoadResult[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.min(base.length, mine.length); i++) {
    const b = base[i]!;
    const a = mine[i]!;
    if (b.requests > 0 && a.seconds > 0 && b.seconds > 0)
      out.push(a.requests / a.seconds / (b.requests / b.seconds));
  }
  return out;
}

function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1]! + s[m]!) / 2;
}

const failedFigures = (failure: string): TargetFigures => ({
  failure,
  rps: Number.NaN,
  p50Ms: Number.NaN,
  p99Ms: Number.NaN,
  requests: 0,
  non2xx: 0,
  errors: 0,
  cpuUsPerRequest: Number.NaN,
});

async function runScenario(stack: Stack, agw: Agw, s: Scenario): Promise<ScenarioRow> {
  const load = { connections: opts.connections, durationSec: Math.max(1, opts.durationSec / opts.rounds) };
  const [pb, pa] = [await probe(stack.baselineUrl, s), await probe(agw.url, s)];
  const failureOf = (p: { status: number; reason: string }) =>
    `failed: ${p.status === 0 ? "no answer" : p.status}${p.reason === "" ? "" : ` (${p.reason})`}`;
  process.stderr.write(
    `bench: ${s.id}: baseline ${pb.ok ? "ok" : failureOf(pb)}, agw ${pa.ok ? `ok (upstream saw credential: ${pa.credential ?? "?"})` : failureOf(pa)}\n`,
  );
  if (opts.warmupSec > 0) {
    const warm = { connections: opts.connections, durationSec: opts.warmupSec };
    if (pb.ok) await loadScenario(stack.baselineUrl, s, warm);
    if (pa.ok) await loadScenario(agw.url, s, warm);
  }
  const base: LoadResult[] = [];
  const mine: LoadResult[] = [];
  const cpu = { baseline: 0, agw: 0 };
  /** CPU µs per request of each round, per proxy (NaN when a round answered nothing). */
  const perRound = { baseline: [] as number[], agw: [] as number[] };
  /** Runs one load and adds the CPU the process under test spent meanwhile. */
  const measured = async (url: string, pid: number, key: "baseline" | "agw"): Promise<LoadResult> => {
    const before = treeCpuMicros(pid) ?? 0;
    const r = await loadScenario(url, s, load);
    const spent = (treeCpuMicros(pid) ?? before) - before;
    cpu[key] += spent;
    perRound[key].push(r.requests > 0 ? spent / r.requests : Number.NaN);
    return r;
  };
  const rss = new RssSampler(agw.child.pid);
  const baseRss = new RssSampler(stack.baseline.pid);
  for (let i = 0; i < opts.rounds; i++) {
    if (pb.ok) {
      baseRss.start();
      base.push(await measured(stack.baselineUrl, stack.baseline.pid, "baseline"));
      baseRss.stop();
    }
    if (pa.ok) {
      rss.start();
      mine.push(await measured(agw.url, agw.child.pid, "agw"));
      rss.stop();
    }
  }
  const baseline = pb.ok ? combine(base, cpu.baseline) : failedFigures(failureOf(pb));
  const agwFig = pa.ok ? combine(mine, cpu.agw) : failedFigures(failureOf(pa));
  const ratio =
    baseline.failure === undefined && agwFig.failure === undefined ? agwFig.rps / baseline.rps : undefined;
  const roundRatios = ratio === undefined ? [] : pairedRatios(base, mine);
  // baseline µs ÷ agw µs of each round: the ratio the targets are stated in.
  const cpuRoundRatios =
    ratio === undefined
      ? []
      : perRound.agw
          .map((a, i) => (perRound.baseline[i] ?? Number.NaN) / a)
          .filter((x) => Number.isFinite(x));
  process.stderr.write(
    `bench: ${s.id}: baseline ${baseline.failure ?? `${Math.round(baseline.rps)} rps`}, agw ${agwFig.failure ?? `${Math.round(agwFig.rps)} rps`}${ratio === undefined ? "" : `, rps ratio ${ratio.toFixed(2)}, cpu ratio ${median(cpuRoundRatios)?.toFixed(2) ?? "—"}`}\n`,
  );
  return {
    id: s.id,
    title: s.title,
    kind: s.kind,
    target: s.target,
    baseline,
    agw: agwFig,
    ratio,
    roundRatios,
    pairedRatio: median(roundRatios),
    cpuRoundRatios,
    cpuRatio: median(cpuRoundRatios),
    agwUpstreamCredential: pa.credential,
    agwRssEndMb: toMb(treeRssKb(agw.child.pid)),
    agwRssPeakMb: pa.ok ? toMb(rss.peakKb) : undefined,
    baselineRssPeakMb: pb.ok ? toMb(baseRss.peakKb) : undefined,
  };
}

async function runSuite(stack: Stack, agw: Agw): Promise<SuiteReport> {
  // A first pass over every scenario on both, so the first scenario measured is not the one
  // that pays for JIT compilation and opening the upstream pools.
  if (opts.warmupSec > 0) {
    const warm = { connections: opts.connections, durationSec: Math.max(2, opts.warmupSec * 2) };
    await loadMix(stack.baselineUrl, opts.scenarios, warm);
    await loadMix(agw.url, opts.scenarios, warm);
  }
  const rows: ScenarioRow[] = [];
  for (const s of opts.scenarios) rows.push(await runScenario(stack, agw, s));
  const highest = (list: Array<number | undefined>): number | undefined => {
    const known = list.filter((x): x is number => x !== undefined);
    return known.length === 0 ? undefined : Math.max(...known);
  };
  return {
    workers: agw.workers,
    workerCount: agw.workerCount,
    rows,
    rssPeakMb: highest(rows.map((r) => r.agwRssPeakMb)),
    baselineRssPeakMb: highest(rows.map((r) => r.baselineRssPeakMb)),
  };
}

function accessLogSummary(file: string): string {
  let lines: string[] = [];
  try {
    lines = readFileSync(file, "utf8").split("\n");
  } catch {
    return `none written (${file})`;
  }
  const requests = lines.filter((l) => l.includes('"msg":"request"')).length;
  const rel = file.startsWith(ROOT) ? file.slice(ROOT.length) : file;
  return `on (info, JSON, agw's stdout → ${rel}; ${requests.toLocaleString("en-US")} request lines; the config has no log-file setting)`;
}

async function main(): Promise<void> {
  installCleanup();
  const stem = timestamp();
  const command = await agwCommand(opts.agw, join(ROOT, "examples/bench.yaml"));
  process.stderr.write(`bench: agw from ${command.how}\n`);
  const stack = await startStack({ gateMs: opts.gateMs });
  const logFile = join(RESULTS, `${stem}-agw.log`);
  mkdirSync(RESULTS, { recursive: true });

  // A profile of the single-process agw over the whole suite, written when agw exits.
  const profDir = join(RESULTS, `${stem}-cpu-prof`);
  const nodeArgs = values["cpu-prof"] ? ["--cpu-prof", "--cpu-prof-dir", profDir] : [];
  const agw = await startAgw({ command, upstreamUrl: stack.upstreamUrl, workers: "1", logFile, nodeArgs });
  const metrics = agw.metrics
    ? `on (statsAddr 127.0.0.1:${agw.statsPort})`
    : "not available (config.statsAddr is accepted but nothing listens on it yet)";
  const suites: SuiteReport[] = [await runSuite(stack, agw)];

  const firstByte: FirstByteStats[] = [];
  if (opts.firstByte > 0) {
    process.stderr.write(`bench: first byte, ${opts.firstByte} sequential requests per path\n`);
    firstByte.push(await measureFirstByte("direct", stack.upstreamUrl, opts.firstByte));
    firstByte.push(await measureFirstByte("baseline", stack.baselineUrl, opts.firstByte));
    firstByte.push(await measureFirstByte("agw", agw.url, opts.firstByte));
  }
  await stopAgw(agw);

  let workersAuto: string | undefined;
  if (opts.workersAuto) {
    const wLog = join(RESULTS, `${stem}-agw-workers.log`);
    const multi = await startAgw({ command, upstreamUrl: stack.upstreamUrl, workers: "auto", logFile: wLog });
    if (multi.workerCount === 0) {
      workersAuto =
        "not available: with `config.workers: auto` agw still served from one process (no workers were forked).";
      process.stderr.write(`bench: workers auto: ${workersAuto}\n`);
    } else {
      suites.push(await runSuite(stack, multi));
    }
    await stopAgw(multi);
  }

  const report: BenchReport = {
    date: new Date().toISOString(),
    machine: machine(),
    settings: {
      generator: generator(),
      connections: opts.connections,
      durationSec: opts.durationSec,
      rounds: opts.rounds,
      warmupSec: opts.warmupSec,
      gateMs: opts.gateMs,
    },
    agw: { how: command.how, metrics, accessLog: accessLogSummary(logFile) },
    suites,
    workersAuto,
    firstByte,
  };
  const md = renderMarkdown(report);
  const files = writeResults(RESULTS, stem, report, md);
  process.stdout.write(`${md}\n`);
  process.stderr.write(`bench: wrote ${files.join(", ")}\n`);
  if (values["cpu-prof"]) process.stderr.write(`bench: agw CPU profile in ${profDir}\n`);
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
