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
import type { Candidate, UpstreamFailure } from "../../runtime/plan.js";
import { AuthorizeError, appendRequiredHeaders, type SignableRequest } from "../providers/spec.js";

/** The caller's provider key, from `Authorization: Bearer`, `x-api-key`, (Azure's) `api-key` or (Gemini's SDK) `x-goog-api-key`. */
export function callerKey(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === "string") {
    const m = /^\s*bearer\s+(\S.*?)\s*$/i.exec(auth);
    if (m !== null) return m[1];
  }
  const x = headers["x-api-key"] ?? headers["api-key"];
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
export function appendAuth(
  out: string[],
  candidate: Candidate,
  headers: IncomingHttpHeaders,
  authorized?: readonly string[],
): void {
  if (candidate.auth.kind === "authorizer") {
    if (authorized === undefined) throw new Error("an authorizer candidate's headers were not obtained");
    out.push(...authorized);
    appendRequiredHeaders(out, candidate.provider);
    return;
  }
  const key = keyFor(candidate, headers);
  if (key !== undefined) candidate.provider.appendKey(out, key);
  appendRequiredHeaders(out, candidate.provider);
}

function keyFor(candidate: Candidate, headers: IncomingHttpHeaders): string | undefined {
  const auth = candidate.auth;
  switch (auth.kind) {
    case "none":
    case "authorizer":
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

export type Authorized =
  | { readonly ok: true; readonly headers: readonly string[] }
  | { readonly ok: false; readonly failure: UpstreamFailure };

/**
 * Obtains an authorizer candidate's request-time credential. A failure is an upstream failure
 * of kind "credential" (nothing was sent), so retry and fallback treat it like an unreachable
 * upstream, and the caller gets its safe message if it is the last.
 */
export function authorizeCandidate(candidate: Candidate, request?: SignableRequest): Promise<Authorized> {
  const auth = candidate.auth;
  if (auth.kind !== "authorizer") return Promise.resolve({ ok: true, headers: [] });
  return auth.authorizer.authorize(request).then(
    (headers): Authorized => ({ ok: true, headers }),
    (err: unknown): Authorized => ({
      ok: false,
      failure: {
        kind: "credential",
        status: err instanceof AuthorizeError ? err.status : 503,
        message:
          err instanceof AuthorizeError
            ? err.message
            : `The credential for provider "${candidate.providerName}" could not be obtained.`,
      },
    }),
  );
}

/** The managed key a candidate sends (none when it sends the caller's own). */
export function managedKeyOf(candidate: Candidate): string | undefined {
  const auth = candidate.auth;
  return auth.kind === "managed" || auth.kind === "managedFirst" ? auth.key : undefined;
}

/** The secret values among an authorizer's headers as sent (a session token). */
function authorizedSecrets(candidate: Candidate, authorized: readonly string[] | undefined): string[] {
  const auth = candidate.auth;
  const names = auth.kind === "authorizer" ? auth.authorizer.secretHeaderNames : undefined;
  if (names === undefined || authorized === undefined) return [];
  const out: string[] = [];
  for (let i = 0; i < authorized.length; i += 2)
    if (names.includes(authorized[i]!)) out.push(authorized[i + 1]!);
  return out;
}

/** Matchers by secret: managed keys come from the config and session tokens rotate slowly, so there are few. */
const echoes = new Map<string, SecretEcho | undefined>();
const ECHO_CACHE_MAX = 256;

/**
 * What finds an upstream's echo, in its answer, of the secrets a candidate sent: its managed
 * key, or the secret headers of its request-time credential (`authorized`, as sent).
 * Undefined: none sent.
 */
export function echoOf(candidate: Candidate, authorized?: readonly string[]): SecretEcho | undefined {
  const key = managedKeyOf(candidate);
  const secrets = key === undefined ? authorizedSecrets(candidate, authorized) : [key];
  if (secrets.length === 0) return undefined;
  const id = secrets.join("\n");
  if (echoes.has(id)) return echoes.get(id);
  if (echoes.size >= ECHO_CACHE_MAX) echoes.clear();
  const echo = SecretEcho.of(secrets);
  echoes.set(id, echo);
  return echo;
}
