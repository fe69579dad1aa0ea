/**
 * JSON Schema validation (ajv, draft-07) with each error turned into one located diagnostic a
 * user can act on: unknown keys at the key with a "did you mean", missing keys at the parent,
 * wrong values at the value, and one message per union instead of one per branch.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule, { type FormatsPlugin } from "ajv-formats";
import type { Path, PathSegment, Reporter } from "./locate.js";
import { configJsonSchema } from "./schema.js";
import { didYouMean } from "./suggest.js";
import type { ValueText } from "./value-text.js";

// ajv-formats is CommonJS; depending on the loader the default import is the plugin or its module.
const addFormats: FormatsPlugin =
  (addFormatsModule as unknown as { default?: FormatsPlugin }).default ??
  (addFormatsModule as unknown as FormatsPlugin);

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (compiled === undefined) {
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
    addFormats(ajv);
    compiled = ajv.compile(configJsonSchema());
  }
  return compiled;
}

type Schema = Record<string, unknown>;

function asSchema(value: unknown): Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Schema) : {};
}

/** Validates `data` against the config schema; reports through `reporter`. True when valid. */
export function validateSchema(data: unknown, reporter: Reporter, values: ValueText): boolean {
  const validate = validator();
  if (validate(data)) return true;
  const errors = pruneErrors(validate.errors ?? []);
  for (const e of errors) reportError(e, toPath(e.instancePath, data), reporter, values);
  return false;
}

/** Drops the noise: union branches, and follow-on errors on a value that already has one. */
function pruneErrors(errors: ErrorObject[]): ErrorObject[] {
  const unions = errors.filter((e) => e.keyword === "anyOf" || e.keyword === "oneOf");
  const inBranch = (e: ErrorObject) =>
    unions.some((u) => u !== e && e.schemaPath.startsWith(`${u.schemaPath}/`));
  const kept = errors.filter((e) => !inBranch(e));
  const typed = new Set(kept.filter((e) => e.keyword === "type").map((e) => e.instancePath));
  const empty = new Set(kept.filter((e) => e.keyword === "minLength").map((e) => e.instancePath));
  return kept.filter((e) => {
    if (e.keyword !== "type" && typed.has(e.instancePath)) return false;
    if ((e.keyword === "pattern" || e.keyword === "format") && empty.has(e.instancePath)) return false;
    return true;
  });
}

