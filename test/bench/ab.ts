/**
 * A/B of agw builds: CPU µs/request of the baseline and of two or more agw builds, loaded in
 * alternating order within one run (noise from a shared machine falls on all of them). How
 * each optimisation in the README's Performance section was measured.
 *
 *   npm run build && mkdir -p /tmp/A && cp -r bin dist package.json /tmp/A && ln -s "$PWD/node_modules" /tmp/A/
 *   (change, build, copy to /tmp/B the same way)
 *   npm run bench:ab -- --scenarios chat,passthrough A=/tmp/A B=/tmp/B
 *
 * A build directory may hold a `node-args` file of Node/V8 flags its agw runs with (e.g. a copy
 * of the same build with `--max-semi-space-size=8`, to weigh a flag side by side).
 *
 * Flags: --scenarios (passthrough), --duration seconds per run (4), --rounds (4),
 * --connections (64), --config (examples/bench.yaml), --prof DIR (every process, the
 * baseline included, writes a CPU profile under DIR/<name>/).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadScenario } from "./load.js";
import {
  type Child,
  freePort,
  installCleanup,
  spawnChild,
  stopAll,
  stopChild,
  treeCpuMicros,
  waitForPort,
} from "./processes.js";
import { pickScenarios } from "./scenarios.js";
import { ROOT, startAgw, startStack } from "./stack.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    scenarios: { type: "string", default: "passthrough" },
    duration: { type: "string", default: "4" },
    rounds: { type: "string", default: "4" },
    connections: { type: "string", default: "64" },
    config: { type: "string", default: join(ROOT, "examples/bench.yaml") },
    prof: { type: "string" },
  },
});

interface Target {
  name: string;
  url: string;
  pid: number;
}

function variants(): Array<{ name: string; dir: string }> {
  const list = positionals.map((p) => {
    const eq = p.indexOf("=");
    if (eq <= 0) throw new Error(`"${p}": give each build as NAME=DIR (DIR holds bin/agw.js and dist/)`);
    return { name: p.slice(0, eq), dir: p.slice(eq + 1) };
  });
  if (list.length === 0) throw new Error("give at least one build: NAME=DIR");
  return list;
}

/** Node flags a build directory asks for in a `node-args` file (one run of V8 flags side by side). */
function nodeArgsOf(dir: string): string[] {
  const file = join(dir, "node-args");
  return existsSync(file)
    ? readFileSync(file, "utf8")
        .split(/\s+/)
        .filter((a) => a !== "")
    : [];
}

const profArgs = (name: string): string[] =>
  values.prof === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", join(values.prof, name)];

function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  installCleanup();
  const builds = variants();
  const stack = await startStack({ gateMs: 10 });
  const targets: Target[] = [{ name: "baseline", url: stack.baselineUrl, pid: stack.baseline.pid }];
  const children: Child[] = [];
  if (values.prof !== undefined) {
    const port = await freePort();
    const args = [...profArgs("baseline"), stack.baselineScript];
    const b = spawnChild({
      name: "baseline (profiled)",
      args: [...args, "--port", String(port), "--upstream", stack.upstreamUrl],
      cwd: ROOT,
      env: process.env,
    });
    await waitForPort(port, b);
    children.push(b);
    targets[0] = { name: "baseline", url: `http://127.0.0.1:${port}`, pid: b.pid };
  }
  for (const { name, dir } of builds) {
    const agw = await startAgw({
      command: { args: [join(dir, "bin/agw.js"), "-f", values.config, "--no-watch"], how: name },
      upstreamUrl: stack.upstreamUrl,
      workers: "1",
      logFile: "/dev/null",
      nodeArgs: [...nodeArgsOf(dir), ...profArgs(name)],
    });
    children.push(agw.child);
    targets.push({ name, url: agw.url, pid: agw.child.pid });
  }
  const load = { connections: Number(values.connections), durationSec: Number(values.duration) };
  for (const s of pickScenarios(values.scenarios)) {
    for (const t of targets) await loadScenario(t.url, s, { ...load, durationSec: 1 });
    const totals = new Map<string, { cpu: number; requests: number; seconds: number }>();
    /** Per round: baseline µs ÷ the target's µs, both from the same round (the machine's speed drifts between rounds). */
    const roundRatios = new Map<string, number[]>();
    for (let r = 0; r < Number(values.rounds); r++) {
      const roundUs = new Map<string, number>();
      for (const t of r % 2 === 0 ? targets : [...targets].reverse()) {
        const before = treeCpuMicros(t.pid) ?? 0;
        const result = await loadScenario(t.url, s, load);
        const sum = totals.get(t.name) ?? { cpu: 0, requests: 0, seconds: 0 };
        const cpu = (treeCpuMicros(t.pid) ?? before) - before;
        sum.cpu += cpu;
        sum.requests += result.requests;
        sum.seconds += result.seconds;
        totals.set(t.name, sum);
        roundUs.set(t.name, cpu / result.requests);
      }
      const b = roundUs.get("baseline") ?? Number.NaN;
      for (const [name, us] of roundUs) roundRatios.set(name, [...(roundRatios.get(name) ?? []), b / us]);
    }
    const base = totals.get("baseline");
    const baseUs = base === undefined ? Number.NaN : base.cpu / base.requests;
    const cells = [...totals].map(([name, t]) => {
      const us = t.cpu / t.requests;
      const med = median(roundRatios.get(name) ?? []);
      const ratio =
        name === "baseline"
          ? ""
          : `, CPU ratio ${(baseUs / us).toFixed(2)}, per-round median ${med.toFixed(3)}`;
      return `${name} ${us.toFixed(0)} µs/req, ${(t.requests / t.seconds).toFixed(0)} rps${ratio}`;
    });
    process.stdout.write(`${s.id}: ${cells.join(" | ")}\n`);
  }
  for (const c of children) await stopChild(c);
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`bench:ab: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
