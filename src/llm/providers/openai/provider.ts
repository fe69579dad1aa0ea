/** OpenAI and every OpenAI-compatible server: Bearer keys, Chat Completions, Responses, embeddings. */
import type { ProviderSpec } from "../spec.js";

export const openAI: ProviderSpec = Object.freeze({
  kind: "openAI",
  title: "OpenAI",
  system: "openai",
  defaultBaseUrl: "https://api.openai.com/v1",
  credentialHeaders: Object.freeze(["authorization", "x-api-key"]),
  usesKey: true,
  callerKeyHint: '"Authorization: Bearer <key>" (or "x-api-key: <key>")',
  appendKey(out: string[], key: string): void {
    out.push("authorization", `Bearer ${key}`);
  },
  requiredHeaders: Object.freeze([]),
  native: "openai-chat",
  responsesApi: true,
  tokenCount: "estimate",
  embeddings: true,
});
