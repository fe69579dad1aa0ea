/**
 * A gateway that holds provider keys and listens beyond loopback without a gateway key lets
 * anyone who can reach it spend those keys. Not an error (a network policy may guard it),
 * but said at startup.
 */

import type { Env } from "../../config/credential.js";
import { conventionEnvName } from "../../config/credential.js";
import type { Config, LlmConfig } from "../../config/schema.js";
import { specOfProvider } from "../providers/registry.js";

const DEFAULT_ADDRESS = "0.0.0.0";

export function isLoopback(address: string): boolean {
  const a = address.replace(/^\[|\]$/g, "").toLowerCase();
  return a === "localhost" || a === "::1" || /^127\.\d+\.\d+\.\d+$/.test(a) || a === "::ffff:127.0.0.1";
}

/** Where the llm form holds managed keys: targets, model keys, backendAuth, managedFirst. */
function llmManagedSources(llm: LlmConfig, env: Env): string[] {
  const out: string[] = [];
  const mockProviders = new Set(
    (llm.providers ?? []).filter((p) => !specOfProvider(p).usesKey).map((p) => p.name),
  );
  for (const t of llm.targets ?? []) {
    if (t.provider !== undefined && mockProviders.has(t.provider)) continue;
    out.push(`target "${t.name}"`);
  }
  (llm.models ?? []).forEach((m) => {
    if (m.params?.apiKey !== undefined) out.push(`model "${m.name}"`);
  });
  if (llm.policies?.backendAuth?.key !== undefined) out.push("policies.backendAuth.key");
  for (const p of llm.providers ?? []) {
    if (p.passthroughCredential !== "managedFirst") continue;
    const convention = env[conventionEnvName(p.name)];
    if (p.credential !== undefined || (convention !== undefined && convention !== "")) {
      out.push(`provider "${p.name}" (managedFirst)`);
    }
  }
  return out;
}

/** One line per exposed address serving managed keys without an apiKey policy. */
export function startupWarnings(config: Config, env: Env): string[] {
  const warnings: string[] = [];
  const llm = config.llm;
  if (llm !== undefined) {
    const address = llm.address ?? DEFAULT_ADDRESS;
    const sources = llmManagedSources(llm, env);
    if (!isLoopback(address) && sources.length > 0 && llm.policies?.apiKey === undefined) {
      warnings.push(
        `llm listens on ${address}, beyond loopback, and serves managed credentials (${sources.join(", ")}) with no gateway key: anyone who can reach it spends those keys; add policies.apiKey (callers then send x-agw-authorization: Bearer <key>) or listen on 127.0.0.1`,
      );
    }
  }
  (config.binds ?? []).forEach((bind, b) => {
    const address = bind.address ?? DEFAULT_ADDRESS;
    if (isLoopback(address)) return;
    for (const listener of bind.listeners) {
      for (const route of listener.routes) {
        if (route.policies?.backendAuth?.key === undefined || route.policies.apiKey !== undefined) continue;
        const name = route.name === undefined ? "" : ` route "${route.name}"`;
        warnings.push(
          `binds[${b}] (port ${bind.port}) listens on ${address}, beyond loopback, and${name} sends a managed backendAuth key with no gateway key: add policies.apiKey or listen on 127.0.0.1`,
        );
      }
    }
  });
  return warnings;
}
