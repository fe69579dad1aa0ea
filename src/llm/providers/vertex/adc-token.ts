/**
 * Google Cloud access tokens for Vertex AI: Application Default Credentials through
 * google-auth-library, loaded on the first request that needs a token (a config without Vertex
 * never loads it). ADC is a service-account key file named by GOOGLE_APPLICATION_CREDENTIALS,
 * workload identity federation, gcloud's user credentials, or the metadata server. One token is
 * cached per provider and refreshed before it expires: inside the last five minutes the cached
 * token is still sent while one refresh runs in the background; an expired token waits for the
 * refresh. Concurrent requests share one fetch. Failures become a 503 AuthorizeError whose
 * message names the complaint with secrets removed.
 */
import { AuthorizeError, type RequestAuthorizer } from "../spec.js";
import { cachedTokenAuthorizer, type HeldToken, REFRESH_MARGIN_MS } from "../token-cache.js";

export const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

/** One fetched access token; `expiresAt` in ms since the epoch when the library says. */
export interface GoogleToken {
  readonly token: string | null | undefined;
  readonly expiresAt?: number | null;
}

/** What agw needs of google-auth-library: a token, refreshed by the library when asked. */
export interface GoogleTokenSource {
  getToken(): Promise<GoogleToken>;
}

/** Builds the source; the default loads google-auth-library and makes a GoogleAuth for ADC. */
export type TokenSourceFactory = () => Promise<GoogleTokenSource>;

/** Where google-auth-library sends a service account's signed JWT, whatever its key file says. */
const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";

/**
 * The `token_uri` of the service-account key file GOOGLE_APPLICATION_CREDENTIALS names, when it
 * is not Google's default. Google's other client libraries honour it; the Node library does not,
 * so agw redirects the library's token request there.
 */
async function keyFileTokenUri(): Promise<URL | undefined> {
  const file = process.env.GOOGLE_APPLICATION_CREDENTIALS;
  if (file === undefined || file === "") return undefined;
  const { readFile } = await import("node:fs/promises");
  try {
    const json: unknown = JSON.parse(await readFile(file, "utf8"));
    if (typeof json !== "object" || json === null) return undefined;
    const uri = (json as { type?: unknown; token_uri?: unknown }).token_uri;
    if ((json as { type?: unknown }).type !== "service_account" || typeof uri !== "string") return undefined;
    return uri === GOOGLE_TOKEN_URL ? undefined : new URL(uri);
  } catch {
    return undefined; // the library reports an unreadable key file itself
  }
}

const loadDefaultSource: TokenSourceFactory = async () => {
  const { GoogleAuth } = await import("google-auth-library");
  const auth = new GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE] });
  const tokenUri = await keyFileTokenUri();
  let redirected = false;
  return {
    async getToken(): Promise<GoogleToken> {
      const client = await auth.getClient();
      if (tokenUri !== undefined && !redirected) {
        redirected = true;
        client.transporter.interceptors.request.add({
          resolved: async (o) => {
            if (String(o.url) === GOOGLE_TOKEN_URL) o.url = tokenUri;
            return o;
          },
        });
      }
      const r = await client.getAccessToken();
      return { token: r.token, expiresAt: client.credentials.expiry_date };
    },
  };
};

/** A token without a stated lifetime is asked for again after this long (the library caches it). */
const UNKNOWN_LIFETIME_MS = 10 * 60_000;

export interface AdcOptions {
  readonly createSource?: TokenSourceFactory;
  readonly now?: () => number;
}

export function adcAuthorizer(options: AdcOptions = {}): RequestAuthorizer {
  const create = options.createSource ?? loadDefaultSource;
  const now = options.now ?? Date.now;
  let source: Promise<GoogleTokenSource> | undefined;

  const fetchToken = async (): Promise<HeldToken> => {
    // A factory that failed (the package could not load) is tried again by the next request.
    source ??= create().catch((err: unknown) => {
      source = undefined;
      throw err;
    });
    let t: Awaited<ReturnType<GoogleTokenSource["getToken"]>>;
    try {
      t = await (await source).getToken();
    } catch (err) {
      throw err instanceof AuthorizeError ? err : new AuthorizeError(503, tokenMessage(safeGoogleText(err)));
    }
    if (typeof t.token !== "string" || t.token === "")
      throw new AuthorizeError(503, tokenMessage("the credentials returned no access token"));
    const expiresAt = typeof t.expiresAt === "number" ? t.expiresAt : now() + UNKNOWN_LIFETIME_MS;
    return { header: `Bearer ${t.token}`, expiresAt, refreshAt: expiresAt - REFRESH_MARGIN_MS };
  };

  return cachedTokenAuthorizer(
    "Google Application Default Credentials (scope https://www.googleapis.com/auth/cloud-platform)",
    fetchToken,
    now,
  );
}

function tokenMessage(reason: string): string {
  return `Could not get a Google Cloud access token for Vertex AI: ${reason}. Check Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS naming a service-account key file, workload identity, the metadata server, gcloud auth application-default login), or give the provider a credential (an access token).`;
}

/** The library's complaint on one short line, without keys, assertions or tokens. */
export function safeGoogleText(err: unknown): string {
  const name = err instanceof Error ? err.name : "Error";
  let text = err instanceof Error ? err.message : String(err);
  text = text
    .replace(/-----BEGIN [A-Z ]+-----[\s\S]*?(-----END [A-Z ]+-----|$)/g, "[redacted]")
    .replace(/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, "[redacted]")
    .replace(/ya29\.[A-Za-z0-9._-]+/g, "[redacted]")
    .replace(
      /("?(?:private_key|client_secret|refresh_token|access_token|assertion)"?\s*[:=]\s*)("[^"]*"|[^&\s,}]+)/gi,
      "$1[redacted]",
    )
    .replace(/\s+/g, " ")
    .trim();
  if (text.length > 600) text = `${text.slice(0, 600)}…`;
  return `${name}: ${text}`;
}
