/**
 * From a key path to a place in the file. Diagnostics point at the YAML node they are about:
 * a value, a key, or the start of a list item; the positions come from the parsed AST, so they
 * stay true after variable expansion.
 */
import {
  type Document,
  isAlias,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
  type Pair,
} from "yaml";
import { type ConfigDiagnostic, formatPath } from "./diagnostic.js";

export type PathSegment = string | number;
export type Path = ReadonlyArray<PathSegment>;

export interface Position {
  line: number;
  col: number;
}

/** Where a diagnostic points: at the value, or at the key (for a list item: where it starts). */
export type Anchor = "value" | "key";

/** The string a mapping key reads as (what `toJS` makes of it). */
export function keyText(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  return String(key);
}

export class Locator {
  readonly #doc: Document;
  readonly #lines: LineCounter;

  constructor(doc: Document, lines: LineCounter) {
    this.#doc = doc;
    this.#lines = lines;
  }

  position(offset: number): Position {
    return this.#lines.linePos(offset);
  }

  /** The value node at `path`, following aliases; undefined when the path is not in the file. */
  node(path: Path): Node | undefined {
    let node: unknown = this.#doc.contents;
    for (const seg of path) {
      node = this.#resolve(node);
      const child = childOf(node, seg);
      if (child === undefined) return undefined;
      node = isPair(child) ? child.value : child;
    }
    const resolved = this.#resolve(node);
    return isNode(resolved) ? resolved : undefined;
  }

  /** The position `anchor` names for `path`, falling back to the nearest ancestor in the file. */
  at(path: Path, anchor: Anchor): Position {
    if (path.length === 0) return { line: 1, col: 1 };
    if (anchor === "key") return this.#keyAt(path) ?? this.at(path.slice(0, -1), "key");
    return this.#valueAt(path) ?? this.#keyAt(path) ?? this.at(path.slice(0, -1), "key");
  }

  /** The deepest key path whose node contains `offset` (used to name YAML syntax errors). */
  pathAt(offset: number): PathSegment[] {
    const out: PathSegment[] = [];
    let node: unknown = this.#doc.contents;
    for (let depth = 0; depth < 256; depth++) {
      if (isMap(node)) {
        const pair = node.items.find((p) => contains(p, offset));
        if (pair === undefined) break;
        out.push(keyText(pair.key));
        node = pair.value;
      } else if (isSeq(node)) {
        const i = node.items.findIndex((item) => isNode(item) && inRange(item, offset));
        if (i < 0) break;
        out.push(i);
        node = node.items[i];
      } else break;
    }
    return out;
  }

  #valueAt(path: Path): Position | undefined {
    const node = this.#rawNode(path);
    if (node?.range === undefined || node.range === null) return undefined;
    // `key:` with nothing after it parses to an empty scalar at the end of the line; the key is
    // the more useful place to point at.
    if (isScalar(node) && node.value === null && node.range[0] === node.range[1]) return undefined;
    return this.position(node.range[0]);
  }

  #keyAt(path: Path): Position | undefined {
    const last = path[path.length - 1];
    const parent = this.node(path.slice(0, -1));
    if (last === undefined || parent === undefined) return undefined;
    const child = childOf(parent, last);
    if (isPair(child)) {
      const key = child.key;
      if (isNode(key) && key.range) return this.position(key.range[0]);
      return undefined;
    }
    if (isNode(child) && child.range) return this.position(child.range[0]);
    return undefined;
  }

  /** Like node() but without resolving a final alias, so the position is the alias's own. */
  #rawNode(path: Path): Node | undefined {
    if (path.length === 0) return isNode(this.#doc.contents) ? this.#doc.contents : undefined;
    const parent = this.node(path.slice(0, -1));
    const last = path[path.length - 1];
    if (parent === undefined || last === undefined) return undefined;
    const child = childOf(parent, last);
    const node = isPair(child) ? child.value : child;
    return isNode(node) ? node : undefined;
  }

  #resolve(node: unknown): unknown {
    for (let i = 0; i < 64 && isAlias(node); i++) node = node.resolve(this.#doc);
    return node;
  }
}

function childOf(node: unknown, seg: PathSegment): Pair | Node | undefined {
  if (isMap(node)) {
    const key = String(seg);
    // The last pair wins, as it does in toJS.
    for (let i = node.items.length - 1; i >= 0; i--) {
      const pair = node.items[i];
      if (pair !== undefined && keyText(pair.key) === key) return pair;
    }
    return undefined;
  }
  if (isSeq(node) && typeof seg === "number") {
    const item = node.items[seg];
    return isNode(item) ? item : undefined;
  }
  return undefined;
}

function inRange(node: Node, offset: number): boolean {
  const r = node.range;
  return r !== undefined && r !== null && offset >= r[0] && offset < r[2];
}

function contains(pair: Pair, offset: number): boolean {
  const k = isNode(pair.key) ? pair.key.range : undefined;
  const v = isNode(pair.value) ? pair.value.range : undefined;
  const start = k?.[0] ?? v?.[0];
  const end = v?.[2] ?? k?.[2];
  return start !== undefined && end !== undefined && offset >= start && offset < end;
}

/** Builds diagnostics for one file. */
export class Reporter {
  readonly file: string;
  readonly locator: Locator;
  readonly diagnostics: ConfigDiagnostic[] = [];

  constructor(file: string, locator: Locator) {
    this.file = file;
    this.locator = locator;
  }

  report(path: Path, anchor: Anchor, message: string): void {
    const { line, col } = this.locator.at(path, anchor);
    this.diagnostics.push({ file: this.file, line, col, path: formatPath(path), message });
  }

  /** Prints `path` but points at `where` (e.g. the second of two conflicting keys). */
  reportAt(path: Path, where: Path, anchor: Anchor, message: string): void {
    const { line, col } = this.locator.at(where, anchor);
    this.diagnostics.push({ file: this.file, line, col, path: formatPath(path), message });
  }

  reportAtOffset(offset: number, path: Path, message: string): void {
    const { line, col } = this.locator.position(offset);
    this.diagnostics.push({ file: this.file, line, col, path: formatPath(path), message });
  }

  /** Line of `path`'s anchor, for messages like "first defined at line 3". */
  lineOf(path: Path, anchor: Anchor = "value"): number {
    return this.locator.at(path, anchor).line;
  }
}

export function sortDiagnostics(list: ConfigDiagnostic[]): ConfigDiagnostic[] {
  return [...list].sort((a, b) => a.line - b.line || a.col - b.col || a.path.localeCompare(b.path));
}
