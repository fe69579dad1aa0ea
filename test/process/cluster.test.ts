/**
 * `workers: 2` as a user runs it (the CLI in a child process): both workers serve the bind,
 * /metrics on the primary sums them, the primary's admin page lists what both served, a
 * reload reaches every worker, a deleted file is reported by readiness, SIGTERM drains all
 * and the primary exits 0.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { unlink, writeFile } from "node:fs/promises";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { afterAll, describe, expect, it } from "vitest";
import { CHAT, request, tempFile } from "../observability/harness.js";
import { freePort } from "../server/engine-helpers.js";

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
});

function config(port: number, stats: number, ready: number, admin: number, pattern: string): string {
  return `config:
  statsAddr: 127.0.0.1:${stats}
  adminAddr: 127.0.0.1:${admin}
  readinessAddr: 127.0.0.1:${ready}
  logging: { level: warn }
  workers: 2
  drainTimeout: 2s
llm:
  port: ${port}
  models:
    - name: "${pattern}"
      provider: mock
`;
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, tries = 1200): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function total(text: string, name: string, labels: Record<string, string> = {}): number {
  const fam = parsePrometheusTextFormat(text).find((f) => f.name === name);
  let sum = 0;
  for (const m of fam?.metrics ?? []) {
    if (Object.entries(labels).every(([k, v]) => m.labels?.[k] === v)) sum += Number(m.value ?? 0);
  }
  return sum;
}

describe("workers: 2", () => {
  it("serves from both workers, aggregates metrics and recent requests, reloads all, drains all", async () => {
    const [port, stats, ready, admin] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const { file, cleanup } = await tempFile(config(port, stats, ready, admin, "*"));
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
        async () => {
          const r = await request(ready, { path: "/healthz/ready" });
          return r.status === 200 ? true : undefined;
        },
        "both workers listening",
        500,
      );

      const prefixes = new Set<string>();
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) {
        const r = await request(port, { path: "/v1/chat/completions", body: CHAT("any-model") });
        expect(r.status).toBe(200);
        ids.push(String(r.headers["x-agw-request-id"]));
        prefixes.add(ids.at(-1)!.split("-")[0]!);
      }
      // Request ids carry a per-process prefix: two prefixes, two workers served.
      expect(prefixes.size).toBe(2);

      // The workers forward what they served to the primary's admin page (batched).
      const recent = await until(async () => {
        const list = JSON.parse((await request(admin, { path: "/api/recent" })).body) as Array<
          Record<string, unknown>
        >;
        return list.length >= 8 ? list : undefined;
      }, "the recent requests of both workers");
      expect(recent.map((e) => e.requestId).sort()).toEqual([...ids].sort());
      expect(recent[0]).toMatchObject({ status: 200, model: "any-model", method: "POST" });

      const m1 = (await request(stats, { path: "/metrics" })).body;
      expect(total(m1, "agw_requests_total", { status: "200" })).toBe(8);
      expect(total(m1, "agw_config_synchronized")).toBe(1);

      await writeFile(file, config(port, stats, ready, admin, "allowed-*"));
      const m2 = await until(async () => {
        const text = (await request(stats, { path: "/metrics" })).body;
        return total(text, "agw_config_reloads_total", { result: "success" }) === 1 ? text : undefined;
      }, "the reload");
      expect(total(m2, "agw_config_synchronized")).toBe(1);
      const after = new Set<string>();
      for (let i = 0; i < 8; i++) {
        const r = await request(port, { path: "/v1/chat/completions", body: CHAT("any-model") });
        expect(r.status).toBe(404);
        after.add(String(r.headers["x-agw-request-id"]).split("-")[0]!);
      }
      expect(after).toEqual(prefixes);

      // The primary's watcher: a deleted file keeps the workers serving, readiness says why.
      await unlink(file);
      const missing = await until(async () => {
        const r = await request(ready, { path: "/healthz/ready" });
        return r.status === 503 ? r.body : undefined;
      }, "readiness to notice the deleted file");
      expect(missing).toMatch(/^not ready: config file missing: /);
      expect((await request(port, { path: "/v1/chat/completions", body: CHAT("allowed-1") })).status).toBe(
        200,
      );
      await writeFile(file, config(port, stats, ready, admin, "allowed-*"));
      await until(async () => {
        const r = await request(ready, { path: "/healthz/ready" });
        return r.status === 200 ? true : undefined;
      }, "readiness once the file is back");

      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const [code] = (await exited) as [number | null];
      expect(code, stderr).toBe(0);
      await expect(request(port, { path: "/v1/models" })).rejects.toThrow();
    } finally {
      await cleanup();
    }
  }, 120_000);
});
