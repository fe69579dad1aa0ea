/**
 * `requestHeaderModifier` / `responseHeaderModifier`: remove, then set (replacing every value
 * of that name), then add (beside existing values). Works on flat header lists
 * ([name, value, name, value, ...], as node's rawHeaders and writeHead take), names compared
 * case-insensitively; the original list is not modified.
 */
type HeaderModifierConfig = {
  set?: Record<string, string>;
  add?: Record<string, string>;
  remove?: string[];
};

export interface HeaderModifier {
  readonly empty: boolean;
  apply(flat: readonly string[]): string[];
}

export function createHeaderModifier(cfg: HeaderModifierConfig | undefined): HeaderModifier {
  const set = Object.entries(cfg?.set ?? {}).map(([k, v]) => [k.toLowerCase(), v] as const);
  const add = Object.entries(cfg?.add ?? {}).map(([k, v]) => [k.toLowerCase(), v] as const);
  const drop = new Set([...(cfg?.remove ?? []).map((n) => n.toLowerCase()), ...set.map(([k]) => k)]);
  const empty = set.length === 0 && add.length === 0 && drop.size === 0;

  function apply(flat: readonly string[]): string[] {
    if (empty) return [...flat];
    const out: string[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const name = flat[i]!;
      if (!drop.has(name.toLowerCase())) out.push(name, flat[i + 1]!);
    }
    for (const [k, v] of set) out.push(k, v);
    for (const [k, v] of add) out.push(k, v);
    return out;
  }

  return Object.freeze({ empty, apply });
}
