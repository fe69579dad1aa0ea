/** Checks on single objects and values: one-of choices, regexes, model patterns, durations. */

import { PROVIDERS } from "../llm/providers/registry.js";
import { bindRoutes, type CheckContext, policySites, quotedChoice } from "./check-context.js";
import { parseDuration } from "./duration.js";
import type { Path, PathSegment } from "./locate.js";
import type { Config, CorsConfig, GuardConfig } from "./schema.js";
import { PROVIDER_KINDS } from "./schema.js";
import { isDurationSchema, walkWithSchema } from "./schema-walk.js";

const DAY_MS = 24 * 3_600_000;
/** Durations that are waits or intervals: zero would mean "never wait" or a busy loop. */
const POSITIVE_DURATIONS = new Set(["fillInterval", "timeout", "requestTimeout", "streamIdleTimeout"]);

export function checkShapes(config: Config, ctx: CheckContext): void {
  for (const { route, path } of bindRoutes(config)) {
    route.backends.forEach((backend, i) => {
      const at = [...path, "backends", i];
      exactlyOne(backend, ["host", "ai"], at, ctx);
      if (backend.ai !== undefined) {
        exactlyOne(backend.ai.provider, PROVIDER_KINDS, [...at, "ai", "provider"], ctx);
        const choice = backend.ai.provider;
        const kind = PROVIDER_KINDS.find((k) => choice[k] !== undefined);
        const spec = kind === undefined ? undefined : PROVIDERS[kind];
        // Azure's address comes from azure.resourceName (check-azure.ts reports a missing one).
        if (
          spec !== undefined &&
          spec.native !== "local" &&
          spec.defaultBaseUrl === undefined &&
          backend.ai.baseUrl === undefined &&
          spec.configure === undefined
        )
          ctx.errors.report(
            [...at, "ai"],
            "key",
            `provider ${kind} has no public address: add baseUrl (e.g. http://127.0.0.1:8000/v1 for vLLM)`,
          );
      }
    });
    (route.matches ?? []).forEach((match, m) => {
      const at = [...path, "matches", m];
      if (match.path !== undefined) {
        exactlyOne(match.path, ["exact", "pathPrefix", "regex"], [...at, "path"], ctx);
        if (match.path.regex !== undefined) checkRegex(match.path.regex, "", [...at, "path", "regex"], ctx);
      }
      for (const list of ["headers", "query"] as const) {
        (match[list] ?? []).forEach((named, n) => {
          const valuePath = [...at, list, n, "value"];
          exactlyOne(named.value, ["exact", "regex"], valuePath, ctx);
          if (named.value.regex !== undefined)
            checkRegex(named.value.regex, "", [...valuePath, "regex"], ctx);
        });
      }
    });
  }

  for (const { policies, path } of policySites(config)) {
    if (policies.backendAuth !== undefined) {
      exactlyOne(policies.backendAuth, ["key", "passthrough"], [...path, "backendAuth"], ctx);
      if (policies.backendAuth.keyOnOpaquePaths === true && policies.backendAuth.key === undefined)
        ctx.errors.report(
          [...path, "backendAuth", "keyOnOpaquePaths"],
          "key",
          "keyOnOpaquePaths lends backendAuth.key to paths passed through unparsed, and there is no key: add key, or remove keyOnOpaquePaths",
        );
    }
    if (policies.globalRateLimit !== undefined && config.config?.redis === undefined)
      ctx.errors.report(
        [...path, "globalRateLimit"],
        "key",
        'globalRateLimit keeps its buckets in Redis, and config.redis is not set: add config: { redis: { url: "redis://HOST:6379" } }, or use localRateLimit',
      );
    policies.apiKey?.keys.forEach((entry, i) => {
      const at = [...path, "apiKey", "keys", i];
      exactlyOne(entry, ["key", "keyHash"], at, ctx);
      (entry.allowedModels ?? []).forEach((model, m) => {
        checkModelPattern(model, [...at, "allowedModels", m], ctx);
      });
    });
    if (policies.cors !== undefined) checkCorsCredentials(policies.cors, [...path, "cors"], ctx);
    const ai = policies.ai;
    for (const side of ["request", "response"] as const) {
      (ai?.promptGuard?.[side] ?? []).forEach((guard, g) => {
        checkGuard(guard, [...path, "ai", "promptGuard", side, g], ctx);
      });
    }
    for (const alias of Object.keys(ai?.modelAliases ?? {})) {
      checkModelPattern(alias, [...path, "ai", "modelAliases", alias], ctx, "key");
    }
  }

  (config.llm?.models ?? []).forEach((model, i) => {
    checkModelPattern(model.name, ["llm", "models", i, "name"], ctx);
    if (model.params?.keyOnOpaquePaths === true && model.params.apiKey === undefined)
      ctx.errors.report(
        ["llm", "models", i, "params", "keyOnOpaquePaths"],
        "key",
        "keyOnOpaquePaths lends params.apiKey to paths passed through unparsed, and there is no apiKey: add params.apiKey, or remove keyOnOpaquePaths",
      );
  });
  (config.llm?.providers ?? []).forEach((provider, i) => {
    if (provider.keyOnOpaquePaths === true && provider.passthroughCredential !== "managedFirst")
      ctx.errors.report(
        ["llm", "providers", i, "keyOnOpaquePaths"],
        "key",
        "keyOnOpaquePaths lends the provider's credential to paths passed through unparsed only under passthroughCredential: managedFirst: set that, or remove keyOnOpaquePaths",
      );
  });

  walkWithSchema(config, (value, schema, path) => {
    if (!isDurationSchema(schema) || typeof value !== "string") return;
    const ms = parseDuration(value);
    const key = path[path.length - 1];
    if (ms === 0 && typeof key === "string" && POSITIVE_DURATIONS.has(key)) {
      ctx.errors.report(path, "value", `must be longer than 0 (found ${ctx.values.show(path, value)})`);
    } else if (ms > DAY_MS) {
      ctx.errors.report(
        path,
        "value",
        `${ctx.values.show(path, value)} is longer than 24h, the longest duration accepted`,
      );
    }
  });
}

