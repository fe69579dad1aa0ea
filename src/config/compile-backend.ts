/**
 * Backends and upstreams as the Runtime holds them: URL parts for the joining rule, resolved
 * keys, weights. Pure; shared by the binds form and the llm form's model table.
 */

import { upstreamTarget } from "../http/upstream-target.js";
import { chosenProvider } from "../llm/providers/registry.js";
import { type ProviderSpec, upstreamBaseUrl } from "../llm/providers/spec.js";
import type {
  AiBackendRuntime,
  BackendAuthRuntime,
  BackendRuntime,
  OpaqueAuthRuntime,
} from "../runtime/snapshot.js";
import type { UpstreamTarget } from "../runtime/upstream.js";
import type { Env } from "./credential.js";
import { resolveCredential } from "./credential.js";
import type { BackendConfig, PoliciesConfig } from "./schema.js";

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

const CALLERS_OWN: OpaqueAuthRuntime = Object.freeze({ auth: undefined, withheldBy: undefined });

/**
 * What opaque paths carry given a managed key: the key when `lend` (its keyOnOpaquePaths)
 * is true, else the caller's own credential, remembering `setting` for the error and explain.
 */
export function opaqueAuthOf(
  auth: BackendAuthRuntime,
  lend: boolean | undefined,
  setting: string,
): OpaqueAuthRuntime {
  if (auth === undefined) return CALLERS_OWN;
  if (lend === true) return Object.freeze({ auth, withheldBy: undefined });
  return Object.freeze({ auth: undefined, withheldBy: setting });
}

export function aiBackend(
  name: string,
  weight: number,
  spec: ProviderSpec,
  model: string | undefined,
  baseUrl: string | undefined,
  hostOverride: string | undefined,
): AiBackendRuntime {
  const url = upstreamBaseUrl(spec, baseUrl);
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
  const { spec, model } = chosenProvider(ai.provider);
  return aiBackend(ai.name, weight, spec, model, ai.baseUrl, ai.hostOverride);
}

export function cumulative(backends: readonly BackendRuntime[]): number[] {
  let sum = 0;
  return backends.map((b) => {
    sum += b.weight;
    return sum;
  });
}
