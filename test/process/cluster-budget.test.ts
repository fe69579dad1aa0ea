/**
 * `workers: 2` with a gateway key's budget, run as a user runs it (the CLI in a child process):
 * the workers count spend through the primary, so once one request has spent the key's budget
 * every later request is refused by either worker (not one more admission per worker).
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

// Every token costs 1 USD: the first answer spends the 1 USD budget.
function config(port: number, ready: number): string {
  return `config:
  readinessAddr: 127.0.0.1:${ready}
  logging: { level: warn }
  workers: 2
  drainTimeout: 2s
  modelCatalog:
    priced-model: { input: 1000000, output: 1000000 }
llm:
  port: ${port}
  models:
    - name: "*"
      provider: mock
  policies:
    apiKey:
      keys:
        - { name: team-a, key: agw-team-a, budget: { usd: 1, period: monthly } }
`;
}

async function until(probe: () => Promise<boolean>, what: string, deadlineMs = 60_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("workers: 2 share one budget", () => {
  it("after the request that spends the budget, both workers answer 429 budget_exceeded", async () => {
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
      const headers = { "x-agw-authorization": "Bearer agw-team-a" };
      const statuses: number[] = [];
      const refusedBy = new Set<string>();
      // One at a time: each request is checked after the previous one was charged. A charge
      // reaches the primary just after its answer; on a loaded machine the next request can be
      // quicker, so the test leaves the charge 100 ms to land.
      for (let i = 0; i < 12; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 100));
        const r = await request(port, {
          path: "/v1/chat/completions",
          headers,
          body: CHAT("priced-model"),
        });
        statuses.push(r.status);
        if (r.status === 429) {
          expect(r.headers["x-agw-error-code"]).toBe("budget_exceeded");
          refusedBy.add(String(r.headers["x-agw-request-id"]).split("-")[0]!);
        }
      }
      expect(statuses[0]).toBe(200);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(refusedBy.size, "both workers refused").toBe(2);

      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const [code] = (await exited) as [number | null];
      expect(code, stderr).toBe(0);
    } finally {
      await cleanup();
    }
  }, 120_000);
});
