/**
 * Model name patterns as the config writes them (checked by config/check-shapes.ts): an exact
 * name, "prefix*", "*suffix" or "*". Compiled once into a predicate and a specificity, so
 * "most specific wins" means the same thing everywhere in the policies.
 */

export interface ModelPattern {
  readonly source: string;
  readonly exact: boolean;
  /** Length of the literal part; larger is more specific. */
  readonly specificity: number;
  matches(model: string): boolean;
}

export function compileModelPattern(source: string): ModelPattern {
  if (source === "*") {
    return Object.freeze({ source, exact: false, specificity: 0, matches: () => true });
  }
  if (source.endsWith("*")) {
    const prefix = source.slice(0, -1);
    return Object.freeze({
      source,
      exact: false,
      specificity: prefix.length,
      matches: (m: string) => m.startsWith(prefix),
    });
  }
  if (source.startsWith("*")) {
    const suffix = source.slice(1);
    return Object.freeze({
      source,
      exact: false,
      specificity: suffix.length,
      matches: (m: string) => m.endsWith(suffix),
    });
  }
  return Object.freeze({
    source,
    exact: true,
    specificity: source.length,
    matches: (m: string) => m === source,
  });
}
