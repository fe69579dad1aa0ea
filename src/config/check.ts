/**
 * Semantic checks: what the schema cannot say. They run only on a document the schema accepted,
 * so every shape here is known; each problem is located at the key or value it is about.
 */
import { checkAzure } from "./check-azure.js";
import { checkBedrock } from "./check-bedrock.js";
import { checkBudgets } from "./check-budgets.js";
import type { CheckContext } from "./check-context.js";
import { checkCredentials } from "./check-credentials.js";
import { checkHeaders } from "./check-headers.js";
import { checkLlm } from "./check-llm.js";
import { checkNames } from "./check-names.js";
import { checkShapes } from "./check-shapes.js";
import { checkVertex } from "./check-vertex.js";
import type { Config } from "./schema.js";

export type { CheckContext } from "./check-context.js";

export function checkConfig(config: Config, ctx: CheckContext): void {
  checkShapes(config, ctx);
  checkNames(config, ctx);
  checkLlm(config, ctx);
  checkAzure(config, ctx);
  checkVertex(config, ctx);
  checkBedrock(config, ctx);
  checkCredentials(config, ctx);
  checkHeaders(config, ctx);
  checkBudgets(config, ctx);
}
