/** Walks config data beside its JSON Schema, so checks can find fields by what they are. */
import type { PathSegment } from "./locate.js";
import { configJsonSchema } from "./schema.js";

export type SchemaNode = Readonly<Record<string, unknown>>;

let root: SchemaNode | undefined;

function configSchema(): SchemaNode {
  root ??= configJsonSchema();
  return root;
}

function obj(value: unknown): SchemaNode | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as SchemaNode)
    : undefined;
}

/** Calls `visit` for every value in `data` that has a schema, depth first. */
export function walkWithSchema(
  data: unknown,
  visit: (value: unknown, schema: SchemaNode, path: PathSegment[]) => void,
  schema: SchemaNode = configSchema(),
  path: PathSegment[] = [],
): void {
  visit(data, schema, path);
  if (Array.isArray(data)) {
    const items = obj(schema.items);
    if (items === undefined) return;
    data.forEach((v, i) => {
      walkWithSchema(v, visit, items, [...path, i]);
    });
    return;
  }
  const record = obj(data);
  if (record === undefined) return;
  const properties = obj(schema.properties);
  const patterns = obj(schema.patternProperties);
  const rest = obj(schema.additionalProperties);
  for (const [key, value] of Object.entries(record)) {
    const sub =
      obj(properties?.[key]) ?? (patterns === undefined ? undefined : firstValue(patterns, key)) ?? rest;
    if (sub !== undefined) walkWithSchema(value, visit, sub, [...path, key]);
  }
}

function firstValue(patterns: SchemaNode, key: string): SchemaNode | undefined {
  for (const [pattern, sub] of Object.entries(patterns)) {
    if (new RegExp(pattern, "u").test(key)) return obj(sub);
  }
  return undefined;
}

/** Credential fields are the ones whose description offers env::NAME (see schema.ts Credential). */
export function isCredentialSchema(schema: SchemaNode): boolean {
  return typeof schema.description === "string" && schema.description.includes("Either env::NAME");
}

export function isDurationSchema(schema: SchemaNode): boolean {
  return schema.title === "duration";
}
