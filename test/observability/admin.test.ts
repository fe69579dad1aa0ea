/**
 * The admin server through serve: /config_dump with every known secret absent (and the
 * structure still readable), /ui served, recent requests as JSON and as a live SSE stream.
 */
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REDACTED, redactConfig, referencedEnvValues } from "../../src/observability/redact.js";
import { type MockUpstream, startMockUpstream } from "../helpers/mock-upstream.js";
import {
  assertNoSecret,
  authHeaders,
  CHAT,
  gatewayConfig,
  type Running,
  request,
  runServe,
  SECRETS,
} from "./harness.js";

let mock: MockUpstream;
let run: Running & { cleanup: () => Promise<void> };
beforeAll(async () => {
  mock = await startMockUpstream();
  run = await runServe(gatewayConfig(mock.url));
});
afterAll(async () => {
  expect(await run.stop()).toBe(0);
  await run.cleanup();
  await mock.close();
});

describe("/config_dump", () => {
  it("is the config as JSON with every secret redacted and everything else kept", async () => {
    const res = await request(run.adminPort!, { path: "/config_dump" });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("application/json");
    expect(assertNoSecret(res.body)).toEqual([]);
    const dump = JSON.parse(res.body) as {
      llm: {
        port: number;
        providers: Array<{ name: string; credential: string; baseUrl: string }>;
        targets: Array<{ name: string; credential: string }>;
        routes: Array<{ name: string }>;
        policies: {
          apiKey: { keys: Array<{ name: string; key: string }> };
          requestHeaderModifier: { set: Record<string, string> };
        };
      };
    };
    expect(dump.llm.port).toBe(run.port);
    expect(dump.llm.providers[0]).toMatchObject({
      name: "openai",
      credential: REDACTED,
      baseUrl: `${mock.url}/v1`,
    });
    // A reference is a name, not a value: it stays readable.
    expect(dump.llm.targets[0]).toMatchObject({ name: "managed-gpt", credential: "env::MANAGED_KEY" });
    expect(dump.llm.routes[0]?.name).toBe("primary");
    expect(dump.llm.policies.apiKey.keys[0]).toEqual({ name: "team-a", key: REDACTED });
    expect(dump.llm.policies.requestHeaderModifier.set).toEqual({ "x-internal-token": REDACTED });
  });

  it("redacts a value from the environment wherever it sits, and numbers at secret paths", () => {
    const text = "note: $NOTE\nkey: env::K\n";
    const values = referencedEnvValues(text, {
      NOTE: "value-from-env-123",
      K: "kkkkkkkk",
      OTHER: "unrelated",
    });
    expect(values).toEqual(["value-from-env-123", "kkkkkkkk"]);
    const out = redactConfig(
      {
        a: { note: "prefix value-from-env-123 suffix", plain: "hello" },
        b: [{ apiKey: 1234 }],
        c: "unrelated",
      },
      values,
    );
    expect(out).toEqual({ a: { note: REDACTED, plain: "hello" }, b: [{ apiKey: REDACTED }], c: "unrelated" });
  });
});

describe("/ui and recent requests", () => {
  it("serves a self-contained page", async () => {
    const res = await request(run.adminPort!, { path: "/ui" });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    expect(res.body).toContain("<title>agw admin</title>");
    // No external resource: nothing to fetch from a CDN.
    expect(res.body).not.toMatch(/<(script|link)[^>]+(src|href)=/);
  });

  it("lists finished requests and streams new ones live", async () => {
    const events: string[] = [];
    let gotEvent!: () => void;
    const streamed = new Promise<void>((r) => {
      gotEvent = r;
    });
    const opened = new Promise<http.IncomingMessage>((resolve, reject) => {
      http
        .get({ host: "127.0.0.1", port: run.adminPort, path: "/api/recent/stream", agent: false }, resolve)
        .on("error", reject);
    });
    const sse = await opened;
    expect(sse.headers["content-type"]).toMatch(/^text\/event-stream/);
    sse.setEncoding("utf8");
    sse.on("data", (c: string) => {
      events.push(c);
      if (events.join("").includes("event: request")) gotEvent();
    });

    mock.script({ reply: { text: "hi", usage: { input: 4, output: 2 } } });
    const res = await request(run.port, {
      path: "/v1/chat/completions",
      headers: authHeaders(),
      body: CHAT("gpt-4o"),
    });
    expect(res.status).toBe(200);
    const id = String(res.headers["x-agw-request-id"]);
    await streamed;
    const text = events.join("");
    const data = /data: (.*)\n/.exec(text.slice(text.indexOf("event: request")))?.[1];
    const entry = JSON.parse(data ?? "{}") as Record<string, unknown>;
    expect(entry).toMatchObject({ requestId: id, routing: "route:primary", model: "gpt-4o", inputTokens: 4 });
    sse.destroy();

    const list = JSON.parse((await request(run.adminPort!, { path: "/api/recent" })).body) as Array<
      Record<string, unknown>
    >;
    expect(list.at(-1)).toMatchObject({ requestId: id, status: 200, target: "managed-gpt" });
    const newer = JSON.parse(
      (await request(run.adminPort!, { path: `/api/recent?after=${String(list.at(-1)?.seq)}` })).body,
    ) as unknown[];
    expect(newer).toEqual([]);
    expect(JSON.stringify(list)).not.toContain(SECRETS.gatewayKey);
  });
});
