/**
 * `cors`: preflights (OPTIONS with Origin and Access-Control-Request-Method) are answered by
 * the gateway and never reach a backend: 204 with the allow headers when the origin is allowed,
 * 403 with no CORS headers otherwise (the browser then refuses the call). Actual responses to
 * an allowed origin get Access-Control-Allow-Origin (+ credentials, expose). Every answer that
 * depends on Origin says so in `Vary`. Origins: exact, "*", or "https://*.example.com".
 */

import { parseDuration } from "../config/duration.js";
import type { CorsConfig } from "../config/schema.js";
import type { HeaderBag } from "./api-key.js";
import { type PolicyEvent, policyEvent } from "./events.js";

export interface PreflightAnswer {
  readonly status: 204 | 403;
  readonly headers: Readonly<Record<string, string>>;
  readonly event: PolicyEvent;
}

export interface CorsPolicy {
  /** The local answer when the request is a preflight, else undefined. */
  preflight(method: string, headers: HeaderBag): PreflightAnswer | undefined;
  /** Headers to add to an actual response ({} when there is no or a disallowed Origin). */
  responseHeaders(headers: HeaderBag): Record<string, string>;
}

export const DEFAULT_CORS_METHODS = ["GET", "POST", "OPTIONS"];

const first = (v: string | readonly string[] | undefined): string | undefined =>
  typeof v === "string" ? v : v?.[0];

function originMatcher(patterns: readonly string[]): { any: boolean; test(origin: string): boolean } {
  const any = patterns.includes("*");
  const exact = new Set(patterns.filter((p) => !p.includes("*")).map((p) => p.toLowerCase()));
  const wild = patterns
    .filter((p) => p !== "*" && p.includes("*."))
    .map((p) => {
      const [scheme, host] = p.toLowerCase().split("*.", 2) as [string, string];
      return { scheme, suffix: `.${host}` };
    });
  return {
    any,
    test: (origin) => {
      const o = origin.toLowerCase();
      if (any || exact.has(o)) return true;
      return wild.some(
        (w) => o.startsWith(w.scheme) && o.endsWith(w.suffix) && o.length > w.scheme.length + w.suffix.length,
      );
    },
  };
}

export function createCorsPolicy(cfg: CorsConfig): CorsPolicy {
  const origins = originMatcher(cfg.allowOrigins);
  const credentials = cfg.allowCredentials ?? false;
  const methods = (cfg.allowMethods ?? DEFAULT_CORS_METHODS).join(", ");
  const allowHeaders = cfg.allowHeaders?.join(", ");
  const expose = cfg.exposeHeaders?.join(", ");
  const maxAge = cfg.maxAge === undefined ? undefined : String(Math.floor(parseDuration(cfg.maxAge) / 1000));

  /** "*" only when any origin is allowed and no credentials (browsers reject "*" with credentials). */
  const allowOriginValue = (origin: string) => (origins.any && !credentials ? "*" : origin);

  function base(origin: string): Record<string, string> {
    const h: Record<string, string> = {
      "access-control-allow-origin": allowOriginValue(origin),
      vary: "Origin",
    };
    if (credentials) h["access-control-allow-credentials"] = "true";
    return h;
  }

  function preflight(method: string, headers: HeaderBag): PreflightAnswer | undefined {
    const origin = first(headers.origin);
    const requested = first(headers["access-control-request-method"]);
    if (method.toUpperCase() !== "OPTIONS" || origin === undefined || requested === undefined)
      return undefined;
    if (!origins.test(origin)) {
      return { status: 403, headers: { vary: "Origin" }, event: policyEvent("cors", "gateway", "reject") };
    }
    const h = base(origin);
    h.vary = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";
    h["access-control-allow-methods"] = methods;
    // Without a configured list, the headers the browser asks for are allowed: the origin check
    // is the gate, and SDKs send headers (authorization, x-stainless-*) no one lists up front.
    const askedHeaders = first(headers["access-control-request-headers"]);
    const allowed = allowHeaders ?? askedHeaders;
    if (allowed !== undefined && allowed !== "") h["access-control-allow-headers"] = allowed;
    if (maxAge !== undefined) h["access-control-max-age"] = maxAge;
    return { status: 204, headers: h, event: policyEvent("cors", "gateway", "allow") };
  }

  function responseHeaders(headers: HeaderBag): Record<string, string> {
    const origin = first(headers.origin);
    if (origin === undefined)
      return origins.any && !credentials ? { "access-control-allow-origin": "*" } : {};
    if (!origins.test(origin)) return { vary: "Origin" };
    const h = base(origin);
    if (expose !== undefined) h["access-control-expose-headers"] = expose;
    return h;
  }

  return Object.freeze({ preflight, responseHeaders });
}
