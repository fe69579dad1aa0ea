/**
 * `workers: 2` with a `localRateLimit` of 5 requests, run as a user runs it (the CLI in a child
 * process): the workers take from the primary's buckets, so 20 requests spread over both
 * workers admit exactly 5, not 5 per worker.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { afterAll, describe, expect, it } from "vitest";
import { CHAT, request, tempFile } from "../observability/harness.js";
import { freePort } from "../server/engine-helpers.js";

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
});

function config(port: number, ready: number): string {
  return `config:
  readinessAddr: 127.0.0.1:${ready}
  logging: { level: warn }
  workers: 2
  drainTimeout: 2s
llm:
  port: ${port}
  models:
    - name: "*"
      provider: mock
  policies:
    localRateLimit:
      - { maxTokens: 5, tokensPerFill: 5, fillInterval: 1h, type: requests }
`;
}

/** Polls until `probe` holds; generous, since three processes start on a loaded machine. */
async function until(probe: () => Promise<boolean>, what: string, deadlineMs = 60_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("workers: 2 share one rate-limit budget", () => {
  it("20 requests over both workers against maxTokens: 5 admit exactly 5", async () => {
    const [port, ready] = [await freePort(), await freePort()];
    const { file, cleanup } = await tempFile(config(port, ready));
    const child = spawn(process.execPath, ["--import", "tsx", "src/agw.ts", "-f", file], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    children.push(child);
    let stderr = "";
    child.stderr?.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.stdout?.resume();
    try {
      await until(
        async () => (await request(ready, { path: "/healthz/ready" })).status === 200,
        "both workers listening",
      );
      const statuses: number[] = [];
      const workers = new Set<string>();
      // Four at a time, so both workers ask the primary at once.
      for (let batch = 0; batch < 5; batch++) {
        const replies = await Promise.all(
          Array.from({ length: 4 }, () =>
            request(port, { path: "/v1/chat/completions", body: CHAT("any-model") }),
          ),
        );
        for (const r of replies) {
          statuses.push(r.status);
          // Request ids carry a per-process prefix.
          workers.add(String(r.headers["x-agw-request-id"]).split("-")[0]!);
        }
      }
      expect(workers.size, "both workers served").toBe(2);
      expect(statuses.filter((s) => s === 200)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(15);

      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const [code] = (await exited) as [number | null];
      expect(code, stderr).toBe(0);
    } finally {
      await cleanup();
    }
  }, 120_000);
});
