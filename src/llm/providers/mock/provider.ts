/** The built-in mock: answered in-process (answer.ts), with no endpoint and no key. */
import type { ProviderSpec } from "../spec.js";

export const mock: ProviderSpec = Object.freeze({
  kind: "mock",
  title: "the built-in mock",
  system: "mock",
  defaultBaseUrl: undefined,
  credentialHeaders: Object.freeze(["authorization", "x-api-key"]),
  usesKey: false,
  callerKeyHint: "nothing: the mock takes no key",
  appendKey(out: string[], key: string): void {
    out.push("authorization", `Bearer ${key}`);
  },
  requiredHeaders: Object.freeze([]),
  native: "local",
  responsesApi: false,
  tokenCount: "local",
  embeddings: false,
});
