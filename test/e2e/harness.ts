/**
 * The e2e setup: the mock upstream speaking OpenAI and Anthropic, and agw (the llm form,
 * real sockets) with the LLM pipeline in front of it. Model name prefixes pick the path:
 *   oai-*      → openAI provider, managed key, model rewritten to gpt-upstream (native Responses)
 *   oaichat-*  → openAI provider, caller key, responsesApi: false (Responses via chat)
 *   ant-*      → anthropic provider, caller key, model rewritten to claude-upstream
 *   mock-*     → the built-in mock provider
 */
import { Writable } from "node:stream";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import type { Config } from "../../src/config/schema.js";
import type { LlmPipeline } from "../../src/llm/pipeline/context.js";
import { createLlmPipeline } from "../../src/llm/pipeline/pipeline.js";
import { planFor } from "../../src/llm/pipeline/plan-source.js";
import { createLogger } from "../../src/observability/log.js";
import type { Gateway } from "../../src/server/gateway.js";
import { PoolCache } from "../../src/server/pool-cache.js";
import { type MockUpstream, startMockUpstream } from "../helpers/mock-upstream.js";
import { freePort, type LogCapture, startFromConfig } from "../server/engine-helpers.js";

export const MANAGED_KEY = "sk-managed-openai";
export const CALLER_KEY = "sk-caller-key";
export const GATEWAY_KEY = "agw-gateway-key";

export interface Harness {
  mock: MockUpstream;
  gateway: Gateway;
  logs: LogCapture;
  /** The pipeline's debug lines. */
  debug: Array<Record<string, unknown>>;
  port: number;
  url: string;
  openai: OpenAI;
  anthropic: Anthropic;
  close(): Promise<void>;
}

export function llmConfig(
  port: number,
  mockUrl: string,
  extra: Partial<Config["llm"] & object> = {},
): Config {
  const baseUrl = `${mockUrl}/v1`;
  return {
    llm: {
      port,
      address: "127.0.0.1",
      models: [
        {
          name: "oai-*",
          provider: "openAI",
          params: { apiKey: MANAGED_KEY, model: "gpt-upstream", baseUrl },
        },
        { name: "oaichat-*", provider: "openAI", params: { model: "gpt-upstream", baseUrl } },
        { name: "ant-*", provider: "anthropic", params: { model: "claude-upstream", baseUrl } },
        { name: "mock-*", provider: "mock" },
      ],
      ...extra,
    },
  };
}

export async function startHarness(
  options: {
    maxRequestBodyBytes?: number;
    streamIdleMs?: number;
    /** Wraps the pipeline (e.g. to look at each request's record once it is handled). */
    wrap?: (p: LlmPipeline) => LlmPipeline;
    /** The llm form's `policies` (merged with the stream idle timeout, if any). */
    policies?: NonNullable<Config["llm"]>["policies"];
    /** Model entries tried before the standard ones (baseUrl: the mock's, as `${mock.url}/v1`). */
    models?: (baseUrl: string) => NonNullable<NonNullable<Config["llm"]>["models"]>;
  } = {},
): Promise<Harness> {
  const mock = await startMockUpstream();
  const port = await freePort();
  const policies = {
    ...options.policies,
    ...(options.streamIdleMs === undefined
      ? {}
      : { timeout: { streamIdleTimeout: `${options.streamIdleMs}ms` } }),
  };
  const config = llmConfig(port, mock.url, Object.keys(policies).length === 0 ? {} : { policies });
  if (options.models !== undefined && config.llm !== undefined)
    config.llm.models = [...options.models(`${mock.url}/v1`), ...(config.llm.models ?? [])];
  if (options.maxRequestBodyBytes !== undefined) {
    config.config = { maxRequestBody: `${options.maxRequestBodyBytes}B` };
  }
  const pools = new PoolCache();
  const debug = debugCapture();
  const wrap = options.wrap ?? ((p: LlmPipeline) => p);
  const { gateway, logs } = await startFromConfig(config, {
    pipeline: wrap(
      createLlmPipeline({
        logger: debug.logger,
        pools,
        // Until routing exposes responsesApi per provider: oaichat-* has no /v1/responses.
        plan: (ctx, model) => {
          const p = planFor(ctx, model);
          if (!model.startsWith("oaichat-")) return p;
          return { ...p, candidates: p.candidates.map((c) => ({ ...c, responsesApi: false })) };
        },
      }),
    ),
  });
  const url = `http://127.0.0.1:${port}`;
  const headers = { "x-agw-authorization": `Bearer ${GATEWAY_KEY}` };
  const openai = new OpenAI({
    apiKey: CALLER_KEY,
    baseURL: `${url}/v1`,
    maxRetries: 0,
    defaultHeaders: headers,
  });
  const anthropic = new Anthropic({
    apiKey: CALLER_KEY,
    baseURL: url,
    maxRetries: 0,
    defaultHeaders: headers,
  });
  return {
    mock,
    gateway,
    logs,
    debug: debug.lines,
    port,
    url,
    openai,
    anthropic,
    async close() {
      await gateway.drain(1000);
      await pools.closeAll();
      await mock.close();
    },
  };
}

/** The pipeline's logger at debug, its lines kept (dropped fields are logged there). */
function debugCapture(): { logger: LogCapture["logger"]; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const dest = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const t of chunk.toString("utf8").split("\n"))
        if (t !== "") lines.push(JSON.parse(t) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: createLogger({ level: "debug", destination: dest }), lines };
}

/** Headers the upstream must never see from agw. */
export function assertNoGatewayKey(headers: Record<string, string>): void {
  if ("x-agw-authorization" in headers) throw new Error("x-agw-authorization leaked upstream");
  for (const v of Object.values(headers)) if (v.includes(GATEWAY_KEY)) throw new Error("gateway key leaked");
}

export const WEATHER_TOOL = {
  name: "get_weather",
  description: "Weather for a city",
  parameters: {
    type: "object" as const,
    properties: { city: { type: "string" } },
    required: ["city"],
  },
};
