/**
 * Model name patterns as the config writes them: an exact name, "prefix*", "*suffix" or "*"
 * (the loader rejects any other use of *). One definition of "most specific wins" for the
 * whole gateway — llm.models bindings, the router's pattern layer, modelAliases and a gateway
 * key's allowedModels: an exact name first, then prefixes (longest first), then suffixes
 * (longest first), then "*".
 */

export type ModelPatternKind = "exact" | "prefix" | "suffix" | "any";

export interface ModelPattern {
  readonly source: string;
  readonly kind: ModelPatternKind;
  /** The exact name, the prefix, or the suffix ("" for "*"). */
  readonly value: string;
}

export function parseModelPattern(source: string): ModelPattern {
  if (source === "*") return { source, kind: "any", value: "" };
  if (source.endsWith("*")) return { source, kind: "prefix", value: source.slice(0, -1) };
  if (source.startsWith("*")) return { source, kind: "suffix", value: source.slice(1) };
  return { source, kind: "exact", value: source };
}

export function matchesModel(p: Pick<ModelPattern, "kind" | "value">, model: string): boolean {
  switch (p.kind) {
    case "exact":
      return model === p.value;
    case "prefix":
      return model.startsWith(p.value);
    case "suffix":
      return model.endsWith(p.value);
    case "any":
      return true;
  }
}

const RANK: Readonly<Record<ModelPatternKind, number>> = { exact: 0, prefix: 1, suffix: 2, any: 3 };

/** Sort comparator, most specific first; equal patterns keep their order under a stable sort. */
export function bySpecificity(
  a: Pick<ModelPattern, "kind" | "value">,
  b: Pick<ModelPattern, "kind" | "value">,
): number {
  return RANK[a.kind] - RANK[b.kind] || b.value.length - a.value.length;
}
