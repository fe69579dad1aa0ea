/** The bench's results: one JSON document, rendered as markdown for the terminal and the README. */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import type { FirstByteStats } from "./first-byte.js";
import type { ScenarioKind } from "./scenarios.js";

export interface TargetFigures {
  /** "failed: <status> (<reason>)" when the target did not answer 2xx in the client's format. */
  failure: string | undefined;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
  /** CPU time (user + system) the process spent per request answered, in µs. */
  cpuUsPerRequest: number;
}

export interface ScenarioRow {
  id: string;
  title: string;
  kind: ScenarioKind;
  target: number;
  baseline: TargetFigures;
  agw: TargetFigures;
  /** agw RPS / baseline RPS, from this run; undefined when either failed. */
  ratio: number | undefined;
  /** agw RPS / baseline RPS of each round (a baseline run and the agw run right after it). */
  roundRatios: number[];
  /** The median of roundRatios: the ratio least moved by the machine's drift during the run. */
  pairedRatio: number | undefined;
  /** baseline CPU µs/request ÷ agw CPU µs/request of each round. */
  cpuRoundRatios: number[];
  /** The median of cpuRoundRatios: what `target` is judged on. */
  cpuRatio: number | undefined;
  /** Which bench credential the upstream saw from agw (managed, caller, none). */
  agwUpstreamCredential: string | undefined;
  agwRssEndMb: number | undefined;
  agwRssPeakMb: number | undefined;
  /** The baseline's RSS peak over its runs of the row: what the plainest proxy needs for the same load. */
  baselineRssPeakMb: number | undefined;
}

export interface SuiteReport {
  workers: "1" | "auto";
  /** Worker processes seen under agw. */
  workerCount: number;
  rows: ScenarioRow[];
  /** agw's highest RSS peak over the rows. */
  rssPeakMb: number | undefined;
  /** The baseline's highest RSS peak over the rows. */
  baselineRssPeakMb: number | undefined;
}

export interface BenchReport {
  date: string;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryMb: number;
    node: string;
    platform: string;
    /** 1-minute load average when the run started: other work on the machine skews RPS. */
    loadAverage: number;
  };
  settings: {
    /** The load generator: wrk (C), or autocannon (Node) when wrk is missing. */
    generator: "wrk" | "autocannon";
    connections: number;
    durationSec: number;
    rounds: number;
    warmupSec: number;
    gateMs: number;
  };
  agw: { how: string; metrics: string; accessLog: string };
  suites: SuiteReport[];
  /** When `--workers auto` was asked for but agw did not fork workers. */
  workersAuto: string | undefined;
  firstByte: FirstByteStats[];
}

export function machine(): BenchReport["machine"] {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    memoryMb: Math.round(os.totalmem() / 2 ** 20),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadAverage: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
  };
}

const f0 = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "—");
const f2 = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? "—" : n.toFixed(2));
const mb = (n: number | undefined): string => (n === undefined ? "—" : n.toFixed(0));

/** "0.84 (0.79–0.88)": the median of the per-round ratios and their spread. */
function spread(median: number | undefined, list: readonly number[]): string {
  if (median === undefined) return "—";
  if (list.length < 2) return f2(median);
  return `${f2(median)} (${f2(Math.min(...list))}–${f2(Math.max(...list))})`;
}

function suiteTable(s: SuiteReport): string {
  const lines = [
    "| scenario | CPU µs/request baseline / agw | CPU ratio, per-round median (range) | target | baseline RPS | agw RPS | RPS ratio, per-round median (range) | baseline p50 / p99 ms | agw p50 / p99 ms | RSS peak MB baseline / agw (agw at end) |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of s.rows) {
    const cell = (t: TargetFigures) => t.failure ?? f0(t.rps);
    const lat = (t: TargetFigures) => (t.failure === undefined ? `${t.p50Ms} / ${t.p99Ms}` : "—");
    const verdict = r.cpuRatio === undefined ? "" : r.cpuRatio >= r.target ? " (meets)" : " (below)";
    lines.push(
      `| ${r.title} | ${f0(r.baseline.cpuUsPerRequest)} / ${f0(r.agw.cpuUsPerRequest)} | ${spread(r.cpuRatio, r.cpuRoundRatios)}${verdict} | ≥ ${r.target} | ${cell(r.baseline)} | ${cell(r.agw)} | ${spread(r.pairedRatio, r.roundRatios)} | ${lat(r.baseline)} | ${lat(r.agw)} | ${mb(r.baselineRssPeakMb)} / ${mb(r.agwRssPeakMb)} (${mb(r.agwRssEndMb)}) |`,
    );
  }
  const creds = s.rows
    .map(
      (r) => `${r.id} ${r.agwUpstreamCredential ?? "not visible (translated answers drop upstream headers)"}`,
    )
    .join(", ");
  lines.push("", `Credential the upstream received from agw: ${creds}.`);
  lines.push(
    "CPU µs/request: CPU time (user + system, from /proc/<pid>/stat, summed over the process tree) the proxy spent during its runs, divided by the requests it answered; steadier than RPS on a shared machine. CPU ratio = baseline µs ÷ agw µs of each round (a baseline run, then agw's right after), the median and range over the rounds: the throughput ratio if each had a core to itself. The target is judged on its median.",
    "RPS ratio: agw RPS ÷ baseline RPS of each round, median (range); on a shared 2-core machine it also measures who got the cores.",
    "RSS: resident memory (VmRSS, summed over agw's workers) sampled every 200 ms during each proxy's own runs; the baseline runs as plain JavaScript under node, with no loader.",
  );
  if (s.rssPeakMb !== undefined && s.baselineRssPeakMb !== undefined) {
    const over = s.rssPeakMb - s.baselineRssPeakMb;
    lines.push(
      `Highest RSS peak over the rows: agw ${mb(s.rssPeakMb)} MB, baseline ${mb(s.baselineRssPeakMb)} MB (agw ${over >= 0 ? "+" : "−"}${mb(Math.abs(over))} MB).`,
    );
  }
  return lines.join("\n");
}

