import { formatDiagnostic } from "../../src/config/diagnostic.js";
import { type LoadResult, loadConfigText } from "../../src/config/load.js";

export type TestEnv = Record<string, string | undefined>;

/** YAML from lines, so columns in the expectations are easy to count. */
export function yaml(...lines: string[]): string {
  return `${lines.join("\n")}\n`;
}

export function load(text: string, env: TestEnv = {}): LoadResult {
  return loadConfigText(text, { file: "agw.yaml", env });
}

/** The formatted errors of a load that must fail. */
export function errorsOf(text: string, env: TestEnv = {}): string[] {
  const r = load(text, env);
  if (r.ok) throw new Error(`expected errors, the config loaded: ${JSON.stringify(r.config)}`);
  return r.errors.map(formatDiagnostic);
}

/** The formatted warnings of a load that must succeed. */
export function warningsOf(text: string, env: TestEnv = {}): string[] {
  const r = load(text, env);
  if (!r.ok) throw new Error(`expected success, got:\n${r.errors.map(formatDiagnostic).join("\n")}`);
  return r.warnings.map(formatDiagnostic);
}

/** A minimal valid binds prefix: one route whose backend and policies the test fills in. */
export const MINIMAL_BIND = ["binds:", "- port: 8080", "  listeners:", "  - routes:", "    - backends:"];
