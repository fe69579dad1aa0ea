import { describe, expect, it } from "vitest";
import { importGraph, layerOf } from "./import-graph.js";
import { importCycles, layerViolations } from "./layer-rules.js";

describe("the layers of src/", () => {
  const graph = importGraph();

  it("reads the whole tree", () => {
    expect(graph.size).toBeGreaterThan(150);
    expect(graph.get("src/server/handler.ts")).toContain("src/llm/pipeline/context.ts");
  });

  it("import only downward", () => {
    expect(layerViolations(graph, layerOf).map((v) => v.message)).toEqual([]);
  });

  it("have no import cycle, type-only imports included", () => {
    expect(importCycles(graph)).toEqual([]);
  });

  it("keep config, policies and the LLM code off the server, and formats pure", () => {
    for (const [from, targets] of graph) {
      const a = layerOf(from);
      for (const to of targets) {
        const b = layerOf(to);
        if (
          from.startsWith("src/config/") ||
          from.startsWith("src/policies/") ||
          from.startsWith("src/llm/")
        ) {
          expect(to.startsWith("src/server/") || to.startsWith("src/process/"), `${from} → ${to}`).toBe(
            false,
          );
        }
        if (a === "formats") expect(b === "formats" || b === "errors", `${from} → ${to}`).toBe(true);
      }
    }
  });

  it("leave the config watcher to the process layer alone", () => {
    const watchers = [...graph].filter(([, t]) => t.includes("src/process/watch.ts")).map(([f]) => f);
    for (const f of watchers) expect(f.startsWith("src/process/") || f === "src/cli.ts", f).toBe(true);
  });
});

describe("the layer check itself", () => {
  it("reports an upward import", () => {
    const graph = new Map([
      ["src/llm/pipeline/a.ts", ["src/server/b.ts"]],
      ["src/server/b.ts", []],
    ]);
    expect(layerViolations(graph, layerOf).map((v) => v.from)).toEqual(["src/llm/pipeline/a.ts"]);
  });

  it("reports a format that imports anything but formats and errors", () => {
    const graph = new Map([["src/llm/formats/x.ts", ["src/runtime/snapshot.ts"]]]);
    expect(layerViolations(graph, layerOf)).toHaveLength(1);
  });

  it("reports a file outside every layer", () => {
    const graph = new Map([["src/elsewhere/x.ts", []]]);
    expect(layerViolations(graph, layerOf)[0]?.message).toContain("in no layer");
  });

  it("finds a cycle, and only the files on it", () => {
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["d", ["a"]],
      ["e", ["e"]],
    ]);
    expect(importCycles(graph)).toEqual([["a", "b", "c"], ["e"]]);
  });
});
