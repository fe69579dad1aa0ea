/**
 * What every provider kind with a settings block of its own (`vertex:`, `bedrock:`) checks alike:
 * the block sits only on a provider of that kind, an llm.models entry names a provider entry
 * rather than the bare kind (which cannot carry the block), and each provider of the kind, in
 * llm.providers and in binds routes, has its block checked by the kind's own rule.
 */
import { bindRoutes, type CheckContext } from "./check-context.js";
import type { PathSegment } from "./locate.js";
import { providerKind } from "./provider-kind.js";
import type { Config, LlmProviderConfig } from "./schema.js";

type BlockKind = "vertex" | "bedrock";

export interface ProviderBlockRule<K extends BlockKind> {
  kind: K;
  /** What the bare kind lacks, in the llm.models message: "a region", "a project and a region". */
  needs: string;
  /** The block's required keys as the message spells them: "region", "project, region". */
  keys: string;
  /**
   * Checks one provider's block. `at` is the provider (or, in a binds route, the block itself,
   * `inBlock`); undefined `block` means the provider has none.
   */
  check(
    name: string,
    block: LlmProviderConfig[K],
    at: PathSegment[],
    ctx: CheckContext,
    inBlock: boolean,
  ): void;
}

export function checkProviderBlock<K extends BlockKind>(
  config: Config,
  ctx: CheckContext,
  rule: ProviderBlockRule<K>,
): void {
  const { kind } = rule;
  (config.llm?.providers ?? []).forEach((p, i) => {
    const at: PathSegment[] = ["llm", "providers", i];
    if (providerKind(p) !== kind) {
      if (p[kind] !== undefined)
        ctx.errors.report(
          [...at, kind],
          "key",
          `${kind}: applies only to provider: ${kind}; "${p.name}" is not one`,
        );
      return;
    }
    rule.check(p.name, p[kind], at, ctx, false);
  });
  (config.llm?.models ?? []).forEach((m, i) => {
    if (m.provider === kind)
      ctx.errors.report(
        ["llm", "models", i, "provider"],
        "value",
        `model entry "${m.name}" names the ${kind} kind, which needs ${rule.needs}: add an llm.providers entry with provider: ${kind} and ${kind}: { ${rule.keys} }, and name it here`,
      );
  });
  for (const { route, path } of bindRoutes(config)) {
    route.backends.forEach((backend, k) => {
      const block = backend.ai?.provider[kind];
      if (block === undefined || backend.ai === undefined) return;
      rule.check(backend.ai.name, block, [...path, "backends", k, "ai", "provider", kind], ctx, true);
    });
  }
}
