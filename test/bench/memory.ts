/**
 * Where each proxy's memory is under load: the bench's phases (a warm mix, then per scenario a
 * warmup and rounds alternating baseline / agw) with a sampler loaded into both processes
 * (`--import`), which writes `process.memoryUsage()`, V8's heap spaces and /proc's anonymous and
 * file-backed RSS every 100 ms. Prints each row's RSS peaks, then both proxies' figures by space
 * at each one's highest RSS sample, and the native rest (anonymous RSS − V8 heap − external):
 * malloc'd memory, which keeps what freed ArrayBuffers left behind.
 *
 *   npx tsx test/bench/memory.ts [--connections 256] [--duration 3] [--rounds 3]
 *                                [--scenarios all] [--agw-args "--trace-gc ..."]
 *
 * Samples go to test/bench/results/<time>-memory/ (one JSON line each); `--trace-gc` output of
 * agw lands in its log there.
 */
import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { load as loadMix, loadScenario } from "./load.js";
import { freePort, installCleanup, spawnChild, stopAll, stopChild, waitForPort } from "./processes.js";
import { timestamp } from "./report.js";
import { pickScenarios } from "./scenarios.js";
import { agwCommand, RESULTS, ROOT, startAgw, startStack } from "./stack.js";

const { values } = parseArgs({
  options: {
    connections: { type: "string", default: "256" },
    duration: { type: "string", default: "3" },
    rounds: { type: "string", default: "3" },
    scenarios: { type: "string", default: "all" },
    "agw-args": { type: "string", default: "" },
  },
});

/** The sampler, as plain JavaScript; its output directory is the first line of `<file>.dir`. */
const SAMPLER = `import { appendFileSync, readFileSync } from "node:fs";
import { getHeapSpaceStatistics } from "node:v8";
const dir = readFileSync(new URL(import.meta.url).pathname + ".dir", "utf8").trim();
const file = dir + "/" + (process.argv[1].includes("baseline") ? "baseline" : "agw") + ".jsonl";
const MB = 1 / 1048576;
setInterval(() => {
  const m = process.memoryUsage();
  const status = readFileSync("/proc/self/status", "utf8");
  const kb = (k) => Number(new RegExp(k + ":\\\\s+(\\\\d+)").exec(status)?.[1] ?? 0) / 1024;
  const s = { t: Date.now(), rss: m.rss * MB, anon: kb("RssAnon"), file: kb("RssFile"),
    heapTotal: m.heapTotal * MB, heapUsed: m.heapUsed * MB, external: m.external * MB, arrayBuffers: m.arrayBuffers * MB };
  for (const sp of getHeapSpaceStatistics()) {
    if (sp.physical_space_size === 0) continue;
    s[sp.space_name] = sp.physical_space_size * MB;
    s[sp.space_name + " used"] = sp.space_used_size * MB;
  }
  appendFileSync(file, JSON.stringify(s) + "\\n");
}, 100).unref();
`;

type Sample = Record<string, number>;
interface Mark {
  t: number;
  id: string;
}

const connections = Number(values.connections);
const rounds = Math.max(1, Number(values.rounds));
const perRound = Math.max(1, Number(values.duration) / rounds);
const out = join(RESULTS, `${timestamp()}-memory`);
mkdirSync(out, { recursive: true });
const sampler = join(RESULTS, "memory-sampler.mjs");
writeFileSync(sampler, SAMPLER);
writeFileSync(`${sampler}.dir`, out);
const hook = ["--import", sampler];

