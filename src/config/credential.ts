/**
 * Credential references. A credential field holds either `env::NAME` (read from the
 * environment when the config is compiled) or the key itself (usually written "$NAME" and
 * expanded by the loader). Values are never part of any message.
 */

/** The environment a config is compiled against (process.env, or a test's). */
export type Env = Readonly<Record<string, string | undefined>>;

export type CredentialRef = { kind: "env"; name: string } | { kind: "value" };

const ENV_PREFIX = "env::";

export function parseCredential(text: string): CredentialRef {
  if (text.startsWith(ENV_PREFIX)) return { kind: "env", name: text.slice(ENV_PREFIX.length) };
  return { kind: "value" };
}

/** The key a credential field stands for. An unset or empty variable does not resolve. */
export function resolveCredential(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
): { ok: true; value: string } | { ok: false; envName: string } {
  const ref = parseCredential(text);
  if (ref.kind === "value") return { ok: true, value: text };
  const value = ref.name === "" ? undefined : env[ref.name];
  if (value === undefined || value === "") return { ok: false, envName: ref.name };
  return { ok: true, value };
}

/** The variable a provider's managed targets fall back to: "my-openai" → "MY_OPENAI_API_KEY". */
export function conventionEnvName(providerName: string): string {
  return `${providerName.toUpperCase().replace(/[^A-Z0-9_]/g, "_")}_API_KEY`;
}
