/**
 * Provider kinds as the engine needs them: where each lives by default and how a key is
 * sent. Pure data and header arithmetic; no I/O.
 */
import type { ProviderKindName } from "../../config/schema.js";

export interface ProviderSpec {
  readonly kind: ProviderKindName;
  /** The public base URL, or undefined when the kind has no remote endpoint (mock). */
  readonly defaultBaseUrl: string | undefined;
  /** The request header names that carry a caller's credential for this kind. */
  readonly credentialHeaders: readonly string[];
  /**
   * Appends the headers that carry `key` (flat name/value list, as undici takes it).
   * `callerHeaders` are the incoming ones, to keep a version header the caller chose.
   */
  readonly appendKey: (out: string[], key: string, callerHeaders: NodeJS.Dict<string | string[]>) => void;
}

const CREDENTIAL_HEADERS = ["authorization", "x-api-key"] as const;

export const ANTHROPIC_VERSION = "2023-06-01";

const openAI: ProviderSpec = Object.freeze({
  kind: "openAI",
  defaultBaseUrl: "https://api.openai.com/v1",
  credentialHeaders: CREDENTIAL_HEADERS,
  appendKey(out: string[], key: string): void {
    out.push("authorization", `Bearer ${key}`);
  },
});

const anthropic: ProviderSpec = Object.freeze({
  kind: "anthropic",
  // The Anthropic SDK posts to /v1/messages on https://api.anthropic.com.
  defaultBaseUrl: "https://api.anthropic.com/v1",
  credentialHeaders: CREDENTIAL_HEADERS,
  appendKey(out: string[], key: string, callerHeaders: NodeJS.Dict<string | string[]>): void {
    out.push("x-api-key", key);
    if (callerHeaders["anthropic-version"] === undefined) out.push("anthropic-version", ANTHROPIC_VERSION);
  },
});

const mock: ProviderSpec = Object.freeze({
  kind: "mock",
  defaultBaseUrl: undefined,
  credentialHeaders: CREDENTIAL_HEADERS,
  appendKey(out: string[], key: string): void {
    out.push("authorization", `Bearer ${key}`);
  },
});

export const PROVIDERS: Readonly<Record<ProviderKindName, ProviderSpec>> = Object.freeze({
  openAI,
  anthropic,
  mock,
});

/** The provider kind for a name written in the config (kinds are matched case-insensitively). */
export function providerKindOf(name: string): ProviderKindName | undefined {
  switch (name.toLowerCase()) {
    case "openai":
      return "openAI";
    case "anthropic":
      return "anthropic";
    case "mock":
      return "mock";
    default:
      return undefined;
  }
}