installCleanup();
const command = await agwCommand("auto", join(ROOT, "examples/bench.yaml"));
const stack = await startStack({ gateMs: 10 });
// The stack's baseline runs without the sampler: a second one with it takes its place.
await stopChild(stack.baseline);
const basePort = await freePort();
const baseline = spawnChild({
  name: "baseline",
  args: [...hook, stack.baselineScript, "--port", String(basePort), "--upstream", stack.upstreamUrl],
  cwd: ROOT,
  env: process.env,
});
await waitForPort(basePort, baseline);
const baseUrl = `http://127.0.0.1:${basePort}`;
const agwArgs = (values["agw-args"] ?? "").split(/\s+/).filter((a) => a !== "");
const agw = await startAgw({
  command,
  upstreamUrl: stack.upstreamUrl,
  workers: "1",
  logFile: join(out, "agw.log"),
  nodeArgs: [...hook, ...agwArgs],
});

const scenarios = pickScenarios(values.scenarios ?? "all");
const rows: Array<Mark & { end: number }> = [];
const loadStart = Date.now();
await loadMix(baseUrl, scenarios, { connections, durationSec: 2 });
await loadMix(agw.url, scenarios, { connections, durationSec: 2 });
for (const s of scenarios) {
  const t = Date.now();
  process.stderr.write(`memory: ${s.id}\n`);
  await loadScenario(baseUrl, s, { connections, durationSec: 1 });
  await loadScenario(agw.url, s, { connections, durationSec: 1 });
  for (let i = 0; i < rounds; i++) {
    await loadScenario(baseUrl, s, { connections, durationSec: perRound });
    await loadScenario(agw.url, s, { connections, durationSec: perRound });
  }
  rows.push({ t, id: s.id, end: Date.now() });
}
await stopAll();

const samples = (name: string): Sample[] =>
  readFileSync(join(out, `${name}.jsonl`), "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Sample);
const series = { baseline: samples("baseline"), agw: samples("agw") };
const peakOf = (list: Sample[], from: number, to: number): Sample | undefined =>
  list
    .filter((x) => x.t! >= from && x.t! <= to)
    .reduce<Sample | undefined>((a, x) => (a === undefined || x.rss! > a.rss! ? x : a), undefined);
const mb = (n: number | undefined): string => (n === undefined ? "—" : n.toFixed(1));
const native = (x: Sample): number => x.anon! - x.heapTotal! - x.external!;

const lines = ["| scenario | RSS peak MB baseline | agw |", "|---|---:|---:|"];
for (const r of rows)
  lines.push(
    `| ${r.id} | ${mb(peakOf(series.baseline, r.t, r.end)?.rss)} | ${mb(peakOf(series.agw, r.t, r.end)?.rss)} |`,
  );
const end = rows.at(-1)?.end ?? Date.now();
const pb = peakOf(series.baseline, loadStart, end);
const pa = peakOf(series.agw, loadStart, end);
if (pb !== undefined && pa !== undefined) {
  const maxOf = (list: Sample[], k: string): number =>
    Math.max(...list.filter((x) => x.t! >= loadStart && x.t! <= end).map((x) => x[k] ?? 0));
  lines.push(
    "",
    "At each one's highest RSS sample (MB); the last columns are each figure's own maximum:",
    "",
  );
  lines.push(
    "| figure | baseline | agw | agw − baseline | max baseline | max agw |",
    "|---|---:|---:|---:|---:|---:|",
  );
  const keys = [...new Set([...Object.keys(pb), ...Object.keys(pa)])].filter((k) => k !== "t");
  for (const k of keys)
    lines.push(
      `| ${k} | ${mb(pb[k])} | ${mb(pa[k])} | ${mb((pa[k] ?? 0) - (pb[k] ?? 0))} | ${mb(maxOf(series.baseline, k))} | ${mb(maxOf(series.agw, k))} |`,
    );
  lines.push(
    `| native (anon − heapTotal − external) | ${mb(native(pb))} | ${mb(native(pa))} | ${mb(native(pa) - native(pb))} | | |`,
  );
}
const report = lines.join("\n");
writeFileSync(join(out, "memory.md"), `${report}\n`);
process.stdout.write(`${report}\n`);
process.stderr.write(`memory: samples in ${out} (${readdirSync(out).join(", ")})\n`);
appendFileSync(join(out, "rows.json"), JSON.stringify(rows));
