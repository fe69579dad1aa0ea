/**
 * The admin page in a real browser: headless Chromium (Debian's `chromium` package) driven by
 * playwright-core. A request sent through the gateway appears live, the filter narrows the
 * list, the configuration tab shows the redacted config. The screenshot goes to
 * docs/admin-ui.png when AGW_UPDATE_SCREENSHOT=1 (the README shows it), else to a temp dir.
 *
 * Chromium missing is a failure, not a skip: CI installs it (.ci/run).
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockUpstream, startMockUpstream } from "../helpers/mock-upstream.js";
import {
  assertNoSecret,
  authHeaders,
  CHAT,
  gatewayConfig,
  type Running,
  request,
  runServe,
} from "./harness.js";

const CHROMIUM = process.env.AGW_CHROMIUM ?? "/usr/bin/chromium";

let mock: MockUpstream;
let run: Running & { cleanup: () => Promise<void> };
let browser: Browser;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `headless Chromium not found at ${CHROMIUM}: install it (apt-get install -y --no-install-recommends chromium) or set AGW_CHROMIUM`,
    );
  }
  mock = await startMockUpstream();
  run = await runServe(gatewayConfig(mock.url));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  if (run !== undefined) {
    expect(await run.stop()).toBe(0);
    await run.cleanup();
  }
  await mock?.close();
});

describe("admin page in Chromium", () => {
  it("shows requests live, filters them, shows the redacted config", async () => {
    const page = await browser.newPage({ viewport: { width: 1500, height: 560 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${run.adminPort}/ui`);
    await page.locator("#live", { hasText: "live" }).waitFor();

    mock.script({ reply: { text: "hi", usage: { input: 12, output: 30 }, model: "gpt-4o-2024-08-06" } });
    const managed = await request(run.port, {
      path: "/v1/chat/completions",
      headers: authHeaders(),
      body: CHAT("gpt-4o"),
    });
    expect(managed.status).toBe(200);
    const managedId = String(managed.headers["x-agw-request-id"]);
    // Appears without a reload: the page is fed by Server-Sent Events.
    const managedRow = page.locator("#rows tr", { hasText: managedId });
    await managedRow.waitFor();
    await expect(managedRow.textContent()).resolves.toContain("route:primary");
    await expect(managedRow.textContent()).resolves.toContain("gpt-4o → gpt-4o-2024-08-06");
    await expect(managedRow.textContent()).resolves.toContain("12 / 30");

    const streamed = await request(run.port, {
      path: "/v1/chat/completions",
      headers: authHeaders(),
      body: CHAT("gpt-4o-mini", { stream: true }),
    });
    const missing = await request(run.port, {
      path: "/v1/chat/completions",
      headers: authHeaders(),
      body: CHAT("no-such-model"),
    });
    expect(missing.status).toBe(404);
    await page.locator("#rows tr", { hasText: String(missing.headers["x-agw-request-id"]) }).waitFor();
    await page.locator("#rows tr", { hasText: String(streamed.headers["x-agw-request-id"]) }).waitFor();
    expect(await page.locator("#rows tr").count()).toBe(3);

    const shot = await page.screenshot({ fullPage: true });
    const out =
      process.env.AGW_UPDATE_SCREENSHOT === "1"
        ? "docs/admin-ui.png"
        : join(await mkdtemp(join(tmpdir(), "agw-ui-")), "admin-ui.png");
    await page.screenshot({ path: out, fullPage: true });
    expect(shot.subarray(1, 4).toString()).toBe("PNG");
    expect((await readFile(out)).length).toBeGreaterThan(10_000);
    if (!out.startsWith("docs/")) await rm(out, { force: true });

    await page.fill("#filter", "gpt-4o-mini");
    await expect.poll(() => page.locator("#rows tr").count()).toBe(1);
    await expect(page.locator("#rows tr").first().textContent()).resolves.toContain("passthrough");
    await page.fill("#filter", "404");
    await expect.poll(() => page.locator("#rows tr").count()).toBe(1);
    await expect(page.locator("#rows tr").first().textContent()).resolves.toContain("model_not_found");
    await page.fill("#filter", "");
    await expect.poll(() => page.locator("#rows tr").count()).toBe(3);

    await page.click("#tab-config");
    await page.locator("#config-text", { hasText: "team-a" }).waitFor();
    const config = (await page.locator("#config-text").textContent()) ?? "";
    expect(config).toContain("[redacted]");
    expect(assertNoSecret(config)).toEqual([]);
    expect(assertNoSecret(await page.content())).toEqual([]);
    expect(errors).toEqual([]);
  });
});
