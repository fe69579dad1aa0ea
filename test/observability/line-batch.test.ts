import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { createLineBatch, type LineDestination } from "../../src/observability/line-batch.js";

function recorder(): LineDestination & { writes: string[]; syncFlushes: number } {
  const d = {
    writes: [] as string[],
    syncFlushes: 0,
    write(text: string) {
      d.writes.push(text);
      return true;
    },
    flushSync() {
      d.syncFlushes++;
    },
  };
  return d;
}

const line = (i: number): string => `{"n":${i},"pad":"${"x".repeat(40)}"}\n`;

describe("createLineBatch", () => {
  it("writes a batch once it is full, every line once and in order", () => {
    const dest = recorder();
    const batch = createLineBatch(dest, { maxChars: 1000, intervalMs: 60_000 });
    const sent: string[] = [];
    for (let i = 0; i < 200; i++) {
      sent.push(line(i));
      batch.write(line(i));
    }
    // ~53 characters a line: a batch every 19 lines, the rest still pending.
    expect(dest.writes.length).toBe(Math.floor(200 / Math.ceil(1000 / line(0).length)));
    for (const w of dest.writes) expect(w.length).toBeGreaterThanOrEqual(1000);
    batch.flushSync();
    expect(dest.writes.join("")).toBe(sent.join(""));
    expect(dest.syncFlushes).toBe(1);
  });

  it("writes a partial batch after the interval, not before", async () => {
    const dest = recorder();
    const batch = createLineBatch(dest, { maxChars: 1 << 20, intervalMs: 30 });
    batch.write(line(1));
    batch.write(line(2));
    expect(dest.writes).toEqual([]);
    await new Promise((r) => setTimeout(r, 80));
    expect(dest.writes).toEqual([line(1) + line(2)]);
    // The next line starts a new wait.
    batch.write(line(3));
    expect(dest.writes).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 80));
    expect(dest.writes).toEqual([line(1) + line(2), line(3)]);
  });

  it("flush hands the pending batch on and then flushes the destination", async () => {
    const writes: string[] = [];
    let flushed = 0;
    const batch = createLineBatch(
      {
        write: (t: string) => writes.push(t),
        flush: (cb) => {
          flushed++;
          cb?.();
        },
      },
      { maxChars: 1 << 20, intervalMs: 60_000 },
    );
    batch.write(line(1));
    await new Promise<void>((resolve) => batch.flush(() => resolve()));
    expect(writes).toEqual([line(1)]);
    expect(flushed).toBe(1);
    // Nothing pending: no empty write.
    batch.flushSync();
    expect(writes).toEqual([line(1)]);
  });

  it("registers its exit flush", () => {
    const dest = recorder();
    let atExit: (() => void) | undefined;
    const batch = createLineBatch(dest, {
      maxChars: 1 << 20,
      intervalMs: 60_000,
      onExit: (fn) => (atExit = fn),
    });
    batch.write(line(7));
    expect(dest.writes).toEqual([]);
    atExit?.();
    expect(dest.writes).toEqual([line(7)]);
    expect(dest.syncFlushes).toBe(1);
  });
});

describe("createLineBatch with writeSync (the exit path)", () => {
  it("flushSync flushes the destination first, then writes the rest synchronously, not through the destination", () => {
    const order: string[] = [];
    const batch = createLineBatch(
      { write: (t: string) => order.push(`async:${t}`), flushSync: () => order.push("dest.flushSync") },
      { maxChars: 1 << 20, intervalMs: 60_000, writeSync: (t) => order.push(`sync:${t}`) },
    );
    batch.write(line(1));
    batch.write(line(2));
    batch.flushSync();
    expect(order).toEqual(["dest.flushSync", `sync:${line(1)}${line(2)}`]);
    batch.flushSync();
    expect(order).toEqual(["dest.flushSync", `sync:${line(1)}${line(2)}`, "dest.flushSync"]);
  });
});

describe("the standard-output logger", () => {
  it("loses no line when the process exits at once, and keeps pino's lines in order with the batch", async () => {
    // A real process: lines go to its standard output through the batch; process.exit right
    // after logging leaves them pending (less than one batch), and the exit flush must write them.
    const script = `
      import { createLogger, jsonLineSink } from "./src/observability/log.ts";
      const logger = createLogger({ level: "info", format: "json" });
      const sink = jsonLineSink(logger);
      for (let i = 0; i < 300; i++) {
        if (i % 100 === 0) logger.warn({ i }, "pino line");
        sink('{"level":30,"n":' + i + ',"msg":"request"}\\n');
      }
      logger.info("last");
      process.exit(0);
    `;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: new URL("../../", import.meta.url).pathname,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    const code = await new Promise<number | null>((r) => child.once("exit", r));
    expect(err).toBe("");
    expect(code).toBe(0);
    const lines = out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { n?: number; i?: number; msg: string });
    expect(lines).toHaveLength(300 + 3 + 1);
    const order = lines.map((l) =>
      l.msg === "pino line" ? `w${l.i}` : l.msg === "last" ? "last" : `${l.n}`,
    );
    const expected: string[] = [];
    for (let i = 0; i < 300; i++) {
      if (i % 100 === 0) expected.push(`w${i}`);
      expected.push(`${i}`);
    }
    expected.push("last");
    expect(order).toEqual(expected);
  }, 20_000);
});
