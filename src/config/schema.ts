/**
 * The configuration shape, written once in TypeBox. It is the single source of the
 * TypeScript types (`Config` and friends) and of `schema/config.schema.json`, which editors
 * use for completion and hover. Every object is closed, every property has a description.
 *
 * Constraints a schema cannot express (one-of choices with friendly wording, references
 * between names, regexes that compile, ...) are checked in `check.ts`.
 */
import { type Static, Type } from "@sinclair/typebox";
import { type AiBackend, type Backend, Bind, type Listener, type Match, type Route } from "./schema/binds.js";
import {
  Llm,
  type LlmFunction,
  type LlmModel,
  type LlmProvider,
  type LlmRoute,
  type LlmTarget,
} from "./schema/llm.js";
import type {
  AiPolicy,
  ApiKey,
  Budget,
  Cors,
  GlobalRateLimit,
  Guard,
  Policies,
  RateLimit,
  Retry,
  Timeout,
} from "./schema/policies.js";
import { type ModelPrice, Process } from "./schema/process.js";
import { Obj, opt, type PROVIDER_KINDS, type ROUTE_TYPES, type STRATEGIES } from "./schema/shapes.js";

export { BUDGET_PERIOD_PATTERN, GUARD_ACTIONS, Policies, REGEX_BUILTINS } from "./schema/policies.js";
export type {
  AzureSettingsConfig,
  BedrockSettingsConfig,
  ProviderSettings,
  VertexSettingsConfig,
} from "./schema/shapes.js";
export {
  AZURE_API_VERSION_PATTERN,
  AZURE_AUTH_MODES,
  DURATION_PATTERN,
  PROVIDER_KINDS,
  ProviderKind,
  ROUTE_TYPES,
  RouteType,
  SIZE_PATTERN,
  STRATEGIES,
} from "./schema/shapes.js";

// ---------------------------------------------------------------------------------------
// The whole file

export const ConfigSchema = Obj(
  {
    config: opt(Process),
    binds: opt(Type.Array(Bind, { description: "Ports, listeners and routes (the full form)." })),
    llm: opt(Llm),
  },
  "The agw configuration.",
  { title: "agw configuration" },
);

export type Config = Static<typeof ConfigSchema>;
export type ProcessSettings = Static<typeof Process>;
export type BindConfig = Static<typeof Bind>;
export type ListenerConfig = Static<typeof Listener>;
export type RouteConfig = Static<typeof Route>;
export type MatchConfig = Static<typeof Match>;
export type BackendConfig = Static<typeof Backend>;
export type AiBackendConfig = Static<typeof AiBackend>;
export type PoliciesConfig = Static<typeof Policies>;
export type AiPolicyConfig = Static<typeof AiPolicy>;
export type GuardConfig = Static<typeof Guard>;
export type RetryConfig = Static<typeof Retry>;
export type TimeoutConfig = Static<typeof Timeout>;
export type RateLimitConfig = Static<typeof RateLimit>;
export type GlobalRateLimitConfig = Static<typeof GlobalRateLimit>;
export type RedisSettings = NonNullable<ProcessSettings["redis"]>;
export type ApiKeyConfig = Static<typeof ApiKey>;
export type BudgetConfig = Static<typeof Budget>;
export type ModelPriceConfig = Static<typeof ModelPrice>;
export type CorsConfig = Static<typeof Cors>;
export type LlmConfig = Static<typeof Llm>;
export type LlmProviderConfig = Static<typeof LlmProvider>;
export type LlmModelConfig = Static<typeof LlmModel>;
export type LlmTargetConfig = Static<typeof LlmTarget>;
export type LlmRouteConfig = Static<typeof LlmRoute>;
export type LlmFunctionConfig = Static<typeof LlmFunction>;
export type RouteTypeName = (typeof ROUTE_TYPES)[number];
export type ProviderKindName = (typeof PROVIDER_KINDS)[number];
export type ProviderChoiceConfig = AiBackendConfig["provider"];
export type StrategyName = (typeof STRATEGIES)[number];

/** The schema as JSON Schema draft-07, as written to schema/config.schema.json. */
export function configJsonSchema(): Record<string, unknown> {
  const body = JSON.parse(JSON.stringify(ConfigSchema)) as Record<string, unknown>;
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    $id: "https://agw.dev/schema/config.schema.json",
    ...body,
  };
}