function toPath(pointer: string, data: unknown): PathSegment[] {
  if (pointer === "") return [];
  const out: PathSegment[] = [];
  let node: unknown = data;
  for (const raw of pointer.slice(1).split("/")) {
    const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(node)) {
      const i = Number(seg);
      out.push(i);
      node = node[i];
    } else {
      out.push(seg);
      node = typeof node === "object" && node !== null ? (node as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

function reportError(e: ErrorObject, path: Path, reporter: Reporter, values: ValueText): void {
  const parent = asSchema(e.parentSchema);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "additionalProperties": {
      const key = String(params.additionalProperty);
      const allowed = Object.keys(asSchema(parent.properties));
      let hint = didYouMean(key, allowed);
      if (hint === "") {
        if (allowed.length === 0) hint = "; this mapping takes no keys";
        else if (allowed.length <= 8) hint = `; allowed keys: ${allowed.join(", ")}`;
      }
      // Printed with the mapping's path (the key is in the message), pointed at the key itself.
      reporter.reportAt(path, [...path, key], "key", `unknown key "${key}"${hint}`);
      return;
    }
    case "required":
      reporter.report(path, "key", `missing required key "${String(params.missingProperty)}"`);
      return;
    case "anyOf":
    case "oneOf": {
      const branches = Array.isArray(e.schema) ? e.schema.map((b) => describeSchema(asSchema(b))) : [];
      const wanted = branches.length > 0 ? joinOr(branches) : "one of the accepted forms";
      reporter.report(path, "value", `expected ${wanted}, found ${values.found(path, e.data)}`);
      return;
    }
    case "type":
      reporter.report(
        path,
        "value",
        `expected ${describeSchema(parent)}, found ${values.found(path, e.data)}`,
      );
      return;
    default:
      reporter.report(path, "value", valueMessage(e, parent, params, path, values));
  }
}

function valueMessage(
  e: ErrorObject,
  parent: Schema,
  params: Record<string, unknown>,
  path: Path,
  values: ValueText,
): string {
  const shown = values.show(path, e.data);
  const found = values.printable(path) ? `, found ${shown}` : "";
  switch (e.keyword) {
    case "enum": {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues.map(String) : [];
      const hint = typeof e.data === "string" && values.printable(path) ? didYouMean(e.data, allowed) : "";
      return `${shown} is not one of: ${allowed.join(", ")}${hint}`;
    }
    case "const":
      return `expected ${JSON.stringify(params.allowedValue)}${found}`;
    case "pattern":
      return patternMessage(shown, String(params.pattern), parent);
    case "format":
      if (params.format === "uri") {
        return `${shown} is not a URL; write an absolute URL such as http://127.0.0.1:9001/v1`;
      }
      return `${shown} is not a valid ${String(params.format)}`;
    case "minimum":
      return `must be at least ${String(params.limit)}${found}`;
    case "maximum":
      return `must be at most ${String(params.limit)}${found}`;
    case "exclusiveMinimum":
      return `must be greater than ${String(params.limit)}${found}`;
    case "exclusiveMaximum":
      return `must be less than ${String(params.limit)}${found}`;
    case "minLength":
      return params.limit === 1 ? "must not be empty" : `must be at least ${String(params.limit)} characters`;
    case "maxLength":
      return `must be at most ${String(params.limit)} characters`;
    case "minItems":
      return params.limit === 1
        ? "must not be an empty list"
        : `must list at least ${String(params.limit)} items`;
    case "maxItems":
      return `must list at most ${String(params.limit)} items`;
    case "minProperties":
      return `must have at least ${String(params.limit)} keys`;
    case "uniqueItems":
      return "must not list the same item twice";
    default:
      return e.message ?? `is not valid (${e.keyword})`;
  }
}

function patternMessage(shown: string, pattern: string, schema: Schema): string {
  switch (schema.title) {
    case "duration":
      return `${shown} is not a duration; write a whole number followed by ms, s, m or h (e.g. 500ms, 30s, 2m)`;
    case "size":
      return `${shown} is not a size; write a whole number followed by B, KiB, MiB, GiB, KB, MB or GB (e.g. 512KiB, 2MiB)`;
    case "address":
      return `${shown} is not an address; write host:port (e.g. 127.0.0.1:15000)`;
    case "azureApiVersion":
      return `${shown} is not an Azure OpenAI API version; write v1 or a dated version (e.g. 2024-10-21, 2025-04-01-preview)`;
    case "azureResourceName":
      return `${shown} is not an Azure resource name; write the name only (contoso for https://contoso.openai.azure.com): letters, digits and "-"`;
  }
  if (pattern === "^[A-Za-z0-9][A-Za-z0-9._-]*$") {
    return `${shown} is not a valid name; use letters, digits, ".", "_" and "-", starting with a letter or digit`;
  }
  if (pattern === "^/") return `${shown} must start with "/"`;
  if (pattern === "^[A-Z]+$") return `${shown} is not an HTTP method; write it in upper case (e.g. POST)`;
  if (pattern.startsWith("^sha256:")) {
    return `${shown} is not a key hash; write sha256: followed by 64 lowercase hex digits`;
  }
  if (pattern.endsWith(":[0-9]{1,5}$")) return `${shown} is not host:port (e.g. 127.0.0.1:8080)`;
  if (pattern.startsWith("^(\\*\\.)?")) return `${shown} is not a host name; write an exact name or *.suffix`;
  return `${shown} does not match the pattern ${pattern}`;
}

/** A schema in words: "a whole number from 1 to 256", `"auto"`, "a duration (e.g. 30s)". */
export function describeSchema(s: Schema): string {
  if ("const" in s) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return `one of: ${s.enum.map(String).join(", ")}`;
  const union = Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : undefined;
  if (union !== undefined) return joinOr(union.map((b) => describeSchema(asSchema(b))));
  const min = typeof s.minimum === "number" ? s.minimum : undefined;
  const max = typeof s.maximum === "number" ? s.maximum : undefined;
  const range =
    min !== undefined && max !== undefined
      ? ` from ${min} to ${max}`
      : min !== undefined
        ? ` of at least ${min}`
        : max !== undefined
          ? ` of at most ${max}`
          : "";
  switch (s.type) {
    case "integer":
      return `a whole number${range}`;
    case "number":
      return `a number${range}`;
    case "boolean":
      return "true or false";
    case "array":
      return "a list";
    case "object":
      return "a mapping";
    case "null":
      return "nothing";
    case "string":
      if (s.title === "duration") return "a duration (e.g. 500ms, 30s, 2m)";
      if (s.title === "size") return "a size (e.g. 512KiB, 2MiB)";
      if (s.title === "address") return "an address written host:port";
      return "a string";
    default:
      return "a value of another kind";
  }
}

function joinOr(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}
