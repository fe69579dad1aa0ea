/**
 * Credentials fail fast: every env:: reference must resolve when the file is loaded, and every
 * managed target must end up with a key (target → provider → env::<PROVIDER>_API_KEY).
 * Messages name fields and variables, never values.
 */
import { specOfProvider } from "../llm/providers/registry.js";
import type { CheckContext } from "./check-context.js";
import { conventionEnvName, parseCredential, resolveCredential } from "./credential.js";
import { headerValueProblem } from "./header-text.js";
import { targetProvider } from "./provider-kind.js";
import type { Config } from "./schema.js";
import { isCredentialSchema, walkWithSchema } from "./schema-walk.js";

export function checkCredentials(config: Config, ctx: CheckContext): void {
  walkWithSchema(config, (value, schema, path) => {
    if (!isCredentialSchema(schema) || typeof value !== "string") return;
    const ref = parseCredential(value);
    if (ref.kind !== "env") return;
    const field = String(path[path.length - 1] ?? "credential");
    const sources = ctx.values.envSources(path);
    if (sources !== undefined) {
      // The reference itself came from the environment; even the variable name is not shown.
      if (!resolveCredential(value, ctx.env).ok) {
        ctx.errors.report(
          path,
          "value",
          `${field} (from \${${sources.join("}, ${")}}) names a variable that is not set`,
        );
      }
      return;
    }
    if (ref.name === "") {
      ctx.errors.report(path, "value", `${field} env:: needs a variable name, e.g. env::OPENAI_API_KEY`);
      return;
    }
    if (!resolveCredential(value, ctx.env).ok) {
      ctx.errors.report(
        path,
        "value",
        `${field} refers to environment variable ${ref.name}, which is not set`,
      );
    }
  });

  const llm = config.llm;
  (llm?.targets ?? []).forEach((target, i) => {
    if (llm === undefined || target.credential !== undefined) return;
    const found = targetProvider(llm, target);
    if (found.kind !== "found") return; // reported by the llm checks
    const provider = found.provider;
    const spec = specOfProvider(provider);
    if (provider.credential !== undefined || !spec.usesKey || spec.keyOptional === true) return;
    if (spec.authorizer !== undefined) return;
    const envNames = [conventionEnvName(provider.name), ...(spec.conventionEnv ?? [])];
    const envName = envNames.find((n) => ctx.env[n] !== undefined && ctx.env[n] !== "");
    const value = envName === undefined ? undefined : ctx.env[envName];
    if (envName !== undefined && value !== undefined) {
      const problem = headerValueProblem(value);
      if (problem !== undefined)
        ctx.errors.report(
          ["llm", "targets", i],
          "key",
          `target "${target.name}" takes its key from ${envName}, which is sent in a header, and ${problem}: remove it from the key`,
        );
      return;
    }
    const tokenHint = spec.tokenAuthHint === undefined ? "" : `, or use ${spec.tokenAuthHint}`;
    ctx.errors.report(
      ["llm", "targets", i],
      "key",
      `target "${target.name}" has no credential: set ${envNames.join(" or ")}, or give credential: on the target or on provider "${provider.name}"${tokenHint}`,
    );
  });
}
