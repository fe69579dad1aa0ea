/**
 * Bedrock settings the schema cannot check: a bedrock provider names its region (it makes the
 * URL and the signature's scope); the rest (where a bedrock: block may sit, the bare kind in
 * llm.models) is checkProviderBlock's.
 */
import type { CheckContext } from "./check-context.js";
import { checkProviderBlock } from "./check-provider-block.js";
import type { PathSegment } from "./locate.js";
import type { BedrockSettingsConfig, Config } from "./schema.js";

export function checkBedrock(config: Config, ctx: CheckContext): void {
  checkProviderBlock(config, ctx, { kind: "bedrock", needs: "a region", keys: "region", check: checkRegion });
}

function checkRegion(
  name: string,
  bedrock: BedrockSettingsConfig | undefined,
  at: PathSegment[],
  ctx: CheckContext,
  inBlock: boolean,
): void {
  if (bedrock?.region !== undefined) return;
  ctx.errors.report(
    bedrock === undefined || inBlock ? at : [...at, "bedrock"],
    "key",
    `Bedrock provider "${name}" needs a region: add bedrock: { region: <AWS region, e.g. us-east-1> }`,
  );
}
