/** Anthropic's Messages API: the key on x-api-key, and an anthropic-version on every request. */
import type { ProviderSpec } from "../spec.js";

/** The API version sent when the caller did not choose one. */
export const ANTHROPIC_VERSION = "2023-06-01";

export const anthropic: ProviderSpec = Object.freeze({
  kind: "anthropic",
  title: "Anthropic",
  system: "anthropic",
  // The Anthropic SDK posts to /v1/messages on https://api.anthropic.com.
  defaultBaseUrl: "https://api.anthropic.com/v1",
  credentialHeaders: Object.freeze(["authorization", "x-api-key"]),
  usesKey: true,
  callerKeyHint: '"x-api-key: <key>" (or "Authorization: Bearer <key>")',
  appendKey(out: string[], key: string): void {
    out.push("x-api-key", key);
  },
  requiredHeaders: Object.freeze([Object.freeze(["anthropic-version", ANTHROPIC_VERSION] as const)]),
  native: "anthropic-messages",
  responsesApi: false,
  tokenCount: "forward",
  embeddings: false,
});
