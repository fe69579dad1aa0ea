/**
 * One request-time credential per provider settings block: every target and passthrough of a
 * provider (one `azure:`, `vertex:` or `bedrock:` block of one loaded config) shares its token
 * cache or signer; a reloaded config has new blocks, so it starts fresh ones.
 */
import type { RequestAuthorizer } from "./spec.js";

export function authorizerPerSettings<S extends object>(
  make: (settings: S) => RequestAuthorizer,
): (settings: S) => RequestAuthorizer {
  const made = new WeakMap<S, RequestAuthorizer>();
  return (settings) => {
    let a = made.get(settings);
    if (a === undefined) {
      a = make(settings);
      made.set(settings, a);
    }
    return a;
  };
}
