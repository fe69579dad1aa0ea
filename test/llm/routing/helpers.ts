/** Loads YAML through the real loader (so every reference example is also a valid config) and builds its router. */
import { formatDiagnostic } from "../../../src/config/diagnostic.js";
import { loadConfigText } from "../../../src/config/load.js";
import type { Config } from "../../../src/config/schema.js";
import { compileLlmRouter, type LlmRouter } from "../../../src/llm/routing/compile-router.js";
import type { RandomSource } from "../../../src/llm/routing/strategy.js";
import type { Candidate, CandidateAuth } from "../../../src/runtime/plan.js";

export type Env = Record<string, string | undefined>;

export function loadYaml(text: string, env: Env): Config {
  const loaded = loadConfigText(text, { file: "test.yaml", env });
  if (!loaded.ok) throw new Error(loaded.errors.map((d) => formatDiagnostic(d)).join("\n"));
  return loaded.config;
}

export function routerOf(text: string, env: Env, random: RandomSource = () => 0): LlmRouter {
  const config = loadYaml(text, env);
  if (config.llm === undefined) throw new Error("no llm section");
  return compileLlmRouter(config.llm, { env, random });
}

/** A fixed sequence of draws, so a weighted pick is exact. */
export function draws(...values: number[]): RandomSource {
  let i = 0;
  return () => {
    const v = values[i % values.length];
    i++;
    if (v === undefined) throw new Error("no draws");
    return v;
  };
}

/** The key a candidate would carry, for asserting what goes upstream. */
export function keyOf(auth: CandidateAuth): string | undefined {
  return auth.kind === "managed" || auth.kind === "managedFirst" ? auth.key : undefined;
}

export function only(candidates: readonly Candidate[]): Candidate {
  if (candidates.length !== 1) throw new Error(`expected one candidate, got ${candidates.length}`);
  return candidates[0] as Candidate;
}
