/**
 * Applies a candidate's credential to the upstream request headers. The caller's key may
 * arrive as `Authorization: Bearer X` or `x-api-key: X` on any route (the Anthropic SDK 1.x
 * sends Bearer), and is moved to the header the provider expects. A managed candidate never
 * receives the caller's key: the caller's credential headers are never copied, only re-sent
 * through `appendKey` when the candidate is the caller's.
 */
import type { IncomingHttpHeaders } from "node:http";
import { GatewayError } from "../../errors.js";
import { SecretEcho } from "../../http/secret-echo.js";
import type { Candidate } from "../../runtime/plan.js";
import { appendRequiredHeaders } from "../providers/spec.js";

/** The caller's provider key, from `Authorization: Bearer`, `x-api-key` or (Gemini's SDK) `x-goog-api-key`. */
export function callerKey(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === "string") {
    const m = /^\s*bearer\s+(\S.*?)\s*$/i.exec(auth);
    if (m !== null) return m[1];
  }
  const x = headers["x-api-key"];
  if (typeof x === "string" && x.trim() !== "") return x.trim();
  const g = headers["x-goog-api-key"];
  if (typeof g === "string" && g.trim() !== "") return g.trim();
  return undefined;
}

function missingKey(candidate: Candidate): GatewayError {
  const how = candidate.provider.callerKeyHint;
  return new GatewayError(
    401,
    "unauthorized",
    `The provider "${candidate.providerName}" uses the caller's own API key: send it as ${how}.`,
  );
}

/**
 * Appends the credential headers, then the headers the provider requires that `out` does not
 * carry yet (a caller's own anthropic-version, kept on the same-format path, is not replaced).
 */
export function appendAuth(out: string[], candidate: Candidate, headers: IncomingHttpHeaders): void {
  const key = keyFor(candidate, headers);
  if (key !== undefined) candidate.provider.appendKey(out, key);
  appendRequiredHeaders(out, candidate.provider);
}

function keyFor(candidate: Candidate, headers: IncomingHttpHeaders): string | undefined {
  const auth = candidate.auth;
  switch (auth.kind) {
    case "none":
      return undefined;
    case "managed":
      return auth.key;
    case "caller": {
      const key = callerKey(headers);
      if (key === undefined) throw missingKey(candidate);
      return key;
    }
    case "managedFirst": {
      const key = auth.key ?? callerKey(headers);
      if (key === undefined) throw missingKey(candidate);
      return key;
    }
  }
}

/** The managed key a candidate sends (none when it sends the caller's own). */
export function managedKeyOf(candidate: Candidate): string | undefined {
  const auth = candidate.auth;
  return auth.kind === "managed" || auth.kind === "managedFirst" ? auth.key : undefined;
}

/** Matchers by key: managed keys come from the config, so there are few; built once each. */
const echoes = new Map<string, SecretEcho | undefined>();
const ECHO_CACHE_MAX = 256;

/** What finds an upstream's echo of the candidate's managed key in its answer (undefined: none sent). */
export function echoOf(candidate: Candidate): SecretEcho | undefined {
  const key = managedKeyOf(candidate);
  if (key === undefined) return undefined;
  if (echoes.has(key)) return echoes.get(key);
  if (echoes.size >= ECHO_CACHE_MAX) echoes.clear();
  const echo = SecretEcho.of([key]);
  echoes.set(key, echo);
  return echo;
}
