/**
 * Vertex AI settings the schema cannot check: a vertex provider names its project and region
 * (they make its URL), a vertex: block sits only on a vertex provider, and an llm.models entry
 * names a vertex provider entry rather than the bare kind.
 */
import { bindRoutes, type CheckContext } from "./check-context.js";
import type { PathSegment } from "./locate.js";
import { providerKind } from "./provider-kind.js";
import type { Config, VertexSettingsConfig } from "./schema.js";

export function checkVertex(config: Config, ctx: CheckContext): void {
  (config.llm?.providers ?? []).forEach((p, i) => {
    const at: PathSegment[] = ["llm", "providers", i];
    if (providerKind(p) !== "vertex") {
      if (p.vertex !== undefined)
        ctx.errors.report(
          [...at, "vertex"],
          "key",
          `vertex: applies only to provider: vertex; "${p.name}" is not one`,
        );
      return;
    }
    checkPlace(p.name, p.vertex, at, ctx);
  });
  (config.llm?.models ?? []).forEach((m, i) => {
    if (m.provider === "vertex")
      ctx.errors.report(
        ["llm", "models", i, "provider"],
        "value",
        `model entry "${m.name}" names the vertex kind, which needs a project and a region: add an llm.providers entry with provider: vertex and vertex: { project, region }, and name it here`,
      );
  });
  for (const { route, path } of bindRoutes(config)) {
    route.backends.forEach((backend, k) => {
      const vertex = backend.ai?.provider.vertex;
      if (vertex === undefined || backend.ai === undefined) return;
      checkPlace(backend.ai.name, vertex, [...path, "backends", k, "ai", "provider", "vertex"], ctx, true);
    });
  }
}

function checkPlace(
  name: string,
  vertex: VertexSettingsConfig | undefined,
  at: PathSegment[],
  ctx: CheckContext,
  inBlock = false,
): void {
  const missing = (["project", "region"] as const).filter((k) => vertex?.[k] === undefined);
  if (missing.length === 0) return;
  ctx.errors.report(
    vertex === undefined || inBlock ? at : [...at, "vertex"],
    "key",
    `Vertex AI provider "${name}" needs ${missing.join(" and ")}: add vertex: { project: <project id>, region: <region, e.g. us-east5, or global> }`,
  );
}
