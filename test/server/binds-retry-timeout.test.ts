/**
 * The `retry` and `timeout` policies on a binds route with an ai backend, over real sockets:
 * attempts counted at the upstream, 504 upstream_timeout when headers never come, and a
 * stream cut by the idle timeout ending in an error the SDK raises.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config, PoliciesConfig } from "../../src/config/schema.js";
import type { Gateway } from "../../src/server/gateway.js";
import { type MockUpstream, startMockUpstream } from "../helpers/mock-upstream.js";
import { freePort, startFromConfig } from "./engine-helpers.js";

let up: MockUpstream;
const gateways: Gateway[] = [];

async function gatewayWith(policies: PoliciesConfig): Promise<OpenAI> {
  const port = await freePort();
  const config: Config = {
    binds: [
      {
        port,
        address: "127.0.0.1",
        listeners: [
          {
            routes: [
              {
                name: "r",
                backends: [{ ai: { name: "o", provider: { openAI: {} }, baseUrl: `${up.url}/v1` } }],
                policies: { backendAuth: { key: "sk-managed" }, ...policies },
              },
            ],
          },
        ],
      },
    ],
  };
  const { gateway } = await startFromConfig(config, {});
  gateways.push(gateway);
  return new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: "unused", maxRetries: 0 });
}

const ask = (client: OpenAI) =>
  client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] });

beforeAll(async () => {
  up = await startMockUpstream();
});
afterAll(async () => {
  for (const g of gateways) await g.drain(1000);
  await up.close();
});

describe("binds route retry", () => {
  it("retries a listed status up to `attempts` times, then answers", async () => {
    const client = await gatewayWith({ retry: { attempts: 2, backoff: "1ms", codes: [503] } });
    up.reset();
    up.script({ error: { status: 503, format: "openai", message: "busy" } });
    up.script({ error: { status: 503, format: "openai", message: "busy" } });
    const r = await ask(client);
    expect(r.choices[0]?.message.content).toContain("hi");
    expect(up.requests).toHaveLength(3);
    expect(up.requests.every((q) => q.headers.authorization === "Bearer sk-managed")).toBe(true);
  });

  it("gives up after the last retry with the upstream's status, and never retries an unlisted one", async () => {
    const client = await gatewayWith({ retry: { attempts: 2, backoff: "1ms", codes: [503] } });
    up.reset();
    up.always({ error: { status: 503, format: "openai", message: "down" } });
    const err = await ask(client).catch((e: unknown) => e);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect(up.requests).toHaveLength(3);
    up.reset();
    up.always({ error: { status: 500, format: "openai", message: "broken" } });
    const err500 = await ask(client).catch((e: unknown) => e);
    expect((err500 as InstanceType<typeof OpenAI.APIError>).status).toBe(500);
    expect(up.requests).toHaveLength(1);
    up.always(undefined);
  });
});

describe("binds route timeout", () => {
  it("answers 504 upstream_timeout when the upstream sends no headers within requestTimeout", async () => {
    const client = await gatewayWith({ timeout: { requestTimeout: "150ms" } });
    up.reset();
    up.script({ fault: "hang" });
    const started = performance.now();
    const err = await ask(client).catch((e: unknown) => e);
    const took = performance.now() - started;
    // The configured 150ms, not a default: generous headroom for a loaded machine, far below 300s.
    expect(took).toBeGreaterThanOrEqual(140);
    expect(took).toBeLessThan(5_000);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(504);
    expect((err as InstanceType<typeof OpenAI.APIError>).headers?.get("x-agw-error-code")).toBe(
      "upstream_timeout",
    );
  });

  it("ends a stream that goes quiet for longer than streamIdleTimeout with an error the SDK raises", async () => {
    const client = await gatewayWith({ timeout: { streamIdleTimeout: "150ms" } });
    up.reset();
    // The gate holds every chunk after the first: the upstream goes quiet mid-stream.
    up.script({ reply: { text: "one two three four" }, gate: true });
    const stream = await client.chat.completions.create({
      model: "gpt-4o",
      stream: true,
      messages: [{ role: "user", content: "hi" }],
    });
    const consumed = (async () => {
      for await (const _ of stream) {
        // drain
      }
    })();
    await expect(consumed).rejects.toThrow();
  });
});
