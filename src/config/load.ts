/**
 * YAML text → Config, or every problem found, each located at FILE:LINE:COL with its key path.
 *
 * Stages, each stopping the next when it fails (later stages on a broken shape only add noise):
 * YAML syntax and duplicate keys → variable expansion (on the AST, so an environment value can
 * never change the document's structure) → JSON Schema (ajv) → semantic checks.
 */
import { readFile } from "node:fs/promises";
import { type Document, isMap, isNode, isSeq, LineCounter, parseAllDocuments } from "yaml";
import { checkConfig } from "./check.js";
import type { Env } from "./credential.js";
import type { ConfigDiagnostic } from "./diagnostic.js";
import { expandDocument } from "./expand.js";
import { keyText, Locator, type PathSegment, Reporter, sortDiagnostics } from "./locate.js";
import type { Config } from "./schema.js";
import { validateSchema } from "./validate.js";
import { ValueText } from "./value-text.js";

export type LoadResult =
  | { ok: true; config: Config; warnings: ConfigDiagnostic[] }
  | { ok: false; errors: ConfigDiagnostic[]; warnings: ConfigDiagnostic[] };

export function loadConfigText(text: string, options: { file: string; env: Env }): LoadResult {
  const { file, env } = options;
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const first = docs[0];
  const fail = (errors: ConfigDiagnostic[], warnings: ConfigDiagnostic[] = []): LoadResult => ({
    ok: false,
    errors: sortDiagnostics(errors),
    warnings: sortDiagnostics(warnings),
  });
  if (first === undefined || first.contents === null) {
    return fail([at(file, 1, 1, "the file is empty; write at least binds or llm")]);
  }

  const locator = new Locator(first, lines);
  const errors = new Reporter(file, locator);
  const warnings = new Reporter(file, locator);
  for (const doc of docs) {
    const docLocator = doc === first ? locator : new Locator(doc, lines);
    for (const e of doc.errors) {
      errors.reportAtOffset(e.pos[0], docLocator.pathAt(e.pos[0]), yamlMessage(e.message));
    }
    for (const w of doc.warnings) {
      warnings.reportAtOffset(w.pos[0], docLocator.pathAt(w.pos[0]), yamlMessage(w.message));
    }
  }
  const second = docs[1];
  if (second !== undefined) {
    errors.reportAtOffset(
      second.range[0],
      [],
      "the file holds more than one YAML document; agw reads exactly one (remove the --- line)",
    );
  }
  reportDuplicateKeys(first, errors);
  if (errors.diagnostics.length > 0) return fail(errors.diagnostics, warnings.diagnostics);

  if (!isMap(first.contents)) {
    const found = isSeq(first.contents) ? "a list" : "a single value";
    return fail([at(file, 1, 1, `the top level must be a mapping (config, binds, llm), found ${found}`)]);
  }

  const expanded = expandDocument(first, env);
  for (const p of expanded.problems) {
    const offset = p.node.range?.[0] ?? 0;
    errors.reportAtOffset(offset, p.path, p.message);
  }
  if (errors.diagnostics.length > 0) return fail(errors.diagnostics, warnings.diagnostics);

  let data: unknown;
  try {
    data = first.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return fail([at(file, 1, 1, `the document cannot be read: ${reason}`)], warnings.diagnostics);
  }

  const values = new ValueText(locator, expanded.fromEnv);
  if (!validateSchema(data, errors, values)) return fail(errors.diagnostics, warnings.diagnostics);

  const config = data as Config;
  checkConfig(config, { errors, warnings, values, env });
  if (errors.diagnostics.length > 0) return fail(errors.diagnostics, warnings.diagnostics);
  return { ok: true, config, warnings: sortDiagnostics(warnings.diagnostics) };
}

export async function loadConfigFile(path: string, env: Env): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { ok: false, errors: [at(path, 1, 1, `cannot read the file: ${reason}`)], warnings: [] };
  }
  return loadConfigText(text, { file: path, env });
}

function at(file: string, line: number, col: number, message: string): ConfigDiagnostic {
  return { file, line, col, path: "", message };
}

/** yaml's messages, minus a trailing period and with the first letter lower-cased like ours. */
function yamlMessage(message: string): string {
  const trimmed = message.trim().replace(/\.$/, "");
  return `YAML: ${trimmed.charAt(0).toLowerCase()}${trimmed.slice(1)}`;
}

/** Duplicate keys are reported by us (not yaml) so the message can name the key and its first line. */
function reportDuplicateKeys(doc: Document, errors: Reporter): void {
  const visit = (node: unknown, path: PathSegment[], depth: number): void => {
    if (depth > 512) return;
    if (isMap(node)) {
      const firstAt = new Map<string, number>();
      for (const pair of node.items) {
        const key = keyText(pair.key);
        const offset = isNode(pair.key) ? (pair.key.range?.[0] ?? 0) : 0;
        const earlier = firstAt.get(key);
        if (earlier === undefined) firstAt.set(key, offset);
        else {
          const line = errors.locator.position(earlier).line;
          errors.reportAtOffset(
            offset,
            [...path, key],
            `duplicate key "${key}" (first given at line ${line})`,
          );
        }
        visit(pair.value, [...path, key], depth + 1);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        visit(item, [...path, i], depth + 1);
      });
    }
  };
  visit(doc.contents, [], 0);
}
