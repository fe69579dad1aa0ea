/** The llm form: providers, model bindings, targets, routes and functions referring to each other. */
import { PROVIDERS } from "../llm/providers/registry.js";
import { type CheckContext, choiceText } from "./check-context.js";
import { checkLlmClaims } from "./check-llm-claims.js";
import type { PathSegment } from "./locate.js";
import { inferProviderKind, targetProvider } from "./provider-kind.js";
import {
  type Config,
  type LlmConfig,
  PROVIDER_KINDS,
  type ProviderKindName,
  type StrategyName,
} from "./schema.js";
import { didYouMean } from "./suggest.js";

export function checkLlm(config: Config, ctx: CheckContext): void {
  const llm = config.llm;
  if (llm === undefined) return;
  const errorsBefore = ctx.errors.diagnostics.length;
  const providerNames = (llm.providers ?? []).map((p) => p.name);
  const targetNames = (llm.targets ?? []).map((t) => t.name);

  (llm.providers ?? []).forEach((p, i) => {
    const at: PathSegment[] = ["llm", "providers", i];
    const kind = p.provider ?? inferProviderKind(p.name);
    if (kind === undefined) {
      ctx.errors.report(
        at,
        "key",
        `cannot tell what kind of provider "${p.name}" is from its name: add provider: ${choiceText(PROVIDER_KINDS)}`,
      );
    } else if (needsBaseUrl(kind) && p.baseUrl === undefined && PROVIDERS[kind].configure === undefined) {
      ctx.errors.report(
        at,
        "key",
        `provider "${p.name}" is ${kind}, which has no public address: add baseUrl (e.g. http://127.0.0.1:8000/v1 for vLLM)`,
      );
    } else if (p.responsesApi !== undefined && !PROVIDERS[kind].responsesApi) {
      ctx.warnings.report(
        [...at, "responsesApi"],
        "key",
        `responsesApi only applies to ${responsesKinds()} providers, not ${kind}`,
      );
    }
  });

  (llm.models ?? []).forEach((m, i) => {
    const known = [...PROVIDER_KINDS, ...providerNames];
    const kind = PROVIDER_KINDS.find((k) => k === m.provider);
    if (kind !== undefined && needsBaseUrl(kind) && m.params?.baseUrl === undefined) {
      ctx.errors.report(
        ["llm", "models", i],
        "key",
        `model entry "${m.name}" names ${kind}, which has no public address: add params.baseUrl, or name an llm.providers entry that has baseUrl`,
      );
    }
    if (known.includes(m.provider)) return;
    const at = ["llm", "models", i, "provider"];
    ctx.errors.report(
      at,
      "value",
      `${ctx.values.show(at, m.provider)} is neither a provider kind (${PROVIDER_KINDS.join(", ")}) nor the name of an entry in llm.providers${suggestion(ctx, at, m.provider, known)}`,
    );
  });

  (llm.targets ?? []).forEach((target, i) => {
    const at: PathSegment[] = ["llm", "targets", i];
    const found = targetProvider(llm, target);
    if (found.kind === "unknown") {
      ctx.errors.report(
        [...at, "provider"],
        "value",
        `unknown provider "${found.name}"${listOrNone(providerNames, "llm.providers")}${didYouMean(found.name, providerNames)}`,
      );
    } else if (found.kind === "none") {
      const listed = (llm.providers ?? []).flatMap((p) => p.models ?? []);
      ctx.errors.report(
        [...at, "model"],
        "value",
        `cannot tell which provider serves model ${ctx.values.show([...at, "model"], target.model)}: add provider: <name> or list the model under a provider's models${suggestion(ctx, [...at, "model"], target.model, listed)}`,
      );
    } else if (found.kind === "ambiguous") {
      const names = found.indexes.map((p) => {
        const line = ctx.errors.lineOf(["llm", "providers", p, "name"]);
        return `"${providerNames[p] ?? ""}" (line ${line})`;
      });
      ctx.errors.report(
        [...at, "model"],
        "value",
        `model ${ctx.values.show([...at, "model"], target.model)} is listed by more than one provider: ${names.join(" and ")}; add provider: <name> to the target`,
      );
    }
  });

  (llm.routes ?? []).forEach((route, i) => {
    const at: PathSegment[] = ["llm", "routes", i];
    checkTargetRefs(route.targets, [...at, "targets"], targetNames, ctx);
    checkStrategy(route.strategy, route.targets.length, at, "targets", ctx);
  });

  (llm.functions ?? []).forEach((fn, i) => {
    const at: PathSegment[] = ["llm", "functions", i];
    if (fn.targets !== undefined && fn.models !== undefined) {
      ctx.errors.reportAt(
        at,
        [...at, "models"],
        "key",
        'give exactly one of "targets" or "models" (found both)',
      );
    } else if (fn.targets === undefined && fn.models === undefined) {
      ctx.errors.report(at, "key", 'give exactly one of "targets" or "models" (found neither)');
    }
    if (fn.targets !== undefined) {
      checkTargetRefs(fn.targets, [...at, "targets"], targetNames, ctx);
      checkStrategy(fn.strategy, fn.targets.length, at, "targets", ctx);
    } else if (fn.models !== undefined) {
      checkStrategy(fn.strategy, fn.models.length, at, "models", ctx);
    }
  });

  checkProviderModelNames(llm, ctx);
  // Which route claims a model only means something once every reference resolves.
  if (ctx.errors.diagnostics.length === errorsBefore) checkLlmClaims(llm, ctx);
}

