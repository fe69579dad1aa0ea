/** A ProviderSpec for each OpenAI-compatible preset: Bearer keys, Chat Completions, the preset's extras. */
import type { ProviderSpec } from "../spec.js";
import { COMPATIBLE_PRESETS, type CompatiblePreset } from "./presets.js";

function specOf(p: CompatiblePreset): ProviderSpec {
  return Object.freeze({
    kind: p.kind,
    title: p.title,
    system: p.system,
    defaultBaseUrl: p.defaultBaseUrl,
    credentialHeaders: Object.freeze(["authorization", "x-api-key"]),
    usesKey: true,
    keyOptional: !p.keyRequired,
    callerKeyHint: '"Authorization: Bearer <key>" (or "x-api-key: <key>")',
    appendKey(out: string[], key: string): void {
      out.push("authorization", `Bearer ${key}`);
    },
    requiredHeaders: Object.freeze([]),
    native: "openai-chat",
    responsesApi: p.responsesApi,
    tokenCount: "estimate",
    embeddings: p.embeddings,
    ...(p.apiPaths === undefined ? {} : { apiPaths: Object.freeze({ ...p.apiPaths }) }),
  });
}

/** The presets' specs, by kind. */
export const COMPATIBLE_SPECS: Readonly<Record<CompatiblePreset["kind"], ProviderSpec>> = Object.freeze(
  Object.fromEntries(COMPATIBLE_PRESETS.map((p) => [p.kind, specOf(p)])) as Record<
    CompatiblePreset["kind"],
    ProviderSpec
  >,
);
