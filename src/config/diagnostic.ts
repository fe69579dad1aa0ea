/**
 * A located configuration problem. Everything the loader reports, from YAML syntax to the
 * compile step, is one of these, printed as `FILE:LINE:COL: key.path: message`. A URL in a
 * message is printed without its credentials (url-credentials.ts).
 */
import { redactUrlCredentials } from "../http/url-credentials.js";

export interface ConfigDiagnostic {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
  /** Dotted key path with [i] for list items, e.g. `llm.targets[0].credential`; "" for the root. */
  path: string;
  message: string;
}

export function formatDiagnostic(d: ConfigDiagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.path === "" ? "(root)" : d.path}: ${redactUrlCredentials(d.message)}`;
}

/** Renders a path made of keys and indices the way diagnostics print it. */
export function formatPath(segments: ReadonlyArray<string | number>): string {
  let out = "";
  for (const s of segments) {
    if (typeof s === "number") out += `[${s}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(s)) out += out === "" ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}