function checkTargetRefs(
  refs: readonly string[],
  path: PathSegment[],
  targetNames: string[],
  ctx: CheckContext,
) {
  refs.forEach((name, j) => {
    if (targetNames.includes(name)) return;
    ctx.errors.report(
      [...path, j],
      "value",
      `unknown target "${name}"${listOrNone(targetNames, "llm.targets")}${didYouMean(name, targetNames)}`,
    );
  });
}

function checkStrategy(
  strategy: StrategyName | undefined,
  count: number,
  at: PathSegment[],
  list: "targets" | "models",
  ctx: CheckContext,
): void {
  if ((strategy ?? "single") !== "single" || count <= 1) return;
  const message = `strategy single takes one ${list === "targets" ? "target" : "model"}, found ${count}; use strategy: weighted or strategy: fallback`;
  if (strategy === undefined) {
    ctx.errors.report([...at, list], "key", `${message} (single is the default)`);
  } else {
    ctx.errors.report([...at, "strategy"], "value", message);
  }
}

/** providers[].models is matched exactly, so a "*" there is almost surely meant for llm.models. */
function checkProviderModelNames(llm: LlmConfig, ctx: CheckContext): void {
  (llm.providers ?? []).forEach((p, i) => {
    (p.models ?? []).forEach((model, j) => {
      if (!model.includes("*")) return;
      const at = ["llm", "providers", i, "models", j];
      ctx.warnings.report(
        at,
        "value",
        `${ctx.values.show(at, model)} looks like a pattern, but a provider's models are matched exactly; use llm.models for patterns`,
      );
    });
  });
}

function suggestion(
  ctx: CheckContext,
  path: PathSegment[],
  word: string,
  candidates: readonly string[],
): string {
  return ctx.values.printable(path) ? didYouMean(word, candidates) : "";
}

function listOrNone(names: readonly string[], where: string): string {
  return names.length === 0 ? ` (${where} defines none)` : "";
}

function responsesKinds(): string {
  return choiceText(PROVIDER_KINDS.filter((k) => PROVIDERS[k].responsesApi));
}

/** A remote kind without a public default address (a generic server): the config must give one. */
function needsBaseUrl(kind: ProviderKindName): boolean {
  const spec = PROVIDERS[kind];
  return spec.native !== "local" && spec.defaultBaseUrl === undefined;
}
