/**
 * Anthropic's structured output (`output_config.format: {type: "json_schema", schema}`) takes a
 * subset of JSON Schema. A schema from an OpenAI client is carried when it fits, adjusted only
 * where the meaning stays the same for a constrained answer:
 *   - an object without `additionalProperties` gets `additionalProperties: false` (Anthropic
 *     requires it on every object);
 *   - `oneOf` becomes `anyOf` (the alternatives of a generated union are disjoint);
 *   - the `$schema` annotation is left out, and so are `minimum` / `maximum` at the safe-integer
 *     bounds (what zod writes for `int()`), which constrain nothing.
 * Anything else it cannot express is refused with a 400 that names the keyword and where it is,
 * never dropped: numeric, string-length and array-size constraints beyond `minItems` 0 or 1,
 * `additionalProperties` other than false, conditional and negated schemas, external or
 * recursive `$ref`s, and `enum`s of objects or arrays.
 */
import { GatewayError } from "../../../errors.js";
import { isRecord, type Json } from "../util.js";

const REFUSED = new Set([
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "maxItems",
  "uniqueItems",
  "contains",
  "minContains",
  "maxContains",
  "minProperties",
  "maxProperties",
  "patternProperties",
  "propertyNames",
  "dependentSchemas",
  "dependentRequired",
  "unevaluatedProperties",
  "unevaluatedItems",
  "not",
  "if",
  "then",
  "else",
]);

/** Keywords whose value is a map of name → schema. */
const SCHEMA_MAPS = new Set(["properties", "$defs", "definitions"]);
/** Keywords whose value is a list of schemas. */
const SCHEMA_LISTS = new Set(["anyOf", "allOf", "oneOf", "prefixItems"]);

function refuse(keyword: string, path: string, why: string): GatewayError {
  return new GatewayError(
    400,
    "unsupported_feature",
    `The response schema uses \`${keyword}\` at ${path}, which Anthropic's structured output does not support (${why}); ` +
      "remove it from the schema (and check the value in your code), or send this request to an OpenAI model.",
  );
}

/**
 * zod's `int()` writes the safe-integer range as bounds: they constrain nothing a JSON integer a
 * client can read would break, so they are left out rather than refused.
 */
function isSafeIntegerBound(k: string, v: unknown): boolean {
  return k === "minimum" ? v === Number.MIN_SAFE_INTEGER : v === Number.MAX_SAFE_INTEGER;
}

function isObjectSchema(s: Json): boolean {
  const t = s.type;
  return t === "object" || (Array.isArray(t) && t.includes("object")) || isRecord(s.properties);
}

function localRefName(ref: string): string | undefined {
  const m = /^#\/(?:\$defs|definitions)\/([^/]+)$/.exec(ref);
  return m?.[1];
}

function convert(s: unknown, path: string): unknown {
  if (!isRecord(s)) return s;
  const out: Json = {};
  for (const [k, v] of Object.entries(s)) {
    const at = `${path}.${k}`;
    if ((k === "minimum" || k === "maximum") && isSafeIntegerBound(k, v)) continue;
    if (REFUSED.has(k)) throw refuse(k, path, "a constraint it cannot enforce");
    if (k === "$schema") continue;
    if (k === "minItems" && typeof v === "number" && v > 1)
      throw refuse(k, path, "only minItems 0 or 1 is supported");
    if (k === "additionalProperties" && v !== false)
      throw refuse(k, path, "objects must have additionalProperties: false");
    if (k === "enum" && Array.isArray(v) && v.some((e) => typeof e === "object" && e !== null))
      throw refuse(k, path, "enum values must be strings, numbers, booleans or null");
    if (k === "$ref" && typeof v === "string") {
      if (v !== "#" && localRefName(v) === undefined)
        throw refuse(k, path, `only local #/$defs references (got ${v})`);
      if (v === "#") throw refuse(k, path, "recursive schemas are not supported");
      out[k] = v;
    } else if (SCHEMA_MAPS.has(k) && isRecord(v)) {
      const m: Json = {};
      for (const [name, sub] of Object.entries(v)) m[name] = convert(sub, `${at}.${name}`);
      out[k] = m;
    } else if (SCHEMA_LISTS.has(k) && Array.isArray(v)) {
      const list = v.map((sub, i) => convert(sub, `${at}[${i}]`));
      out[k === "oneOf" ? "anyOf" : k] = list;
    } else if (k === "items") {
      out[k] = Array.isArray(v) ? v.map((sub, i) => convert(sub, `${at}[${i}]`)) : convert(v, at);
    } else out[k] = v;
  }
  if (isObjectSchema(out) && !("additionalProperties" in out)) out.additionalProperties = false;
  return out;
}

/** Definitions that reach themselves through `$ref`s: Anthropic refuses recursive schemas. */
function findRecursion(schema: Json): string | undefined {
  const defs: Json = {
    ...(isRecord(schema.definitions) ? schema.definitions : {}),
    ...(isRecord(schema.$defs) ? schema.$defs : {}),
  };
  const edges = new Map<string, Set<string>>();
  for (const [name, def] of Object.entries(defs)) {
    const refs = new Set<string>();
    collectRefs(def, refs);
    edges.set(name, refs);
  }
  for (const start of edges.keys()) {
    const seen = new Set<string>();
    const stack = [...(edges.get(start) ?? [])];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n === start) return start;
      if (seen.has(n)) continue;
      seen.add(n);
      stack.push(...(edges.get(n) ?? []));
    }
  }
  return undefined;
}

function collectRefs(v: unknown, refs: Set<string>): void {
  if (Array.isArray(v)) for (const x of v) collectRefs(x, refs);
  else if (isRecord(v))
    for (const [k, x] of Object.entries(v)) {
      if (k === "$ref" && typeof x === "string") {
        const name = localRefName(x);
        if (name !== undefined) refs.add(name);
      } else collectRefs(x, refs);
    }
}

/** The schema as Anthropic's `output_config.format.schema`, or a 400 naming what cannot be carried. */
export function anthropicOutputSchema(schema: Record<string, unknown>): Json {
  const out = convert(schema, "schema") as Json;
  const rec = findRecursion(out);
  if (rec !== undefined) throw refuse("$ref", `schema.$defs.${rec}`, "recursive schemas are not supported");
  return out;
}
