/**
 * Microsoft Entra ID tokens for Azure OpenAI (`auth: entra`): DefaultAzureCredential from
 * @azure/identity, loaded on the first request that needs a token (a config that never uses
 * Entra never loads it). One token is cached per provider and refreshed before it expires:
 * inside the last five minutes (or after the token's own refresh time) the cached token is
 * still sent while one refresh runs in the background; an expired token waits for the refresh.
 * Concurrent requests share one fetch. Failures become an AuthorizeError whose message names
 * the credential chain's complaint with secrets removed.
 */
import { AuthorizeError, type RequestAuthorizer } from "../spec.js";
import { cachedTokenAuthorizer, type HeldToken, REFRESH_MARGIN_MS } from "../token-cache.js";

export const COGNITIVE_SERVICES_SCOPE = "https://cognitiveservices.azure.com/.default";

/** What agw needs of an @azure/identity TokenCredential. */
export interface TokenCredentialLike {
  getToken(
    scope: string,
  ): Promise<{ token: string; expiresOnTimestamp: number; refreshAfterTimestamp?: number } | null>;
}

/** Builds the credential; the default loads @azure/identity and makes a DefaultAzureCredential. */
export type CredentialFactory = () => Promise<TokenCredentialLike>;

const loadDefaultCredential: CredentialFactory = async () => {
  const identity = await import("@azure/identity");
  return new identity.DefaultAzureCredential();
};

export interface EntraOptions {
  readonly createCredential?: CredentialFactory;
  readonly now?: () => number;
}

export function entraAuthorizer(options: EntraOptions = {}): RequestAuthorizer {
  const create = options.createCredential ?? loadDefaultCredential;
  let credential: Promise<TokenCredentialLike> | undefined;

  const fetchToken = async (): Promise<HeldToken> => {
    // A factory that failed (the package could not load) is tried again by the next request.
    credential ??= create().catch((err: unknown) => {
      credential = undefined;
      throw err;
    });
    let t: Awaited<ReturnType<TokenCredentialLike["getToken"]>>;
    try {
      t = await (await credential).getToken(COGNITIVE_SERVICES_SCOPE);
    } catch (err) {
      throw err instanceof AuthorizeError ? err : fromIdentityError(err);
    }
    if (t === null || t.token === "")
      throw new AuthorizeError(503, tokenMessage("the credential returned no token"));
    const expiresAt = t.expiresOnTimestamp;
    const refreshAt = Math.min(
      t.refreshAfterTimestamp ?? Number.POSITIVE_INFINITY,
      expiresAt - REFRESH_MARGIN_MS,
    );
    return { header: `Bearer ${t.token}`, expiresAt, refreshAt };
  };

  return cachedTokenAuthorizer(
    "Microsoft Entra ID token (DefaultAzureCredential, scope https://cognitiveservices.azure.com/.default)",
    fetchToken,
    options.now ?? Date.now,
  );
}

function tokenMessage(reason: string): string {
  return `Could not get a Microsoft Entra ID token for Azure OpenAI: ${reason}. Check the identity agw runs as (AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, workload or managed identity, az login), or use an API key (azure.auth: key).`;
}

/** Environment variables whose values must never appear in a message. */
const SECRET_ENV = [
  "AZURE_CLIENT_SECRET",
  "AZURE_CLIENT_CERTIFICATE_PASSWORD",
  "AZURE_PASSWORD",
  "IDENTITY_HEADER",
  "MSI_SECRET",
];

/** The identity library's complaint, one short line per credential tried, without secrets. */
export function safeIdentityText(err: unknown): string {
  let text = err instanceof Error ? err.message : String(err);
  for (const name of SECRET_ENV) {
    const v = process.env[name];
    if (v !== undefined && v.length >= 4) text = text.split(v).join("[redacted]");
  }
  text = text
    .replace(/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, "[redacted]")
    .replace(/(secret|password|assertion|token)=([^&\s]+)/gi, "$1=[redacted]");
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !/authentication failed\.$/i.test(l))
    .map((l) => (l.length > 200 ? `${l.slice(0, 200)}…` : l));
  const joined = lines.join(" | ");
  return joined.length > 1200 ? `${joined.slice(0, 1200)}…` : joined;
}

function fromIdentityError(err: unknown): AuthorizeError {
  const name = err instanceof Error ? err.name : "Error";
  // The service refused the identity (a bad secret, a missing role): 502. Nothing to use: 503.
  const status = name === "AuthenticationError" ? 502 : 503;
  return new AuthorizeError(status, tokenMessage(`${name}: ${safeIdentityText(err)}`));
}
