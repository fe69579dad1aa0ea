/**
 * Google AI Studio's Gemini API (generativelanguage.googleapis.com): the key in x-goog-api-key,
 * requests in Gemini's own generateContent format (the model in the URL path), every client
 * format translated through the IR.
 */
import type { ProviderSpec } from "../spec.js";

export const gemini: ProviderSpec = Object.freeze({
  kind: "gemini",
  title: "Google Gemini",
  system: "gcp.gemini",
  defaultBaseUrl: "https://generativelanguage.googleapis.com",
  credentialHeaders: Object.freeze(["authorization", "x-api-key", "x-goog-api-key"]),
  usesKey: true,
  callerKeyHint: '"Authorization: Bearer <key>" (or "x-api-key: <key>")',
  appendKey(out: string[], key: string): void {
    out.push("x-goog-api-key", key);
  },
  requiredHeaders: Object.freeze([]),
  native: "gemini",
  responsesApi: false,
  tokenCount: "estimate",
  embeddings: false,
});
