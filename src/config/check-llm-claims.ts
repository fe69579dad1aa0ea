/**
 * Which route answers a model, checked at load so nothing is shadowed silently. The router
 * (src/llm/routing/compile-router.ts) lets the first claim on a model win, in this order:
 * explicit routes, then the routes built for targets (those no route uses first, then the
 * others: every target serves its own model unless something before it claims that model),
 * then exact llm.models entries.
 * Every later claim on the same model would never be used, so it is an error here, located
 * at the claim, naming the one that wins.
 */
import type { CheckContext } from "./check-context.js";
import type { PathSegment } from "./locate.js";
import type { LlmConfig } from "./schema.js";

interface Claim {
  what: string;
  path: PathSegment[];
  /** Set when a target some route uses claims its own model. */
  target?: string;
}

const PREFIX_WORDS = ["route", "function"];

export function checkLlmClaims(llm: LlmConfig, ctx: CheckContext): void {
  checkProviderNames(llm, ctx);
  const claims = new Map<string, Claim>();
  const winner = (c: Claim) => `${c.what} (line ${ctx.errors.lineOf(c.path)})`;

  (llm.routes ?? []).forEach((route, i) => {
    route.models.forEach((model, j) => {
      const path: PathSegment[] = ["llm", "routes", i, "models", j];
      const first = claims.get(model);
      if (first !== undefined) {
        ctx.errors.report(
          path,
          "value",
          `model "${model}" is already served by ${winner(first)}; a model belongs to one route (list several targets with strategy weighted or fallback instead)`,
        );
      } else claims.set(model, { what: `route "${route.name}"`, path });
    });
  });

  const routed = new Set((llm.routes ?? []).flatMap((r) => r.targets));
  const inFunctions = new Set((llm.functions ?? []).flatMap((f) => f.targets ?? []));
  const targets = (llm.targets ?? []).map((target, i) => ({ target, i }));
  // Targets no route uses claim their model first; a target some route uses still serves its
  // own model when nothing else claims it (compile-router.ts builds the same order).
  for (const { target, i } of targets) {
    if (routed.has(target.name)) continue;
    const path: PathSegment[] = ["llm", "targets", i, "model"];
    const first = claims.get(target.model);
    if (first === undefined) {
      claims.set(target.model, { what: `target "${target.name}" (a route of its own)`, path });
    } else if (!inFunctions.has(target.name)) {
      // A target that only a function uses may share a routed model: it serves the function.
      ctx.errors.report(
        path,
        "value",
        `target "${target.name}" is in no route, so it would get a route of its own for model "${target.model}", but ${winner(first)} already serves that model; add "${target.name}" to that route's targets, or use it from a function`,
      );
    }
  }
  for (const { target, i } of targets) {
    if (!routed.has(target.name)) continue;
    const path: PathSegment[] = ["llm", "targets", i, "model"];
    const first = claims.get(target.model);
    if (first === undefined) {
      claims.set(target.model, {
        what: `target "${target.name}" (in a route, and a route of its own for its model)`,
        path,
        target: target.name,
      });
    } else if (first.target !== undefined) {
      ctx.warnings.report(
        path,
        "value",
        `model "${target.model}" is served by ${winner(first)}, not by target "${target.name}", which only serves the routes that list it; add a route with models: ["${target.model}"] to choose explicitly`,
      );
    }
  }

  (llm.models ?? []).forEach((entry, i) => {
    if (entry.name.includes("*")) return;
    const path: PathSegment[] = ["llm", "models", i, "name"];
    const first = claims.get(entry.name);
    if (first !== undefined) {
      ctx.errors.report(
        path,
        "value",
        `model "${entry.name}" is already served by ${winner(first)}, so this entry would never be used`,
      );
    } else claims.set(entry.name, { what: `llm.models entry "${entry.name}"`, path });
  });

  warnSharedProviderModels(llm, ctx);
  warnFunctionShadows(llm, claims, ctx);
}

/** `route::x` and `function::x` are prefixes of their own, so no provider may take those names. */
function checkProviderNames(llm: LlmConfig, ctx: CheckContext): void {
  (llm.providers ?? []).forEach((p, i) => {
    if (!PREFIX_WORDS.includes(p.name)) return;
    ctx.errors.report(
      ["llm", "providers", i, "name"],
      "value",
      `a provider cannot be named "${p.name}": "${p.name}::" already selects a ${p.name} by name; choose another name`,
    );
  });
}

/** Passthrough of a model two providers list goes to the first; say so rather than stay silent. */
function warnSharedProviderModels(llm: LlmConfig, ctx: CheckContext): void {
  const first = new Map<string, string>();
  (llm.providers ?? []).forEach((p, i) => {
    (p.models ?? []).forEach((model, j) => {
      const owner = first.get(model);
      if (owner === undefined) {
        first.set(model, p.name);
        return;
      }
      ctx.warnings.report(
        ["llm", "providers", i, "models", j],
        "value",
        `model "${model}" is also listed by provider "${owner}", which serves its passthrough requests; callers reach this provider with "${p.name}::${model}"`,
      );
    });
  });
}

/** A function is looked up before routes, so one named like a routed model takes its requests. */
function warnFunctionShadows(llm: LlmConfig, claims: Map<string, Claim>, ctx: CheckContext): void {
  (llm.functions ?? []).forEach((fn, i) => {
    const claim = claims.get(fn.name);
    if (claim === undefined) return;
    ctx.warnings.report(
      ["llm", "functions", i, "name"],
      "value",
      `requests for model "${fn.name}" run this function, not ${claim.what} (line ${ctx.errors.lineOf(claim.path)}), because functions are looked up first`,
    );
  });
}
