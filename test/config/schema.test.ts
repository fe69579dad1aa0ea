import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderConfigSchema } from "../../src/config/render-schema.js";

type Node = Record<string, unknown>;
const committedText = readFileSync(new URL("../../schema/config.schema.json", import.meta.url), "utf8");
const committed = JSON.parse(committedText) as Node;

/** Every schema node with the JSON path that leads to it. */
function* walk(node: unknown, path: string): Generator<[string, Node]> {
  if (node === null || typeof node !== "object") return;
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) yield* walk(item, `${path}[${i}]`);
    return;
  }
  const obj = node as Node;
  yield [path, obj];
  for (const [k, v] of Object.entries(obj)) {
    if (k === "examples" || k === "default" || k === "enum") continue;
    yield* walk(v, `${path}/${k}`);
  }
}

describe("schema/config.schema.json", () => {
  it("is the file `npm run schema` generates from src/config/schema.ts", () => {
    // If this fails, run `npm run schema` and commit the result.
    expect(committedText).toBe(renderConfigSchema());
  });

  it("is draft-07", () => {
    expect(committed.$schema).toBe("http://json-schema.org/draft-07/schema#");
  });

  it("closes every object to unknown keys (maps excepted)", () => {
    const open: string[] = [];
    for (const [path, node] of walk(committed, "#")) {
      // A map declares the schema of its values in additionalProperties; anything else is closed.
      const isMap = typeof node.additionalProperties === "object";
      if (node.type === "object" && !isMap && node.additionalProperties !== false) open.push(path);
    }
    expect(open).toEqual([]);
  });

  it("describes every property, so an editor has something to show on hover", () => {
    const missing: string[] = [];
    for (const [path, node] of walk(committed, "#")) {
      const props = node.properties as Record<string, Node> | undefined;
      if (props === undefined) continue;
      for (const [name, prop] of Object.entries(props)) {
        if (typeof prop.description !== "string" || prop.description.length < 8)
          missing.push(`${path}.${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("uses enums for the closed sets", () => {
    const enums = [...walk(committed, "#")]
      .map(([, n]) => n.enum)
      .filter((e): e is string[] => Array.isArray(e))
      .map((e) => e.join(","));
    expect(enums).toContain(
      "completions,messages,responses,embeddings,models,anthropicTokenCount,generateContent,geminiCountTokens,passthrough,detect",
    );
    expect(enums).toContain("single,weighted,fallback");
    expect(enums).toContain("mask,reject");
    expect(enums).toContain("opaque,detect");
    expect(enums).toContain(
      "openAI,anthropic,mock,gemini,groq,mistral,deepseek,xai,openrouter,together,fireworks,cerebras,deepinfra,perplexity,ollama,openAICompatible,azure,vertex,bedrock",
    );
    expect(enums).toContain("caller,managedFirst");
  });

  it("gives defaults and examples where a user needs them", () => {
    const nodes = [...walk(committed, "#")].map(([, n]) => n);
    expect(nodes.filter((n) => n.default !== undefined).length).toBeGreaterThan(20);
    expect(nodes.filter((n) => Array.isArray(n.examples)).length).toBeGreaterThan(20);
  });
});
