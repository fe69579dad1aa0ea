/**
 * The cache every request-time token shares (Azure Entra ID, Google ADC): one token held per
 * provider; inside its refresh window it is still sent while one refresh runs in the
 * background; close to expiry it is not sent and the request waits for the fetch; concurrent
 * requests share one fetch. How a token is fetched, and what its failures say, is the kind's.
 */
import type { RequestAuthorizer } from "./spec.js";

/** A token as it is sent, and the times (ms since the epoch) it expires and should be refreshed. */
export interface HeldToken {
  readonly header: string;
  readonly expiresAt: number;
  readonly refreshAt: number;
}

/** Refresh this long before expiry. */
export const REFRESH_MARGIN_MS = 5 * 60_000;
/** A token this close to expiry is not sent. */
const EXPIRY_SLACK_MS = 30_000;

/** `fetch` rejects with an AuthorizeError (a message safe to show). */
export function cachedTokenAuthorizer(
  source: string,
  fetch: () => Promise<HeldToken>,
  now: () => number,
): RequestAuthorizer {
  let held: HeldToken | undefined;
  let pending: Promise<HeldToken> | undefined;

  const fetchToken = (): Promise<HeldToken> => {
    pending ??= fetch().then(
      (t) => {
        pending = undefined;
        held = t;
        return t;
      },
      (err: unknown) => {
        pending = undefined;
        throw err;
      },
    );
    return pending;
  };

  return Object.freeze({
    source,
    headerNames: Object.freeze(["authorization"]),
    async authorize(): Promise<readonly string[]> {
      const t = now();
      const h = held;
      if (h !== undefined && t < h.expiresAt - EXPIRY_SLACK_MS) {
        if (t >= h.refreshAt && pending === undefined) fetchToken().catch(() => undefined);
        return ["authorization", h.header];
      }
      const fresh = await fetchToken();
      return ["authorization", fresh.header];
    },
  });
}
