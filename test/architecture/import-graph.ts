/**
 * The import graph of src/: every relative import (static, type-only, re-export or dynamic)
 * of every TypeScript file, read with TypeScript's own pre-processor, and the layer each
 * file belongs to.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

export const ROOT = resolve(import.meta.dirname, "../..");

export type Layer =
  | "cli"
  | "process"
  | "config"
  | "server"
  | "pipeline"
  | "routing"
  | "observability"
  | "http"
  | "runtime"
  | "policies"
  | "providers"
  | "llm-core"
  | "formats"
  | "config-values"
  | "errors";

/**
 * Which layer a file is in: the longest matching prefix wins. `config-values` is the part of
 * config/ that states what a config value is (the schema and the pure readings of its values);
 * every layer may read it. The rest of config/ loads, checks and compiles, above them all.
 */
const LAYER_OF: ReadonlyArray<readonly [prefix: string, layer: Layer]> = [
  ["src/agw.ts", "cli"],
  ["src/cli.ts", "cli"],
  ["src/process/", "process"],
  ["src/server/", "server"],
  ["src/config/schema.ts", "config-values"],
  ["src/config/schema/", "config-values"],
  ["src/config/duration.ts", "config-values"],
  ["src/config/credential.ts", "config-values"],
  ["src/config/provider-kind.ts", "config-values"],
  ["src/config/secret-paths.ts", "config-values"],
  ["src/config/", "config"],
  ["src/llm/pipeline/", "pipeline"],
  ["src/llm/routing/", "routing"],
  ["src/llm/providers/", "providers"],
  ["src/llm/formats/", "formats"],
  ["src/llm/", "llm-core"],
  ["src/policies/", "policies"],
  ["src/observability/", "observability"],
  ["src/http/", "http"],
  ["src/runtime/", "runtime"],
  ["src/errors.ts", "errors"],
];

export function layerOf(file: string): Layer | undefined {
  let best: readonly [string, Layer] | undefined;
  for (const entry of LAYER_OF) {
    if (file.startsWith(entry[0]) && (best === undefined || entry[0].length > best[0].length)) best = entry;
  }
  return best?.[1];
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...sourceFiles(rel));
    else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) out.push(rel);
  }
  return out;
}

/** src-relative file → the src files it imports. */
export function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles("src")) {
    const info = ts.preProcessFile(readFileSync(join(ROOT, file), "utf8"), true, true);
    const targets: string[] = [];
    for (const ref of info.importedFiles) {
      if (!ref.fileName.startsWith(".")) continue;
      const abs = resolve(ROOT, dirname(file), ref.fileName.replace(/\.js$/, ".ts"));
      targets.push(relative(ROOT, abs));
    }
    graph.set(file, targets);
  }
  return graph;
}
