/**
 * Everything configured that ends up in an HTTP header must be sendable: header modifier
 * names and values, CORS lists, the gateway-key header, webhook headers, and every credential
 * (sent as Authorization or x-api-key). A CR or LF there would be a header injection, and
 * Node refuses it when the header is written; caught here, it is a located load error rather
 * than a failure on the first request. Messages never quote a value (it may be a secret).
 */
import { type CheckContext, policySites } from "./check-context.js";
import { resolveCredential } from "./credential.js";
import { headerNameProblem, headerValueProblem } from "./header-text.js";
import type { PathSegment } from "./locate.js";
import type { Config } from "./schema.js";
import { isCredentialSchema, walkWithSchema } from "./schema-walk.js";

type Modifier = { set?: Record<string, string>; add?: Record<string, string>; remove?: string[] };

export function checkHeaders(config: Config, ctx: CheckContext): void {
  const name = (text: string, path: PathSegment[], anchor: "key" | "value"): void => {
    const problem = headerNameProblem(text);
    if (problem !== undefined) ctx.errors.report(path, anchor, problem);
  };
  const value = (text: string, path: PathSegment[]): void => {
    const problem = headerValueProblem(text);
    if (problem !== undefined) ctx.errors.report(path, "value", problem);
  };
  const headerMap = (map: Record<string, string> | undefined, at: PathSegment[]): void => {
    for (const [k, v] of Object.entries(map ?? {})) {
      name(k, [...at, k], "key");
      value(v, [...at, k]);
    }
  };
  const modifier = (mod: Modifier | undefined, at: PathSegment[]): void => {
    if (mod === undefined) return;
    headerMap(mod.set, [...at, "set"]);
    headerMap(mod.add, [...at, "add"]);
    (mod.remove ?? []).forEach((n, i) => {
      name(n, [...at, "remove", i], "value");
    });
  };

  for (const { policies, path } of policySites(config)) {
    modifier(policies.requestHeaderModifier, [...path, "requestHeaderModifier"]);
    modifier(policies.responseHeaderModifier, [...path, "responseHeaderModifier"]);
    const cors = policies.cors;
    if (cors !== undefined) {
      const at = [...path, "cors"];
      cors.allowOrigins.forEach((o, i) => {
        value(o, [...at, "allowOrigins", i]);
      });
      for (const list of ["allowMethods", "allowHeaders", "exposeHeaders"] as const) {
        (cors[list] ?? []).forEach((n, i) => {
          name(n, [...at, list, i], "value");
        });
      }
    }
    if (policies.apiKey?.header !== undefined)
      name(policies.apiKey.header, [...path, "apiKey", "header"], "value");
    for (const side of ["request", "response"] as const) {
      (policies.ai?.promptGuard?.[side] ?? []).forEach((guard, g) => {
        headerMap(guard.webhook?.headers, [...path, "ai", "promptGuard", side, g, "webhook", "headers"]);
      });
    }
  }

  // Credentials go upstream in a header; a stray newline (echo, a file's last line) is common.
  walkWithSchema(config, (v, schema, path) => {
    if (!isCredentialSchema(schema) || typeof v !== "string") return;
    const resolved = resolveCredential(v, ctx.env);
    if (!resolved.ok) return; // reported by the credential checks
    const problem = headerValueProblem(resolved.value);
    if (problem === undefined) return;
    const from =
      v.startsWith("env::") && ctx.values.envSources(path) === undefined ? ` (from ${v.slice(5)})` : "";
    ctx.errors.report(
      path,
      "value",
      `the key${from} is sent in a header, and ${problem}: remove it from the key`,
    );
  });
}
