/** `llm.routeHeader`: the x-agw-route response header, off by default, naming the attempt that answered. */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileConfig } from "../../../src/config/compile.js";
import { type Gateway, startGateway } from "../../../src/server/gateway.js";
import { type MockUpstream, startMockUpstream } from "../../helpers/mock-upstream.js";
import { captureLogs, freePort } from "../../server/engine-helpers.js";
import { loadYaml } from "./helpers.js";

const env = { A_KEY: "sk-a", B_KEY: "sk-b" };
let up: MockUpstream;
const gateways: Gateway[] = [];

async function start(routeHeader: boolean | undefined): Promise<string> {
  const port = await freePort();
  const yaml = `
llm:
  port: ${port}
  address: 127.0.0.1
  ${routeHeader === undefined ? "" : `routeHeader: ${routeHeader}`}
  providers:
    - { name: a, provider: openAI, baseUrl: "${up.url}/v1", credential: env::A_KEY, models: [pt-model] }
    - { name: b, provider: openAI, baseUrl: "${up.url}/v1", credential: env::B_KEY }
  targets:
    - { name: first, provider: a, model: up-1 }
    - { name: second, provider: b, model: up-2 }
  routes:
    - { name: chain, models: [resilient], strategy: fallback, targets: [first, second] }
`;
  const runtime = compileConfig(loadYaml(yaml, env), { env });
  const gateway = await startGateway({ runtime, logger: captureLogs().logger });
  gateways.push(gateway);
  return `http://127.0.0.1:${port}/v1`;
}

async function routeOf(baseURL: string, model: string): Promise<string | null> {
  const client = new OpenAI({ baseURL, apiKey: "sk-caller", maxRetries: 0 });
  const { response } = await client.chat.completions
    .create({ model, messages: [{ role: "user", content: "hi" }] })
    .withResponse();
  return response.headers.get("x-agw-route");
}

beforeAll(async () => {
  up = await startMockUpstream();
});
afterAll(async () => {
  for (const g of gateways) await g.drain(1000);
  await up.close();
});

describe("x-agw-route", () => {
  it("is absent unless the config asks for it", async () => {
    expect(await routeOf(await start(undefined), "resilient")).toBeNull();
    expect(await routeOf(await start(false), "resilient")).toBeNull();
  });

  it("names the path, strategy, the target that answered and the attempts it took", async () => {
    const base = await start(true);
    up.script({ error: { status: 503, format: "openai", message: "busy" } });
    expect(await routeOf(base, "resilient")).toBe(
      "route:chain; strategy=fallback; target=second; attempts=2",
    );
    expect(await routeOf(base, "resilient")).toBe("route:chain; strategy=fallback; target=first; attempts=1");
    expect(await routeOf(base, "pt-model")).toBe("passthrough; strategy=single; target=a; attempts=1");
  });

  it("is on error answers too, naming the last attempt", async () => {
    const base = await start(true);
    up.script({ error: { status: 503, format: "openai", message: "busy" } });
    up.script({ error: { status: 503, format: "openai", message: "still busy" } });
    const client = new OpenAI({ baseURL: base, apiKey: "sk-caller", maxRetries: 0 });
    const err = await client.chat.completions
      .create({ model: "resilient", messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect((err as InstanceType<typeof OpenAI.APIError>).headers?.get("x-agw-route")).toBe(
      "route:chain; strategy=fallback; target=second; attempts=2",
    );
  });
});
