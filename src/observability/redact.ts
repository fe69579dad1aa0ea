/**
 * The configuration as /config_dump shows it: every secret replaced by "[redacted]".
 *
 * Two rules, both applied: (1) the loader's own secret paths (keys, apiKey, credentials,
 * keyHash, header-modifier values, webhook headers: `isSecretPath`), and (2) any string that
 * holds the value of an environment variable the file refers to (`$NAME`, `${NAME}`,
 * `env::NAME`), wherever it sits — a value from the environment is treated as secret.
 * `env::NAME` references themselves stay visible: they are names, not values. In any URL
 * (base URLs, webhook URLs) the userinfo and secret query values are hidden (url-credentials.ts).
 */
import { isSecretPath } from "../config/secret-paths.js";
import { redactUrlValue } from "../http/url-credentials.js";

export const REDACTED = "[redacted]";

const REFERENCE = /\$\{?([A-Za-z_][A-Za-z0-9_]*)|env::([A-Za-z_][A-Za-z0-9_]*)/g;

/** Values of the environment variables `text` refers to (non-empty ones). */
export function referencedEnvValues(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(REFERENCE)) {
    const name = m[1] ?? m[2];
    if (name === undefined) continue;
    const v = env[name];
    if (v !== undefined && v !== "") out.add(v);
  }
  return [...out];
}

/** Whether `s` contains one of `values` (short values must match whole, to spare ordinary text). */
function holdsSecret(s: string, values: readonly string[]): boolean {
  for (const v of values) {
    if (s === v) return true;
    if (v.length >= 6 && s.includes(v)) return true;
  }
  return false;
}

const ENV_REFERENCE = /^env::[A-Za-z_][A-Za-z0-9_]*$/;

export function redactConfig(config: unknown, secretValues: readonly string[] = []): unknown {
  const walk = (value: unknown, path: Array<string | number>): unknown => {
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, i]));
    if (value !== null && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = walk(v, [...path, k]);
      return out;
    }
    if (typeof value === "string") {
      if (holdsSecret(value, secretValues)) return REDACTED;
      if (isSecretPath(path) && !ENV_REFERENCE.test(value)) return REDACTED;
      return redactUrlValue(value);
    }
    // A number or boolean at a secret path (a numeric key) is a secret too.
    if (isSecretPath(path) && (typeof value === "number" || typeof value === "boolean")) return REDACTED;
    return value;
  };
  return walk(config, []);
}
