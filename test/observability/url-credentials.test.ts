/**
 * Credentials written into URLs (userinfo, secret query values) in base URLs and webhook URLs:
 * hidden in /config_dump, in a config diagnostic logged on a failed reload, and in explain.
 */
import { writeFile } from "node:fs/promises";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfigText } from "../../src/config/load.js";
import { explainModel } from "../../src/llm/routing/explain-config.js";
import { createLogger } from "../../src/observability/log.js";
import { type MockUpstream, startMockUpstream } from "../helpers/mock-upstream.js";
import { type Running, request, runServe } from "./harness.js";

const PASS = "url-pass-SECRET-41c9";
const QUERY = "url-query-SECRET-8d2e";
const HOOK = "hook-url-SECRET-6b07";
const URL_SECRETS = [PASS, QUERY, HOOK];

let mock: MockUpstream;
let run: Running & { cleanup: () => Promise<void> };

const yaml = (port: number, baseUrl: string) => `config:
  adminAddr: 127.0.0.1:0
llm:
  port: ${port}
  address: 127.0.0.1
  providers:
    - name: up
      provider: openAI
      baseUrl: "${baseUrl}"
      models: [gpt-4o-mini]
      credential: sk-plain-key-for-test
  policies:
    ai:
      promptGuard:
        request:
          - webhook: { url: "${mock.url}/guard?token=${HOOK}&mode=strict" }
`;

beforeAll(async () => {
  mock = await startMockUpstream();
  run = await runServe((port) => yaml(port, `http://agw:${PASS}@127.0.0.1:${mock.port}/v1?api_key=${QUERY}`));
});
afterAll(async () => {
  await run.stop();
  await run.cleanup();
  await mock.close();
});

function expectNone(where: string, text: string): void {
  for (const s of URL_SECRETS) expect(text.includes(s), `${where} shows ${s}`).toBe(false);
}

describe("credentials inside URLs", () => {
  it("config_dump shows the URLs without userinfo or secret query values", async () => {
    const res = await request(run.adminPort!, { path: "/config_dump" });
    expect(res.status).toBe(200);
    expectNone("/config_dump", res.body);
    const dump = JSON.parse(res.body) as {
      llm: { providers: Array<{ baseUrl: string }>; policies: { ai: { promptGuard: unknown } } };
    };
    expect(dump.llm.providers[0]?.baseUrl).toBe(
      `http://[redacted]@127.0.0.1:${mock.port}/v1?api_key=[redacted]`,
    );
    expect(JSON.stringify(dump.llm.policies.ai.promptGuard)).toContain("/guard?token=[redacted]&mode=strict");
  });

  it("a failed reload logs the diagnostic without them", async () => {
    await writeFile(run.file, yaml(run.port, `http://agw:${PASS}@bad host:1/v1?api_key=${QUERY}`));
    expect(await run.handle.watcher.reload()).toBe(false);
    const line = await run.logs.waitFor((l) => l.includes("config reload failed"));
    expect(line).toContain("baseUrl");
    expect(line).toContain("[redacted]");
    expectNone("the reload log", run.logs.text());
  });

  it("explain shows where requests go, without them", () => {
    const loaded = loadConfigText(yaml(1, `https://agw:${PASS}@api.example.com/v1?api_key=${QUERY}`), {
      file: "x.yaml",
      env: {},
    });
    if (!loaded.ok) throw new Error("config did not load");
    const r = explainModel(loaded.config, {}, "gpt-4o-mini");
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.text).toContain("api.example.com");
      expectNone("explain", r.text);
    }
  });
});

describe("a logged error quoting a URL", () => {
  it.each(["json", "text"] as const)("shows it without credentials (%s)", (format) => {
    let text = "";
    const stream = new Writable({
      write(c: Buffer, _e, cb) {
        text += c.toString();
        cb();
      },
    });
    const log = createLogger({ level: "info", format, destination: stream });
    const err = new Error(`cannot reach https://agw:${PASS}@otel.example.com/v1/traces?token=${QUERY}`);
    log.warn({ err }, "OTLP export failed");
    expect(text).toContain("otel.example.com/v1/traces?token=[redacted]");
    expectNone("the log line", text);
  });
});
