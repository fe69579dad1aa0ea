/**
 * Structural checks JSON.parse does not make: a key given twice in one object (JSON.parse
 * keeps the last copy, while an upstream forwarded the bytes may read the first, so what agw
 * judged and what the provider reads would differ) and nesting deeper than a fixed limit.
 *
 * One linear pass over a text that JSON.parse has already accepted (so every literal in it is
 * valid). A native regex jumps between structural characters and across string contents; a
 * key is a string followed by `:`, compared after decoding escapes (`"\u006dodel"` is `model`).
 */

/** Deepest nesting of objects and arrays a request body may have. */
export const MAX_JSON_DEPTH = 128;

export type JsonStructureProblem =
  | { readonly kind: "duplicate_key"; readonly path: string }
  | { readonly kind: "too_deep"; readonly path: string };

/** Past this many keys an object's keys go in a Set (a linear search is faster below it). */
const SMALL_OBJECT = 12;

interface Frame {
  object: boolean;
  /** Keys seen so far (objects). */
  keys: string[];
  set: Set<string> | undefined;
  /** The last key (objects) or the element index (arrays), for the path in an error. */
  key: string;
  index: number;
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function pathOf(frames: readonly Frame[], depth: number, last?: string): string {
  let out = "$";
  for (let i = 0; i < depth; i++) {
    const f = frames[i]!;
    if (i === depth - 1 && last !== undefined) break;
    out += f.object ? member(f.key) : `[${f.index}]`;
  }
  return last === undefined ? out : out + member(last);
}

function member(key: string): string {
  return IDENT.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function hasKey(f: Frame, key: string): boolean {
  if (f.set !== undefined) {
    if (f.set.has(key)) return true;
    f.set.add(key);
    return false;
  }
  const keys = f.keys;
  for (let i = 0; i < keys.length; i++) if (keys[i] === key) return true;
  keys.push(key);
  if (keys.length > SMALL_OBJECT) f.set = new Set(keys);
  return false;
}

/** The index just past the string literal opening at `at` (valid JSON assumed). */
function stringEnd(text: string, at: number): number {
  let q = text.indexOf('"', at + 1);
  for (;;) {
    // A quote preceded by an odd run of backslashes is escaped.
    let b = q - 1;
    while (text.charCodeAt(b) === 92 /* \ */) b--;
    if ((q - 1 - b) % 2 === 0) return q + 1;
    q = text.indexOf('"', q + 1);
  }
}

/** The first duplicated key or excess depth in `text` (valid JSON), or undefined. */
export function checkJsonStructure(
  text: string,
  maxDepth: number = MAX_JSON_DEPTH,
): JsonStructureProblem | undefined {
  const frames: Frame[] = [];
  let depth = 0;
  let top: Frame | undefined;
  const len = text.length;
  let i = 0;
  while (i < len) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      const end = stringEnd(text, i);
      if (top?.object) {
        let k = end;
        let n = text.charCodeAt(k);
        while (n === 32 || n === 9 || n === 10 || n === 13) n = text.charCodeAt(++k);
        if (n === 58 /* : */) {
          const raw = text.slice(i + 1, end - 1);
          const key = raw.includes("\\") ? (JSON.parse(text.slice(i, end)) as string) : raw;
          if (hasKey(top, key)) return { kind: "duplicate_key", path: pathOf(frames, depth, key) };
          top.key = key;
          i = k + 1;
          continue;
        }
      }
      i = end;
      continue;
    }
    if (c === 123 /* { */ || c === 91 /* [ */) {
      if (depth >= maxDepth) return { kind: "too_deep", path: pathOf(frames, depth) };
      let f = frames[depth];
      if (f === undefined) {
        f = { object: false, keys: [], set: undefined, key: "", index: 0 };
        frames.push(f);
      }
      f.object = c === 123;
      f.keys.length = 0;
      f.set = undefined;
      f.key = "";
      f.index = 0;
      depth++;
      top = f;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      depth--;
      top = depth > 0 ? frames[depth - 1] : undefined;
    } else if (c === 44 /* , */ && top !== undefined && !top.object) top.index++;
    i++;
  }
  return undefined;
}
