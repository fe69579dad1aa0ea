/**
 * YAML text → Config, or every problem found, each located at FILE:LINE:COL with its key path.
 *
 * Stages, each stopping the next when it fails (later stages on a broken shape only add noise):
 * YAML syntax and duplicate keys → variable expansion (on the AST, so an environment value can
 * never change the document's structure) → JSON Schema (ajv) → semantic checks.
 */
import { readFile } from "node:fs/promises";
import type { ConfigDiagnostic } from "./diagnostic.js";
import type { Config } from "./schema.js";

export type LoadResult =
  | { ok: true; config: Config; warnings: ConfigDiagnostic[] }
  | { ok: false; errors: ConfigDiagnostic[]; warnings: ConfigDiagnostic[] };

export type Env = Readonly<Record<string, string | undefined>>;

export function loadConfigText(text: string, options: { file: string; env: Env }): LoadResult {
  void text;
  return {
    ok: false,
    errors: [{ file: options.file, line: 1, col: 1, path: "", message: "not implemented yet" }],
    warnings: [],
  };
}

export async function loadConfigFile(path: string, env: Env): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      errors: [{ file: path, line: 1, col: 1, path: "", message: `cannot read the file: ${reason}` }],
      warnings: [],
    };
  }
  return loadConfigText(text, { file: path, env });
}