function firstByteTable(list: readonly FirstByteStats[], gateMs: number): string {
  const lines = [
    `Upstream gates the rest of the stream by ${gateMs} ms after its first event; one request at a time.`,
    "",
    "| path | samples | time to first byte p50 / p99 ms | upstream first byte → client first byte p50 / p99 ms |",
    "|---|---:|---:|---:|",
  ];
  for (const s of list) {
    if (!s.ok) {
      lines.push(`| ${s.target} | ${s.samples} | failed: ${s.reason} | — |`);
      continue;
    }
    const up =
      s.upstreamToClientP50Ms === undefined
        ? "— (no x-bench-t0 header)"
        : `${s.upstreamToClientP50Ms.toFixed(3)} / ${f2(s.upstreamToClientP99Ms)}`;
    lines.push(
      `| ${s.target} | ${s.samples} | ${s.ttfbP50Ms.toFixed(3)} / ${s.ttfbP99Ms.toFixed(3)} | ${up} |`,
    );
  }
  const direct = list.find((s) => s.target === "direct" && s.ok);
  const agw = list.find((s) => s.target === "agw" && s.ok);
  if (direct !== undefined && agw !== undefined) {
    const extra = agw.ttfbP50Ms - direct.ttfbP50Ms;
    const buffered = agw.ttfbP50Ms >= gateMs;
    lines.push(
      "",
      `agw adds ${extra.toFixed(3)} ms to the first byte at p50 (agw − direct); ${buffered ? "BUFFERED: the first byte waited for the gate" : "no buffering (the first byte did not wait for the gate)"}.`,
    );
  }
  return lines.join("\n");
}

export function renderMarkdown(r: BenchReport): string {
  const m = r.machine;
  const s = r.settings;
  const out = [
    `## agw bench, ${r.date}`,
    "",
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryMb} MB, ${m.platform}, Node ${m.node}; load average ${m.loadAverage} at the start. All processes (load generator, upstream, baseline, agw) share it.`,
    `Load: ${s.generator === "wrk" ? "wrk (C), one thread" : "autocannon (Node, the fallback: wrk was not found; it shares the cores with the proxies)"}, ${s.connections} connections; per scenario and target ${s.durationSec} s in ${s.rounds} alternating runs (baseline, agw, …) after ${s.warmupSec} s warm-up each. RPS = requests / seconds over the runs; p50/p99 = mean over the runs.`,
    `agw: ${r.agw.how}. Access log: ${r.agw.accessLog}. Metrics: ${r.agw.metrics}.`,
    "",
  ];
  for (const suite of r.suites) {
    const label =
      suite.workers === "1"
        ? "### Single process"
        : `### workers: auto (${suite.workerCount} worker processes; RSS is the sum)`;
    out.push(label, "", suiteTable(suite), "");
  }
  if (r.workersAuto !== undefined) out.push(`### workers: auto`, "", r.workersAuto, "");
  if (r.firstByte.length > 0)
    out.push("### First byte (streaming)", "", firstByteTable(r.firstByte, s.gateMs), "");
  return out.join("\n");
}

export function writeResults(dir: string, stem: string, json: unknown, markdown: string): string[] {
  mkdirSync(dir, { recursive: true });
  const jsonPath = join(dir, `${stem}.json`);
  const mdPath = join(dir, `${stem}.md`);
  writeFileSync(jsonPath, `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(mdPath, `${markdown}\n`);
  return [jsonPath, mdPath];
}

export function timestamp(d = new Date()): string {
  return d.toISOString().replace(/[:.]/g, "-").slice(0, 19);
}
