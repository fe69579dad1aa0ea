/**
 * The admin and stats servers check Host (DNS rebinding): a name that is not an address,
 * localhost, the server's own configured host or in `config.adminAllowedHosts` gets 403 on
 * every path; the readiness server answers any Host (it tells only ready or not).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostCheck, hostnameOf } from "../../src/http/host-check.js";
import { type MockUpstream, startMockUpstream } from "../helpers/mock-upstream.js";
import { gatewayConfig, type Running, request, runServe } from "./harness.js";

let mock: MockUpstream;
let run: Running & { cleanup: () => Promise<void> };
beforeAll(async () => {
  mock = await startMockUpstream();
  run = await runServe(
    gatewayConfig(mock.url, "  adminAllowedHosts: [agw-admin.internal, Ops.Example:8080]\n"),
  );
});
afterAll(async () => {
  expect(await run.stop()).toBe(0);
  await run.cleanup();
  await mock.close();
});

const get = (port: number, path: string, host: string) => request(port, { path, headers: { host } });

describe("admin and stats servers check Host", () => {
  const rebound = [
    "evil.example",
    "evil.example:15000",
    "localhost.evil.example",
    "127.0.0.1.nip.io:80",
    "localhost:1@evil.example",
  ];

  it.each(["/config_dump", "/api/recent", "/api/recent/stream", "/ui", "/", "/nope"])(
    "admin %s: 403 for a name that could be rebound",
    async (path) => {
      for (const host of rebound) {
        const res = await get(run.adminPort!, path, host);
        expect(res.status, host).toBe(403);
        expect(res.body).toContain("config.adminAllowedHosts");
        expect(res.body).not.toContain('"llm"');
      }
    },
  );

  it("stats /metrics: 403 for a name that could be rebound", async () => {
    for (const host of rebound) {
      const res = await get(run.statsPort!, "/metrics", host);
      expect(res.status, host).toBe(403);
      expect(res.body).not.toContain("agw_");
    }
  });

  it("answers loopback names and addresses with any port, and the allowlist", async () => {
    const ok = [
      "localhost",
      "LOCALHOST:1234",
      "localhost.",
      "127.0.0.1",
      `127.0.0.1:${run.adminPort}`,
      "[::1]",
      "[::1]:15000",
      "10.1.2.3:15000",
      "agw-admin.internal",
      "agw-admin.internal:443",
      "ops.example",
    ];
    for (const host of ok) {
      expect((await get(run.adminPort!, "/config_dump", host)).status, host).toBe(200);
      expect((await get(run.statsPort!, "/metrics", host)).status, host).toBe(200);
    }
  });

  it("leaves readiness open to any Host (it tells only ready or not)", async () => {
    expect((await get(run.readinessPort!, "/healthz/ready", "evil.example")).status).toBe(200);
  });
});

describe("hostCheck", () => {
  it("accepts the server's own configured host name", () => {
    const check = hostCheck("agw.local:15000");
    expect(check("agw.local:15000")).toBe(true);
    expect(check("AGW.LOCAL")).toBe(true);
    expect(check("other.local")).toBe(false);
  });

  it("lets a request without Host through (not a browser)", () => {
    expect(hostCheck("127.0.0.1:0")(undefined)).toBe(true);
  });

  it("reads host names out of Host values", () => {
    expect(hostnameOf("[::1]:80")).toBe("::1");
    expect(hostnameOf("Example.COM.:8080")).toBe("example.com");
    expect(hostnameOf("example.com")).toBe("example.com");
  });
});
