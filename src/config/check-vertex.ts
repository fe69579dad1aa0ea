/**
 * Vertex AI settings the schema cannot check: a vertex provider names its project and region
 * (they make its URL); the rest (where a vertex: block may sit, the bare kind in llm.models) is
 * checkProviderBlock's.
 */
import type { CheckContext } from "./check-context.js";
import { checkProviderBlock } from "./check-provider-block.js";
import type { PathSegment } from "./locate.js";
import type { Config, VertexSettingsConfig } from "./schema.js";

export function checkVertex(config: Config, ctx: CheckContext): void {
  checkProviderBlock(config, ctx, {
    kind: "vertex",
    needs: "a project and a region",
    keys: "project, region",
    check: checkPlace,
  });
}

function checkPlace(
  name: string,
  vertex: VertexSettingsConfig | undefined,
  at: PathSegment[],
  ctx: CheckContext,
  inBlock: boolean,
): void {
  const missing = (["project", "region"] as const).filter((k) => vertex?.[k] === undefined);
  if (missing.length === 0) return;
  ctx.errors.report(
    vertex === undefined || inBlock ? at : [...at, "vertex"],
    "key",
    `Vertex AI provider "${name}" needs ${missing.join(" and ")}: add vertex: { project: <project id>, region: <region, e.g. us-east5, or global> }`,
  );
}
