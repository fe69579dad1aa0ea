/** What every semantic check receives, and the walks over the file several of them share. */
import type { Env } from "./credential.js";
import type { PathSegment, Reporter } from "./locate.js";
import type { Config, PoliciesConfig, RouteConfig } from "./schema.js";
import type { ValueText } from "./value-text.js";

export interface CheckContext {
  errors: Reporter;
  warnings: Reporter;
  values: ValueText;
  env: Env;
}

export interface RouteSite {
  route: RouteConfig;
  path: PathSegment[];
}

/** Every route of the binds form, with its path. */
export function bindRoutes(config: Config): RouteSite[] {
  const out: RouteSite[] = [];
  (config.binds ?? []).forEach((bind, b) => {
    bind.listeners.forEach((listener, l) => {
      listener.routes.forEach((route, r) => {
        out.push({ route, path: ["binds", b, "listeners", l, "routes", r] });
      });
    });
  });
  return out;
}

/** Every policy set in the file: each binds route's, and llm.policies. */
export function policySites(config: Config): Array<{ policies: PoliciesConfig; path: PathSegment[] }> {
  const out: Array<{ policies: PoliciesConfig; path: PathSegment[] }> = [];
  for (const { route, path } of bindRoutes(config)) {
    if (route.policies !== undefined) out.push({ policies: route.policies, path: [...path, "policies"] });
  }
  if (config.llm?.policies !== undefined)
    out.push({ policies: config.llm.policies, path: ["llm", "policies"] });
  return out;
}

/** `a or b`, `a, b or c`. */
export function choiceText(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

/** `"a" or "b"`, `"a", "b" or "c"`. */
export function quotedChoice(items: readonly string[]): string {
  return choiceText(items.map((i) => `"${i}"`));
}
