/**
 * The layers of src/ and what each may import. Read top to bottom: the process stands on the
 * server and on config; the server on the LLM pipeline; the pipeline on routing, policies and
 * observability; and everything on the compiled snapshot (runtime), the provider kinds, the
 * pure formats and the config's value declarations. A layer may import itself and the layers
 * listed for it, nothing else; and no file may take part in an import cycle.
 */
import type { Layer } from "./import-graph.js";

const BASE: readonly Layer[] = ["config-values", "errors"];

export const MAY_IMPORT: Readonly<Record<Layer, readonly Layer[]>> = {
  cli: [
    "process",
    "config",
    "server",
    "pipeline",
    "routing",
    "observability",
    "http",
    "runtime",
    "policies",
    "providers",
    "llm-core",
    "formats",
    ...BASE,
  ],
  // The only layer that imports both the server and config (the watcher, the swap).
  process: [
    "config",
    "server",
    "pipeline",
    "routing",
    "observability",
    "http",
    "runtime",
    "policies",
    "providers",
    "llm-core",
    "formats",
    ...BASE,
  ],
  // Load, check, compile: builds the snapshot with routing's and the policies' factories.
  config: ["routing", "http", "runtime", "policies", "providers", "llm-core", "formats", ...BASE],
  server: [
    "pipeline",
    "routing",
    "observability",
    "http",
    "runtime",
    "policies",
    "providers",
    "llm-core",
    "formats",
    ...BASE,
  ],
  pipeline: [
    "routing",
    "observability",
    "http",
    "runtime",
    "policies",
    "providers",
    "llm-core",
    "formats",
    ...BASE,
  ],
  routing: ["http", "runtime", "providers", "llm-core", "formats", ...BASE],
  observability: ["http", "runtime", "providers", "llm-core", "formats", ...BASE],
  http: ["runtime", "policies", "providers", "llm-core", "formats", ...BASE],
  // Plain data: the snapshot holds compiled policies and provider specs, and describes them.
  runtime: ["policies", "providers", "llm-core", "formats", ...BASE],
  policies: ["llm-core", "formats", ...BASE],
  providers: ["formats", ...BASE],
  "llm-core": [...BASE],
  // Pure converters: formats and errors only.
  formats: ["errors"],
  "config-values": [],
  errors: [],
};

export interface Violation {
  readonly from: string;
  readonly to: string;
  readonly message: string;
}

/** Imports that cross layers the wrong way, or leave or enter src/ unlayered. */
export function layerViolations(
  graph: ReadonlyMap<string, readonly string[]>,
  layerOf: (file: string) => Layer | undefined,
): Violation[] {
  const out: Violation[] = [];
  for (const [from, targets] of graph) {
    const a = layerOf(from);
    if (a === undefined) {
      out.push({ from, to: from, message: `${from} is in no layer: add its folder to LAYER_OF` });
      continue;
    }
    for (const to of targets) {
      const b = layerOf(to);
      if (b === undefined) {
        out.push({ from, to, message: `${from} imports ${to}, which is in no layer` });
      } else if (a !== b && !MAY_IMPORT[a].includes(b)) {
        out.push({
          from,
          to,
          message: `${from} (${a}) imports ${to} (${b}): ${a} may import only ${MAY_IMPORT[a].join(", ") || "itself"}`,
        });
      }
    }
  }
  return out;
}

/** Every import cycle, as the files on it (Tarjan's strongly connected components). */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        if (!graph.has(w)) continue;
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}
