/**
 * Child processes of the bench: spawned separately (so each has its own event loop and RSS),
 * waited for by polling their port (bounded), and always killed when the bench ends — on
 * success, on error, and on SIGINT/SIGTERM.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { openSync, readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

export interface Child {
  name: string;
  pid: number;
  proc: ChildProcess;
  /** Resolves with the exit code (or the signal name) when the process ends. */
  exited: Promise<number | string>;
  hasExited(): boolean;
  /** The last few KiB of standard error, for a message when it dies. */
  stderrTail(): string;
}

export interface SpawnOptions {
  name: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Standard output (and error) go to this file when given; dropped otherwise. */
  logFile?: string;
}

const live = new Set<Child>();

export function spawnChild(options: SpawnOptions): Child {
  const out = options.logFile === undefined ? "ignore" : openSync(options.logFile, "a");
  const proc = spawn(process.execPath, options.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", out, "pipe"],
  });
  if (proc.pid === undefined) throw new Error(`${options.name}: could not start`);
  let tail = "";
  proc.stderr?.setEncoding("utf8");
  proc.stderr?.on("data", (s: string) => {
    tail = (tail + s).slice(-4096);
  });
  let done = false;
  const exited = new Promise<number | string>((resolve) => {
    proc.once("exit", (code, signal) => {
      done = true;
      live.delete(child);
      resolve(code ?? signal ?? "unknown");
    });
  });
  const child: Child = {
    name: options.name,
    pid: proc.pid,
    proc,
    exited,
    hasExited: () => done,
    stderrTail: () => tail,
  };
  live.add(child);
  return child;
}

/** SIGTERM, then SIGKILL after `graceMs`. */
export async function stopChild(child: Child, graceMs = 3000): Promise<void> {
  if (child.hasExited()) return;
  child.proc.kill("SIGTERM");
  const t = setTimeout(() => child.proc.kill("SIGKILL"), graceMs);
  await child.exited;
  clearTimeout(t);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((c) => stopChild(c)));
}

/** Kills every child when the bench is interrupted or exits early (synchronously on 'exit'). */
export function installCleanup(): void {
  const onSignal = (sig: NodeJS.Signals): void => {
    process.stderr.write(`\nbench: ${sig}, stopping children\n`);
    void stopAll().then(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  process.once("exit", () => {
    for (const c of live) c.proc.kill("SIGKILL");
  });
}

/** A port free right now on 127.0.0.1 (the OS picks it; the child binds it a moment later). */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", resolve);
  });
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: "127.0.0.1" });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/** Polls until `port` accepts a connection; fails if the child dies first or after `timeoutMs`. */
export async function waitForPort(port: number, child: Child, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.hasExited()) {
      throw new Error(`${child.name} exited before listening:\n${child.stderrTail()}`);
    }
    if (await canConnect(port)) return;
    await sleep(50);
  }
  throw new Error(`${child.name} did not listen on ${port} within ${timeoutMs} ms:\n${child.stderrTail()}`);
}

/** Whether something listens on `port` now (one try). */
export function isListening(port: number): Promise<boolean> {
  return canConnect(port);
}

/** Resident set size in KiB from /proc/<pid>/status, or undefined when the process is gone. */
export function rssKb(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m === null ? undefined : Number(m[1]);
  } catch {
    return undefined;
  }
}

/** Direct children of `pid` (node:cluster workers), read from /proc. */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the command (which may contain spaces) start after the last ")".
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(rest[1]) === pid) out.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

/** RSS of a process and its direct children (all workers), in KiB. */
export function treeRssKb(pid: number): number | undefined {
  const own = rssKb(pid);
  if (own === undefined) return undefined;
  return childPids(pid).reduce((sum, p) => sum + (rssKb(p) ?? 0), own);
}

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** CPU time (user + system) a process has used so far, in µs, from /proc/<pid>/stat. */
export function cpuMicros(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
    const ticks = Number(rest[11]) + Number(rest[12]);
    return (ticks / clockTicks()) * 1e6;
  } catch {
    return undefined;
  }
}

/** CPU time of a process and its direct children (workers), in µs. */
export function treeCpuMicros(pid: number): number | undefined {
  const own = cpuMicros(pid);
  if (own === undefined) return undefined;
  return childPids(pid).reduce((sum, p) => sum + (cpuMicros(p) ?? 0), own);
}