function checkGuard(guard: GuardConfig, path: PathSegment[], ctx: CheckContext): void {
  exactlyOne(guard, ["regex", "blocklist", "webhook"], path, ctx);
  guard.regex?.rules.forEach((rule, r) => {
    const at = [...path, "regex", "rules", r];
    exactlyOne(rule, ["builtin", "pattern"], at, ctx);
    if (rule.pattern !== undefined) checkRegex(rule.pattern, "g", [...at, "pattern"], ctx);
  });
}

/** Exactly one of `keys` present on `obj`; reported at the second key found, or at the object. */
function exactlyOne(obj: object, keys: readonly string[], path: Path, ctx: CheckContext): void {
  const present = keys.filter((k) => (obj as Record<string, unknown>)[k] !== undefined);
  if (present.length === 1) return;
  const choice = quotedChoice(keys);
  if (present.length === 0) {
    const none = keys.length === 2 ? "neither" : "none";
    ctx.errors.report(path, "key", `give exactly one of ${choice} (found ${none})`);
    return;
  }
  const found =
    present.length === 2 && keys.length === 2 ? "both" : quotedChoice(present).replace(" or ", " and ");
  const second = present[1] ?? "";
  ctx.errors.reportAt(path, [...path, second], "key", `give exactly one of ${choice} (found ${found})`);
}

function checkRegex(source: string, flags: string, path: Path, ctx: CheckContext): void {
  try {
    new RegExp(source, flags);
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    // V8 repeats the pattern in its message ("Invalid regular expression: /(/: Unterminated
    // group"); keep only the reason, the pattern is shown (or withheld) by ValueText.
    const reason = text.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, "");
    ctx.errors.report(
      path,
      "value",
      `${ctx.values.show(path, source)} is not a valid regular expression: ${reason}`,
    );
  }
}

/** Model patterns: exact, "prefix*", "*suffix" or "*". */
export function isModelPattern(text: string): boolean {
  const stars = text.split("*").length - 1;
  return stars === 0 || (stars === 1 && (text.startsWith("*") || text.endsWith("*")));
}

function checkModelPattern(
  text: string,
  path: Path,
  ctx: CheckContext,
  anchor: "key" | "value" = "value",
): void {
  if (isModelPattern(text)) return;
  const shown = anchor === "key" ? JSON.stringify(text) : ctx.values.show(path, text);
  ctx.errors.report(
    path,
    anchor,
    `${shown} is not a model pattern; write an exact name, "prefix*", "*suffix" or "*" (one * at the start or the end)`,
  );
}

/**
 * A wildcard origin with credentials would hand every web site the caller's cookies and
 * credentials (the origin is reflected, since browsers refuse `*` with credentials).
 */
function checkCorsCredentials(cors: CorsConfig, at: Path, ctx: CheckContext): void {
  if (cors.allowCredentials !== true) return;
  const star = cors.allowOrigins.indexOf("*");
  if (star === -1) return;
  ctx.errors.report(
    [...at, "allowOrigins", star],
    "value",
    'allowOrigins "*" cannot be combined with allowCredentials: true (any web site could make credentialed calls): list the origins allowed, e.g. ["https://app.example.com"], or drop allowCredentials',
  );
}
