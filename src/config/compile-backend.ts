/**
 * Backends and upstreams as the Runtime holds them: URL parts for the joining rule, resolved
 * keys, weights. Pure; shared by the binds form and the llm form's model table.
 */
import { PROVIDERS, type ProviderSpec } from "../llm/providers/catalog.js";
import type {
  AiBackendRuntime,
  BackendAuthRuntime,
  BackendRuntime,
  UpstreamTarget,
} from "../runtime/snapshot.js";
import { resolveCredential } from "./credential.js";
import type { Env } from "./expand.js";
import type { AiBackendConfig, BackendConfig, PoliciesConfig } from "./schema.js";

/**
 * Upstream URL parts. The joining rule (README): the upstream URL is the base URL's origin,
 * then its path, then the incoming path — except that when the base path ends in `/v1` and
 * the incoming path starts with the `/v1` segment, that leading `/v1` is dropped, so
 * `/v1/chat/completions` on `https://api.openai.com/v1` reaches
 * `https://api.openai.com/v1/chat/completions`. The query string is kept as sent.
 */
export function upstreamTarget(baseUrl: string, hostOverride?: string): UpstreamTarget {
  const u = new URL(baseUrl);
  const basePath = u.pathname.replace(/\/+$/, "");
  const stripV1 = basePath.endsWith("/v1");
  const tls = u.protocol === "https:";
  const connectOrigin = hostOverride === undefined ? u.origin : `${u.protocol}//${hostOverride}`;
  // TLS to an overridden address still verifies the base URL's name.
  const servername = hostOverride !== undefined && tls ? u.hostname : undefined;
  return Object.freeze({
    poolKey: servername === undefined ? connectOrigin : `${connectOrigin}#${servername}`,
    connectOrigin,
    servername,
    hostHeader: u.host,
    basePath,
    stripV1,
  });
}

function hostTarget(hostPort: string): UpstreamTarget {
  const origin = `http://${hostPort}`;
  return Object.freeze({
    poolKey: origin,
    connectOrigin: origin,
    servername: undefined,
    hostHeader: hostPort,
    basePath: "",
    stripV1: false,
  });
}

export function resolveKey(text: string, field: string, env: Env): string {
  const r = resolveCredential(text, env);
  if (!r.ok) throw new Error(`${field}: env::${r.envName} is not set in the environment`);
  return r.value;
}

export function backendAuthOf(
  policies: PoliciesConfig | undefined,
  field: string,
  env: Env,
): BackendAuthRuntime {
  const key = policies?.backendAuth?.key;
  if (key === undefined) return undefined;
  return Object.freeze({ kind: "key", key: resolveKey(key, `${field}.backendAuth.key`, env) });
}

function providerOfBackend(ai: AiBackendConfig): { spec: ProviderSpec; model: string | undefined } {
  const p = ai.provider;
  if (p.openAI !== undefined) return { spec: PROVIDERS.openAI, model: p.openAI.model };
  if (p.anthropic !== undefined) return { spec: PROVIDERS.anthropic, model: p.anthropic.model };
  return { spec: PROVIDERS.mock, model: p.mock?.model };
}

export function aiBackend(
  name: string,
  weight: number,
  spec: ProviderSpec,
  model: string | undefined,
  baseUrl: string | undefined,
  hostOverride: string | undefined,
): AiBackendRuntime {
  const url = baseUrl ?? spec.defaultBaseUrl;
  return Object.freeze({
    kind: "ai",
    name,
    weight,
    provider: spec,
    model,
    target: url === undefined ? undefined : upstreamTarget(url, hostOverride),
  });
}

export function compileBackend(b: BackendConfig): BackendRuntime {
  const weight = b.weight ?? 1;
  if (b.host !== undefined) {
    return Object.freeze({ kind: "host", name: b.host, weight, target: hostTarget(b.host) });
  }
  const ai = b.ai!;
  const { spec, model } = providerOfBackend(ai);
  return aiBackend(ai.name, weight, spec, model, ai.baseUrl, ai.hostOverride);
}

export function cumulative(backends: readonly BackendRuntime[]): number[] {
  let sum = 0;
  return backends.map((b) => {
    sum += b.weight;
    return sum;
  });
}
