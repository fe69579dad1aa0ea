/**
 * The processes under test: the mock upstream, the baseline proxy and agw (from the built
 * dist, rebuilt first when a source file is newer; from src via tsx when the build fails or
 * when asked). Each is its own process on 127.0.0.1.
 */
import { spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import {
  type Child,
  childPids,
  freePort,
  isListening,
  spawnChild,
  stopChild,
  waitForPort,
} from "./processes.js";

export const ROOT = new URL("../../", import.meta.url).pathname;
export const RESULTS = join(ROOT, "test/bench/results");
const TSX = ["--import", "tsx"];

export type AgwSource = "auto" | "dist" | "src";

export interface AgwCommand {
  args: string[];
  /** How agw is run, in words, for the report. */
  how: string;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (e.name.endsWith(".ts")) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function runBuild(): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    const p = spawn("npm", ["run", "build"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    p.stdout.on("data", (b: Buffer) => {
      output += b.toString();
    });
    p.stderr.on("data", (b: Buffer) => {
      output += b.toString();
    });
    p.once("exit", (code) => resolve({ ok: code === 0, output }));
  });
}

/** Decides how agw runs; builds dist when it is older than src (users run the built dist). */
export async function agwCommand(source: AgwSource, config: string): Promise<AgwCommand> {
  const serveArgs = ["-f", config, "--no-watch"];
  const fromSrc = (why: string): AgwCommand => ({
    args: [...TSX, join(ROOT, "src/agw.ts"), ...serveArgs],
    how: `src via tsx (${why})`,
  });
  if (source === "src") return fromSrc("--agw src");
  const distEntry = join(ROOT, "dist/agw.js");
  const stale = !existsSync(distEntry) || statSync(distEntry).mtimeMs < newestMtime(join(ROOT, "src"));
  if (stale) {
    process.stderr.write("bench: dist is older than src; npm run build ...\n");
    const built = await runBuild();
    if (!built.ok) {
      process.stderr.write(`bench: build failed:\n${built.output.slice(-2000)}\n`);
      if (source === "dist") throw new Error("--agw dist: the build failed");
      return fromSrc("the build failed");
    }
  }
  return {
    args: [join(ROOT, "bin/agw.js"), ...serveArgs],
    how: stale
      ? "built dist (node bin/agw.js; rebuilt just now)"
      : "built dist (node bin/agw.js; up to date)",
  };
}

export interface Stack {
  upstream: Child;
  upstreamUrl: string;
  baseline: Child;
  baselineUrl: string;
  /** The baseline as plain JavaScript (compileBaseline), for a second instance (bench:ab --prof). */
  baselineScript: string;
}

/**
 * The baseline proxy as plain JavaScript, run by plain node as agw runs its dist. Under tsx the
 * baseline carried the loader: 27 MB more RSS at idle and 10–20 MB more under load (measured),
 * which made the plainest proxy look heavier than it is. Types are stripped with TypeScript's
 * transpileModule, nothing else changes; the file goes to results/ (gitignored), from where
 * `undici` resolves to the project's node_modules.
 */
function compileBaseline(): string {
  const source = readFileSync(join(ROOT, "test/bench/baseline-proxy.ts"), "utf8");
  const out = ts.transpileModule(source, {
    fileName: "baseline-proxy.ts",
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2023,
      verbatimModuleSyntax: true,
    },
  });
  mkdirSync(RESULTS, { recursive: true });
  const file = join(RESULTS, "baseline-proxy.mjs");
  // Written aside and renamed: a second bench starting at the same time never runs half a file.
  const aside = `${file}.${process.pid}`;
  writeFileSync(aside, out.outputText);
  renameSync(aside, file);
  return file;
}

/** Starts the mock upstream and the baseline proxy and waits until both listen. */
export async function startStack(options: { gateMs: number }): Promise<Stack> {
  const upPort = await freePort();
  const upstream = spawnChild({
    name: "upstream",
    args: [
      ...TSX,
      join(ROOT, "test/bench/upstream.ts"),
      "--port",
      String(upPort),
      "--gate-ms",
      String(options.gateMs),
    ],
    cwd: ROOT,
    env: process.env,
  });
  await waitForPort(upPort, upstream);
  const upstreamUrl = `http://127.0.0.1:${upPort}`;
  const basePort = await freePort();
  const baselineScript = compileBaseline();
  const baseline = spawnChild({
    name: "baseline",
    args: [baselineScript, "--port", String(basePort), "--upstream", upstreamUrl],
    cwd: ROOT,
    env: process.env,
  });
  await waitForPort(basePort, baseline);
  return { upstream, upstreamUrl, baseline, baselineUrl: `http://127.0.0.1:${basePort}`, baselineScript };
}

export interface Agw {
  child: Child;
  url: string;
  statsPort: number;
  logFile: string;
  workers: "1" | "auto";
  /** Whether the metrics endpoint answered on statsAddr. */
  metrics: boolean;
  /** Worker processes seen under agw (0: it serves in one process). */
  workerCount: number;
}

export async function startAgw(options: {
  command: AgwCommand;
  upstreamUrl: string;
  workers: "1" | "auto";
  logFile: string;
  /** Node options put before the script (e.g. --cpu-prof). */
  nodeArgs?: string[];
}): Promise<Agw> {
  const port = await freePort();
  const statsPort = await freePort();
  const child = spawnChild({
    name: "agw",
    args: [...(options.nodeArgs ?? []), ...options.command.args],
    cwd: ROOT,
    // Only what the config names: no real provider key can reach the gateway under test.
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      TMPDIR: process.env.TMPDIR ?? "/tmp",
      NODE_ENV: "production",
      BENCH_UPSTREAM: options.upstreamUrl,
      BENCH_AGW_PORT: String(port),
      BENCH_STATS_PORT: String(statsPort),
      BENCH_WORKERS: options.workers,
      BENCH_KEY: "bench-managed-key",
    },
    logFile: options.logFile,
  });
  await waitForPort(port, child);
  // Workers (node:cluster) would be forked by now: the port is shared once the first one listens.
  const workerCount = childPids(child.pid).length;
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    statsPort,
    logFile: options.logFile,
    workers: options.workers,
    metrics: await isListening(statsPort),
    workerCount,
  };
}

export async function stopAgw(agw: Agw): Promise<void> {
  await stopChild(agw.child);
}
