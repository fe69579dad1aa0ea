/**
 * Variable expansion in string values: `$NAME`, `${NAME}`, `${NAME:-default}` (default when
 * unset or empty), `$$` for a literal `$`. It runs on the parsed AST, never on the text, so an
 * environment value is always a plain string: it cannot add keys, lists or lines. Nodes that
 * received environment text are remembered so no message ever prints what came from it.
 */
import { type Document, isMap, isScalar, isSeq, type Node } from "yaml";
import type { Env } from "./credential.js";
import { keyText, type PathSegment } from "./locate.js";
import { isSecretPath } from "./secret-paths.js";

export interface ExpandedString {
  value: string;
  /** Variables whose (non-empty or set) environment value was inserted. */
  fromEnv: string[];
  /** Variables that were unset with no default. */
  missing: string[];
  /** Text of a `${...}` that is not a valid reference. */
  malformed: string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const BRACED = /^\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/;

export function expandString(text: string, env: Env): ExpandedString {
  const out: ExpandedString = { value: "", fromEnv: [], missing: [], malformed: [] };
  let i = 0;
  let value = "";
  while (i < text.length) {
    const dollar = text.indexOf("$", i);
    if (dollar < 0) {
      value += text.slice(i);
      break;
    }
    value += text.slice(i, dollar);
    const rest = text.slice(dollar + 1);
    if (rest.startsWith("$")) {
      value += "$";
      i = dollar + 2;
      continue;
    }
    if (rest.startsWith("{")) {
      const m = BRACED.exec(rest);
      if (m === null) {
        const close = rest.indexOf("}");
        out.malformed.push(`$${close < 0 ? rest : rest.slice(0, close + 1)}`);
        value += `$${rest.slice(0, close < 0 ? rest.length : close + 1)}`;
        i = close < 0 ? text.length : dollar + 2 + close;
        continue;
      }
      const name = m[1] ?? "";
      const fallback = m[2];
      const set = env[name];
      if (fallback !== undefined && (set === undefined || set === "")) value += fallback;
      else if (set === undefined) out.missing.push(name);
      else {
        value += set;
        out.fromEnv.push(name);
      }
      i = dollar + 1 + m[0].length;
      continue;
    }
    const m = NAME.exec(rest);
    if (m === null) {
      value += "$";
      i = dollar + 1;
      continue;
    }
    const name = m[0];
    const set = env[name];
    if (set === undefined) out.missing.push(name);
    else {
      value += set;
      out.fromEnv.push(name);
    }
    i = dollar + 1 + name.length;
  }
  out.value = value;
  return out;
}

export interface ExpandProblem {
  node: Node;
  path: PathSegment[];
  message: string;
}

export interface ExpandOutcome {
  problems: ExpandProblem[];
  /** Scalar nodes that hold environment text, with the variables that supplied it. */
  fromEnv: WeakMap<Node, readonly string[]>;
}

const CORE_INT = /^[-+]?[0-9]+$/;
const CORE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/**
 * An unquoted value is typed after expansion the way YAML's core schema types plain text, so
 * `port: ${PORT:-4000}` is the number 4000; quote it to keep a string. Only the scalar's type
 * can change this way, never the document's structure.
 */
function plainScalarValue(text: string): string | number | boolean {
  if (CORE_INT.test(text) || CORE_FLOAT.test(text)) return Number(text);
  if (text === "true" || text === "True" || text === "TRUE") return true;
  if (text === "false" || text === "False" || text === "FALSE") return false;
  return text;
}

/** Expands every string value (not keys) of `doc` in place. */
export function expandDocument(doc: Document, env: Env): ExpandOutcome {
  const outcome: ExpandOutcome = { problems: [], fromEnv: new WeakMap() };
  const seen = new WeakSet<Node>();
  const visit = (node: unknown, path: PathSegment[], depth: number): void => {
    if (depth > 512) return;
    if (isMap(node)) {
      for (const pair of node.items) visit(pair.value, [...path, keyText(pair.key)], depth + 1);
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        visit(item, [...path, i], depth + 1);
      });
    } else if (isScalar(node) && typeof node.value === "string" && !seen.has(node)) {
      seen.add(node);
      if (!node.value.includes("$")) return;
      const r = expandString(node.value, env);
      for (const name of r.missing) {
        outcome.problems.push({
          node,
          path,
          message: `environment variable ${name} is not set (write \${${name}:-default} to give a default)`,
        });
      }
      for (const text of r.malformed) {
        outcome.problems.push({
          node,
          path,
          message: `${isSecretPath(path) ? "this value has a ${ that" : `"${text}"`} is not a variable reference; write \${NAME} or \${NAME:-default}, or $$ for a literal $`,
        });
      }
      if (r.fromEnv.length > 0) outcome.fromEnv.set(node, r.fromEnv);
      node.value = node.type === "PLAIN" ? plainScalarValue(r.value) : r.value;
    }
  };
  visit(doc.contents, [], 0);
  return outcome;
}
