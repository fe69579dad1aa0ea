/**
 * Gateway keys (`policies.apiKey`). Callers present a key on `x-agw-authorization: Bearer <key>`
 * (header configurable; a bare key without a scheme is accepted too). Keys are kept only as
 * SHA-256 digests, inline ones hashed at compile time; the presented key is hashed and compared
 * with `timingSafeEqual` against every stored digest, with no early exit, so neither the match
 * position nor a prefix leaks through timing. Errors and the returned identity carry the key's
 * name, never the key.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { ApiKeyConfig } from "../config/schema.js";
import { GatewayError } from "../errors.js";
import { matchesModel, parseModelPattern } from "../llm/model-pattern.js";
import { type PolicyEvent, policyEvent } from "./events.js";

export const DEFAULT_API_KEY_HEADER = "x-agw-authorization";

export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface GatewayKey {
  readonly name: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** Whether this key may use `model` (always true without allowedModels). */
  allowsModel(model: string): boolean;
  /**
   * Whether this key may use paths passed through unparsed (no model is checked there):
   * always without allowedModels (or with "*"), else only where allowOpaquePaths says so.
   */
  readonly opaquePaths: boolean;
}

export type AuthResult =
  | { readonly ok: true; readonly key: GatewayKey; readonly event: PolicyEvent }
  | { readonly ok: false; readonly error: GatewayError; readonly event: PolicyEvent };

export interface ApiKeyPolicy {
  /** Lower-case name of the header that carries the key; the proxy must not forward it. */
  readonly header: string;
  authenticate(headers: HeaderBag): AuthResult;
  /** undefined when allowed; a 403 `forbidden` otherwise. */
  authorizeModel(key: GatewayKey, model: string): GatewayError | undefined;
  /** undefined when the key may use a path passed through unparsed; a 403 `forbidden` naming the setting otherwise. */
  authorizeOpaquePath(key: GatewayKey): GatewayError | undefined;
  /** The subset of `models` the key may use, for `/v1/models`. */
  filterModels<T extends string | { readonly id: string }>(key: GatewayKey, models: readonly T[]): T[];
}

interface StoredKey {
  readonly digest: Buffer;
  readonly key: GatewayKey;
}

const sha256 = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();

const BEARER = /^bearer[ \t]+(\S+)$/i;

function presentedKey(value: string): string | undefined {
  const v = value.trim();
  const m = BEARER.exec(v);
  if (m !== null) return m[1];
  if (v !== "" && !/\s/.test(v)) return v;
  return undefined;
}

function gatewayKey(entry: ApiKeyConfig["keys"][number], policyWide: boolean): GatewayKey {
  const patterns = entry.allowedModels?.map(parseModelPattern);
  const limited = entry.allowedModels !== undefined && !entry.allowedModels.includes("*");
  return Object.freeze({
    name: entry.name,
    metadata: Object.freeze({ ...(entry.metadata ?? {}) }),
    allowsModel: (model: string) => patterns === undefined || patterns.some((p) => matchesModel(p, model)),
    opaquePaths: !limited || (entry.allowOpaquePaths ?? policyWide),
  });
}

function storedKey(entry: ApiKeyConfig["keys"][number], policyWide: boolean): StoredKey {
  let digest: Buffer;
  if (entry.keyHash !== undefined) digest = Buffer.from(entry.keyHash.slice("sha256:".length), "hex");
  else if (entry.key !== undefined) digest = sha256(entry.key);
  // The config check requires exactly one of key/keyHash; this guards direct callers.
  else throw new Error(`apiKey "${entry.name}" has neither key nor keyHash`);
  if (digest.length !== 32) throw new Error(`apiKey "${entry.name}" has a malformed keyHash`);
  return { digest, key: gatewayKey(entry, policyWide) };
}

function unauthorized(message: string): AuthResult {
  return {
    ok: false,
    error: new GatewayError(401, "unauthorized", message),
    event: policyEvent("apiKey", "gateway", "reject"),
  };
}

export interface ApiKeyDeps {
  /** Digest comparison; timingSafeEqual by default (tests count calls to prove no early exit). */
  readonly digestEqual?: (a: Buffer, b: Buffer) => boolean;
}

export function createApiKeyPolicy(cfg: ApiKeyConfig, deps: ApiKeyDeps = {}): ApiKeyPolicy {
  const digestEqual = deps.digestEqual ?? timingSafeEqual;
  const header = (cfg.header ?? DEFAULT_API_KEY_HEADER).toLowerCase();
  const policyWide = cfg.allowOpaquePaths ?? false;
  const stored: readonly StoredKey[] = Object.freeze(cfg.keys.map((k) => storedKey(k, policyWide)));

  function authenticate(headers: HeaderBag): AuthResult {
    const raw = headers[header];
    const value = typeof raw === "string" ? raw : raw?.[0];
    if (value === undefined || value.trim() === "") {
      return unauthorized(`A gateway key is required in the ${header} header.`);
    }
    const presented = presentedKey(value);
    if (presented === undefined) {
      return unauthorized(`The ${header} header must be "Bearer <key>".`);
    }
    const digest = sha256(presented);
    let found: GatewayKey | undefined;
    for (const s of stored) {
      // Every stored digest is compared, whatever the outcome, so timing does not depend on position.
      const same = digestEqual(digest, s.digest);
      if (same && found === undefined) found = s.key;
    }
    if (found === undefined) return unauthorized("The gateway key is not valid.");
    return { ok: true, key: found, event: policyEvent("apiKey", "gateway", "allow") };
  }

  function authorizeModel(key: GatewayKey, model: string): GatewayError | undefined {
    if (key.allowsModel(model)) return undefined;
    return new GatewayError(403, "forbidden", `The gateway key "${key.name}" may not use model "${model}".`);
  }

  function authorizeOpaquePath(key: GatewayKey): GatewayError | undefined {
    if (key.opaquePaths) return undefined;
    return new GatewayError(
      403,
      "forbidden",
      `The gateway key "${key.name}" is limited to some models (allowedModels) and this path is passed through without a model to check; allow such paths with allowOpaquePaths: true on the key (apiKey.keys[].allowOpaquePaths) or on the apiKey policy.`,
    );
  }

  function filterModels<T extends string | { readonly id: string }>(
    key: GatewayKey,
    models: readonly T[],
  ): T[] {
    return models.filter((m) => key.allowsModel(typeof m === "string" ? m : m.id));
  }

  return Object.freeze({ header, authenticate, authorizeModel, authorizeOpaquePath, filterModels });
}
