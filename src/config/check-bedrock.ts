/**
 * Bedrock settings the schema cannot check: a bedrock provider names its region (it makes the
 * URL and the signature's scope), a bedrock: block sits only on a bedrock provider, and an
 * llm.models entry names a bedrock provider entry rather than the bare kind.
 */
import { bindRoutes, type CheckContext } from "./check-context.js";
import type { PathSegment } from "./locate.js";
import { providerKind } from "./provider-kind.js";
import type { BedrockSettingsConfig, Config } from "./schema.js";

export function checkBedrock(config: Config, ctx: CheckContext): void {
  (config.llm?.providers ?? []).forEach((p, i) => {
    const at: PathSegment[] = ["llm", "providers", i];
    if (providerKind(p) !== "bedrock") {
      if (p.bedrock !== undefined)
        ctx.errors.report(
          [...at, "bedrock"],
          "key",
          `bedrock: applies only to provider: bedrock; "${p.name}" is not one`,
        );
      return;
    }
    checkRegion(p.name, p.bedrock, at, ctx);
  });
  (config.llm?.models ?? []).forEach((m, i) => {
    if (m.provider === "bedrock")
      ctx.errors.report(
        ["llm", "models", i, "provider"],
        "value",
        `model entry "${m.name}" names the bedrock kind, which needs a region: add an llm.providers entry with provider: bedrock and bedrock: { region }, and name it here`,
      );
  });
  for (const { route, path } of bindRoutes(config)) {
    route.backends.forEach((backend, k) => {
      const bedrock = backend.ai?.provider.bedrock;
      if (bedrock === undefined || backend.ai === undefined) return;
      checkRegion(backend.ai.name, bedrock, [...path, "backends", k, "ai", "provider", "bedrock"], ctx, true);
    });
  }
}

function checkRegion(
  name: string,
  bedrock: BedrockSettingsConfig | undefined,
  at: PathSegment[],
  ctx: CheckContext,
  inBlock = false,
): void {
  if (bedrock?.region !== undefined) return;
  ctx.errors.report(
    bedrock === undefined || inBlock ? at : [...at, "bedrock"],
    "key",
    `Bedrock provider "${name}" needs a region: add bedrock: { region: <AWS region, e.g. us-east-1> }`,
  );
}
